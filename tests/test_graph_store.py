"""``/store`` against a real server: the SPARQL 1.1 Graph Store HTTP Protocol, reads public, writes admin."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from conftest import BASE, LiveServer, reset_store
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from sparql_results import RDFLIB_FORMATS, media_type, read_triples, sample_dataset, sample_graph, total_quads

ORGS = BASE + "graph/source/sample"
DATASETS = BASE + "graph/source/datasets"
NEW = "http://example.org/graph/new"
EX = "http://example.org/"
TURTLE = {"Content-Type": "text/turtle"}
DOC = f'<{EX}s> <{EX}p> "one", "two" .'.encode()
RDFLIB_NAME = {v: k for k, v in RDFLIB_FORMATS.items()}


@pytest.fixture
def server(module_server: LiveServer) -> LiveServer:
    reset_store(module_server.store)
    return module_server


@pytest.fixture
def client(server: LiveServer) -> Iterator[httpx.Client]:
    with server.client() as opened:
        yield opened


def get_graph(client: httpx.Client, graph: str | None, accept: str = "application/n-triples") -> Graph:
    params = {"graph": graph} if graph else {"default": ""}
    response = client.get("/store", params=params, headers={"Accept": accept})
    assert response.status_code == 200, response.text
    return read_triples(response.headers["content-type"], response.content)


def objects(graph: Graph) -> set[str]:
    return {str(o) for o in graph.objects()}


# ---------------------------------------------------------------------------------------------- reads
@pytest.mark.parametrize("accept", [None, *sorted(RDFLIB_FORMATS)])
def test_get_a_named_graph_in_every_format(client: httpx.Client, accept: str | None) -> None:
    response = client.get("/store", params={"graph": ORGS}, headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    assert media_type(response.headers["content-type"]) == (accept or "text/turtle")
    assert "accept" in response.headers["vary"].lower()
    assert isomorphic(read_triples(response.headers["content-type"], response.content), sample_graph(ORGS))


def test_get_the_default_graph(client: httpx.Client) -> None:
    assert len(get_graph(client, None)) == 0  # everything lives in named graphs


@pytest.mark.parametrize("accept", ["application/n-quads", "application/trig", "application/ld+json"])
def test_get_the_whole_dataset(client: httpx.Client, accept: str) -> None:
    response = client.get("/store", headers={"Accept": accept})
    assert response.status_code == 200
    dataset = Dataset()
    dataset.parse(data=response.text, format=RDFLIB_FORMATS[accept])
    assert set(dataset.quads((None, None, None, None))) == set(sample_dataset().quads((None, None, None, None)))


@pytest.mark.parametrize(("params", "accept", "status"), [
    ({"graph": EX + "missing"}, None, 404),
    ({}, "text/turtle", 406),  # one graph's format cannot hold the dataset
    ({"graph": ORGS}, "text/csv", 406),
    ({"graph": ORGS, "default": ""}, None, 400),
    ({"graph": ""}, None, 400),
    ({"graph": "not an iri"}, None, 400),
])
def test_get_errors(client: httpx.Client, params: dict[str, str], accept: str | None, status: int) -> None:
    response = client.get("/store", params=params, headers={"Accept": accept} if accept else {})
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    head = client.head("/store", params=params, headers={"Accept": accept} if accept else {})
    assert head.status_code == status
    assert head.content == b""


@pytest.mark.parametrize("accept", [None, "application/ld+json", "application/rdf+xml"])
def test_head_of_a_graph(client: httpx.Client, accept: str | None) -> None:
    headers = {"Accept": accept} if accept else {}
    head = client.head("/store", params={"graph": ORGS}, headers=headers)
    got = client.get("/store", params={"graph": ORGS}, headers=headers)
    assert head.status_code == 200
    assert head.headers["content-type"] == got.headers["content-type"]
    assert head.content == b""
    assert head.headers.get("content-length") in (None, got.headers.get("content-length"))


def test_reads_are_public(client: httpx.Client) -> None:
    assert client.get("/store", params={"graph": ORGS}).status_code == 200


# --------------------------------------------------------------------------------------------- writes
def test_put_creates_then_replaces(server: LiveServer, client: httpx.Client) -> None:
    created = client.put("/store", params={"graph": NEW}, content=DOC, headers={**TURTLE, **server.admin})
    assert created.status_code == 201
    assert objects(get_graph(client, NEW)) == {"one", "two"}
    replaced = client.put("/store", params={"graph": NEW}, content=f'<{EX}s> <{EX}p> "three" .'.encode(),
                          headers={**TURTLE, **server.admin})
    assert replaced.status_code == 204
    assert objects(get_graph(client, NEW)) == {"three"}


def test_put_the_default_graph(server: LiveServer, client: httpx.Client) -> None:
    response = client.put("/store", params={"default": ""}, content=DOC, headers={**TURTLE, **server.admin})
    assert response.status_code == 204  # the default graph always exists
    assert objects(get_graph(client, None)) == {"one", "two"}
    assert isomorphic(get_graph(client, ORGS), sample_graph(ORGS))


def test_put_an_empty_document_makes_an_empty_graph(server: LiveServer, client: httpx.Client) -> None:
    response = client.put("/store", params={"graph": NEW}, content=b"", headers={**TURTLE, **server.admin})
    assert response.status_code == 201
    assert len(get_graph(client, NEW)) == 0  # 200 and empty, not 404
    posted = client.post("/store", params={"graph": NEW + "/2"}, content=b"", headers={**TURTLE, **server.admin})
    assert posted.status_code == 201
    assert len(get_graph(client, NEW + "/2")) == 0
    emptied = client.put("/store", params={"graph": ORGS}, content=b"", headers={**TURTLE, **server.admin})
    assert emptied.status_code == 204
    assert len(get_graph(client, ORGS)) == 0


def test_post_creates_then_merges(server: LiveServer, client: httpx.Client) -> None:
    created = client.post("/store", params={"graph": NEW}, content=DOC, headers={**TURTLE, **server.admin})
    assert created.status_code == 201
    merged = client.post("/store", params={"graph": NEW}, content=f'<{EX}s> <{EX}p> "three" .'.encode(),
                         headers={**TURTLE, **server.admin})
    assert merged.status_code == 204
    assert objects(get_graph(client, NEW)) == {"one", "two", "three"}
    into_existing = client.post("/store", params={"graph": ORGS}, content=DOC, headers={**TURTLE, **server.admin})
    assert into_existing.status_code == 204
    assert len(get_graph(client, ORGS)) == len(sample_graph(ORGS)) + 2


def test_post_a_dataset_to_the_store(server: LiveServer, client: httpx.Client) -> None:
    trig = f'<{NEW}> {{ <{EX}s> <{EX}p> "in a graph" }} <{EX}s> <{EX}p> "default" .'.encode()
    response = client.post("/store", content=trig, headers={"Content-Type": "application/trig", **server.admin})
    assert response.status_code == 204
    assert objects(get_graph(client, NEW)) == {"in a graph"}
    assert objects(get_graph(client, None)) == {"default"}


def test_delete(server: LiveServer, client: httpx.Client) -> None:
    assert client.delete("/store", params={"graph": DATASETS}, headers=server.admin).status_code == 204
    assert client.get("/store", params={"graph": DATASETS}).status_code == 404
    assert client.delete("/store", params={"graph": DATASETS}, headers=server.admin).status_code == 404
    assert client.delete("/store", params={"default": ""}, headers=server.admin).status_code == 204
    assert isomorphic(get_graph(client, ORGS), sample_graph(ORGS))


@pytest.mark.parametrize("content_type", sorted(RDFLIB_FORMATS))
def test_round_trip_through_every_format(server: LiveServer, client: httpx.Client, content_type: str) -> None:
    got = client.get("/store", params={"graph": ORGS}, headers={"Accept": content_type})
    put = client.put("/store", params={"graph": NEW}, content=got.content,
                     headers={"Content-Type": got.headers["content-type"], **server.admin})
    assert put.status_code == 201, put.text
    assert isomorphic(get_graph(client, NEW, accept=content_type), sample_graph(ORGS))


WRITE_ERRORS = [
    ("PUT", {"graph": NEW}, {}, DOC, TURTLE, 401),
    ("POST", {"graph": NEW}, {}, DOC, TURTLE, 401),
    ("DELETE", {"graph": ORGS}, {}, None, {}, 401),
    ("PUT", {"graph": NEW}, "contributor", DOC, TURTLE, 403),
    ("DELETE", {"graph": ORGS}, "contributor", None, {}, 403),
    ("PUT", {"graph": NEW}, "admin", b"<broken", TURTLE, 400),
    ("POST", {"graph": ORGS}, "admin", b"<broken", TURTLE, 400),
    ("PUT", {"graph": NEW}, "admin", f"<{NEW}> {{ <{EX}s> <{EX}p> 1 }}".encode(),
     {"Content-Type": "application/trig"}, 400),  # a document naming graphs, for one graph
    ("PUT", {}, "admin", DOC, TURTLE, 400),  # PUT needs a target
    ("DELETE", {}, "admin", None, {}, 400),
    ("PUT", {"graph": "not an iri"}, "admin", DOC, TURTLE, 400),
    ("PUT", {"graph": NEW, "default": ""}, "admin", DOC, TURTLE, 400),
    ("PUT", {"graph": NEW}, "admin", DOC, {"Content-Type": "text/csv"}, 415),
    ("PUT", {"graph": NEW}, "admin", DOC, {}, 415),
    ("POST", {}, "admin", DOC, TURTLE, 415),  # the whole dataset needs a format that holds graphs
    ("PATCH", {"graph": ORGS}, "admin", DOC, TURTLE, 405),
]


@pytest.mark.parametrize(("method", "params", "who", "body", "headers", "status"), WRITE_ERRORS)
def test_write_errors_change_nothing(server: LiveServer, client: httpx.Client, method: str, params: dict[str, str],
                                     who: str | dict[str, str], body: bytes | None, headers: dict[str, str],
                                     status: int) -> None:
    auth = {"admin": server.admin, "contributor": {"Authorization": f"Bearer {server.contributor_token}"}}.get(
        who if isinstance(who, str) else "", {})
    response = client.request(method, "/store", params=params, content=body, headers={**headers, **auth})
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert client.get("/store", params={"graph": NEW}).status_code == 404
    dataset = Dataset()
    dataset.parse(data=client.get("/store", headers={"Accept": "application/n-quads"}).text, format="nquads")
    assert sum(1 for _ in dataset.quads((None, None, None, None))) == total_quads()


def test_a_failed_put_keeps_the_old_graph(server: LiveServer, client: httpx.Client) -> None:
    lines = "\n".join(f'<{EX}s{i}> <{EX}p> "{i}" .' for i in range(200))
    response = client.put("/store", params={"graph": ORGS}, content=(lines + "\n<broken").encode(),
                          headers={"Content-Type": "application/n-triples", **server.admin})
    assert response.status_code == 400
    assert isomorphic(get_graph(client, ORGS), sample_graph(ORGS))


def test_written_data_is_visible_to_sparql(server: LiveServer, client: httpx.Client) -> None:
    client.put("/store", params={"graph": NEW}, content=DOC, headers={**TURTLE, **server.admin})
    response = client.get("/sparql", params={"query": f"SELECT ?o WHERE {{ GRAPH <{NEW}> {{ ?s ?p ?o }} }}"},
                          headers={"Accept": "application/sparql-results+json"})
    assert {b["o"]["value"] for b in response.json()["results"]["bindings"]} == {"one", "two"}
    assert (URIRef(EX + "s"), URIRef(EX + "p"), Literal("one")) in get_graph(client, NEW)
