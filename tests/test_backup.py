"""Backup and restore round trips: from a closed store, and through a running server that holds the lock."""

from __future__ import annotations

from pathlib import Path

import httpx
from click.testing import Result
from conftest import DATA, load_fixture, make_test_settings, serving
from rdflib import Dataset
from typer.testing import CliRunner

from api.cli import _register, app
from graph.embedded import EmbeddedStore
from graph.store import UpdateRequest

CHANGE = "INSERT DATA { GRAPH <urn:test:change> { <urn:test:s> <urn:test:p> 'after the backup' } }"


def cli(*args: str) -> Result:
    _register()
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})


def _sample_quads() -> int:
    dataset = Dataset()
    dataset.parse(DATA / "sample.trig", format="trig")
    return len(dataset)


def _quads(path: Path) -> tuple[int, bool]:
    store = EmbeddedStore.open(path)
    try:
        return store.count(), store.graph_exists("urn:test:change")
    finally:
        store.close()


def test_round_trip_from_a_closed_store(tmp_path: Path) -> None:
    store_dir, backup_dir = tmp_path / "store", tmp_path / "backup"
    store = EmbeddedStore.open(store_dir)
    load_fixture(store)
    store.close()
    result = cli("backup", str(backup_dir), "--store", str(store_dir))
    assert result.exit_code == 0, result.output
    assert f"{_sample_quads():,} quads" in result.output
    store = EmbeddedStore.open(store_dir)
    store.update(UpdateRequest(CHANGE))
    store.close()
    assert _quads(store_dir) == (_sample_quads() + 1, True)
    result = cli("restore", str(backup_dir), "--store", str(store_dir))
    assert result.exit_code == 0, result.output
    assert _quads(store_dir) == (_sample_quads(), False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["backup", "store"]  # no staging left behind
    # the backup is still there, unchanged, and a second backup into it is refused
    assert _quads(backup_dir) == (_sample_quads(), False)
    assert cli("backup", str(backup_dir), "--store", str(store_dir)).exit_code == 2


def test_backup_while_serving_then_restore(tmp_path: Path) -> None:
    settings = make_test_settings(tmp_path)
    store_dir, backup_dir = settings.store, tmp_path / "backup"
    assert store_dir is not None
    store = EmbeddedStore.open(store_dir)
    with serving(settings, store) as server:
        # the server holds the store: a local backup or a restore is refused and points at --url
        locked = cli("backup", str(tmp_path / "local"), "--store", str(store_dir))
        assert locked.exit_code == 2 and "--url" in locked.output
        result = cli("backup", str(backup_dir), "--url", server.url, "--token", server.admin_token)
        assert result.exit_code == 0, result.output
        assert f"{_sample_quads():,} quads" in result.output
        with server.client() as client:
            assert client.post("/update", data={"update": CHANGE}, headers=server.admin).status_code == 204
        assert cli("restore", str(backup_dir), "--store", str(store_dir)).exit_code == 2
        assert store.graph_exists("urn:test:change")
    store.close()
    result = cli("restore", str(backup_dir), "--store", str(store_dir))
    assert result.exit_code == 0, result.output
    assert _quads(store_dir) == (_sample_quads(), False)


def test_backup_route_checks_its_request(tmp_path: Path) -> None:
    settings = make_test_settings(tmp_path)
    assert settings.store is not None
    store = EmbeddedStore.open(settings.store)
    with serving(settings, store) as server, server.client() as client:
        def post(directory: str, headers: dict[str, str] | None = None) -> httpx.Response:
            sent = server.admin if headers is None else headers
            return client.post("/admin/backup", json={"directory": directory}, headers=sent)

        assert post(str(tmp_path / "b"), {}).status_code == 401
        contributor = {"Authorization": f"Bearer {server.contributor_token}"}
        assert post(str(tmp_path / "b"), contributor).status_code == 403
        assert post("relative/dir").status_code == 400
        assert post(str(tmp_path)).status_code == 409  # exists
        assert post(str(tmp_path / "no-such-parent" / "b")).status_code == 400
        assert post(str(settings.store / "inside")).status_code == 400
        done = post(str(tmp_path / "b"))
        assert done.status_code == 201, done.text
        assert done.json() == {"directory": str(tmp_path / "b"), "quads": _sample_quads()}
    store.close()


def test_backup_of_a_memory_store_is_refused(tmp_path: Path) -> None:
    with serving(make_test_settings(tmp_path), EmbeddedStore.open(None)) as server, server.client() as client:
        response = client.post("/admin/backup", json={"directory": str(tmp_path / "b")}, headers=server.admin)
        assert response.status_code == 409


def test_restore_refuses_what_is_not_a_store(tmp_path: Path) -> None:
    store_dir, bogus = tmp_path / "store", tmp_path / "bogus"
    store = EmbeddedStore.open(store_dir)
    load_fixture(store)
    store.close()
    bogus.mkdir()
    (bogus / "notes.txt").write_text("not a store")
    result = cli("restore", str(bogus), "--store", str(store_dir))
    assert result.exit_code == 2 and "not a store backup" in result.output
    (bogus / "CURRENT").write_text("MANIFEST-000099\n")  # looks like one, does not open
    result = cli("restore", str(bogus), "--store", str(store_dir))
    assert result.exit_code == 2 and "not a valid store" in result.output
    assert _quads(store_dir) == (_sample_quads(), False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bogus", "store"]
