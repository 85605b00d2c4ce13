"""Every error path answers ``application/problem+json`` of one shape: type, title, status, detail, errors."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import BASE, LiveServer, load_fixture, make_test_settings, serving

from api.errors import PROBLEM_TYPE_BASE
from graph.embedded import EmbeddedStore

ORGS = BASE + "graph/source/sample"
TURTLE = {"Content-Type": "text/turtle"}
DOC = b'<http://example.org/s> <http://example.org/p> "o" .'


@pytest.fixture(scope="module")
def limited_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server over a read-only store (so a write is a storage error) with the smallest body limit."""
    tmp: Path = tmp_path_factory.mktemp("limited")
    writer = EmbeddedStore.open(tmp / "ro-store")
    load_fixture(writer)
    writer.close()
    store = EmbeddedStore.open(tmp / "ro-store", read_only=True)
    with serving(make_test_settings(tmp, max_body_bytes=1024), store, fixture=None) as server:
        yield server


def who(server: LiveServer, role: str | None) -> dict[str, str]:
    if role == "admin":
        return server.admin
    if role == "contributor":
        return {"Authorization": f"Bearer {server.contributor_token}"}
    if role == "unknown":
        return {"Authorization": "Bearer od_unknown"}
    return {}


CASES: list[tuple[str, str, str, dict[str, Any], str | None, int]] = [
    ("query syntax", "GET", "/sparql", {"params": {"query": "ASK {"}}, None, 400),
    ("two queries", "GET", "/sparql", {"params": {"query": ["ASK {}", "ASK {}"]}}, None, 400),
    ("update syntax", "POST", "/update", {"content": b"CLEAR XYZ", "headers": {"Content-Type":
                                                                              "application/sparql-update"}},
     "admin", 400),
    ("failing update", "POST", "/update", {"content": b"CLEAR GRAPH <http://example.org/none>",
                                           "headers": {"Content-Type": "application/sparql-update"}}, "admin", 400),
    ("malformed RDF", "PUT", "/store", {"params": {"graph": "http://example.org/g"}, "content": b"<x",
                                        "headers": TURTLE}, "admin", 400),
    ("bad graph IRI", "GET", "/store", {"params": {"graph": "not an iri"}}, None, 400),
    ("no token", "POST", "/update", {"content": b"CLEAR ALL", "headers": {"Content-Type":
                                                                          "application/sparql-update"}}, None, 401),
    ("unknown token", "DELETE", "/store", {"params": {"graph": ORGS}}, "unknown", 401),
    ("contributor writes", "PUT", "/store", {"params": {"graph": ORGS}, "content": DOC, "headers": TURTLE},
     "contributor", 403),
    ("unknown path", "GET", "/no/such/path", {}, None, 404),
    ("missing graph", "GET", "/store", {"params": {"graph": "http://example.org/none"}}, None, 404),
    ("wrong method", "PUT", "/sparql", {}, None, 405),
    ("update by GET", "GET", "/update", {}, None, 405),
    ("unservable accept", "GET", "/sparql", {"params": {"query": "ASK {}"}, "headers": {"Accept": "image/png"}},
     None, 406),
    ("wrong body type", "POST", "/sparql", {"content": b"ASK {}", "headers": {"Content-Type": "text/plain"}},
     None, 415),
    ("wrong RDF type", "PUT", "/store", {"params": {"graph": ORGS}, "content": DOC,
                                         "headers": {"Content-Type": "application/pdf"}}, "admin", 415),
]
LIMITED_CASES: list[tuple[str, str, str, dict[str, Any], str | None, int]] = [
    ("body too large", "POST", "/sparql", {"content": b"ASK {} " + b"#" * 4096,
                                           "headers": {"Content-Type": "application/sparql-query"}}, None, 413),
    ("storage error", "PUT", "/store", {"params": {"graph": ORGS}, "content": DOC, "headers": TURTLE}, "admin", 500),
]


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert set(problem) >= {"type", "title", "status", "detail", "errors"}
    assert problem["status"] == status
    assert problem["type"].startswith(PROBLEM_TYPE_BASE) and problem["type"] != PROBLEM_TYPE_BASE
    assert isinstance(problem["title"], str) and problem["title"]
    assert isinstance(problem["detail"], str) and problem["detail"]
    assert isinstance(problem["errors"], list)
    for error in problem["errors"]:
        assert isinstance(error, dict) and error.get("message")
    return problem


def check(server: LiveServer, case: tuple[str, str, str, dict[str, Any], str | None, int]) -> dict[str, Any]:
    _name, method, path, kwargs, role, status = case
    headers = {**kwargs.get("headers", {}), **who(server, role), "Origin": "https://elsewhere.example"}
    with server.client() as client:
        response = client.request(method, path, **{**kwargs, "headers": headers})
        if method == "GET":  # HEAD carries the same status and type, without a body
            head = client.head(path, **{**kwargs, "headers": headers})
            assert head.status_code == status
            assert head.headers["content-type"] == "application/problem+json" and head.content == b""
    assert response.headers.get("access-control-allow-origin") == "*"  # browsers may read the problem
    return assert_problem(response, status)


@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_error_shape(module_server: LiveServer, case: tuple[str, str, str, dict[str, Any], str | None, int]) -> None:
    problem = check(module_server, case)
    if case[-1] == 406:
        assert "application/sparql-results+json" in problem["available"]
    if case[-1] == 405:
        assert problem["title"] == "Method not allowed"


@pytest.mark.parametrize("case", LIMITED_CASES, ids=[case[0] for case in LIMITED_CASES])
def test_error_shape_of_limits_and_storage(limited_server: LiveServer,
                                           case: tuple[str, str, str, dict[str, Any], str | None, int]) -> None:
    check(limited_server, case)


def test_the_same_error_has_the_same_type_everywhere(module_server: LiveServer) -> None:
    with module_server.client() as client:
        on_query = client.get("/sparql", params={"query": "ASK {"}).json()
        on_update = client.post("/update", content=b"CLEAR XYZ", headers={"Content-Type": "application/sparql-update",
                                                                          **module_server.admin}).json()
    assert on_query["type"] == on_update["type"] and on_query["title"] == on_update["title"]


def test_an_unexpected_error_is_a_problem_with_cors_headers(tmp_path, memory_store) -> None:
    """A bug (not one of our errors) still answers problem+json, and browsers can read it (CORS)."""
    from conftest import make_test_settings
    from fastapi.testclient import TestClient

    from api.app import create_app

    app = create_app(make_test_settings(tmp_path), store=memory_store)

    @app.get("/test-only-boom")
    def boom() -> None:
        raise RuntimeError("a bug")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/test-only-boom", headers={"Origin": "https://portal.example.org"})
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["access-control-allow-origin"] in ("*", "https://portal.example.org")
    assert response.json()["status"] == 500 and "a bug" not in response.text
