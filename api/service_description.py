"""The SPARQL 1.1 Service Description of our endpoint, with the endpoint IRI the client actually used."""

from __future__ import annotations

from rdflib import BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD

from graph.store import GraphStore

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
VOID = Namespace("http://rdfs.org/ns/void#")

_RESULT_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                   "Turtle", "N-Triples", "JSON-LD", "RDF_XML", "TriG", "N-Quads")


def service_description(endpoint: str, store: GraphStore, *, update_endpoint: str | None = None,
                        void_iri: str | None = None) -> Graph:
    """The description as the default graph of a Dataset: a plain rdflib Graph cannot be written as N-Quads
    and goes into a blank-node-named graph in TriG, while a Dataset serializes right in every format we offer."""
    graph = Dataset()
    graph.bind("sd", SD)
    graph.bind("void", VOID)
    service = URIRef(endpoint)
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, service))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    if update_endpoint:
        graph.add((service, SD.supportedLanguage, SD.SPARQL11Update))
    graph.add((service, SD.feature, SD.UnionDefaultGraph))
    graph.add((service, SD.feature, SD.EmptyGraphs))
    for name in _RESULT_FORMATS:
        graph.add((service, SD.resultFormat, FORMATS[name]))
    for name in ("Turtle", "N-Triples", "JSON-LD", "RDF_XML", "TriG", "N-Quads"):
        graph.add((service, SD.inputFormat, FORMATS[name]))
    graph.add((service, DCTERMS.title, Literal("ourdata SPARQL endpoint", lang="en")))
    graph.add((service, DCTERMS.description, Literal(
        "The data-ownership landscape: organisations, legal forms, licences and datasets. "
        "The default graph is the union of all named graphs; GRAPH ?g reaches each source and contribution.",
        lang="en")))
    dataset = BNode("dataset")
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    if void_iri:
        graph.add((dataset, VOID.inDataset, URIRef(void_iri)))
    default_graph = BNode("defaultGraph")
    graph.add((dataset, SD.defaultGraph, default_graph))
    graph.add((default_graph, RDF.type, SD.Graph))
    total = 0
    for info in store.graph_infos():
        total += info.triples
        if info.iri is None:
            continue
        named = BNode()
        graph.add((dataset, SD.namedGraph, named))
        graph.add((named, RDF.type, SD.NamedGraph))
        graph.add((named, SD.name, URIRef(info.iri)))
        described = BNode()
        graph.add((named, SD.graph, described))
        graph.add((described, RDF.type, SD.Graph))
        graph.add((described, VOID.triples, Literal(info.triples, datatype=XSD.integer)))
    graph.add((default_graph, VOID.triples, Literal(total, datatype=XSD.integer)))
    return graph
