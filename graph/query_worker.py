"""A reader process: answers SPARQL queries from a read-only checkpoint of the store, one at a time.

It exists so that a query can be stopped for real: pyoxigraph cannot cancel a running query, but the parent
(:mod:`graph.query_pool`) can kill this process, which frees its CPU and memory at once. The checkpoint
(``Store.backup``, hard links) is never written by anyone, so opening it read-only is safe while the parent
keeps writing the live store.

A result is written whole before the parent sends any byte of it: small ones come back in the reply, larger
ones in a spool file the parent streams afterwards. So a query stopped by its time limit has sent nothing.
"""

from __future__ import annotations

import io
import os
import resource
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

import pyoxigraph as ox

from graph.capped_results import CapReport, ResultCaps, write_capped
from graph.engine_query import evaluate, result_kind
from graph.errors import NotAcceptable, OurdataError, StoreError
from graph.formats import ResultKind

READY = "ready"


@dataclass(frozen=True)
class Job:
    """What the parent sends: the query, the dataset, the format chosen for each kind of result, the caps."""

    query: str
    default_graph_uris: tuple[str, ...]
    named_graph_uris: tuple[str, ...]
    base_iri: str | None
    formats: dict[str, str | None]  # ResultKind value -> format name; None: no acceptable format
    caps: ResultCaps
    snapshot: str
    spool_path: str
    inline_bytes: int


@dataclass(frozen=True)
class Answer:
    """The reply: the format used and the body (inline, or in ``spool_path``), or an error to raise."""

    kind: str | None = None
    fmt: str | None = None
    body: bytes | None = None
    spooled: bool = False
    size: int = 0
    cap: CapReport | None = None
    error: tuple[str, str] | None = None  # (error class name in graph.errors, detail)


class _Spool(io.RawIOBase):
    """Holds the first ``inline_bytes`` in memory, then moves everything to a file (so a huge result never
    sits in memory). Seekable and truncatable, as the capped writer's byte-cap path needs."""

    def __init__(self, path: str, inline_bytes: int) -> None:
        self._path = path
        self._inline_bytes = inline_bytes
        self._memory: io.BytesIO | None = io.BytesIO()
        self._file: Any = None

    @property
    def target(self) -> Any:
        return self._file if self._file is not None else self._memory

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        if self._file is None and self._memory is not None and self._memory.tell() + len(data) > self._inline_bytes:
            self._file = open(self._path, "w+b")  # noqa: SIM115 - lives as long as the spool
            self._file.write(self._memory.getvalue())
            self._memory = None
        return int(self.target.write(data))

    def seek(self, offset: int, whence: int = 0) -> int:
        return int(self.target.seek(offset, whence))

    def tell(self) -> int:
        return int(self.target.tell())

    def truncate(self, size: int | None = None) -> int:
        return int(self.target.truncate(size))

    def finish(self) -> tuple[bytes | None, int]:
        """The inline body (None when spooled to the file) and the size."""
        if self._file is not None:
            size = self._file.tell()
            self._file.close()
            return None, size
        assert self._memory is not None
        body = self._memory.getvalue()
        return body, len(body)


def _answer(store: ox.Store, job: Job, spool: Any = None) -> Answer:
    def make_result() -> Any:
        return evaluate(store, job.query, default_graph_uris=job.default_graph_uris,
                        named_graph_uris=job.named_graph_uris, base_iri=job.base_iri)

    result = make_result()
    kind = result_kind(result)
    fmt = job.formats.get(kind.value)
    if fmt is None:
        return Answer(kind=kind.value, error=("NotAcceptable", ""))
    if spool is None:
        spool = _Spool(job.spool_path, job.inline_bytes)
    first = [result]

    def once() -> Any:  # the first evaluation is used once; the capped writer may ask again
        return first.pop() if first else make_result()

    del result
    try:
        cap = write_capped(once, fmt, spool, job.caps, json_flag=kind is ResultKind.SOLUTIONS)
    except OSError as exc:
        raise StoreError(f"The query failed while producing results: {exc}") from exc
    body, size = spool.finish()
    return Answer(kind=kind.value, fmt=fmt, body=body, spooled=body is None, size=size,
                  cap=cap if cap.capped else None)


def run_job(store: ox.Store, job: Job, spool: Any = None) -> Answer:
    """One job's answer; every failure of the query becomes the answer's ``error``. ``spool``: where the result
    goes instead of a :class:`_Spool` (an exception it raises passes through)."""
    try:
        return _answer(store, job, spool)
    except NotAcceptable as exc:  # pragma: no cover - chosen by the parent, reported as a kind above
        return Answer(error=("NotAcceptable", exc.detail))
    except OurdataError as exc:
        return Answer(error=(type(exc).__name__, exc.detail))
    except (OSError, RuntimeError, SyntaxError, ValueError) as exc:
        return Answer(error=("StoreError", f"The query failed: {exc}"))


def serve(conn: Connection) -> None:
    """The process's main loop: one job in, one answer out, until the parent closes the pipe."""
    store: ox.Store | None = None
    opened = ""
    conn.send(READY)  # imports are done: time limits count from here, not from the process start
    while True:
        try:
            job: Job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            if job.snapshot != opened:
                store = None  # release the old checkpoint before opening the new one
                store = ox.Store.read_only(job.snapshot)
                opened = job.snapshot
            assert store is not None
            answer = run_job(store, job)
        except OSError as exc:
            answer = Answer(error=("StoreError", f"The query failed: {exc}"))
        if answer.error is not None and os.path.exists(job.spool_path):
            os.unlink(job.spool_path)
        conn.send(answer)


def main(conn: Connection, memory_bytes: int = 0) -> None:
    """Entry point of the reader process. ``memory_bytes`` caps its address space, so a query that would eat the
    machine's memory makes the engine abort this process instead (the parent reports it); the snapshot and the
    other limits arrive with each job."""
    if memory_bytes:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    serve(conn)
