"""Large contributions to an on-disk store are written by the engine's bulk loader (graph/update_text.add_nquads),
not a transaction: still one all-or-nothing write that carries the provenance, and the same file again,
superseding and withdrawal behave as on the transactional path. The threshold is lowered here so that a few
records take the bulk path; kill -9 in the middle of such writes is tests/test_crash_safety.py's subject."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from contributions_support import BASE, IRIS, dump, graph_triples, reference_store

import graph.embedded
from graph import update_text
from graph.embedded import EmbeddedStore
from graph.errors import RdfSyntaxError
from graph.formats import RDF_BY_NAME
from graph.settings import Settings
from loaders.contributions import Submission, ingest, provenance, withdraw

THRESHOLD = 40
CSV = ("name,country,website,members\n" + "".join(
    f"Bulk Data {n},NL,https://bulk-{n}.example.nl/,{10 + n}\n" for n in range(12))).encode("utf-8")


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[EmbeddedStore]:
    monkeypatch.setattr(update_text, "BULK_MIN_QUADS", THRESHOLD)
    disk = EmbeddedStore.open(tmp_path / "store")
    buffer = io.BytesIO()
    reference_store().serialize(buffer, RDF_BY_NAME["nquads"], whole=True)
    disk.load(buffer.getvalue(), RDF_BY_NAME["nquads"], graph=None, allow_named_graphs=True)
    yield disk
    disk.close()


@pytest.fixture
def bulk_writes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The sizes of the writes that took the bulk path (the store itself is real)."""
    sizes: list[int] = []
    real = graph.embedded.add_nquads

    def recording(store: Any, data: bytes, count: int, path: Path | None) -> None:
        if path is not None and count >= update_text.BULK_MIN_QUADS:
            sizes.append(count)
        real(store, data, count, path)

    monkeypatch.setattr(graph.embedded, "add_nquads", recording)
    return sizes


def settings() -> Settings:
    return Settings(memory=False, base_iri=BASE, _env_file=None)  # type: ignore[call-arg]


def quads(count: int, graph: str = "https://ourdata.coop/graph/test/bulk") -> bytes:
    return "".join(f'<https://ourdata.coop/id/thing/{n}> <http://purl.org/dc/terms/title> "t{n}" <{graph}> .\n'
                   for n in range(count)).encode("utf-8")


def test_a_bulk_write_is_all_or_nothing_and_leaves_no_files(store: EmbeddedStore, bulk_writes: list[int]) -> None:
    assert store.path is not None
    before = dump(store)
    with pytest.raises(RdfSyntaxError):
        store.apply(add=quads(200) + b"<https://ourdata.coop/id/thing/x> <broken\n")
    assert dump(store) == before  # the 200 good quads before the broken line were not written either
    (store.path / "bulk-left-by-a-crash.sst").write_bytes(b"not an SST file")
    result = store.apply(add=quads(200))
    assert result.added == 200 and bulk_writes == [201, 200]
    assert len(graph_triples(store, "https://ourdata.coop/graph/test/bulk")) == 200
    assert not list(store.path.glob("bulk-*.sst"))  # the loader's files are ingested; a crash's leftovers deleted


def test_small_writes_stay_transactions(store: EmbeddedStore, bulk_writes: list[int]) -> None:
    assert store.apply(add=quads(THRESHOLD - 1)).added == THRESHOLD - 1
    assert bulk_writes == []


def test_contribution_life_through_the_bulk_path(store: EmbeddedStore, bulk_writes: list[int]) -> None:
    first = ingest(Submission(CSV, agent="alice", filename="bulk.csv"), store, IRIS, settings())
    assert first.status == "created" and bulk_writes and first.iri is not None
    assert len(graph_triples(store, first.iri)) == first.triples
    record = provenance.contributions(store, IRIS, first.iri)[0]  # its provenance came with it
    assert record["triples"] == first.triples and record["contributor"]["name"] == "alice"

    before = dump(store)
    again = ingest(Submission(CSV, agent="alice", filename="bulk.csv"), store, IRIS, settings())
    assert again.status == "unchanged" and again.iri == first.iri and dump(store) == before

    changed = CSV.replace(b"https://bulk-3.example.nl/", b"https://new-3.example.nl/")
    second = ingest(Submission(changed, agent="alice", filename="bulk-2.csv"), store, IRIS, settings())
    assert second.status == "created" and second.superseded and second.iri is not None
    left = graph_triples(store, first.iri)
    assert not [t for t in left if "bulk-3.example.nl" in t]  # the earlier statements about those records went
    assert [t for t in graph_triples(store, second.iri) if "new-3.example.nl" in t]

    gone = withdraw(store, IRIS, second.id or "", "alice", admin=False)
    assert gone["removed"] == second.triples and not graph_triples(store, second.iri)
