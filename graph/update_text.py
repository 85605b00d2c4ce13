"""SPARQL Update text and N-Quads for the embedded store's writes, built only from engine-serialized terms
(the engine escapes them, so no caller text is pasted into an update)."""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True)
class Replacement:
    """How to make a graph hold exactly some quads: ``text`` (one update; empty: nothing to do), or when nothing is
    there to remove, ``append`` (a plain write) and ``create`` (the graph is new and stays empty)."""

    text: str
    append: list[ox.Quad] | None
    create: bool
    created: bool
    added: int
    removed: int


def replacement(store: ox.Store, target: Any, new: list[ox.Quad], extra: list[ox.Quad],
                about: ox.NamedNode | None) -> Replacement:
    """Plans one transaction: the graph ``target`` ends up holding exactly ``new``; ``extra`` is added after
    removing every quad whose subject is ``about`` in the graphs ``extra`` writes to.

    Only the difference is written, unless it touches blank nodes: ``DELETE DATA`` cannot name them and
    ``INSERT DATA`` makes fresh ones, so then the graph is dropped and written anew in the same update."""
    named_graph = not isinstance(target, ox.DefaultGraph)
    old = list(store.quads_for_pattern(None, None, None, target))
    stale_graphs = []
    stale_count = 0
    if about is not None:
        for extra_graph in {q.graph_name for q in extra}:
            found = sum(1 for _ in store.quads_for_pattern(about, None, None, extra_graph))
            if found:
                stale_graphs.append(extra_graph)
                stale_count += found
    created = named_graph and not store.contains_named_graph(target)
    if not old and not stale_count:
        return Replacement("", new + extra, created and not new, created, len(new), 0)
    new_keys = {str(q) for q in new}
    old_keys = {str(q) for q in old}
    removed = [q for q in old if str(q) not in new_keys]
    added = [q for q in new if str(q) not in old_keys]
    stale_deletes = [delete_about(about, g) for g in stale_graphs] if about is not None else []
    rewrite = target in stale_graphs or any(
        isinstance(t, ox.BlankNode) for q in removed + added for t in (q.subject, q.object)
    )
    if rewrite:
        drop = f"DROP SILENT GRAPH {target}" if named_graph else "CLEAR SILENT DEFAULT"
        create = f"CREATE SILENT GRAPH {target}" if named_graph and not new else ""
        operations = [drop, *stale_deletes, data_block("INSERT", new + extra), create]
    else:
        operations = [*stale_deletes, data_block("DELETE", removed), data_block("INSERT", added + extra)]
    return Replacement(" ;\n".join(op for op in operations if op), None, False, created,
                       len(added) + len(extra), len(removed) + stale_count)
