"""SPARQL Update text and N-Quads for the embedded store's writes, built only from engine-serialized terms
(the engine escapes them, so no caller text is pasted into an update)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyoxigraph as ox

from graph.errors import RdfSyntaxError


def delete_about(about: ox.NamedNode, graph: Any) -> str:
    """Removes every quad about ``about`` in one graph, blank-node objects included (DELETE DATA cannot)."""
    pattern = f"{about} ?p ?o"
    if isinstance(graph, ox.DefaultGraph):
        return f"DELETE WHERE {{ {pattern} }}"
    return f"DELETE WHERE {{ GRAPH {graph} {{ {pattern} }} }}"


def statements(data: bytes) -> int:
    """How many quads an N-Quads document holds (one per line; blank and comment lines do not count)."""
    if b"\n#" not in data and b"\n\n" not in data and not data.startswith((b"#", b"\n")):
        return data.count(b"\n") + (0 if data.endswith(b"\n") or not data.strip() else 1)
    return sum(1 for line in data.splitlines() if line.strip()[:1] not in (b"", b"#"))


#: From this many quads on, an on-disk store writes through the engine's bulk loader (see :func:`add_nquads`).
BULK_MIN_QUADS = 10_000


def add_nquads(store: ox.Store, data: bytes, count: int, path: Path | None) -> None:
    """Adds an N-Quads document in one all-or-nothing write, the cheapest way the store has.

    Large writes on disk go through ``bulk_load``, about 40% of ``load``'s CPU (no write-ahead log, no
    memtables): it ingests one SST file per index with a single RocksDB ``IngestExternalFiles`` call, which
    RocksDB records atomically ("if the process crashes, none of the files will be ingested"); 310 kill -9
    in such writes left all or nothing (benchmarks/RESULTS.md, Contributions). Small writes stay ``load``
    (milliseconds, and no new files for compaction). A crash can leave the loader's ``bulk-*.sst`` files
    behind: deleted here, under the store's write lock, the only place that bulk-loads into a live store."""
    if path is None or count < BULK_MIN_QUADS:
        store.load(data, ox.RdfFormat.N_QUADS)
        return
    for stale in path.glob("bulk-*.sst"):
        stale.unlink(missing_ok=True)
    store.bulk_load(data, ox.RdfFormat.N_QUADS)


def nquads(data: bytes) -> list[ox.Quad]:
    """Parses an N-Quads document for ``EmbeddedStore.apply`` (quads in no graph: the default graph)."""
    if not data:
        return []
    try:
        return list(ox.parse(data, ox.RdfFormat.N_QUADS))
    except (SyntaxError, ValueError) as exc:
        raise RdfSyntaxError(f"The quads to write do not parse: {exc}") from exc


def data_block(verb: str, quads: list[ox.Quad]) -> str:
    """``INSERT DATA``/``DELETE DATA`` text from engine-serialized terms (the engine escapes them)."""
    if not quads:
        return ""
    by_graph: dict[str, list[str]] = {}
    for quad in quads:
        key = "" if isinstance(quad.graph_name, ox.DefaultGraph) else str(quad.graph_name)
        by_graph.setdefault(key, []).append(f"{quad.subject} {quad.predicate} {quad.object} .")
    parts = []
    for graph, lines in by_graph.items():
        body = "\n".join(lines)
        parts.append(f"GRAPH {graph} {{\n{body}\n}}" if graph else body)
    return f"{verb} DATA {{\n" + "\n".join(parts) + "\n}"
