"""``POST /update`` against a real server: the SPARQL 1.1 Update Protocol, admin-only, all-or-nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from conftest import BASE, LiveServer, reset_store
from rdflib import Graph
from rdflib.compare import isomorphic
from sparql_results import read_rows, read_triples, sample_graph, total_quads
from SPARQLWrapper import POST, SPARQLWrapper

ORGS = BASE + "graph/source/sample"
DATASETS = BASE + "graph/source/datasets"
OUT = "http://example.org/graph/out"
EX = "http://example.org/"

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
DIRECT = {"Content-Type": "application/sparql-update"}
INSERT_ONE = f'INSERT DATA {{ GRAPH <{OUT}> {{ <{EX}s> <{EX}p> "one" }} }}'
COPY_DEFAULT = f"INSERT {{ GRAPH <{OUT}> {{ ?s ?p ?o }} }} WHERE {{ ?s ?p ?o }}"
COPY_NAMED = f"INSERT {{ GRAPH <{OUT}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"


@pytest.fixture
def server(module_server: LiveServer) -> LiveServer:
    reset_store(module_server.store)
    return module_server


@pytest.fixture
def client(server: LiveServer) -> Iterator[httpx.Client]:
    with server.client() as opened:
        yield opened


def update(client: httpx.Client, text: str, *, way: str = "DIRECT", headers: dict[str, str] | None = None,
           params: dict[str, Any] | None = None) -> httpx.Response:
    if way == "FORM":
        return client.post("/update", data={"update": text, **(params or {})}, headers={**FORM, **(headers or {})})
    return client.post("/update", params=params, content=text.encode(), headers={**DIRECT, **(headers or {})})


def graph_at(client: httpx.Client, graph: str) -> Graph:
    query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    response = client.post("/sparql", data={"query": query}, headers={"Accept": "application/n-triples"})
    assert response.status_code == 200, response.text
    return read_triples(response.headers["content-type"], response.content)


def total(client: httpx.Client) -> int:
    response = client.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"},
                          headers={"Accept": "text/csv"})
    return int(read_rows(response.headers["content-type"], response.content)[1][0]["n"])


# --------------------------------------------------------------------------------------------- auth
@pytest.mark.parametrize(("auth", "status"), [
    (None, 401), ("Bearer od_not-a-token", 401), ("Basic dXNlcjpwYXNz", 401), ("Bearer", 401), ("contributor", 403),
])
def test_writes_need_an_admin_token(server: LiveServer, client: httpx.Client, auth: str | None, status: int) -> None:
    if auth == "contributor":
        auth = f"Bearer {server.contributor_token}"
    response = update(client, INSERT_ONE, headers={"Authorization": auth} if auth else {})
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    if status == 401:
        assert response.headers["www-authenticate"].startswith("Bearer")
    assert total(client) == total_quads()


@pytest.mark.parametrize("way", ["DIRECT", "FORM"])
def test_admin_update_applies(server: LiveServer, client: httpx.Client, way: str) -> None:
    response = update(client, INSERT_ONE, way=way, headers=server.admin)
    assert response.status_code == 204, response.text
    assert response.content == b""
    assert {str(o) for o in graph_at(client, OUT).objects()} == {"one"}
    assert total(client) == total_quads() + 1


def test_update_through_sparqlwrapper(server: LiveServer, client: httpx.Client) -> None:
    sparql = SPARQLWrapper(server.url + "/sparql", updateEndpoint=server.url + "/update")
    sparql.setMethod(POST)
    sparql.addCustomHttpHeader("Authorization", f"Bearer {server.admin_token}")
    sparql.setQuery(INSERT_ONE)
    result = sparql.query()
    assert result.response.status == 204
    assert len(graph_at(client, OUT)) == 1


def test_update_with_a_charset_parameter(server: LiveServer, client: httpx.Client) -> None:
    response = update(client, INSERT_ONE.replace('"one"', '"ünï"'),
                      headers={**server.admin, "Content-Type": "application/sparql-update; charset=UTF-8"})
    assert response.status_code == 204
    assert {str(o) for o in graph_at(client, OUT).objects()} == {"ünï"}


# ------------------------------------------------------------------------ using-graph-uri semantics
@pytest.mark.parametrize("way", ["DIRECT", "FORM"])
def test_using_graph_uri_sets_the_where_default_graph(server: LiveServer, client: httpx.Client, way: str) -> None:
    # without it, the update's default graph is the store's own, which holds nothing here
    assert update(client, COPY_DEFAULT, way=way, headers=server.admin).status_code == 204
    assert len(graph_at(client, OUT)) == 0
    response = update(client, COPY_DEFAULT, way=way, headers=server.admin, params={"using-graph-uri": DATASETS})
    assert response.status_code == 204, response.text
    assert isomorphic(graph_at(client, OUT), sample_graph(DATASETS))


def test_several_using_graph_uris_merge(server: LiveServer, client: httpx.Client) -> None:
    response = update(client, COPY_DEFAULT, headers=server.admin, params={"using-graph-uri": [DATASETS, ORGS]})
    assert response.status_code == 204
    assert isomorphic(graph_at(client, OUT), sample_graph(DATASETS) + sample_graph(ORGS))


def test_using_named_graph_uri_restricts_graph(server: LiveServer, client: httpx.Client) -> None:
    response = update(client, COPY_NAMED, headers=server.admin, params={"using-named-graph-uri": ORGS})
    assert response.status_code == 204
    assert isomorphic(graph_at(client, OUT), sample_graph(ORGS))


def test_using_graph_uri_applies_to_delete_where(server: LiveServer, client: httpx.Client) -> None:
    """DELETE WHERE has no place for USING; the protocol's dataset must still apply to its pattern."""
    org = f"<{BASE}id/organisation/alpha-coop>"
    # the DELETE template writes to the store's default graph, so copy a triple there first
    copy = f"INSERT {{ {org} ?p ?o }} WHERE {{ GRAPH <{ORGS}> {{ {org} ?p ?o }} }}"
    assert update(client, copy, headers=server.admin).status_code == 204
    response = update(client, f"DELETE WHERE {{ {org} ?p ?o }}", headers=server.admin,
                      params={"using-graph-uri": DATASETS})
    assert response.status_code == 204
    # the pattern was matched against DATASETS, where alpha-coop has no triples: nothing deleted
    assert total(client) == total_quads()


@pytest.mark.parametrize(("text", "params"), [
    (f"DELETE {{ ?s ?p ?o }} USING <{ORGS}> WHERE {{ ?s ?p ?o }}", {"using-graph-uri": DATASETS}),
    (f"WITH <{ORGS}> DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}", {"using-named-graph-uri": DATASETS}),
    (f"DELETE {{ ?s ?p ?o }} USING NAMED <{ORGS}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
     {"using-named-graph-uri": DATASETS}),
])
def test_dataset_in_text_and_in_protocol_conflict(server: LiveServer, client: httpx.Client, text: str,
                                                  params: dict[str, str]) -> None:
    response = update(client, text, headers=server.admin, params=params)
    assert response.status_code == 400
    assert "using-graph-uri" in response.json()["detail"]
    assert total(client) == total_quads()


# ---------------------------------------------------------------------------------- failures change nothing
@pytest.mark.parametrize("text", [
    "CLEAR XYZ",
    f"{INSERT_ONE} ; CLEAR XYZ",
    f"{INSERT_ONE} ; CLEAR GRAPH <{EX}does-not-exist>",  # the 2nd operation fails when it runs
    f"DROP GRAPH <{ORGS}> ; DROP GRAPH <{EX}does-not-exist>",
    f"{INSERT_ONE} ; INSERT DATA {{ GRAPH <{OUT}> {{ <{EX}s> <{EX}p> \"bad\"@not-a-language-tag-x }} }}",
])
def test_a_failing_update_changes_nothing(server: LiveServer, client: httpx.Client, text: str) -> None:
    before = total(client)
    response = update(client, text, headers=server.admin)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert total(client) == before == total_quads()
    assert len(graph_at(client, OUT)) == 0
    assert isomorphic(graph_at(client, ORGS), sample_graph(ORGS))


BAD = [
    ("two updates", FORM, b"update=CLEAR%20NAMED&update=CLEAR%20DEFAULT", None, 400),
    ("update in URL and body", FORM, b"update=CLEAR%20NAMED", {"update": "CLEAR DEFAULT"}, 400),
    ("direct: update in URL too", DIRECT, b"CLEAR NAMED", {"update": "CLEAR DEFAULT"}, 400),
    ("form without update", FORM, b"using-graph-uri=http%3A%2F%2Fex.org%2Fg", None, 400),
    ("query parameter", FORM, b"update=CLEAR%20NAMED&query=ASK%20%7B%7D", None, 400),
    ("default-graph-uri belongs to queries", DIRECT, b"CLEAR NAMED", {"default-graph-uri": DATASETS}, 400),
    ("empty update", DIRECT, b"   ", None, 400),
    ("non-UTF-8 form", FORM, b"update=CLEAR%20NAMED%20%23%E9", None, 400),
    ("UTF-16 body", DIRECT, "CLEAR NAMED".encode("utf-16"), None, 400),
    ("invalid using-graph-uri", DIRECT, COPY_DEFAULT.encode(), {"using-graph-uri": "not an iri"}, 400),
    ("a query sent as update", DIRECT, b"SELECT * WHERE { ?s ?p ?o }", None, 400),
    ("declared UTF-16", {"Content-Type": "application/sparql-update; charset=UTF-16"}, b"CLEAR NAMED", None, 415),
    ("wrong media type", {"Content-Type": "text/plain"}, b"CLEAR NAMED", None, 415),
    ("query media type", {"Content-Type": "application/sparql-query"}, b"CLEAR NAMED", None, 415),
    ("no media type", {"Content-Type": ""}, b"update=CLEAR%20NAMED", None, 415),
]


@pytest.mark.parametrize(("headers", "body", "params", "status"), [case[1:] for case in BAD],
                         ids=[case[0] for case in BAD])
def test_malformed_update_requests(server: LiveServer, client: httpx.Client, headers: dict[str, str], body: bytes,
                                   params: dict[str, str] | None, status: int) -> None:
    response = client.post("/update", params=params, content=body, headers={**headers, **server.admin})
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert total(client) == total_quads()


def test_update_with_get_is_refused(server: LiveServer, client: httpx.Client) -> None:
    response = client.get("/update", params={"update": "CLEAR ALL"}, headers=server.admin)
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert total(client) == total_quads()
    on_query_endpoint = client.get("/sparql", params={"update": "CLEAR ALL"})
    assert on_query_endpoint.status_code == 400
    assert total(client) == total_quads()
