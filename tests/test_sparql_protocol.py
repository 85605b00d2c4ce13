"""``/sparql`` against a real uvicorn server: the SPARQL 1.1 Query Protocol rule by rule, with httpx and
SPARQLWrapper, every body read by a real parser."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from conftest import BASE, LiveServer, make_test_settings, serving
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from sparql_results import (
    RDFLIB_FORMATS,
    media_type,
    read_boolean,
    read_rows,
    read_triples,
    sample_dataset,
    sample_graph,
    total_quads,
)
from SPARQLWrapper import CSV, JSON, JSONLD, POST, POSTDIRECTLY, RDFXML, TURTLE, XML, SPARQLWrapper

from graph.embedded import EmbeddedStore
from graph.formats import RDF_BY_NAME

ORGS = BASE + "graph/source/sample"
DATASETS = BASE + "graph/source/datasets"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")

LABELS = f"SELECT ?org ?label WHERE {{ ?org <{SKOS}prefLabel> ?label }}"
ASK_TRUE = f"ASK {{ ?org <{SKOS}prefLabel> ?label }}"
ASK_FALSE = "ASK { ?s <http://example.org/nothing> ?o }"
CONSTRUCT_ORGS = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{ORGS}> {{ ?s ?p ?o }} }}"
DESCRIBE_ALPHA = f"DESCRIBE <{BASE}id/organisation/alpha-coop>"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
DIRECT = {"Content-Type": "application/sparql-query"}


def expected_labels() -> set[tuple[str, str]]:
    rows = sample_dataset().query(LABELS)
    return {(str(row[0]), str(row[1])) for row in rows}  # type: ignore[index]


@pytest.fixture(scope="module", params=["in-process", "reader-processes", "front-processes"])
def server(request: pytest.FixtureRequest, module_server: LiveServer,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Every protocol rule holds where queries run in-process (an in-memory store), where they run in
    killable reader processes over checkpoints (an on-disk store), and where front processes answer simple
    reads themselves and hand the rest over (what ``ourdata serve`` runs by default)."""
    if request.param == "in-process":
        yield module_server  # nothing in this module writes
        return
    tmp = tmp_path_factory.mktemp("protocol-readers")
    store = EmbeddedStore.open(tmp / "store")
    fronts = request.param == "front-processes"
    with serving(make_test_settings(tmp, query_workers=1), store, fronts=fronts) as live:
        assert store.readers is not None
        yield live
    store.close()


@pytest.fixture(scope="module")
def client(server: LiveServer) -> Iterator[httpx.Client]:
    with server.client() as opened:
        yield opened


def ask(client: httpx.Client, method: str, query: str, *, accept: str | None = None,
        params: dict[str, Any] | None = None) -> httpx.Response:
    """One query by one of the protocol's three ways: GET, POST form, POST direct."""
    headers = {"Accept": accept} if accept else {}
    if method == "GET":
        return client.get("/sparql", params={"query": query, **(params or {})}, headers=headers)
    if method == "FORM":
        return client.post("/sparql", data={"query": query, **(params or {})}, headers={**headers, **FORM})
    return client.post("/sparql", params=params, content=query.encode(), headers={**headers, **DIRECT})


WAYS = ["GET", "FORM", "DIRECT"]


# ---------------------------------------------------------------------------------- the three ways in
@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize("accept", ["application/sparql-results+json", "application/sparql-results+xml",
                                    "text/csv", "text/tab-separated-values"])
def test_select_in_every_result_format(client: httpx.Client, way: str, accept: str) -> None:
    response = ask(client, way, LABELS, accept=accept)
    assert response.status_code == 200, response.text
    assert media_type(response.headers["content-type"]) == accept
    assert "accept" in response.headers["vary"].lower()
    names, rows = read_rows(response.headers["content-type"], response.content)
    assert names == ["org", "label"]
    assert {(r["org"], r["label"]) for r in rows} == expected_labels()
    assert len(rows) == len(expected_labels())


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize("accept", ["application/sparql-results+json", "application/sparql-results+xml",
                                    "text/csv", "text/tab-separated-values"])
def test_ask_in_every_result_format(client: httpx.Client, way: str, accept: str) -> None:
    for query, expected in ((ASK_TRUE, True), (ASK_FALSE, False)):
        response = ask(client, way, query, accept=accept)
        assert response.status_code == 200, response.text
        assert media_type(response.headers["content-type"]) == accept
        assert read_boolean(response.headers["content-type"], response.content) is expected


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize("accept", sorted(RDFLIB_FORMATS))
def test_construct_in_every_rdf_format(client: httpx.Client, way: str, accept: str) -> None:
    response = ask(client, way, CONSTRUCT_ORGS, accept=accept)
    assert response.status_code == 200, response.text
    assert media_type(response.headers["content-type"]) == accept
    assert isomorphic(read_triples(response.headers["content-type"], response.content), sample_graph(ORGS))


@pytest.mark.parametrize("accept", sorted(RDFLIB_FORMATS))
def test_describe_in_every_rdf_format(client: httpx.Client, accept: str) -> None:
    response = ask(client, "GET", DESCRIBE_ALPHA, accept=accept)
    assert response.status_code == 200, response.text
    graph = read_triples(response.headers["content-type"], response.content)
    alpha = URIRef(BASE + "id/organisation/alpha-coop")
    expected = {(p, o) for p, o in sample_dataset().predicate_objects(alpha)}
    assert {(p, o) for s, p, o in graph if s == alpha} == expected


def test_jsonld_keeps_languages_datatypes_and_escapes(client: httpx.Client) -> None:
    query = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    response = ask(client, "GET", query, accept="application/ld+json")
    graph = read_triples(response.headers["content-type"], response.content)
    assert (URIRef(BASE + "id/organisation/gamma-commons"), URIRef(SKOS + "prefLabel"),
            Literal('Gamma "Commons"\nNetwork', lang="en")) in graph
    assert len(graph) == total_quads()


# ----------------------------------------------------------------------------------- negotiation
SELECT_ACCEPT = [
    (None, "application/sparql-results+json"),
    ("*/*", "application/sparql-results+json"),
    ("application/json", "application/sparql-results+json"),
    ("application/xml", "application/sparql-results+xml"),
    ("text/*", "text/csv"),
    ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
    ("text/csv, application/sparql-results+xml;q=0.9", "text/csv"),
    ("application/sparql-results+json;q=0, */*;q=0.5", "application/sparql-results+xml"),
    ("*/*;q=0.1, text/tab-separated-values", "text/tab-separated-values"),
    ("text/html, application/xhtml+xml, */*;q=0.8", "application/sparql-results+json"),
    ("image/png", 406),
    ("text/turtle", 406),
    ("application/sparql-results+json;q=0", 406),
]
GRAPH_ACCEPT = [
    (None, "text/turtle"),
    ("application/json", "application/ld+json"),
    ("text/plain", "application/n-triples"),
    ("application/x-turtle", "text/turtle"),
    ("text/turtle;q=0.2, application/ld+json;q=0.8", "application/ld+json"),
    ("*/*;q=0.1, text/turtle;q=0", "application/n-triples"),
    ("application/sparql-results+json", 406),
    ("text/csv", 406),
]


@pytest.mark.parametrize(("accept", "expected"), SELECT_ACCEPT)
def test_select_negotiation(client: httpx.Client, accept: str | None, expected: str | int) -> None:
    response = ask(client, "GET", LABELS, accept=accept)
    if isinstance(expected, int):
        assert response.status_code == expected
        assert response.headers["content-type"] == "application/problem+json"
        assert "application/sparql-results+json" in response.json()["available"]
    else:
        assert response.status_code == 200
        assert media_type(response.headers["content-type"]) == expected
        assert read_rows(response.headers["content-type"], response.content)[1]


@pytest.mark.parametrize(("accept", "expected"), SELECT_ACCEPT)
def test_ask_negotiates_like_select(client: httpx.Client, accept: str | None, expected: str | int) -> None:
    response = ask(client, "GET", ASK_TRUE, accept=accept)
    if isinstance(expected, int):
        assert response.status_code == expected
    else:
        assert media_type(response.headers["content-type"]) == expected
        assert read_boolean(response.headers["content-type"], response.content) is True


@pytest.mark.parametrize(("accept", "expected"), GRAPH_ACCEPT)
def test_construct_negotiation(client: httpx.Client, accept: str | None, expected: str | int) -> None:
    response = ask(client, "GET", CONSTRUCT_ORGS, accept=accept)
    if isinstance(expected, int):
        assert response.status_code == expected
        assert "text/turtle" in response.json()["available"]
    else:
        assert response.status_code == 200
        assert media_type(response.headers["content-type"]) == expected
        assert isomorphic(read_triples(response.headers["content-type"], response.content), sample_graph(ORGS))


@pytest.mark.parametrize(("query", "value", "expected"), [
    (LABELS, "json", "application/sparql-results+json"),
    (LABELS, "csv", "text/csv"),
    (LABELS, "xml", "application/sparql-results+xml"),
    (CONSTRUCT_ORGS, "json", "application/ld+json"),
    (CONSTRUCT_ORGS, "xml", "application/rdf+xml"),
    (CONSTRUCT_ORGS, "turtle", "text/turtle"),
    (CONSTRUCT_ORGS, "rdf+xml", "application/rdf+xml"),
    (LABELS, "application/sparql-results+xml", "application/sparql-results+xml"),
    (CONSTRUCT_ORGS, "application/n-quads", "application/n-quads"),
    (LABELS, "turtle", 406),
    (LABELS, "no-such-format", 406),
])
def test_format_parameter_overrides_accept(client: httpx.Client, query: str, value: str,
                                           expected: str | int) -> None:
    response = ask(client, "GET", query, accept="text/tab-separated-values", params={"format": value})
    if isinstance(expected, int):
        assert response.status_code == expected
    else:
        assert media_type(response.headers["content-type"]) == expected


# ---------------------------------------------------------------------------------------- datasets
def count_of(response: httpx.Response) -> int:
    assert response.status_code == 200, response.text
    return int(read_rows(response.headers["content-type"], response.content)[1][0]["n"])


def graphs_of(response: httpx.Response) -> set[str]:
    assert response.status_code == 200, response.text
    return {row["g"] for row in read_rows(response.headers["content-type"], response.content)[1]}


GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"


@pytest.mark.parametrize("way", WAYS)
def test_default_graph_is_the_union_of_all_graphs(client: httpx.Client, way: str) -> None:
    assert count_of(ask(client, way, COUNT)) == total_quads()
    assert graphs_of(ask(client, way, GRAPHS)) == {ORGS, DATASETS}


@pytest.mark.parametrize("way", WAYS)
def test_default_graph_uri_gives_exactly_those_graphs(client: httpx.Client, way: str) -> None:
    one = ask(client, way, COUNT, params={"default-graph-uri": DATASETS})
    assert count_of(one) == len(sample_graph(DATASETS))
    both = ask(client, way, COUNT, params={"default-graph-uri": [DATASETS, ORGS]})
    assert count_of(both) == len(sample_graph(DATASETS)) + len(sample_graph(ORGS))
    # with only default-graph-uri, the dataset has no named graphs (as with FROM alone)
    assert graphs_of(ask(client, way, GRAPHS, params={"default-graph-uri": DATASETS})) == set()


@pytest.mark.parametrize("way", WAYS)
def test_named_graph_uri_restricts_graph_and_empties_the_default(client: httpx.Client, way: str) -> None:
    assert graphs_of(ask(client, way, GRAPHS, params={"named-graph-uri": ORGS})) == {ORGS}
    assert count_of(ask(client, way, COUNT, params={"named-graph-uri": ORGS})) == 0
    full = ask(client, way, COUNT, params={"named-graph-uri": ORGS, "default-graph-uri": DATASETS})
    assert count_of(full) == len(sample_graph(DATASETS))


def test_from_in_the_query_is_honoured_and_protocol_overrides_it(client: httpx.Client) -> None:
    from_orgs = f"SELECT (COUNT(*) AS ?n) FROM <{ORGS}> WHERE {{ ?s ?p ?o }}"
    assert count_of(ask(client, "GET", from_orgs)) == len(sample_graph(ORGS))
    overridden = ask(client, "GET", from_orgs, params={"default-graph-uri": DATASETS})
    assert count_of(overridden) == len(sample_graph(DATASETS))
    from_named = f"SELECT DISTINCT ?g FROM NAMED <{DATASETS}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    assert graphs_of(ask(client, "GET", from_named)) == {DATASETS}


def test_form_post_takes_dataset_parameters_from_the_url_too(client: httpx.Client) -> None:
    """W3C protocol test query_post_form: the form body holds the query, the URL the default graph."""
    response = client.post("/sparql", params={"default-graph-uri": DATASETS}, data={"query": COUNT}, headers=FORM)
    assert count_of(response) == len(sample_graph(DATASETS))


# ---------------------------------------------------------------------------- malformed requests
BAD_REQUESTS: list[tuple[str, str, dict[str, Any], bytes | None, dict[str, str], int]] = [
    ("two queries", "GET", {"query": ["ASK {}", "SELECT * {}"]}, None, {}, 400),
    ("syntax", "GET", {"query": "ASK {"}, None, {}, 400),
    ("empty query", "GET", {"query": ""}, None, {}, 400),
    ("blank query", "GET", {"query": "  \n "}, None, {}, 400),
    ("update on the query endpoint", "GET", {"update": "CLEAR ALL"}, None, {}, 400),
    ("update operation text as query", "GET", {"query": "CLEAR ALL"}, None, {}, 400),
    ("using-graph-uri belongs to updates", "GET", {"query": "ASK {}", "using-graph-uri": DATASETS}, None, {}, 400),
    ("invalid default-graph-uri", "GET", {"query": "ASK {}", "default-graph-uri": "not an iri"}, None, {}, 400),
    ("relative named-graph-uri", "GET", {"query": "ASK {}", "named-graph-uri": "g1"}, None, {}, 400),
    ("form: two queries", "POST", {}, b"query=ASK%20%7B%7D&query=ASK%20%7B%7D", FORM, 400),
    ("form: query in URL and body", "POST", {"query": "ASK {}"}, b"query=ASK%20%7B%7D", FORM, 400),
    ("form: no query", "POST", {}, b"default-graph-uri=http%3A%2F%2Fex.org%2Fg", FORM, 400),
    ("form: empty query", "POST", {}, b"query=", FORM, 400),
    ("form: non-UTF-8 body", "POST", {}, b"query=ASK%20%7B%7D%20%23%E9", FORM, 400),
    ("form: update parameter", "POST", {}, b"update=CLEAR%20ALL", FORM, 400),
    ("direct: query in URL too", "POST", {"query": "ASK {}"}, b"ASK {}", DIRECT, 400),
    ("direct: empty body", "POST", {}, b"", DIRECT, 400),
    ("direct: UTF-16 body", "POST", {}, "ASK {}".encode("utf-16"), DIRECT, 400),
    ("direct: syntax", "POST", {}, b"SELECT WHERE", DIRECT, 400),
    ("direct: declared UTF-16", "POST", {}, b"ASK {}", {"Content-Type": "application/sparql-query; charset=UTF-16"},
     415),
    ("wrong media type", "POST", {}, b"ASK {}", {"Content-Type": "text/plain"}, 415),
    ("no media type", "POST", {}, b"query=ASK%20%7B%7D", {"Content-Type": ""}, 415),
    ("json body", "POST", {}, b'{"query": "ASK {}"}', {"Content-Type": "application/json"}, 415),
    ("PUT", "PUT", {"query": "ASK {}"}, b"", FORM, 405),
    ("DELETE", "DELETE", {"query": "ASK {}"}, None, {}, 405),
]


@pytest.mark.parametrize(("method", "params", "body", "headers", "status"),
                         [case[1:] for case in BAD_REQUESTS], ids=[case[0] for case in BAD_REQUESTS])
def test_malformed_requests(server: LiveServer, client: httpx.Client, method: str, params: dict[str, Any],
                            body: bytes | None, headers: dict[str, str], status: int) -> None:
    response = client.request(method, "/sparql", params=params or None, content=body, headers=headers)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == status and problem["detail"]
    if status == 405:
        assert set(response.headers["allow"].split(", ")) == {"GET", "HEAD", "POST"}


def test_url_with_percent_encoded_bytes_that_are_not_utf8(server: LiveServer, client: httpx.Client) -> None:
    response = client.get(server.url + "/sparql?query=ASK%20%7B%7D%20%23%E9")
    assert response.status_code == 400
    assert "UTF-8" in response.json()["detail"]


@pytest.mark.parametrize("content_type", ["application/sparql-query; charset=utf-8",
                                          "application/sparql-query;charset=UTF-8",
                                          "Application/SPARQL-Query"])
def test_direct_post_with_parameters_on_the_media_type(client: httpx.Client, content_type: str) -> None:
    response = client.post("/sparql", content=ASK_TRUE.encode(), headers={"Content-Type": content_type})
    assert response.status_code == 200, response.text
    assert read_boolean(response.headers["content-type"], response.content) is True


def test_form_post_with_charset_and_non_ascii_text(client: httpx.Client) -> None:
    query = 'SELECT ?org WHERE { ?org ?p "Fiducie Beta"@fr } # ünïcödé'
    response = client.post("/sparql", data={"query": query},
                           headers={"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8",
                                    "Accept": "text/csv"})
    assert response.status_code == 200, response.text
    assert read_rows(response.headers["content-type"], response.content)[1] == [
        {"org": BASE + "id/organisation/beta-trust"}]


# ---------------------------------------------------------------------------------------------- HEAD
@pytest.mark.parametrize(("query", "accept"), [
    (LABELS, None), (LABELS, "text/csv"), (ASK_TRUE, "text/tab-separated-values"),
    (CONSTRUCT_ORGS, "application/ld+json"), (CONSTRUCT_ORGS, None), (None, None), (None, "application/rdf+xml"),
    (None, FIREFOX),
])
def test_head_has_the_get_content_type_and_no_body(client: httpx.Client, query: str | None,
                                                   accept: str | None) -> None:
    params = {"query": query} if query else None
    headers = {"Accept": accept} if accept else {}
    got = client.get("/sparql", params=params, headers=headers)
    head = client.head("/sparql", params=params, headers=headers)
    assert got.status_code == head.status_code == 200
    assert head.headers["content-type"] == got.headers["content-type"]
    assert "Accept" in head.headers["vary"] and "Accept" in got.headers["vary"]
    assert head.content == b""
    assert head.headers.get("content-length") in (None, got.headers.get("content-length"))


@pytest.mark.parametrize(("params", "accept", "status"), [
    ({"query": "ASK {"}, None, 400),
    ({"query": LABELS}, "image/png", 406),
    ({"query": ["ASK {}", "ASK {}"]}, None, 400),
])
def test_head_reports_errors_by_status(client: httpx.Client, params: dict[str, Any], accept: str | None,
                                       status: int) -> None:
    response = client.head("/sparql", params=params, headers={"Accept": accept} if accept else {})
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"


# ---------------------------------------------------------------------------------------------- CORS
def test_cors_simple_request(client: httpx.Client) -> None:
    response = client.get("/sparql", params={"query": ASK_TRUE}, headers={"Origin": "https://elsewhere.example"})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    exposed = {h.strip().lower() for h in response.headers["access-control-expose-headers"].split(",")}
    assert {"content-type", "vary"} <= exposed


@pytest.mark.parametrize(("path", "method"), [("/sparql", "POST"), ("/sparql", "GET"), ("/update", "POST"),
                                              ("/store?graph=http://ex.org/g", "PUT"),
                                              ("/store?graph=http://ex.org/g", "DELETE")])
def test_cors_preflight_allows_authorization(client: httpx.Client, path: str, method: str) -> None:
    response = client.options(path, headers={
        "Origin": "https://elsewhere.example", "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": "Authorization, Content-Type"})
    assert response.status_code in (200, 204)
    assert response.headers["access-control-allow-origin"] in ("*", "https://elsewhere.example")
    assert method in response.headers["access-control-allow-methods"]
    allowed = {h.strip().lower() for h in response.headers["access-control-allow-headers"].split(",")}
    assert {"authorization", "content-type"} <= allowed
    assert int(response.headers["access-control-max-age"]) > 0


# ------------------------------------------------------------------------ service description, page
def service_endpoint(graph: Graph) -> set[str]:
    return {str(o) for o in graph.objects(None, SD.endpoint)}


@pytest.mark.parametrize("accept", [None, *sorted(RDFLIB_FORMATS)])
def test_service_description_names_the_endpoint_used(server: LiveServer, client: httpx.Client,
                                                     accept: str | None) -> None:
    response = client.get("/sparql", headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    assert "accept" in response.headers["vary"].lower()
    graph = read_triples(response.headers["content-type"], response.content)
    assert service_endpoint(graph) == {server.url + "/sparql"}
    names = {str(o) for o in graph.objects(None, SD.name)}
    assert names == {ORGS, DATASETS}
    assert (None, SD.feature, SD.UnionDefaultGraph) in graph


def test_service_description_follows_the_host_the_client_used(client: httpx.Client) -> None:
    response = client.get("/sparql", headers={"Accept": "text/turtle", "Host": "sparql.example.org:8443"})
    graph = read_triples(response.headers["content-type"], response.content)
    assert service_endpoint(graph) == {"http://sparql.example.org:8443/sparql"}


@pytest.mark.parametrize("accept", [FIREFOX, "text/html"])
def test_a_browser_gets_the_query_page(server: LiveServer, client: httpx.Client, accept: str) -> None:
    response = client.get("/sparql", headers={"Accept": accept})
    assert response.status_code == 200
    assert media_type(response.headers["content-type"]) == "text/html"
    assert "<form" in response.text and server.url + "/sparql" in response.text


def test_a_browser_running_a_query_gets_results(client: httpx.Client) -> None:
    response = client.get("/sparql", params={"query": LABELS}, headers={"Accept": FIREFOX})
    # the browser prefers application/xml (q=0.9) to anything else (*/*;q=0.8): SPARQL XML it is
    assert media_type(response.headers["content-type"]) == "application/sparql-results+xml"
    assert read_rows(response.headers["content-type"], response.content)[1]


# -------------------------------------------------------------------------------------- SPARQLWrapper
def wrapper(server: LiveServer, query: str, fmt: str, **options: Any) -> SPARQLWrapper:
    sparql = SPARQLWrapper(server.url + "/sparql")
    sparql.setQuery(query)
    sparql.setReturnFormat(fmt)
    if options.get("method"):
        sparql.setMethod(options["method"])
    if options.get("request_method"):
        sparql.setRequestMethod(options["request_method"])
    for graph in options.get("default", ()):
        sparql.addDefaultGraph(graph)
    for graph in options.get("named", ()):
        sparql.addNamedGraph(graph)
    return sparql


@pytest.mark.parametrize("options", [{}, {"method": POST}, {"method": POST, "request_method": POSTDIRECTLY}],
                         ids=["get", "post-form", "post-direct"])
def test_sparqlwrapper_select_json(server: LiveServer, options: dict[str, Any]) -> None:
    results: Any = wrapper(server, LABELS, JSON, **options).queryAndConvert()
    rows = {(b["org"]["value"], b["label"]["value"]) for b in results["results"]["bindings"]}
    assert rows == expected_labels()


def test_sparqlwrapper_select_xml_and_csv(server: LiveServer) -> None:
    document: Any = wrapper(server, LABELS, XML).queryAndConvert()
    assert len(document.getElementsByTagName("result")) == len(expected_labels())
    csv_bytes: Any = wrapper(server, LABELS, CSV).queryAndConvert()
    assert read_rows("text/csv", csv_bytes)[1]


def test_sparqlwrapper_ask(server: LiveServer) -> None:
    assert wrapper(server, ASK_TRUE, JSON).queryAndConvert()["boolean"] is True  # type: ignore[index]
    assert wrapper(server, ASK_FALSE, XML).queryAndConvert() is not None


@pytest.mark.parametrize("fmt", [RDFXML, JSONLD, TURTLE])
def test_sparqlwrapper_construct(server: LiveServer, fmt: str) -> None:
    converted: Any = wrapper(server, CONSTRUCT_ORGS, fmt).queryAndConvert()
    graph = converted if isinstance(converted, Graph) else Graph().parse(data=converted, format="turtle")
    assert isomorphic(graph, sample_graph(ORGS))


def test_sparqlwrapper_dataset(server: LiveServer) -> None:
    results: Any = wrapper(server, COUNT, JSON, default=[DATASETS]).queryAndConvert()
    assert int(results["results"]["bindings"][0]["n"]["value"]) == len(sample_graph(DATASETS))
    results = wrapper(server, GRAPHS, JSON, named=[ORGS]).queryAndConvert()
    assert {b["g"]["value"] for b in results["results"]["bindings"]} == {ORGS}


# ------------------------------------------------------------------------------------------ streaming
BIG = "http://example.org/graph/big"
BIG_ROWS = 3000


@pytest.fixture(scope="module", params=["in-process", "reader-processes", "front-processes"])
def streaming_server(request: pytest.FixtureRequest,
                     tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server with the smallest stream buffer and a graph whose results are far larger than it."""
    tmp = tmp_path_factory.mktemp("streaming")
    settings = make_test_settings(tmp, stream_buffer_bytes=1024, query_workers=1)
    store = EmbeddedStore.open(None if request.param == "in-process" else tmp / "disk-store")
    lines = [f'<http://example.org/s/{i}> <http://example.org/p> "value {i} ünïcödé" .' for i in range(BIG_ROWS)]
    store.load("\n".join(lines).encode(), RDF_BY_NAME["ntriples"], graph=BIG)
    with serving(settings, store, fixture=None, fronts=request.param == "front-processes") as server:
        yield server
    store.close()


@pytest.mark.parametrize("accept", ["application/sparql-results+json", "application/sparql-results+xml",
                                    "text/csv", "text/tab-separated-values"])
def test_a_result_larger_than_the_buffer_streams_complete(streaming_server: LiveServer, accept: str) -> None:
    query = f"SELECT ?s ?o WHERE {{ GRAPH <{BIG}> {{ ?s ?p ?o }} }}"
    with streaming_server.client() as client:
        response = client.get("/sparql", params={"query": query},
                              headers={"Accept": accept, "Accept-Encoding": "identity"})
    assert response.status_code == 200
    assert len(response.content) > 10 * streaming_server.settings.stream_buffer_bytes
    assert "content-length" not in response.headers  # streamed, not buffered whole
    _, rows = read_rows(response.headers["content-type"], response.content)
    assert {(r["s"], r["o"]) for r in rows} == {
        (f"http://example.org/s/{i}", f"value {i} ünïcödé") for i in range(BIG_ROWS)}
    assert len(rows) == BIG_ROWS


def test_a_streamed_graph_is_complete(streaming_server: LiveServer) -> None:
    query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{BIG}> {{ ?s ?p ?o }} }}"
    with streaming_server.client() as client:
        response = client.get("/sparql", params={"query": query}, headers={"Accept": "application/n-triples"})
    assert len(read_triples(response.headers["content-type"], response.content)) == BIG_ROWS


def test_a_small_result_is_sent_whole(streaming_server: LiveServer) -> None:
    with streaming_server.client() as client:
        response = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers={"Accept-Encoding": "identity"})
    assert int(response.headers["content-length"]) == len(response.content)
