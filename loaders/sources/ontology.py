"""Our ontology and the standard vocabularies it reuses, each as a source with its own named graph.

The ontology (``ontology/ourdata.ttl`` + ``ontology/institution-kinds.ttl``) goes into ``{base}graph/ontology``;
each vocabulary file shipped in ``loaders/data/`` into ``{base}graph/vocabulary/{name}`` with its licence and
attribution (MODEL.md section 7), so queries over our data are not mixed with the vocabularies' own triples.
Blank nodes of the third-party files become skolem IRIs derived from a canonical labelling of the graph, so
the same file always gives the same triples and a re-import changes nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD

from graph.errors import BadRequest
from graph.iris import Iris
from graph.store import Triple
from loaders.sources.base import DATA_DIR, Built, SourceInfo
from ontology import INSTITUTION_KINDS_FILE, ONTOLOGY_FILE

SPDX = "http://spdx.org/licenses/"
W3C_DOCUMENT_LICENSE = "https://www.w3.org/copyright/document-license-2023/"
_FORMATS = {".ttl": "turtle", ".rdf": "xml", ".owl": "xml", ".nt": "nt", ".jsonld": "json-ld"}


def parse_file(path: Path) -> Graph:
    """Parses a bundled or given RDF file (format from its extension); BadRequest when it cannot be read."""
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise BadRequest(f"'{path.name}': unknown RDF file type (use one of {', '.join(sorted(_FORMATS))}).")
    if fmt == "json-ld":
        raise BadRequest(f"'{path.name}': JSON-LD vocabularies are not accepted (their contexts would be fetched).")
    try:
        return Graph().parse(path, format=fmt)
    except (OSError, SyntaxError, ValueError) as exc:
        raise BadRequest(f"Cannot read '{path.name}' as {fmt}: {exc}") from exc


#: pyoxigraph 0.5.13 keeps every integer-derived literal as xsd:integer ("5"^^xsd:nonNegativeInteger reads back as
#: "5"^^xsd:integer): emitting that form keeps re-imports from rewriting the same triples each time.
_INTEGER_TYPES = {XSD[t] for t in ("integer", "nonNegativeInteger", "positiveInteger", "negativeInteger",
                                   "nonPositiveInteger", "long", "int", "short", "byte", "unsignedLong",
                                   "unsignedInt", "unsignedShort", "unsignedByte")}


def as_stored(literal: Literal) -> Literal:
    """The literal as the store gives it back: plain for xsd:string, canonical xsd:integer for integer types."""
    if literal.datatype == XSD.string:
        return Literal(str(literal))
    if literal.datatype in _INTEGER_TYPES:
        try:
            return Literal(str(int(str(literal).strip())), datatype=XSD.integer)
        except ValueError:
            return literal
    return literal


def skolemized(graph: Graph, iris: Iris, scope: str) -> list[Triple]:
    """The graph's triples with every blank node replaced by a stable skolem IRI under ``scope``, and literals
    in the form the store gives back (:func:`as_stored`)."""
    canonical = to_canonical_graph(graph) if any(isinstance(t, BNode) for tr in graph for t in tr) else graph

    def term(node):  # type: ignore[no-untyped-def]
        if isinstance(node, BNode):
            return URIRef(iris.skolem(scope, hashlib.sha256(str(node).encode()).hexdigest()[:20]))
        if isinstance(node, Literal):
            return as_stored(node)
        return node

    return [(term(s), term(p), term(o)) for s, p, o in canonical]


def _counts(graph: Graph) -> dict[str, int]:
    classes = set(graph.subjects(RDF.type, OWL.Class)) | set(graph.subjects(RDF.type, RDFS.Class))
    properties = {s for cls in (RDF.Property, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
                  for s in graph.subjects(RDF.type, cls)}
    return {"triples": len(graph), "classes": len({c for c in classes if isinstance(c, URIRef)}),
            "properties": len(properties), "concepts": len(set(graph.subjects(RDF.type, SKOS.Concept)))}


class OntologySource:
    """Our terms and the institution-kind scheme, in ``{base}graph/ontology``. The namespace is fixed
    (https://ourdata.coop/def/), so the triples do not depend on the deployment base."""

    info = SourceInfo(
        name="ontology",
        family="ontology",
        title="ourdata ontology and institution-kind scheme",
        licence=SPDX + "CC-BY-4.0",
        attribution="ourdata ontology and kinds of institution, by the ourdata project (CC BY 4.0). It adds only "
                    "what the W3C, SEMIC, DPV and ESSGLOBAL vocabularies lack.",
        source_url="https://ourdata.coop/def/",
        publisher="ourdata project",
    )

    def build(self, iris: Iris, file: Path | None = None) -> Built:
        if file is not None:
            raise BadRequest("The ontology is built from the files shipped with the package; it takes no file.")
        graph = Graph()
        for path in (ONTOLOGY_FILE, INSTITUTION_KINDS_FILE):
            graph += parse_file(path)
        return Built(triples=skolemized(graph, iris, "ontology"), counts=_counts(graph))


@dataclass(frozen=True)
class VocabularySource:
    """One standard vocabulary file, loaded as published into ``{base}graph/vocabulary/{name}``."""

    info: SourceInfo
    namespace: str

    def build(self, iris: Iris, file: Path | None = None) -> Built:
        assert self.info.default_file is not None
        path = file if file is not None else DATA_DIR / self.info.default_file
        graph = parse_file(path)
        if len(graph) == 0:
            raise BadRequest(f"'{path.name}' holds no triples.")
        return Built(triples=skolemized(graph, iris, f"vocabulary-{self.info.name}"), counts=_counts(graph))


def _vocabulary(name: str, namespace: str, title: str, file: str, licence: str, attribution: str,
                source_url: str, publisher: str) -> VocabularySource:
    return VocabularySource(
        SourceInfo(name=name, family="vocabulary", title=title, licence=licence, attribution=attribution,
                   source_url=source_url, publisher=publisher, default_file=file),
        namespace,
    )


#: The vocabularies SPEC.md section 4 builds on, in the versions shipped in loaders/data (see each PROVENANCE.md).
VOCABULARIES: tuple[VocabularySource, ...] = (
    _vocabulary("org", "http://www.w3.org/ns/org#", "The Organization Ontology (W3C)", "w3c-ns/org.ttl",
                SPDX + "PDDL-1.0",
                "The Organization Ontology, W3C Recommendation, published under the Open Data Commons Public Domain "
                "Dedication and Licence 1.0 (file from w3c/ns, commit 7596fa41).",
                "http://www.w3.org/ns/org", "World Wide Web Consortium (W3C)"),
    _vocabulary("regorg", "http://www.w3.org/ns/regorg#", "Registered Organization Vocabulary (W3C)",
                "w3c-ns/regorg.ttl", W3C_DOCUMENT_LICENSE,
                "Registered Organization Vocabulary, W3C Working Group Note, © W3C, under the W3C Document License "
                "(file from w3c/ns, commit 7709142f).",
                "http://www.w3.org/ns/regorg", "World Wide Web Consortium (W3C)"),
    _vocabulary("dcat", "http://www.w3.org/ns/dcat#", "Data Catalog Vocabulary (DCAT) version 3 (W3C)",
                "w3c-ns/dcat3.ttl", SPDX + "CC-BY-4.0",
                "Data Catalog Vocabulary (DCAT) - Version 3, W3C Recommendation, under CC BY 4.0 "
                "(file from w3c/ns, commit e14b4712).",
                "http://www.w3.org/ns/dcat", "World Wide Web Consortium (W3C)"),
    _vocabulary("prov", "http://www.w3.org/ns/prov#", "PROV-O: The PROV Ontology (W3C)", "w3c-ns/prov-o.ttl",
                W3C_DOCUMENT_LICENSE,
                "PROV-O: The PROV Ontology, W3C Recommendation, © W3C, under the W3C Document License "
                "(file from w3c/ns, commit 01ef0606).",
                "http://www.w3.org/ns/prov-o", "World Wide Web Consortium (W3C)"),
    _vocabulary("odrl", "http://www.w3.org/ns/odrl/2/", "ODRL Vocabulary & Expression 2.2 (W3C)",
                "w3c-ns/ODRL22.ttl", "https://www.w3.org/Consortium/Legal/2002/ipr-notice-20021231#Copyright/",
                "ODRL Information Model and Vocabulary 2.2, W3C Recommendation, © W3C, under the W3C IPR notice "
                "(file from w3c/ns, commit 668ffce8).",
                "http://www.w3.org/ns/odrl/2/", "World Wide Web Consortium (W3C)"),
    _vocabulary("eu-dga", "https://w3id.org/dpv/legal/eu/dga#",
                "DPV: EU Data Governance Act (DGA) concepts, version 2.3", "w3c-dpv/eu-dga.ttl",
                W3C_DOCUMENT_LICENSE,
                "Data Privacy Vocabulary (DPV) 2.3, EU Data Governance Act extension, by the W3C Data Privacy "
                "Vocabularies and Controls Community Group, under the W3C Document License 2023 (file from w3c/dpv, "
                "commit 5af89370).",
                "https://w3id.org/dpv/legal/eu/dga", "W3C Data Privacy Vocabularies and Controls Community Group"),
    _vocabulary("locn", "http://www.w3.org/ns/locn#", "ISA Programme Location Core Vocabulary (locn)",
                "semic-core-vocabularies/locn.ttl",
                "https://joinup.ec.europa.eu/category/licence/isa-open-metadata-licence-v11",
                "ISA Programme Location Core Vocabulary, © European Union 2012-2015, under the ISA Open Metadata "
                "Licence v1.1 (file from SEMICeu/Core-Location-Vocabulary, commit 06b4c425).",
                "http://www.w3.org/ns/locn", "SEMIC, European Commission"),
    _vocabulary("adms", "http://www.w3.org/ns/adms#", "Asset Description Metadata Schema (ADMS) 2.00",
                "semic-core-vocabularies/adms-2.00.ttl", SPDX + "CC-BY-4.0",
                "Asset Description Metadata Schema (ADMS) 2.00 by SEMIC, European Commission, under CC BY 4.0 "
                "(file from SEMICeu/ADMS, commit 062b335a).",
                "http://www.w3.org/ns/adms", "SEMIC, European Commission"),
    _vocabulary("essglobal", "http://purl.org/essglobal/vocab/", "ESSGLOBAL vocabulary 1.1",
                "essglobal/essglobal-vocab-1.1.ttl", SPDX + "CC-BY-3.0",
                "ESSGLOBAL vocabulary 1.1 by the ESSGLOBAL working group of RIPESS, under CC BY 3.0 "
                "(file from SolidarityEconomyAssociation/map-sse, commit 3fe88066).",
                "http://purl.org/essglobal/vocab/", "RIPESS ESSGLOBAL working group"),
)


def ontology_sources() -> list[OntologySource | VocabularySource]:
    """The ontology first, then every vocabulary: what the first load starts with."""
    return [OntologySource(), *VOCABULARIES]
