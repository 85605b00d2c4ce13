"""The fast lane (api/fast_lane.py): which requests it takes, and that its answers are the full stack's.

Each case sends one query twice to a live server: as ``?query=`` alone (the lane takes it) and with
``&timeout=`` set to the configured limit (the same request in meaning, which the full stack answers). Status,
headers (all but the date) and the decoded body must be the same; the lane's counter shows which way each went.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import load_fixture, make_test_settings, run_server

from api.app import create_app
from api.fast_lane import simple_query, simple_resource
from graph.embedded import EmbeddedStore

JSON = "application/sparql-results+json"
SMALL = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o LIMIT 3"
#: Every triple three times: a few kB, sent whole (gzip applies past 4 kB)
INLINE = "SELECT ?s ?p ?o ?n WHERE { ?s ?p ?o VALUES ?n { 1 2 3 } } ORDER BY ?s ?p ?o ?n"
#: Every pair of triples: past the 16 kB buffer, so streamed
STREAMED = "SELECT * WHERE { ?s ?p ?o . ?a ?b ?c } ORDER BY ?s ?p ?o ?a ?b ?c"
BUFFER = 16 * 1024


@pytest.fixture(scope="module")
def lane_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    tmp: Path = tmp_path_factory.mktemp("lane")
    settings = make_test_settings(tmp, stream_buffer_bytes=BUFFER, cors_origins=["https://portal.example"])
    store = EmbeddedStore.open(None)
    load_fixture(store)
    app = create_app(settings, store=store)
    for url in run_server(settings, store, app=app):
        yield url, app


def _both(url: str, app: Any, query: str, headers: dict[str, str]) -> tuple[httpx.Response, httpx.Response]:
    limit = app.state.services.settings.query_timeout
    with httpx.Client(base_url=url, timeout=30) as client:
        before = app.fast_lane.answered
        lane = client.get("/sparql", params={"query": query}, headers=headers)
        assert app.fast_lane.answered == before + 1, "the lane did not take the simple request"
        stack = client.get("/sparql", params={"query": query, "timeout": f"{limit:g}"}, headers=headers)
        assert app.fast_lane.answered == before + 1, "the lane took a request with another parameter"
    return lane, stack


def _headers(response: httpx.Response) -> list[tuple[str, str]]:
    return sorted((name, value) for name, value in response.headers.multi_items() if name != "date")


@pytest.mark.parametrize(("query", "headers", "status", "size"), [
    (SMALL, {"Accept": JSON}, 200, (1, 4096)),
    (SMALL, {"Accept": "text/csv"}, 200, (1, 4096)),
    ("CONSTRUCT WHERE { ?s ?p ?o }", {"Accept": "text/turtle"}, 200, (1, BUFFER)),
    ("ASK { ?s ?p ?o }", {"Accept": "application/sparql-results+xml"}, 200, (1, 4096)),
    (INLINE, {"Accept": JSON, "Accept-Encoding": "gzip"}, 200, (4096, BUFFER)),
    (INLINE, {"Accept": JSON, "Accept-Encoding": "identity"}, 200, (4096, BUFFER)),
    (STREAMED, {"Accept": JSON, "Accept-Encoding": "gzip"}, 200, (BUFFER, 10**8)),
    (STREAMED, {"Accept": "text/tab-separated-values", "Accept-Encoding": "identity"}, 200, (BUFFER, 10**8)),
    (SMALL, {"Origin": "https://portal.example"}, 200, (1, 4096)),
    (SMALL, {"Origin": "https://elsewhere.example"}, 200, (1, 4096)),
    ("SELEKT ?s WHERE { ?s ?p ?o }", {}, 400, (1, 4096)),
    (SMALL, {"Accept": "image/png"}, 406, (1, 4096)),
    ("   ", {}, 400, (1, 4096)),
], ids=["json", "csv", "turtle", "ask-xml", "gzip", "identity", "streamed-gzip", "streamed-tsv", "cors-allowed",
        "cors-other", "syntax-error", "not-acceptable", "empty"])
def test_lane_answers_as_the_full_stack(lane_server: tuple[str, Any], query: str, headers: dict[str, str],
                                        status: int, size: tuple[int, int]) -> None:
    url, app = lane_server
    lane, stack = _both(url, app, query, headers)
    assert lane.status_code == stack.status_code == status
    assert size[0] <= len(lane.content) < size[1], "the case does not exercise what it names"
    assert _headers(lane) == _headers(stack)
    if lane.headers["content-type"].startswith("application/problem+json"):
        assert lane.json() == stack.json()
    else:
        assert lane.content == stack.content


def test_lane_compresses_and_streams_as_the_stack(lane_server: tuple[str, Any]) -> None:
    """The header comparison above holds something: gzip and chunked framing really are in play."""
    url, app = lane_server
    lane, _stack = _both(url, app, INLINE, {"Accept": JSON, "Accept-Encoding": "gzip"})
    assert lane.headers["content-encoding"] == "gzip" and "Accept-Encoding" in lane.headers["vary"]
    lane, _stack = _both(url, app, STREAMED, {"Accept": JSON, "Accept-Encoding": "identity"})
    assert lane.headers.get("transfer-encoding") == "chunked" and "content-length" not in lane.headers
    lane, _stack = _both(url, app, SMALL, {"Origin": "https://portal.example"})
    assert lane.headers["access-control-allow-origin"] == "https://portal.example"


def _scope(query_string: bytes, *, method: str = "GET", path: str = "/sparql",
           headers: list[tuple[bytes, bytes]] | None = None) -> dict[str, Any]:
    return {"type": "http", "method": method, "path": path, "query_string": query_string,
            "headers": headers if headers is not None else [(b"host", b"x"), (b"accept", b"*/*")]}


def test_lane_takes_only_simple_reads() -> None:
    assert simple_query(_scope(b"query=ASK+%7B%7D")) == "ASK {}"
    refused = [
        _scope(b"query=ASK+%7B%7D&timeout=1"),  # another parameter
        _scope(b"query=ASK+%7B%7D;x=1"),
        _scope(b"default-graph-uri=x&query=ASK+%7B%7D"),
        _scope(b""),  # the service description
        _scope(b"query=ASK+%7B%7D", method="HEAD"),
        _scope(b"query=ASK+%7B%7D", method="POST"),
        _scope(b"query=ASK+%7B%7D", path="/sparql/"),
        _scope(b"query=%C3"),  # not UTF-8: the stack words the 400
        _scope(b"query=%ZZ"),
        _scope(b"query=ASK+%7B%7D", headers=[(b"authorization", b"Bearer x")]),  # credentials
        _scope(b"query=ASK+%7B%7D", headers=[(b"content-length", b"3")]),  # a body
        _scope(b"query=ASK+%7B%7D", headers=[(b"transfer-encoding", b"chunked")]),
    ]
    assert [simple_query(scope) for scope in refused] == [None] * len(refused)


def _first_id(url: str, collection: str) -> str:
    with httpx.Client(base_url=url, timeout=30) as client:
        listing = client.get(f"/api/v1/{collection}")
        assert listing.status_code == 200, listing.text
        first = listing.json()["items"][0]["id"]
    return str(first).rstrip("/").rsplit("/", 1)[-1]


def _both_resource(url: str, app: Any, path: str, headers: dict[str, str]) -> tuple[httpx.Response, httpx.Response]:
    """The resource as the lane answers it, and with a parameter the route ignores (so the full stack answers)."""
    with httpx.Client(base_url=url, timeout=30) as client:
        before = app.fast_lane.answered
        lane = client.get(path, headers=headers)
        assert app.fast_lane.answered == before + 1, "the lane did not take the plain resource request"
        stack = client.get(path, params={"compare": "1"}, headers=headers)
        assert app.fast_lane.answered == before + 1, "the lane took a request with a query string"
    return lane, stack


@pytest.mark.parametrize(("collection", "headers", "status"), [
    ("organisations", {}, 200),
    ("organisations", {"Accept": "application/json"}, 200),
    ("organisations", {"Accept": "application/ld+json", "Accept-Encoding": "gzip"}, 200),
    ("organisations", {"Accept": "text/turtle"}, 303),
    ("organisations", {"Accept": "image/png"}, 406),
    ("organisations", {"Origin": "https://portal.example"}, 200),
    ("datasets", {}, 200),
], ids=["jsonld", "json", "gzip", "see-other", "not-acceptable", "cors", "dataset"])
def test_lane_answers_resources_as_the_full_stack(lane_server: tuple[str, Any], collection: str,
                                                  headers: dict[str, str], status: int) -> None:
    url, app = lane_server
    path = f"/api/v1/{collection}/{_first_id(url, collection)}"
    lane, stack = _both_resource(url, app, path, headers)
    assert lane.status_code == stack.status_code == status
    assert _headers(lane) == _headers(stack)
    assert lane.content == stack.content


def test_lane_answers_unknown_and_unmodified_resources_as_the_stack(lane_server: tuple[str, Any]) -> None:
    url, app = lane_server
    lane, stack = _both_resource(url, app, "/api/v1/organisations/no-such-thing", {})
    assert lane.status_code == stack.status_code == 404
    assert _headers(lane) == _headers(stack) and lane.json() == stack.json()
    path = f"/api/v1/organisations/{_first_id(url, 'organisations')}"
    etag = httpx.get(url + path).headers["etag"]
    lane, stack = _both_resource(url, app, path, {"If-None-Match": etag})
    assert lane.status_code == stack.status_code == 304
    assert _headers(lane) == _headers(stack) and lane.content == stack.content == b""
    assert "content-length" not in lane.headers


def test_lane_takes_only_plain_resource_reads() -> None:
    taken = simple_resource(_scope(b"", path="/api/v1/organisations/abc"))
    assert taken is not None and taken[1] == "abc"
    refused = [
        _scope(b"x=1", path="/api/v1/organisations/abc"),  # a query string
        _scope(b"", path="/api/v1/organisations/"),
        _scope(b"", path="/api/v1/organisations"),  # the list
        _scope(b"", path="/api/v1/organisations/abc/"),
        _scope(b"", path="/api/v1/contributions/abc"),  # not a resource collection
        _scope(b"", path="/api/v1/organisations/abc", method="HEAD"),
        _scope(b"", path="/api/v1/organisations/abc", headers=[(b"authorization", b"Bearer x")]),
    ]
    assert [simple_resource(scope) for scope in refused] == [None] * len(refused)
