"""API tokens: secrets shown once, kept only as hashes, outside the graph, effective at once in a running server."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from conftest import LiveServer

from api.tokens import TokenStore
from graph.errors import BadRequest, Conflict, NotFound
from graph.settings import Settings

INSERT = b'INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/s> <http://example.org/p> "o" } }'
DIRECT = {"Content-Type": "application/sparql-update"}


@pytest.fixture
def tokens(tmp_path: Path) -> TokenStore:
    return TokenStore(tmp_path / "tokens.sqlite")


def test_create_and_verify(tokens: TokenStore) -> None:
    admin = tokens.create("ci", "admin")
    contributor = tokens.create("partner", "contributor")
    assert admin != contributor and admin.startswith("od_") and len(admin) >= 40
    record = tokens.verify(admin)
    assert record is not None and record.name == "ci" and record.is_admin
    partner = tokens.verify(contributor)
    assert partner is not None and not partner.is_admin
    assert tokens.verify(admin + "x") is None
    assert tokens.verify("") is None


def test_only_a_hash_is_stored(tokens: TokenStore) -> None:
    secret = tokens.create("ci", "admin")
    raw = tokens.path.read_bytes()
    assert secret.encode() not in raw
    assert hashlib.sha256(secret.encode()).hexdigest().encode() in raw
    assert all(secret not in str(record) for record in tokens.list())


def test_list_and_revoke(tokens: TokenStore) -> None:
    secret = tokens.create("b-token", "admin")
    tokens.create("a-token", "contributor")
    assert [(r.name, r.role, r.last_used) for r in tokens.list()] == [("a-token", "contributor", None),
                                                                     ("b-token", "admin", None)]
    tokens.verify(secret)
    assert next(r for r in tokens.list() if r.name == "b-token").last_used is not None
    tokens.revoke("b-token")
    assert tokens.verify(secret) is None
    assert [r.name for r in tokens.list()] == ["a-token"]
    with pytest.raises(NotFound):
        tokens.revoke("b-token")


@pytest.mark.parametrize(("name", "role", "error"), [
    ("x", "root", BadRequest), ("", "admin", BadRequest), ("n" * 101, "admin", BadRequest),
])
def test_invalid_tokens_are_refused(tokens: TokenStore, name: str, role: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        tokens.create(name, role)
    assert tokens.list() == []


def test_a_name_is_taken_once(tokens: TokenStore) -> None:
    first = tokens.create("ci", "admin")
    with pytest.raises(Conflict):
        tokens.create("ci", "contributor")
    record = tokens.verify(first)
    assert record is not None and record.role == "admin"


def test_verifying_without_a_token_file_creates_nothing(tmp_path: Path) -> None:
    tokens = TokenStore(tmp_path / "missing" / "tokens.sqlite")
    assert tokens.verify("od_anything") is None
    assert not tokens.path.exists()


def test_the_token_file_lies_outside_the_store(tmp_path: Path) -> None:
    settings = Settings(store=tmp_path / "data" / "store", _env_file=None)  # type: ignore[call-arg]
    assert settings.store_path is not None
    assert settings.token_path.parent == settings.store_path.parent
    assert settings.store_path not in settings.token_path.parents


def test_tokens_never_reach_the_graph(live_server: LiveServer) -> None:
    query = ('ASK { { ?s ?p ?o FILTER(CONTAINS(STR(?o), "test-admin") || CONTAINS(STR(?o), "od_")) } '
             'UNION { GRAPH ?g { ?s ?p ?o FILTER(CONTAINS(STR(?o), "test-admin")) } } }')
    with live_server.client() as client:
        response = client.get("/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert response.json()["boolean"] is False


def test_tokens_take_effect_in_a_running_server_at_once(live_server: LiveServer) -> None:
    tokens = TokenStore(live_server.settings.token_path)
    secret = tokens.create("late", "admin")
    with live_server.client() as client:
        for scheme in ("Bearer", "bearer"):
            response = client.post("/update", content=INSERT, headers={**DIRECT, "Authorization": f"{scheme} {secret}"})
            assert response.status_code == 204
        tokens.revoke("late")
        response = client.post("/update", content=INSERT, headers={**DIRECT, "Authorization": f"Bearer {secret}"})
        assert response.status_code == 401
        assert "revoked" in response.json()["detail"]
