"""Shared fixtures: real stores (memory and disk), settings, a real uvicorn server on 127.0.0.1."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn

from api.app import create_app
from api.tokens import TokenStore
from graph.embedded import EmbeddedStore
from graph.formats import RDF_BY_NAME
from graph.settings import Settings

DATA = Path(__file__).parent / "data"
BASE = "https://ourdata.coop/"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(store=tmp_path / "store", memory=False, base_iri=BASE,
                    tokens_file=tmp_path / "tokens.sqlite", _env_file=None)  # type: ignore[call-arg]


@pytest.fixture
def memory_store() -> EmbeddedStore:
    return EmbeddedStore.open(None)


@pytest.fixture
def disk_store(tmp_path: Path) -> Iterator[EmbeddedStore]:
    store = EmbeddedStore.open(tmp_path / "disk-store")
    yield store
    store.close()


def load_fixture(store: EmbeddedStore, name: str = "sample.trig") -> None:
    store.load((DATA / name).read_bytes(), RDF_BY_NAME["trig"], graph=None, allow_named_graphs=True)


@dataclass
class LiveServer:
    url: str
    store: EmbeddedStore
    settings: Settings
    admin_token: str
    contributor_token: str

    def client(self, **kwargs: object) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30, **kwargs)  # type: ignore[arg-type]


def run_server(settings: Settings, store: EmbeddedStore) -> Iterator[str]:
    """A real uvicorn server in a thread, on a free 127.0.0.1 port; stops when the test ends."""
    port = free_port()
    config = uvicorn.Config(create_app(settings, store=store), host="127.0.0.1", port=port, log_level="warning",
                            lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
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


@pytest.fixture
def live_server(settings: Settings, memory_store: EmbeddedStore) -> Iterator[LiveServer]:
    load_fixture(memory_store)
    tokens = TokenStore(settings.token_path)
    admin = tokens.create("test-admin", "admin")
    contributor = tokens.create("test-contributor", "contributor")
    for url in run_server(settings, memory_store):
        yield LiveServer(url, memory_store, settings, admin, contributor)
