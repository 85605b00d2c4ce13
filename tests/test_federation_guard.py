"""The federation guard through our live server: SERVICE and LOAD reach only allow-listed endpoints.

A real second SPARQL server (Oxigraph server, PyPI ``oxigraph``) runs on 127.0.0.1 holding a partner's
graph; our endpoint joins it in one query when it is allow-listed and refuses (403, naming it) otherwise.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import DATA, LiveServer, make_test_settings, serving
from oxigraph_support import oxigraph_server
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import SKOS

from graph.embedded import EmbeddedStore
from graph.errors import QueryRejected
from graph.federation import FederationGuard
from graph.store import UpdateRequest

PARTNER = DATA / "linked" / "partner.ttl"
PP = "https://portal.example.org/def/"
JSON = {"Accept": "application/sparql-results+json"}


@pytest.fixture(scope="module")
def partner(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The partner's Oxigraph server on a free 127.0.0.1 port, holding partner.ttl; stopped afterwards."""
    with oxigraph_server(PARTNER, tmp_path_factory.mktemp("partner") / "store") as url:
        yield url


def _guarded(tmp: Path, services: list[str], loads: list[str] | None = None,  # type: ignore[no-untyped-def]
             *, on_disk: bool = False):
    """A server whose store is in memory (queries run in-process) or on disk (queries run in reader processes:
    the guard must hold there too, since the reader's engine is what reaches out)."""
    settings = make_test_settings(tmp, service_allowlist=services, load_allowlist=loads or [], query_workers=1)
    path = tmp / "disk-store" if on_disk else None
    return serving(settings, EmbeddedStore.open(path, federation=FederationGuard.from_settings(settings)))


def _join(endpoint: str) -> str:
    return f"""PREFIX pp: <{PP}> PREFIX skos: <{SKOS}>
        SELECT ?org ?name ?rating WHERE {{
          ?org skos:prefLabel ?name FILTER(lang(?name) = "en")
          SERVICE <{endpoint}> {{ ?listing pp:about ?org ; pp:rating ?rating }}
        }}"""


def _expected() -> set[tuple[str, str]]:
    """(organisation, rating) pairs: partner listings about organisations our sample holds an English name for."""
    ours, theirs = Dataset(), Graph().parse(PARTNER, format="turtle")
    ours.parse(DATA / "sample.trig", format="trig")
    named = {s for s, _, o, _ in ours.quads((None, SKOS.prefLabel, None, None)) if o.language == "en"}
    pairs = set()
    for listing, org in theirs.subject_objects(URIRef(PP + "about")):
        if org in named:
            pairs |= {(str(org), str(rating)) for rating in theirs.objects(listing, URIRef(PP + "rating"))}
    return pairs


def _query(server: LiveServer, query: str) -> httpx.Response:
    with server.client() as client:
        return client.post("/sparql", data={"query": query}, headers=JSON)


def _rejected(response: httpx.Response, *names: str) -> None:
    assert response.status_code == 403, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    for name in names:
        assert name in response.json()["detail"]


@pytest.mark.parametrize("on_disk", [False, True], ids=["in-process", "reader-process"])
def test_allow_listed_endpoint_is_joined(tmp_path: Path, partner: str, on_disk: bool) -> None:
    endpoint = partner + "/query"
    with _guarded(tmp_path, [endpoint], on_disk=on_disk) as server:
        assert server.store.readers is not None if on_disk else server.store.readers is None
        response = _query(server, _join(endpoint))
    assert response.status_code == 200, response.text
    rows = {(r["org"]["value"], r["rating"]["value"]) for r in response.json()["results"]["bindings"]}
    assert rows == _expected()
    assert len(rows) >= 2


@pytest.mark.parametrize("on_disk", [False, True], ids=["in-process", "reader-process"])
def test_endpoint_not_listed_is_refused(tmp_path: Path, partner: str, on_disk: bool) -> None:
    endpoint = partner + "/query"
    with _guarded(tmp_path, [partner + "/other"], on_disk=on_disk) as server:
        _rejected(_query(server, _join(endpoint)), endpoint, "allow-list")
    # '*' allows public addresses only: never loopback
    with _guarded(tmp_path / "any", ["*"]) as server:
        _rejected(_query(server, _join(endpoint)), endpoint, "127.0.0.1")


def test_variable_endpoint_is_refused(tmp_path: Path, partner: str) -> None:
    query = f"SELECT * {{ VALUES ?e {{ <{partner}/query> }} SERVICE ?e {{ ?s ?p ?o }} }}"
    with _guarded(tmp_path, [partner + "/query", "*"]) as server:
        _rejected(_query(server, query), "?e", "variable")


def test_service_in_a_string_or_comment_is_not_refused(tmp_path: Path) -> None:
    query = ("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o # SERVICE <http://127.0.0.1:1/> { }\n"
             " FILTER(?o != 'SERVICE <http://127.0.0.1:1/> { ?a ?b ?c }') }")
    with _guarded(tmp_path, []) as server:
        response = _query(server, query)
        assert response.status_code == 200, response.text
        assert int(response.json()["results"]["bindings"][0]["n"]["value"]) == server.store.count()


def test_host_name_resolving_to_loopback(tmp_path: Path, partner: str) -> None:
    """``localhost`` passes any text check but resolves to loopback: refused unless exactly listed."""
    endpoint = partner.replace("127.0.0.1", "localhost") + "/query"
    with _guarded(tmp_path, ["*"]) as server:
        _rejected(_query(server, _join(endpoint)), endpoint, "loopback")
    with _guarded(tmp_path / "listed", [endpoint]) as server:
        response = _query(server, _join(endpoint))
    assert response.status_code == 200, response.text
    assert {(r["org"]["value"], r["rating"]["value"]) for r in response.json()["results"]["bindings"]} == _expected()


def test_load_only_from_allow_listed_iris(tmp_path: Path, partner: str) -> None:
    document = partner + "/store?default"
    update = f"LOAD <{document}> INTO GRAPH <urn:partner>"
    with _guarded(tmp_path, []) as server, server.client() as client:
        refused = client.post("/update", data={"update": update}, headers=server.admin)
        _rejected(refused, document, "load_allowlist")
        assert not server.store.graph_exists("urn:partner")
    with _guarded(tmp_path / "listed", [], [document]) as server, server.client() as client:
        response = client.post("/update", data={"update": update}, headers=server.admin)
        assert response.status_code == 204, response.text
        assert server.store.count("urn:partner") == len(Graph().parse(PARTNER, format="turtle"))


def test_service_in_an_update_is_checked(memory_store: EmbeddedStore) -> None:
    with pytest.raises(QueryRejected, match="http://10.0.0.1/sparql"):
        update = "INSERT { ?s ?p ?o } WHERE { SERVICE <http://10.0.0.1/sparql> { ?s ?p ?o } }"
        memory_store.update(UpdateRequest(update))


def test_unparseable_mention_is_refused_not_run() -> None:
    with pytest.raises(QueryRejected, match="could not parse"):
        FederationGuard().check_query("SELECT * { SERVICE <http://10.0.0.1/> { ?s ?p ?o } } trailing nonsense")


def test_engine_does_not_expand_escapes_in_keywords(memory_store: EmbeddedStore) -> None:
    """The fast path relies on it: a keyword spelled with a \\u escape is a syntax error, never a SERVICE."""
    from graph.errors import QuerySyntaxError

    with pytest.raises(QuerySyntaxError):
        memory_store.select("SELECT * { SERVI\\u0043E <http://10.0.0.1/> { ?s ?p ?o } }")


def test_allow_list_setting_is_validated(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not an http"):
        make_test_settings(tmp_path, service_allowlist=["ftp://example.org/"])
    assert make_test_settings(tmp_path, load_allowlist=["*", "https://example.org/x"]).load_allowlist[0] == "*"


@pytest.fixture
def redirecting() -> Iterator[tuple[str, list[str]]]:
    """An allow-listed endpoint that answers every request with a redirect to a second, never-listed server;
    yields the endpoint and the list of paths the second server was asked for."""
    hits: list[str] = []

    class Target(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        do_POST = do_GET

        def log_message(self, *args: object) -> None:
            pass

    target = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Target)

    class Redirect(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            self.send_response(307)
            self.send_header("Location", f"http://127.0.0.1:{target.server_address[1]}/internal{self.path}")
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_POST = do_GET

        def log_message(self, *args: object) -> None:
            pass

    redirect = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    for server in (target, redirect):
        threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{redirect.server_address[1]}/sparql", hits
    finally:
        for server in (target, redirect):
            server.shutdown()
            server.server_close()


@pytest.mark.parametrize("on_disk", [False, True], ids=["in-process", "reader-process"])
def test_redirects_do_not_carry_a_query_past_the_allow_list(tmp_path: Path, redirecting: tuple[str, list[str]],
                                                            on_disk: bool) -> None:
    """The engine's HTTP client does not follow redirects: an allow-listed endpoint cannot send us elsewhere."""
    endpoint, hits = redirecting
    with _guarded(tmp_path, [endpoint], [endpoint], on_disk=on_disk) as server:
        response = _query(server, f"SELECT * WHERE {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }}")
        with server.client() as client:
            load = client.post("/update", data={"update": f"LOAD <{endpoint}>"}, headers=server.admin)
    assert response.status_code >= 400 and "redirect" in response.json()["detail"].lower(), response.text
    assert load.status_code >= 400 and "redirect" in load.json()["detail"].lower(), load.text
    assert hits == []
