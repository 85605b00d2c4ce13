"""Shared fixtures: real stores (memory and disk), settings, a real uvicorn server on 127.0.0.1."""

from __future__ import annotations

import functools
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from api.app import create_app
from api.serving import FrontedServer, listening_socket
from api.tokens import TokenStore
from graph.embedded import EmbeddedStore
from graph.formats import RDF_BY_NAME
from graph.settings import Settings
from graph.store import UpdateRequest

DATA = Path(__file__).parent / "data"
BASE = "https://ourdata.coop/"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(store=tmp_path / "store", memory=False, base_iri=BASE, warm_caches=False,
                    tokens_file=tmp_path / "tokens.sqlite", _env_file=None)  # type: ignore[call-arg]


@pytest.fixture
def memory_store() -> EmbeddedStore:
    return EmbeddedStore.open(None)


@pytest.fixture
def disk_store(tmp_path: Path) -> Iterator[EmbeddedStore]:
    store = EmbeddedStore.open(tmp_path / "disk-store")
    yield store
    store.close()


@functools.cache
def bundled_store() -> EmbeddedStore:
    """Everything the first load brings, in memory, built once per test run (about 10 s). Tests that add to it
    take their additions out again."""
    from graph.iris import Iris
    from loaders.initial import first_load

    store = EmbeddedStore.open(None)
    first_load(store, Iris(BASE))
    return store


def load_fixture(store: EmbeddedStore, name: str = "sample.trig") -> None:
    store.load((DATA / name).read_bytes(), RDF_BY_NAME["trig"], graph=None, allow_named_graphs=True)


def reset_store(store: EmbeddedStore, name: str = "sample.trig") -> None:
    """Empties the store and loads the fixture again: lets a module share one server between writing tests."""
    store.update(UpdateRequest("DROP ALL"))
    load_fixture(store, name)


def make_test_settings(tmp: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"store": tmp / "store", "memory": False, "base_iri": BASE,
                              "tokens_file": tmp / "tokens.sqlite", "warm_caches": False}
    values.update(overrides)
    return Settings(**values, _env_file=None)  # type: ignore[call-arg]


@dataclass
class LiveServer:
    url: str
    store: EmbeddedStore
    settings: Settings
    admin_token: str
    contributor_token: str

    def client(self, **kwargs: object) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30, **kwargs)  # type: ignore[arg-type]

    @property
    def admin(self) -> dict[str, str]:
        """Headers that authorize a write."""
        return {"Authorization": f"Bearer {self.admin_token}"}


def run_server(settings: Settings, store: EmbeddedStore, *, fronts: bool = False,
               app: Any = None) -> Iterator[str]:
    """A real uvicorn server in a thread, on a free 127.0.0.1 port; stops when the test ends. ``fronts``: as
    ``ourdata serve`` runs it, with front processes (``settings.front_processes``) sharing the port. ``app``: one
    the test built with ``create_app(settings, store=store)`` (to look inside it)."""
    port = free_port()
    app = app if app is not None else create_app(settings, store=store)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    if fronts:
        listener = listening_socket("127.0.0.1", port)
        server: uvicorn.Server = FrontedServer(config, listener=listener, settings=settings, app=app, store=store)
        run = functools.partial(server.run, sockets=[])
    else:
        server = uvicorn.Server(config)
        run = server.run
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        if fronts:
            listener.close()


@contextmanager
def serving(settings: Settings, store: EmbeddedStore, *, fixture: str | None = "sample.trig",
            fronts: bool = False) -> Iterator[LiveServer]:
    """A real server over ``store`` (loaded with ``fixture``), with an admin and a contributor token."""
    if fixture is not None:
        load_fixture(store, fixture)
    tokens = TokenStore(settings.token_path)
    admin = tokens.create("test-admin", "admin")
    contributor = tokens.create("test-contributor", "contributor")
    for url in run_server(settings, store, fronts=fronts):
        yield LiveServer(url, store, settings, admin, contributor)


@pytest.fixture
def live_server(settings: Settings, memory_store: EmbeddedStore) -> Iterator[LiveServer]:
    with serving(settings, memory_store) as server:
        yield server


@pytest.fixture(scope="module")
def module_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One server for a whole module (fast); tests that write call ``reset_store(server.store)`` first."""
    tmp = tmp_path_factory.mktemp("module-server")
    with serving(make_test_settings(tmp), EmbeddedStore.open(None)) as server:
        yield server
