"""/.well-known/void: VoID + DCAT with per-graph triple counts, licences, sources, vocabularies, endpoint, dump."""

from __future__ import annotations

from collections.abc import Iterator
from email.utils import parsedate_to_datetime

import httpx
import pytest
from conftest import run_server
from linked_support import (
    BASE,
    META,
    fixture_dataset,
    loaded_store,
    make_settings,
    newest_meta_date,
    parse,
    quads_by_graph,
    read_html,
)
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, RDF, RDFS

VOID = Namespace("http://rdfs.org/ns/void#")
DATASET = URIRef(BASE + ".well-known/void#dataset")


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    return fixture_dataset()


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from run_server(make_settings(tmp_path_factory.mktemp("void")), loaded_store())


@pytest.fixture
def http(url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=url, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def void(url: str) -> Graph:
    response = httpx.get(url + "/.well-known/void", timeout=30)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    return parse(response.content, "turtle")


def test_triple_counts_per_graph_equal_the_store(void: Graph, dataset: Dataset) -> None:
    expected = {g: n for g, n in quads_by_graph(dataset).items() if g.startswith("http")}
    subsets = {str(s) for s in void.objects(DATASET, VOID.subset)}
    assert subsets == set(expected)
    for graph, count in expected.items():
        assert void.value(URIRef(graph), VOID.triples) == Literal(count), graph
        assert (URIRef(graph), RDF.type, VOID.Dataset) in void
    assert int(void.value(DATASET, VOID.triples)) == sum(quads_by_graph(dataset).values())


def test_subsets_carry_title_licence_source_attribution(void: Graph, dataset: Dataset) -> None:
    meta = dataset.graph(URIRef(META))
    described = 0
    for graph in meta.subjects(RDF.type, VOID.Dataset):
        described += 1
        for prop in (DCTERMS.title, DCTERMS.license, DCTERMS.source):
            assert void.value(graph, prop) == meta.value(graph, prop), (graph, prop)
        assert void.value(graph, RDFS.comment) == meta.value(graph, RDFS.comment)
    assert described >= 2
    licences = set(meta.objects(None, DCTERMS.license))
    assert set(void.objects(DATASET, DCTERMS.license)) == licences


def test_endpoint_dump_and_vocabularies(void: Graph, url: str, http: httpx.Client) -> None:
    assert void.value(DATASET, VOID.sparqlEndpoint) == URIRef(url + "/sparql")
    dump = void.value(DATASET, VOID.dataDump)
    assert dump == URIRef(url + "/dump.nq.gz")
    assert http.get(str(dump)).status_code == 200
    distribution = void.value(DATASET, DCAT.distribution)
    assert void.value(distribution, DCAT.downloadURL) == dump
    vocabularies = {str(v) for v in void.objects(DATASET, VOID.vocabulary)}
    for namespace in ("http://www.w3.org/ns/org#", "http://www.w3.org/2004/02/skos/core#",
                      "http://purl.org/dc/terms/"):
        assert namespace in vocabularies
    assert not any(v.startswith(BASE + "id/") for v in vocabularies)
    endpoint = str(void.value(DATASET, VOID.sparqlEndpoint))
    assert http.get(endpoint, params={"query": "ASK { ?s ?p ?o }"}).status_code == 200


@pytest.mark.parametrize(("accept", "fmt"), [("application/ld+json", "json-ld"), ("application/n-triples", "nt"),
                                             ("application/rdf+xml", "xml")])
def test_void_negotiates(http: httpx.Client, void: Graph, accept: str, fmt: str) -> None:
    response = http.get("/.well-known/void", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(accept)
    assert "Accept" in response.headers["vary"]
    assert isomorphic(parse(response.content, fmt), void)


def test_void_html_and_406(http: httpx.Client, dataset: Dataset) -> None:
    page = read_html(http.get("/.well-known/void", headers={"Accept": "text/html"}).text)
    assert "Example register" in page.visible
    assert "Open Data Commons Open Database License v1.0" in page.visible  # SPDX IRI -> our licence's label
    assert f"{sum(quads_by_graph(dataset).values()):,}" in page.visible
    assert http.get("/.well-known/void", headers={"Accept": "image/png"}).status_code == 406


def test_void_validators(http: httpx.Client, dataset: Dataset) -> None:
    first = http.get("/.well-known/void")
    assert http.get("/.well-known/void", headers={"If-None-Match": first.headers["etag"]}).status_code == 304
    graphs = {str(g) for g in dataset.graph(URIRef(META)).subjects(DCTERMS.modified, None)}
    assert parsedate_to_datetime(first.headers["last-modified"]) == newest_meta_date(dataset, graphs)
