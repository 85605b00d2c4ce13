"""The server builds its API catalogue in the background at start-up, so no request pays for it."""

from __future__ import annotations

import time
from pathlib import Path

from conftest import load_fixture, make_test_settings
from fastapi.testclient import TestClient

from api.app import create_app
from graph.embedded import EmbeddedStore


def _wait_for_catalogue(app, seconds: float = 20.0) -> object:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        catalogue = getattr(app.state, "api_catalogue", None)
        if catalogue is not None and catalogue.current() is not None:
            return catalogue
        time.sleep(0.05)
    return None


def test_catalogue_is_built_without_a_request(tmp_path: Path, memory_store: EmbeddedStore) -> None:
    load_fixture(memory_store)
    app = create_app(make_test_settings(tmp_path, warm_caches=True), store=memory_store)
    with TestClient(app):
        assert _wait_for_catalogue(app) is not None


def test_no_warming_when_turned_off(tmp_path: Path, memory_store: EmbeddedStore) -> None:
    load_fixture(memory_store)
    app = create_app(make_test_settings(tmp_path, warm_caches=False), store=memory_store)
    with TestClient(app):
        time.sleep(0.5)
        assert getattr(app.state, "api_catalogue", None) is None
