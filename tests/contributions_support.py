"""Shared by the contribution tests: a store with the ontology, the reference data and a few organisations we
hold; a real server on it; a full, sorted N-Quads dump to prove a store did not change."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import httpx

from api.tokens import TokenStore
from graph.embedded import EmbeddedStore
from graph.formats import RDF_BY_NAME
from graph.iris import Iris
from graph.settings import Settings
from loaders.initial import first_load

CORPUS = Path(__file__).parent / "data" / "contributions"
BASE = "https://ourdata.coop/"
IRIS = Iris(BASE)


@lru_cache(maxsize=1)
def _reference_quads() -> bytes:
    """The first load, done once per test run (it takes seconds), kept as N-Quads to copy into fresh stores."""
    store = EmbeddedStore.open(None)
    first_load(store, IRIS, organisations=False)
    store.load((CORPUS / "held.trig").read_bytes(), RDF_BY_NAME["trig"], graph=None, allow_named_graphs=True)
    buffer = io.BytesIO()
    store.serialize(buffer, RDF_BY_NAME["nquads"], whole=True)
    return buffer.getvalue()


def reference_store() -> EmbeddedStore:
    """A fresh in-memory store: ontology, vocabularies, reference data (no bundled organisations), ``held.trig``."""
    store = EmbeddedStore.open(None)
    store.load(_reference_quads(), RDF_BY_NAME["nquads"], graph=None, allow_named_graphs=True)
    return store


def dump(store: EmbeddedStore) -> list[str]:
    """Every quad of the store, sorted: two equal dumps mean two identical stores."""
    buffer = io.BytesIO()
    store.serialize(buffer, RDF_BY_NAME["nquads"], whole=True)
    return sorted(buffer.getvalue().decode("utf-8").splitlines())


def settings_for(tmp: Path, **overrides: object) -> Settings:
    return Settings(store=tmp / "store", memory=False, base_iri=BASE, tokens_file=tmp / "tokens.sqlite",
                    _env_file=None, **overrides)  # type: ignore[call-arg]


@dataclass
class Server:
    url: str
    store: EmbeddedStore
    settings: Settings
    tokens: dict[str, str]  # name -> secret

    def client(self, who: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"} if who else {}
        return httpx.Client(base_url=self.url, timeout=60, headers=headers)


def serve(store: EmbeddedStore, settings: Settings) -> Iterator[Server]:
    from conftest import run_server

    tokens_store = TokenStore(settings.token_path)
    tokens = {name: tokens_store.create(name, role) for name, role in
              (("alice", "contributor"), ("bob", "contributor"), ("carol", "contributor"),
                                            ("root", "admin"))}
    for url in run_server(settings, store):
        yield Server(url, store, settings, tokens)


def graph_triples(store: EmbeddedStore, graph: str) -> set[str]:
    buffer = io.BytesIO()
    store.serialize(buffer, RDF_BY_NAME["ntriples"], graph=graph)
    return set(buffer.getvalue().decode("utf-8").splitlines())
