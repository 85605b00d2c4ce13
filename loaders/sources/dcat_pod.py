"""Project Open Data (``data.json``, schema v1.1) read as DCAT, with every node's JSON pointer.

POD is plain JSON whose fields the schema maps to DCAT (``title`` -> ``dct:title``, ``distribution[].downloadURL``
-> ``dcat:downloadURL``, ``accessLevel`` -> ``dct:accessRights`` ...). Its ``@context`` (when present) is a remote
document we never fetch: the mapping is written out here instead. What POD allows but DCAT-AP cannot hold as is
(a repeating ``modified`` interval, ``spatial`` as a place name, US federal codes such as ``bureauCode``) is
counted as not imported, not reported as a fault; values of the wrong JSON type are faults, located by pointer.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, RDF

from graph.store import Node
from loaders.sources.dcat_read import Document, escape
from loaders.sources.dcat_terms import DCAT, access_right, file_type, media_type, typed_date
from loaders.sources.organisation_common import web_iri

TEXT = {"title": DCTERMS.title, "description": DCTERMS.description, "identifier": DCTERMS.identifier}
DATES = {"modified": DCTERMS.modified, "issued": DCTERMS.issued}
ADDRESSES = {"landingPage": DCAT.landingPage, "conformsTo": DCTERMS.conformsTo, "license": DCTERMS.license,
             "accessURL": DCAT.accessURL, "downloadURL": DCAT.downloadURL}
NOT_IMPORTED = {"rights", "accrualPeriodicity", "language", "isPartOf", "bureauCode", "programCode", "dataQuality",
                "primaryITInvestmentUII", "systemOfRecords", "describedBy", "describedByType", "@context", "@type",
                "@id", "contactPoint"}


class _Reader:
    def __init__(self, base: str) -> None:
        self.doc = Document("pod", [], base=base)
        self.counts: Counter[str] = Counter()

    def node(self, obj: dict[str, Any], pointer: str) -> Node:
        given = obj.get("@id")
        node: Node = URIRef(given) if isinstance(given, str) and web_iri(given) is not None else BNode()
        self.doc.pointers.setdefault(node, pointer)
        return node

    def add(self, s: Node, p: URIRef, o: Node, pointer: str, key: str) -> None:
        self.doc.triples.append((s, p, o))
        self.doc.keys.setdefault((self.doc.pointers.get(s, pointer), str(p)), key)

    def fault(self, message: str, pointer: str, key: str, value: Any) -> None:
        self.doc.problems.append({"message": message, "row": f"{pointer}/{escape(key)}", "column": key,
                                  "value": value})

    def texts(self, obj: dict[str, Any], key: str, pointer: str) -> list[str]:
        """A string or a list of strings; anything else is a fault."""
        value = obj.get(key)
        values = value if isinstance(value, list) else [value]
        found = []
        for index, item in enumerate(values):
            if isinstance(item, str) and item.strip():
                found.append(item.strip())
            elif item not in (None, ""):
                where = f"{key}/{index}" if isinstance(value, list) else key
                self.fault("not text; not imported", pointer, where, item)
        return found

    # -------------------------------------------------------------- POD objects
    def catalogue(self, document: dict[str, Any]) -> None:
        catalogue = self.node(document, "")
        self.add(catalogue, RDF.type, DCAT.Catalog, "", "@type")
        for key in ("title", "description"):
            for text in self.texts(document, key, ""):
                self.add(catalogue, TEXT[key], Literal(text), "", key)
        for conforms in self.texts(document, "conformsTo", ""):
            if web_iri(conforms) is not None:
                self.add(catalogue, DCTERMS.conformsTo, URIRef(conforms), "", "conformsTo")
        for index, item in enumerate(document["dataset"]):
            pointer = f"/dataset/{index}"
            if not isinstance(item, dict):
                self.fault("a dataset must be a JSON object; not imported", "/dataset", str(index), item)
                continue
            self.add(catalogue, DCAT.dataset, self.dataset(item, pointer), "", "dataset")

    def dataset(self, obj: dict[str, Any], pointer: str) -> Node:
        dataset = self.node(obj, pointer)
        self.add(dataset, RDF.type, DCAT.Dataset, pointer, "@type")
        self.common(dataset, obj, pointer)
        for keyword in self.texts(obj, "keyword", pointer):
            self.add(dataset, DCAT.keyword, Literal(keyword), pointer, "keyword")
        for theme in self.texts(obj, "theme", pointer):  # POD themes are free text: keywords for DCAT
            self.add(dataset, DCAT.keyword, Literal(theme), pointer, "theme")
        for level in self.texts(obj, "accessLevel", pointer):
            right = access_right(level)
            if right is None:
                self.fault("not a POD access level (public, restricted public, non-public); not imported", pointer,
                           "accessLevel", level)
            else:
                self.add(dataset, DCTERMS.accessRights, right, pointer, "accessLevel")
        for reference in self.texts(obj, "references", pointer):
            self.address(dataset, DCTERMS.references, reference, pointer, "references")
        for text in self.texts(obj, "spatial", pointer):
            if web_iri(text) is not None:
                self.add(dataset, DCTERMS.spatial, URIRef(text), pointer, "spatial")
            else:
                self.counts["not imported: spatial given as a place name"] += 1
        for text in self.texts(obj, "temporal", pointer):
            self.temporal(dataset, text, pointer)
        publisher = obj.get("publisher")
        if isinstance(publisher, dict):
            self.add(dataset, DCTERMS.publisher, self.organisation(publisher, f"{pointer}/publisher"), pointer,
                     "publisher")
        elif publisher is not None:
            self.add(dataset, DCTERMS.publisher, Literal(str(publisher)), pointer, "publisher")
        if "contactPoint" in obj:
            self.counts["contact points left out (personal data)"] += 1
        distributions = obj.get("distribution", [])
        for index, item in enumerate(distributions if isinstance(distributions, list) else [distributions]):
            where = f"{pointer}/distribution/{index}"
            if isinstance(item, dict):
                self.add(dataset, DCAT.distribution, self.distribution(item, where), pointer, "distribution")
            else:
                self.fault("a distribution must be a JSON object; not imported", f"{pointer}/distribution",
                           str(index), item)
        self.skipped(obj, {"keyword", "theme", "accessLevel", "references", "spatial", "temporal", "publisher",
                           "distribution", "contactPoint", "title", "description", "identifier", *DATES, *ADDRESSES})
        return dataset

    def distribution(self, obj: dict[str, Any], pointer: str) -> Node:
        distribution = self.node(obj, pointer)
        self.add(distribution, RDF.type, DCAT.Distribution, pointer, "@type")
        self.common(distribution, obj, pointer)
        for text in self.texts(obj, "mediaType", pointer):
            kind = media_type(text)
            if kind is None:
                self.fault("not a media type (type/subtype); not imported", pointer, "mediaType", text)
            else:
                self.add(distribution, DCAT.mediaType, kind, pointer, "mediaType")
        for text in self.texts(obj, "format", pointer):
            kind = file_type(text)
            if kind is None:
                self.counts["not imported: format names no EU file type"] += 1
            else:
                self.add(distribution, DCTERMS["format"], kind, pointer, "format")
        self.skipped(obj, {"mediaType", "format", "title", "description", *DATES, *ADDRESSES})
        return distribution

    def common(self, node: Node, obj: dict[str, Any], pointer: str) -> None:
        for key, prop in TEXT.items():
            for text in self.texts(obj, key, pointer):
                self.add(node, prop, Literal(text), pointer, key)
        for key, prop in DATES.items():
            for text in self.texts(obj, key, pointer):
                typed = typed_date(text)
                if typed is None:
                    self.counts[f"not imported: {key} that is not a date (e.g. a repeating interval)"] += 1
                else:
                    self.add(node, prop, typed, pointer, key)
        for key, prop in ADDRESSES.items():
            for text in self.texts(obj, key, pointer):
                self.address(node, prop, text, pointer, key)

    def address(self, node: Node, prop: URIRef, text: str, pointer: str, key: str) -> None:
        """A web address as an IRI; other text is left for the DCAT checks to resolve or report (a licence name)."""
        iri = web_iri(text)
        self.add(node, prop, iri if iri is not None else Literal(text), pointer, key)

    def organisation(self, obj: dict[str, Any], pointer: str) -> Node:
        org = self.node(obj, pointer)
        self.add(org, RDF.type, ORG.Organization, pointer, "@type")
        self.add(org, RDF.type, FOAF.Agent, pointer, "@type")
        for name in self.texts(obj, "name", pointer):
            self.add(org, FOAF.name, Literal(name), pointer, "name")
        parent = obj.get("subOrganizationOf")
        if isinstance(parent, dict):
            self.add(org, ORG.subOrganizationOf, self.organisation(parent, f"{pointer}/subOrganizationOf"), pointer,
                     "subOrganizationOf")
        return org

    def temporal(self, dataset: Node, text: str, pointer: str) -> None:
        start, sep, end = text.partition("/")
        begins, ends = typed_date(start), typed_date(end)
        if not sep or begins is None or ends is None:
            self.counts["not imported: temporal that is not a start/end pair"] += 1
            return
        period = BNode()
        self.doc.pointers.setdefault(period, f"{pointer}/temporal")
        self.add(dataset, DCTERMS.temporal, period, pointer, "temporal")
        self.add(period, RDF.type, DCTERMS.PeriodOfTime, pointer, "temporal")
        self.add(period, DCAT.startDate, begins, pointer, "temporal")
        self.add(period, DCAT.endDate, ends, pointer, "temporal")

    def skipped(self, obj: dict[str, Any], mapped: set[str]) -> None:
        for key in obj:
            if key not in mapped and key in NOT_IMPORTED:
                self.counts[f"not imported: {key}"] += 1
            elif key not in mapped:
                self.counts[f"not imported: {key} (not a POD v1.1 field)"] += 1


def read_pod(document: dict[str, Any], base: str) -> Document:
    """The catalogue and its datasets as DCAT triples; contact points are left out (personal data)."""
    reader = _Reader(base)
    reader.catalogue(document)
    reader.doc.counts.update(reader.counts)
    return reader.doc
