"""``ourdata import dcat FILE``: a partner hub's DCAT catalogue (DCAT-AP JSON-LD, Turtle, RDF/XML, or Project Open
Data ``data.json``) as its own source graph ``{base}graph/source/dcat-{slug}`` (slug from the catalogue's title).

What is sound is imported; every fault is reported with where it is (a JSON pointer for JSON files, else the node
and property) and what was done about it. A value is repaired only when the fix is unambiguous, and the repair is
reported too: a mis-cased term (``dcat:accessUrl`` -> ``dcat:accessURL``), a date written as plain text, a web
address or an access level ("public") given as text, a homepage wrapped in a node whose ``foaf:Document`` holds the
address, a publisher given as a plain name (stated as a ``foaf:Agent`` with that ``foaf:name``). Everything else
that does not fit DCAT-AP (text where a resource is expected, a term that is not in its vocabulary, an empty value)
is left out. A dataset with no licence is reported; licences are resolved to our licence concepts.

Naming: the catalogue and the datasets get our IRIs (``{base}id/catalogue/dcat-{slug}``, ``{base}id/dataset/
dcat-{slug}-{their path}``) with ``owl:sameAs`` the publisher's own; distributions are ``{dataset}/distribution/{n}``
and other blank nodes ``{owner}/{property}/{n}``, so the graph holds no blank nodes and re-imports diff cleanly.
Contact points are left out (they name people). The graph's licence is the catalogue's; when it states none, the
provenance says ``spdx:noassertion`` rather than inventing one.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict, deque
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, RDF, XSD

from graph.errors import BadRequest
from graph.iris import Iris
from graph.store import Node, Triple
from loaders.resolve import licence_iri
from loaders.sources.base import Built, SourceInfo
from loaders.sources.dcat_read import Document, read
from loaders.sources.dcat_terms import (
    ADDRESS_PROPERTIES,
    CHECKED_NAMESPACES,
    DATE_PROPERTIES,
    DCAT,
    EU_DATA_THEME,
    NO_ASSERTION,
    RESOURCE_PROPERTIES,
    TEXT_PROPERTIES,
    access_right,
    curie,
    file_type,
    known_term,
    media_type,
    typed_date,
)
from loaders.sources.organisation_common import web_iri

EU_THEMES = {"AGRI", "ECON", "EDUC", "ENER", "ENVI", "GOVE", "HEAL", "INTR", "JUST", "REGI", "SOCI", "TECH", "TRAN"}
AGENT_PROPERTIES = (DCTERMS.publisher, DCTERMS.creator, DCTERMS.rightsHolder)
DATE_TYPES = (XSD.date, XSD.dateTime)


class DcatFeed:
    """One catalogue file as a source. The file is read when the source is made: the graph's name (from the
    catalogue's title) must be known before it is built."""

    def __init__(self, file: Path) -> None:
        self.file = file
        self.document = _read(file)
        self.info = _info(catalogue_name(self.document, file), file.name, "not stated", NO_ASSERTION,
                          "urn:ourdata:file:" + Iris.slugify(file.name))

    def build(self, iris: Iris, file: Path | None = None) -> Built:
        path = file or self.file
        document = self.document if path == self.file else _read(path)
        mapper = _Mapper(iris, document, path)
        built = mapper.run()
        self.info = mapper.info
        return built


def _read(path: Path) -> Document:
    if not path.is_file():
        raise BadRequest(f"No file {path}.")
    return read(path, f"file:///{Iris.slugify(path.name)}/")


def catalogue_name(doc: Document, path: Path) -> str:
    """``dcat-{slug}``: from the first catalogue's title, else its IRI, else the file's name."""
    catalogues = sorted({s for s, p, o in doc.triples if p == RDF.type and o == DCAT.Catalog},
                        key=lambda node: (doc.pointers.get(node, "~"), str(node)))
    first = catalogues[0] if catalogues else None
    titles = sorted(str(o) for s, p, o in doc.triples if s == first and p == DCTERMS.title and str(o).strip())
    label = titles[0] if titles else (_path_slug(first, with_host=True) if isinstance(first, URIRef) else None)
    return "dcat-" + Iris.slugify(label or path.stem, 60)


def _info(name: str, title: str, publisher: str, licence: str, source_url: str) -> SourceInfo:
    licensed = "states no licence" if licence == NO_ASSERTION else f"is published under {licence}"
    return SourceInfo(name=name, family="source", title=title, licence=licence, source_url=source_url,
                      publisher=publisher, attribution=f"Catalogue records from {title}, published by {publisher}; "
                                                       f"the catalogue {licensed}.")


class _Mapper:
    def __init__(self, iris: Iris, doc: Document, path: Path) -> None:
        self.iris, self.doc, self.path = iris, doc, path
        self.problems: list[dict[str, Any]] = list(doc.problems)
        self.counts: Counter[str] = Counter(doc.counts)
        self.faults: list[tuple[str, Node, Node | None, Any, dict[str, str]]] = []
        self.by_subject: dict[Node, list[tuple[URIRef, Node]]] = defaultdict(list)
        self.names: dict[Node, URIRef] = {}
        self.out: list[Triple] = []
        self.licensed: set[URIRef] = set()
        self.agents: dict[str, URIRef] = {}
        self.consumed: set[Node] = set()
        self.scope = URIRef(iris.thing("catalogue", "dcat"))
        self.info = _info("dcat-" + Iris.slugify(path.stem, 60), path.name, "not stated", NO_ASSERTION,
                          "urn:ourdata:file:" + Iris.slugify(path.name))

    def fault(self, message: str, node: Node, prop: Node | None = None, value: Any = None, **extra: str) -> None:
        """A fault at ``node``/``prop``, located once naming is done (see :meth:`_located`)."""
        self.faults.append((message, node, prop, value, extra))

    # ------------------------------------------------------------------ steps
    def run(self) -> Built:
        self._terms()
        catalogues, datasets = self._records()
        name = self._name(catalogues, datasets)
        queue: deque[Node] = deque([*catalogues, *datasets])
        done: set[Node] = set()
        while queue:
            node = queue.popleft()
            if node in done:
                continue
            done.add(node)
            queue.extend(self._describe(node))
        for dataset in datasets:
            self._check_dataset(dataset)
        for subject in self.by_subject:
            if subject not in done and subject not in self.consumed:
                self.fault("not linked from the catalogue or a dataset; not imported", subject)
        typed = self._types()
        self.counts.update(datasets=len(datasets), catalogues=len(catalogues),
                           distributions=sum(1 for n in done if (n, RDF.type, DCAT.Distribution) in typed))
        self._catalogue_info(name, catalogues)
        for message, node, prop, value, extra in self.faults:
            self.problems.append({**self._located(message, node, prop, value), **extra})
        self.counts["faults"] = len(self.faults)
        return Built(triples=self.out, problems=self.problems, counts=dict(self.counts))

    def _terms(self) -> None:
        """Terms checked against their vocabularies; mis-cased ones repaired, unknown ones dropped (reported)."""
        for s, p, o in self.doc.triples:
            if any(isinstance(t, URIRef) and str(t).startswith("file:") for t in (s, o)):
                self.fault("relative IRI: the file does not say what it is relative to; not imported", s, p, o)
                continue
            term = known_term(str(p))
            if term is None:
                self.fault(f"{curie(str(p))} is not a term of its vocabulary; not imported", s, p, o)
                continue
            if term != p:
                self.fault(f"{curie(str(p))} is not a term of its vocabulary; read as {curie(str(term))}", s, p, o)
            if p == RDF.type and isinstance(o, URIRef):
                klass = known_term(str(o))
                if klass is None:
                    self.fault(f"{curie(str(o))} is not a class of its vocabulary; not imported", s, p, o)
                    continue
                o = klass
            self.by_subject[s].append((term, o))

    def _types(self) -> set[Triple]:
        return {(s, RDF.type, o) for s, pos in self.by_subject.items() for p, o in pos if p == RDF.type}

    def _objects(self, prop: URIRef) -> list[Node]:
        return [o for pos in self.by_subject.values() for p, o in pos if p == prop]

    def _records(self) -> tuple[list[Node], list[Node]]:
        types = self._types()
        order = self._order

        catalogues = sorted({s for s, _, o in types if o == DCAT.Catalog}, key=order)
        datasets = sorted({s for s, _, o in types if o == DCAT.Dataset} | set(self._objects(DCAT.dataset)), key=order)
        if not datasets:
            raise BadRequest(f"{self.path.name} describes no dcat:Dataset: is it a DCAT catalogue?")
        return catalogues, datasets

    def _order(self, node: Node) -> tuple[str, str]:
        return self.doc.pointers.get(node, "~"), str(node)

    # ------------------------------------------------------------------ naming
    def _name(self, catalogues: list[Node], datasets: list[Node]) -> str:
        name = catalogue_name(self.doc, self.path)
        self.scope = URIRef(self.iris.thing("catalogue", name))
        for index, catalogue in enumerate(catalogues, start=1):
            self._own(catalogue, URIRef(self.iris.thing("catalogue", name if index == 1 else f"{name}-{index}")))
        keys: dict[Node, str] = {}
        for dataset in datasets:
            identifier = self._text(dataset, DCTERMS.identifier)
            key = _path_slug(dataset) if isinstance(dataset, URIRef) else None
            if key is None and identifier and web_iri(identifier) is not None:
                key = _path_slug(URIRef(identifier), with_host=True)
            keys[dataset] = key or Iris.slugify(identifier or self._text(dataset, DCTERMS.title) or "dataset", 90)
        shared = Counter(keys.values())
        for dataset, key in keys.items():
            if shared[key] > 1:
                key = f"{key}-{hashlib.sha1(str(self._order(dataset)).encode()).hexdigest()[:8]}"
            self._own(dataset, URIRef(self.iris.thing("dataset", f"{name}-{key}")))
        for dataset in datasets:
            parts = sorted(o for p, o in self.by_subject.get(dataset, []) if p == DCAT.distribution)
            parts.sort(key=lambda d: (self._text(d, DCAT.accessURL) or self._text(d, DCAT.downloadURL) or "",
                                      self._text(d, DCTERMS.title) or "", self._order(d)))
            for index, part in enumerate(dict.fromkeys(parts), start=1):
                self.names.setdefault(part, URIRef(f"{self.names[dataset]}/distribution/{index}"))
        return name

    def _own(self, node: Node, ours: URIRef) -> None:
        self.names[node] = ours
        if isinstance(node, URIRef) and web_iri(str(node)) is not None:
            self.out.append((ours, OWL.sameAs, node))

    def _text(self, node: Node | None, prop: URIRef) -> str | None:
        for p, o in self.by_subject.get(node, []) if node is not None else []:
            if p == prop and str(o).strip():
                return str(o).strip()
        return None

    def _part(self, owner: URIRef, prop: URIRef, node: Node, counters: Counter[tuple[URIRef, str]]) -> URIRef:
        """``{owner}/{property}/{n}`` for a blank node reached from ``owner``."""
        if node not in self.names:
            segment = str(prop).rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
            counters[(owner, segment)] += 1
            self.names[node] = URIRef(f"{owner}/{Iris.slugify(segment, 40)}/{counters[(owner, segment)]}")
        return self.names[node]

    # ------------------------------------------------------------------ statements
    def _describe(self, node: Node) -> list[Node]:
        """Emits the node's sound statements under its name; returns the nodes to describe next."""
        subject = self.names.get(node, node)
        counters: Counter[tuple[URIRef, str]] = Counter()
        later: list[Node] = []
        for p, o in self.by_subject.get(node, []):
            if p == DCAT.contactPoint:
                self.counts["contact points left out (personal data)"] += 1
                self.consumed.add(o)
                continue
            if _is_class(p):
                self.fault(f"{curie(str(p))} is a class, not a property; not imported", node, p, o)
                continue
            if isinstance(o, Literal):
                self._literal(node, subject, p, o)
                continue
            if p in TEXT_PROPERTIES:
                self.fault("a resource where text is expected; not imported", node, p, o)
                continue
            if p == DCTERMS.license:
                if not self._licence(node, subject, o) and o in self.by_subject:
                    later.append(o)  # a licence we do not describe, described in the file: keep its description
                continue
            if p in (FOAF.homepage, FOAF.page) and isinstance(o, BNode) and self._document_node(node, subject, p, o):
                continue
            if isinstance(o, BNode) and o not in self.names:
                self._part(subject, p, o, counters)
            if isinstance(o, BNode) or (o in self.by_subject and o not in self.consumed):
                later.append(o)
            self.out.append((subject, p, self.names.get(o, o)))
        return later

    def _literal(self, node: Node, subject: URIRef, p: URIRef, o: Literal) -> None:
        text = str(o).strip()
        if not text:
            self.fault("empty value; not imported", node, p, str(o))
        elif p in RESOURCE_PROPERTIES:
            self._text_for_resource(node, subject, p, text)
        elif p in DATE_PROPERTIES:
            typed = typed_date(text)
            if typed is None:
                self.fault("not a date (ISO 8601 date or date-time); not imported", node, p, text)
                return
            if o.datatype not in DATE_TYPES:
                self.fault(f"date written as plain text; stated as xsd:{str(typed.datatype).rsplit('#')[-1]}", node,
                           p, text)
            self.out.append((subject, p, typed))
        else:
            self.out.append((subject, p, o))

    def _text_for_resource(self, node: Node, subject: URIRef, p: URIRef, text: str) -> None:
        """Text where DCAT-AP expects a resource: stated as the resource only when the text names one exactly."""
        if p in AGENT_PROPERTIES:
            self.out.append((subject, p, self._agent(text)))
            self.fault("a plain name where an agent is expected; stated as a foaf:Agent with that foaf:name", node,
                       p, text)
            return
        if p == DCTERMS.license:
            iri, candidates = licence_iri(self.iris, text)
            if iri is None:
                self.fault("licence text that names no licence we know; not imported", node, p, text)
            else:
                self._licence(node, subject, URIRef(iri), given=text)
            return
        found = {DCTERMS.accessRights: access_right, DCTERMS["format"]: file_type, DCAT.mediaType: media_type,
                 DCAT.theme: lambda t: URIRef(EU_DATA_THEME + t.upper()) if t.upper() in EU_THEMES else None}
        resource = found[p](text) if p in found else (web_iri(text) if p in ADDRESS_PROPERTIES else None)
        if resource is not None:
            self.out.append((subject, p, resource))
            self.fault("text where a resource is expected; stated as the IRI it names", node, p, text,
                       stated=str(resource))
        elif p == DCAT.theme:
            self.out.append((subject, DCAT.keyword, Literal(text)))
            self.fault("a theme must be a concept (e.g. an EU data theme), not text; kept as a dcat:keyword", node,
                       p, text)
        else:
            self.fault("text where a resource (IRI) is expected; not imported", node, p, text)

    def _licence(self, node: Node, subject: URIRef, licence: Node, given: str | None = None) -> bool:
        """States the licence (ours when it resolves); says whether it resolved."""
        iri, _ = licence_iri(self.iris, str(licence)) if isinstance(licence, URIRef) else (None, [])
        if given is not None:
            self.fault("licence given as text; stated as the licence it names", node, DCTERMS.license, given,
                       stated=str(licence))
        elif iri is None:
            self.fault("licence not in our licence scheme (no SPDX id); kept as stated", node, DCTERMS.license,
                       licence)
        self.out.append((subject, DCTERMS.license, URIRef(iri) if iri else self.names.get(licence, licence)))
        self.licensed.add(subject)
        self.counts["licences resolved to our concepts" if iri or given else "licences kept as stated"] += 1
        if iri is not None:
            self.consumed.add(licence)  # our concept describes it
        return iri is not None or given is not None

    def _document_node(self, node: Node, subject: URIRef, p: URIRef, o: BNode) -> bool:
        """``foaf:homepage [ foaf:Document "https://..." ]`` (ArcGIS Hub): the address, stated as the homepage."""
        statements = self.by_subject.get(o, [])
        if len(statements) != 1 or statements[0][0] != FOAF.Document or web_iri(str(statements[0][1])) is None:
            return False
        self.out.append((subject, p, web_iri(str(statements[0][1]))))  # type: ignore[arg-type]
        self.consumed.add(o)
        self.fault("foaf:Document is a class, not a property: the page is a node whose foaf:Document is its address;"
                   " that address is stated as the page", o, FOAF.Document, statements[0][1], stated=curie(str(p)))
        return True

    def _agent(self, name: str) -> URIRef:
        """An agent known only by name, under the catalogue: ``{catalogue}/agent/{slug}``."""
        agent = self.agents.get(name)
        if agent is None:
            agent = self.agents[name] = URIRef(f"{self.scope}/agent/{Iris.slugify(name, 60)}")
            self.out += [(agent, RDF.type, FOAF.Agent), (agent, FOAF.name, Literal(name))]
        return agent

    def _check_dataset(self, dataset: Node) -> None:
        ours = self.names[dataset]
        parts = [self.names.get(o, o) for p, o in self.by_subject.get(dataset, []) if p == DCAT.distribution]
        if ours not in self.licensed and not any(part in self.licensed for part in parts):
            self.fault("no licence: neither the dataset nor its distributions state dct:license", dataset,
                       DCTERMS.license)
            self.counts["datasets without licence"] += 1
        for prop, what in ((DCTERMS.title, "title"), (DCTERMS.publisher, "publisher")):
            if not any(p == prop for p, _ in self.by_subject.get(dataset, [])):
                self.fault(f"no {what} (DCAT-AP requires one)", dataset, prop)
        for part in (o for p, o in self.by_subject.get(dataset, []) if p == DCAT.distribution):
            if not any(p in (DCAT.accessURL, DCAT.downloadURL) for p, _ in self.by_subject.get(part, [])):
                self.fault("no dcat:accessURL or dcat:downloadURL: the distribution says not where it is; kept",
                           part, DCAT.accessURL)

    # ------------------------------------------------------------------ report
    def _catalogue_info(self, name: str, catalogues: list[Node]) -> None:
        first = catalogues[0] if catalogues else None
        title = self._text(first, DCTERMS.title) or self.path.name
        publisher = self._publisher_name(first) or "an unnamed publisher"
        licence = NO_ASSERTION
        stated = [o for p, o in self.by_subject.get(first, []) if p == DCTERMS.license] if first is not None else []
        if stated:
            iri, _ = licence_iri(self.iris, str(stated[0]))
            licence = iri or str(stated[0])
        elif first is not None:
            self.fault("the catalogue states no licence for its records; the graph's licence is recorded as "
                       "spdx:noassertion", first, DCTERMS.license)
        source = str(first) if isinstance(first, URIRef) and web_iri(str(first)) is not None else \
            self._text(first, FOAF.homepage) or ("urn:sha256:" + hashlib.sha256(self.path.read_bytes()).hexdigest())
        self.info = _info(name, title, publisher, licence, source)

    def _publisher_name(self, catalogue: Node | None) -> str | None:
        for p, o in self.by_subject.get(catalogue, []) if catalogue is not None else []:
            if p == DCTERMS.publisher:
                return str(o) if isinstance(o, Literal) else self._text(o, FOAF.name) or str(o)
        return None

    def _located(self, message: str, node: Node, prop: Node | None, value: Any) -> dict[str, Any]:
        pointer = self.doc.where(node, str(prop) if prop is not None else None)
        shown = self.names.get(node, node)
        return {"message": message, "row": (pointer or "#") if pointer is not None else str(shown),
                "column": curie(str(prop)) if prop is not None else "", "value": "" if value is None else str(value),
                "node": str(shown), **({"pointer": pointer} if pointer is not None else {})}


def _is_class(prop: URIRef) -> bool:
    """A term of a checked vocabulary whose name starts with a capital: a class used as a property."""
    text = str(prop)
    namespace = next((ns for ns in CHECKED_NAMESPACES if text.startswith(ns)), None)
    return namespace is not None and text[len(namespace):][:1].isupper()


def _path_slug(iri: Node, with_host: bool = False) -> str | None:
    parts = urlsplit(str(iri))
    text = " ".join(filter(None, [parts.hostname if with_host else "", parts.path, parts.query]))
    slug = Iris.slugify(text, 90) if text.strip(" /") else ""
    return slug if slug and slug != "unnamed" else None
