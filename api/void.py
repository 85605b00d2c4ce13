"""``/.well-known/void``: what the dataset holds, under which licences, and how to get it (VoID + DCAT).

The whole is a ``void:Dataset``/``dcat:Dataset`` with one ``void:subset`` per named graph (the graph IRI
itself, as in the meta graph), each with its live triple count and the provenance the meta graph records.
Endpoint and dump URLs are those of the host that answered (they are where this server can be reached);
resource IRIs stay in the configured base. Facts are computed once per store version.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, PROV, RDF, RDFS, XSD

from api.http_cache import etag_for
from api.pages import environment
from api.predicate_labels import PREFIXES
from api.rdf_response import serialize_graph
from api.resource_docs import HTML, HTML_TYPE, Representation, negotiate, store_clock
from api.resource_view import LinkMapper
from graph.describe import GraphProvenance, equivalents, graph_provenance, labels
from graph.formats import RDF_BY_NAME
from graph.iris import Iris
from graph.store import GraphStore

VOID = Namespace("http://rdfs.org/ns/void#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
IANA = "https://www.iana.org/assignments/media-types/"
DUMP_PATH = "dump.nq.gz"
ORG_FORMAL = "http://www.w3.org/ns/org#FormalOrganization"


@dataclass(frozen=True)
class SubsetFacts:
    graph: str
    triples: int
    provenance: GraphProvenance
    licence_label: str | None
    licence_ours: str | None  # our description of the licence, when the source names it by another IRI


@dataclass(frozen=True)
class DatasetFacts:
    version: int
    total: int
    subsets: tuple[SubsetFacts, ...]
    vocabularies: tuple[str, ...]
    example: str | None
    modified: datetime

    @property
    def fingerprint(self) -> str:
        """Changes whenever any graph's size or provenance changes, or the store is written in this process."""
        rows = [f"{s.graph} {s.triples} {s.provenance}" for s in self.subsets]
        return etag_for(str(self.version), str(self.total), *rows)


def _namespace(iri: str) -> str:
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[: cut + 1] if cut > 0 else iri


def vocabularies(store: GraphStore, iris: Iris) -> tuple[str, ...]:
    """Namespaces of every predicate and class in use (ours excluded: they are the data, not a vocabulary)."""
    used: set[str] = set()
    for row in store.select("SELECT DISTINCT ?p WHERE { ?s ?p ?o }"):
        used.add(_namespace(str(row["p"])))
    for row in store.select("SELECT DISTINCT ?c WHERE { ?s a ?c }"):
        used.add(_namespace(str(row["c"])))
    ours = (iris.base + "id/", iris.base + "graph/")
    return tuple(sorted(ns for ns in used if ns.startswith(("http://", "https://")) and not ns.startswith(ours)))


class _FactsCache:
    def __init__(self) -> None:
        self._by_store: weakref.WeakKeyDictionary[GraphStore, DatasetFacts] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def __call__(self, store: GraphStore, iris: Iris) -> DatasetFacts:
        version = store.version()
        with self._lock:
            cached = self._by_store.get(store)
        if cached is not None and cached.version == version:
            return cached
        facts = _compute(store, iris, version)
        with self._lock:
            self._by_store[store] = facts
        return facts


def _compute(store: GraphStore, iris: Iris, version: int) -> DatasetFacts:
    infos = [info for info in store.graph_infos() if info.iri is not None]
    provenance = {info.iri: graph_provenance(store, info.iri, iris.meta_graph) for info in infos if info.iri}
    licences = [p.licence for p in provenance.values() if p.licence]
    ours = equivalents(store, licences, under=iris.base + "id/")  # sources name licences by their SPDX IRI
    names = labels(store, licences + list(ours.values()))

    def subset(graph: str, triples: int) -> SubsetFacts:
        licence = provenance[graph].licence or ""
        return SubsetFacts(graph, triples, provenance[graph], names.get(licence) or names.get(ours.get(licence, "")),
                           ours.get(licence))

    subsets = tuple(subset(info.iri, info.triples) for info in infos if info.iri)
    example = store.select(f"SELECT ?s WHERE {{ ?s a <{ORG_FORMAL}> }} LIMIT 1")
    dates = [s.provenance.modified for s in subsets if s.provenance.modified is not None]
    return DatasetFacts(version=version, total=store.count(), subsets=subsets, vocabularies=vocabularies(store, iris),
                        example=str(example[0]["s"]) if example else None,
                        modified=max(dates) if dates else store_clock(store))


dataset_facts = _FactsCache()


def void_graph(facts: DatasetFacts, iris: Iris, *, root: str) -> Graph:
    """The VoID + DCAT description for a reader on ``root`` (the request's base URL)."""
    g = Graph(bind_namespaces="core")
    for prefix, namespace in PREFIXES.items():
        g.bind(prefix, namespace, override=True)
    g.bind("formats", FORMATS)
    description = URIRef(iris.base + ".well-known/void")
    dataset = URIRef(iris.base + ".well-known/void#dataset")
    dump = URIRef(iris.base + ".well-known/void#dump")
    service = URIRef(iris.base + ".well-known/void#sparql")
    endpoint, dump_url = URIRef(root + "sparql"), URIRef(root + DUMP_PATH)

    g.add((description, RDF.type, VOID.DatasetDescription))
    g.add((description, DCTERMS.title, Literal("VoID description of the ourdata knowledge graph", lang="en")))
    g.add((description, FOAF.primaryTopic, dataset))

    g.add((dataset, RDF.type, VOID.Dataset))
    g.add((dataset, RDF.type, DCAT.Dataset))
    g.add((dataset, DCTERMS.title, Literal("ourdata: the data-ownership landscape", lang="en")))
    g.add((dataset, DCTERMS.description, Literal(
        "Data co-operatives, data trusts and other data institutions, with their legal forms, countries, "
        "licences and datasets. Each source and contribution is its own named graph (void:subset) with its "
        "own licence and attribution; the SPARQL default graph is their union.", lang="en")))
    g.add((dataset, DCTERMS.rights, Literal(
        "Each subset is published under its own licence (dct:license on the subset); using the whole means "
        "honouring every one of them, including attribution.", lang="en")))
    g.add((dataset, FOAF.homepage, URIRef(root)))
    g.add((dataset, VOID.sparqlEndpoint, endpoint))
    g.add((dataset, VOID.dataDump, dump_url))
    g.add((dataset, VOID.uriSpace, Literal(iris.base + "id/")))
    g.add((dataset, VOID.triples, Literal(facts.total, datatype=XSD.integer)))
    g.add((dataset, DCTERMS.modified, Literal(facts.modified.isoformat(), datatype=XSD.dateTime)))
    for name in ("Turtle", "JSON-LD", "N-Triples", "RDF_XML", "N-Quads"):
        g.add((dataset, VOID.feature, FORMATS[name]))
    for namespace in facts.vocabularies:
        g.add((dataset, VOID.vocabulary, URIRef(namespace)))
    if facts.example:
        g.add((dataset, VOID.exampleResource, URIRef(facts.example)))
    g.add((dataset, DCAT.distribution, dump))

    g.add((dump, RDF.type, DCAT.Distribution))
    g.add((dump, DCTERMS.title, Literal("Full dump: every named graph, N-Quads, gzip", lang="en")))
    g.add((dump, DCAT.downloadURL, dump_url))
    g.add((dump, DCAT.accessURL, dump_url))
    g.add((dump, DCAT.mediaType, URIRef(IANA + "application/n-quads")))
    g.add((dump, DCAT.compressFormat, URIRef(IANA + "application/gzip")))
    g.add((dump, DCTERMS["format"], FORMATS["N-Quads"]))

    g.add((service, RDF.type, DCAT.DataService))
    g.add((service, RDF.type, SD.Service))
    g.add((service, DCTERMS.title, Literal("SPARQL 1.1 endpoint", lang="en")))
    g.add((service, DCAT.endpointURL, endpoint))
    g.add((service, SD.endpoint, endpoint))
    g.add((service, DCAT.endpointDescription, endpoint))
    g.add((service, DCAT.servesDataset, dataset))

    licences: set[URIRef] = set()
    for subset in facts.subsets:
        node = URIRef(subset.graph)
        p = subset.provenance
        g.add((dataset, VOID.subset, node))
        g.add((node, RDF.type, VOID.Dataset))
        g.add((node, SD.name, node))
        g.add((node, VOID.triples, Literal(subset.triples, datatype=XSD.integer)))
        g.add((node, VOID.dataDump, URIRef(f"{root}store?graph={quote(subset.graph, safe='')}")))
        if p.title:
            g.add((node, DCTERMS.title, Literal(p.title, lang="en")))
        if p.licence:
            licences.add(URIRef(p.licence))
            g.add((node, DCTERMS.license, URIRef(p.licence)))
        if p.source:
            g.add((node, DCTERMS.source, URIRef(p.source)))
            g.add((node, PROV.wasDerivedFrom, URIRef(p.source)))
        if p.attribution:
            g.add((node, RDFS.comment, Literal(p.attribution, lang="en")))
        if p.modified:
            g.add((node, DCTERMS.modified, Literal(p.modified.isoformat(), datatype=XSD.dateTime)))
    for licence in licences:
        g.add((dataset, DCTERMS.license, licence))
    return g


def represent(store: GraphStore, iris: Iris, accept: str | None, *, root: str) -> Representation:
    """The VoID document as the client asked (Turtle unless it prefers another format or HTML)."""
    rep = negotiate(accept, None)
    facts = dataset_facts(store, iris)
    graph = void_graph(facts, iris, root=root)
    if rep == HTML:
        html = environment().get_template("void.html").render(facts=facts, root=root, dump_path=DUMP_PATH,
                                                                   link=LinkMapper(iris, root))
        body, content_type = html.encode("utf-8"), HTML_TYPE
    else:
        fmt = RDF_BY_NAME[rep]
        body = (graph.serialize(format="json-ld", context=dict(PREFIXES), auto_compact=True, encoding="utf-8")
                if fmt.name == "jsonld" else serialize_graph(graph, fmt))
        content_type = fmt.content_type
    return Representation(body, content_type, etag_for(content_type, body), facts.modified)
