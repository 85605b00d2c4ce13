"""Reader processes for public SPARQL queries: real time limits, result caps, and reads that never wait on writes.

pyoxigraph cannot cancel a query, so a query that must be stoppable runs in a process we can kill. Each reader
(:mod:`graph.query_worker`) opens a read-only checkpoint of the store; the writer (this process) makes a new
checkpoint (``Store.backup``: hard links, milliseconds) lazily, when a query arrives after a write, so a reader
always sees every write that returned before the query was sent. When a query passes its limit the reader is
killed (its CPU is freed at once), a replacement is started in the background, and the caller gets
:class:`graph.errors.QueryTimeout` before any byte of the result was sent.

A reader whose query has run longer than ``slow_after`` seconds is lowered in CPU priority and, when no reader is
free, an extra one is started (up to ``max_workers``), so runaway queries cannot starve small ones. A lowered
reader is retired after its query unless its priority can be restored.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import multiprocessing
import os
import queue
import shutil
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from graph import errors
from graph.capped_results import CapReport, ResultCaps
from graph.errors import Busy, NotAcceptable, QueryTimeout, QueryTooLarge, ServiceUnavailable, StoreError
from graph.formats import RDF_BY_NAME, RESULTS_BY_NAME, Format, ResultKind
from graph.query_worker import READY, Answer, Job, main
from graph.store import QueryLimits

log = logging.getLogger("ourdata.readers")

_CHUNK = 256 * 1024
#: A query running longer than this lowers its process's priority (readers here, fronts in api/front_process.py).
SLOW_AFTER_SECONDS = 0.25
_POLL = 0.05  # how often a waiting caller looks at the clock while its query runs


@dataclass(frozen=True)
class PooledResult:
    """A finished result: the format, and the body inline or in a spool file the caller streams then deletes."""

    fmt: Format
    kind: ResultKind
    body: bytes | None
    spool_path: str | None
    size: int
    cap: CapReport | None

    def chunks(self) -> Any:
        """The body in chunks; the spool file is deleted once read (or abandoned)."""
        if self.body is not None:
            yield self.body
            return
        assert self.spool_path is not None
        try:
            with open(self.spool_path, "rb") as spool:
                while chunk := spool.read(_CHUNK):
                    yield chunk
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.spool_path)


class _Reader:
    """One reader process and our end of its pipe."""

    def __init__(self, context: Any, memory_bytes: int) -> None:
        parent_end, child_end = context.Pipe()
        self.conn: Connection = parent_end
        self.process = context.Process(target=main, args=(child_end, memory_bytes), name="ourdata-reader",
                                       daemon=True)
        self.process.start()
        child_end.close()
        self.snapshot: str | None = None
        self.lowered = False
        self._killed = threading.Lock()

    def kill(self) -> None:
        """Once, from whichever thread gets here first: the pool closing at shutdown and the thread whose query
        it was can both try (two closes of one pipe would close a descriptor number someone else may hold)."""
        if not self._killed.acquire(blocking=False):
            return
        with contextlib.suppress(ProcessLookupError, OSError):
            self.process.kill()
        self.process.join(timeout=5)
        with contextlib.suppress(OSError):
            self.conn.close()

    def lower_priority(self) -> None:
        if not self.lowered and self.process.pid is not None:
            with contextlib.suppress(OSError):
                os.setpriority(os.PRIO_PROCESS, self.process.pid, 10)
                self.lowered = True

    def restore_priority(self) -> bool:
        """True when the reader is back at normal priority (only a privileged process may raise it again)."""
        if not self.lowered:
            return True
        try:
            assert self.process.pid is not None
            os.setpriority(os.PRIO_PROCESS, self.process.pid, 0)
        except OSError:
            return False
        self.lowered = False
        return True


class ReaderPool:
    """Runs queries in reader processes over checkpoints that ``checkpoint`` makes of the live store."""

    def __init__(self, *, checkpoint: Callable[[Path], None], version: Callable[[], int], workdir: Path,
                 workers: int = 2, max_workers: int = 8, slow_after: float = SLOW_AFTER_SECONDS,
                 inline_bytes: int = 64 * 1024, memory_mb: int = 0, preload: tuple[str, ...] = ()) -> None:
        self._checkpoint = checkpoint
        self._version = version
        self._workdir = workdir
        self._snapshots = workdir / "snapshots"
        self._spool = workdir / "spool"
        for folder in (self._snapshots, self._spool):
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
        self._workers = workers
        self._max_workers = max(max_workers, workers)
        self._slow_after = slow_after
        self._inline_bytes = inline_bytes
        self._memory_mb = memory_mb
        # readers fork from a server process that has imported the worker once: a new reader is ready in
        # milliseconds (spawn: ~0.3 s of imports), and nothing is forked from this multi-threaded process
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(["graph.query_worker", *preload])
        self._lock = threading.Lock()
        self._snapshot_lock = threading.Lock()
        self._idle: queue.LifoQueue[_Reader] = queue.LifoQueue()  # the most recently used reader is warmest
        self._all: set[_Reader] = set()
        self._starting = 0
        self._snapshot: str | None = None
        self._snapshot_version = -1
        self._held: dict[str, str] = {}  # checkpoints other processes (the front processes) hold, by holder
        self._names = itertools.count(1)
        self._closed = False
        for _ in range(workers):
            self._start_reader_async()

    @classmethod
    def beside(cls, store_path: Path, **kwargs: Any) -> ReaderPool:
        """A pool whose working folder sits beside the store: checkpoints are hard links, so it must be on the
        store's file system. Only the process holding the store's lock runs a pool, so a fixed name is safe and
        what a killed server left behind is cleared here."""
        return cls(workdir=store_path.with_name(f".{store_path.name}.readers"), **kwargs)

    # ------------------------------------------------------------ readers
    def _start_reader_async(self) -> None:
        with self._lock:
            self._starting += 1

        def start() -> None:
            try:
                reader = _Reader(self._context, self._memory_mb * 1024 * 1024)
                if not (reader.conn.poll(60) and reader.conn.recv() == READY):
                    reader.kill()
                    raise StoreError("a reader process did not start within 60 s")
            except Exception:  # noqa: BLE001 - logged; the next query tries again
                if not self._closed:  # at shutdown a reader that was starting is simply not needed
                    log.exception("could not start a reader process")
                with self._lock:
                    self._starting -= 1
                return
            with self._lock:
                self._starting -= 1
                if self._closed:
                    reader.kill()
                    return
                self._all.add(reader)
            self._idle.put(reader)

        threading.Thread(target=start, name="ourdata-reader-start", daemon=True).start()

    def _retire(self, reader: _Reader, *, replace: bool) -> None:
        with self._lock:
            self._all.discard(reader)
            count = len(self._all) + self._starting
        reader.kill()
        if replace and not self._closed and count < self._workers:
            self._start_reader_async()
        self._drop_unused_snapshots()

    def _take(self, deadline: float | None) -> _Reader:
        while True:
            reader = self._take_any(deadline)
            if reader.process.is_alive():
                return reader
            self._retire(reader, replace=True)  # died while idle (killed from outside): use another

    def _take_any(self, deadline: float | None) -> _Reader:
        while True:
            try:
                return self._idle.get_nowait()
            except queue.Empty:
                pass
            with self._lock:  # every reader is busy: start one more while there is room, one at a time
                grow = self._starting == 0 and len(self._all) < self._max_workers
            if grow:
                self._start_reader_async()
            wait = 1.0 if deadline is None else deadline - time.monotonic()
            if wait <= 0:
                raise Busy("Every query worker stayed busy for the whole time limit; try again shortly.")
            try:
                return self._idle.get(timeout=min(wait, 0.1))
            except queue.Empty:
                if self._closed:
                    raise ServiceUnavailable("The query workers are shutting down.") from None

    def _keep_fast_readers(self) -> None:
        """A slow (lowered) reader does not count: keep ``workers`` others running or starting, within the cap."""
        with self._lock:
            lowered = sum(1 for r in self._all if r.lowered)
            wanted = min(self._max_workers, self._workers + lowered)
            grow = len(self._all) + self._starting < wanted
        if grow:
            self._start_reader_async()

    # ---------------------------------------------------------- snapshots
    def _newest_locked(self) -> tuple[str, int]:
        version = self._version()
        if self._snapshot is None or version != self._snapshot_version:
            target = self._snapshots / f"snapshot-{next(self._names)}"
            self._checkpoint(target)
            self._snapshot, self._snapshot_version = str(target), version
        return self._snapshot, self._snapshot_version

    def snapshot_for(self, holder: str) -> tuple[str, int]:
        """The newest checkpoint and the store version it holds, for a process outside the pool (a front
        process) that opens it itself; it stays until the holder asks again or is released."""
        with self._snapshot_lock:
            path, version = self._newest_locked()
            if self._held.get(holder) != path:
                self._held[holder] = path
                self._drop_unused_locked()
            return path, version

    def release(self, holder: str) -> None:
        with self._snapshot_lock:
            if self._held.pop(holder, None) is not None:
                self._drop_unused_locked()

    def _assign_snapshot(self, reader: _Reader) -> str:
        """Gives the reader the newest checkpoint, made now if the store changed since the last one. Under one
        lock with the clean-up, so a checkpoint is never removed between being chosen and being marked in use."""
        with self._snapshot_lock:
            self._newest_locked()
            assert self._snapshot is not None
            if reader.snapshot != self._snapshot:  # the reader lets go of an older one: it may be unused now
                reader.snapshot = self._snapshot
                self._drop_unused_locked()
            return self._snapshot

    def _drop_unused_snapshots(self) -> None:
        with self._snapshot_lock:
            self._drop_unused_locked()

    def _drop_unused_locked(self) -> None:
        with self._lock:
            in_use = {r.snapshot for r in self._all} | {self._snapshot} | set(self._held.values())
        for folder in self._snapshots.iterdir():
            if str(folder) not in in_use:
                shutil.rmtree(folder, ignore_errors=True)

    # -------------------------------------------------------------- query
    def run(self, query: str, *, default_graph_uris: tuple[str, ...] = (), named_graph_uris: tuple[str, ...] = (),
            base_iri: str | None = None, formats: dict[ResultKind, Format | NotAcceptable],
            limits: QueryLimits) -> PooledResult:
        """Runs one query to completion in a reader; raises QueryTimeout when it passes ``limits.timeout``."""
        # waiting for a free reader is bounded by the time limit too, but does not use it up
        reader = self._take(None if limits.timeout is None else time.monotonic() + limits.timeout)
        snapshot = self._assign_snapshot(reader)
        started = time.monotonic()
        deadline = None if limits.timeout is None else started + limits.timeout
        spool_path = str(self._spool / f"{reader.process.pid}-{next(self._names)}")
        job = Job(query=query, default_graph_uris=default_graph_uris, named_graph_uris=named_graph_uris,
                  base_iri=base_iri, snapshot=snapshot, spool_path=spool_path, inline_bytes=self._inline_bytes,
                  caps=ResultCaps(max_rows=limits.max_rows, max_bytes=limits.max_bytes),
                  formats={kind.value: (f.name if isinstance(f, Format) else None) for kind, f in formats.items()})
        try:
            reader.conn.send(job)
            answer = self._wait(reader, started, deadline)
        except QueryTimeout:
            self._retire(reader, replace=True)
            with contextlib.suppress(FileNotFoundError):
                os.unlink(spool_path)
            assert limits.timeout is not None
            raise
        except (EOFError, OSError) as exc:  # the reader died (out of memory, killed from outside)
            self._retire(reader, replace=True)
            with contextlib.suppress(FileNotFoundError):
                os.unlink(spool_path)
            if reader.process.exitcode == -signal.SIGABRT and self._memory_mb:  # the engine's allocation failed
                raise QueryTooLarge(f"The query needed more than the {self._memory_mb} MB of memory a query may "
                                    "use, and was stopped; narrow it or add a LIMIT.") from exc
            raise StoreError(f"The query worker stopped unexpectedly ({exc.__class__.__name__}, exit code "
                             f"{reader.process.exitcode}).") from exc
        if reader.restore_priority():
            self._idle.put(reader)
        else:
            self._retire(reader, replace=True)
        return self.result_of(answer, formats, spool_path)

    def _wait(self, reader: _Reader, started: float, deadline: float | None) -> Answer:
        slow_at = started + self._slow_after
        while True:
            now = time.monotonic()
            until = min(x for x in (deadline, slow_at if not reader.lowered else None, now + _POLL * 20)
                        if x is not None)
            if reader.conn.poll(max(0.0, until - now)):
                answer: Answer = reader.conn.recv()
                return answer
            now = time.monotonic()
            if deadline is not None and now >= deadline:
                raise QueryTimeout.stopped(deadline - started)
            if not reader.lowered and now >= slow_at:
                reader.lower_priority()
                self._keep_fast_readers()
            if not reader.process.is_alive():
                raise EOFError("reader exited")

    @staticmethod
    def result_of(answer: Answer, formats: dict[ResultKind, Format | NotAcceptable], spool_path: str) -> PooledResult:
        if answer.error is not None:
            name, detail = answer.error
            if name == "NotAcceptable" and answer.kind is not None:
                refusal = formats[ResultKind(answer.kind)]
                assert isinstance(refusal, NotAcceptable)
                raise refusal
            error_class = getattr(errors, name, StoreError)
            if not (isinstance(error_class, type) and issubclass(error_class, errors.OurdataError)):
                error_class = StoreError
            raise error_class(detail)
        assert answer.kind is not None and answer.fmt is not None
        kind = ResultKind(answer.kind)
        fmt = (RDF_BY_NAME if kind is ResultKind.GRAPH else RESULTS_BY_NAME)[answer.fmt]
        return PooledResult(fmt=fmt, kind=kind, body=answer.body, spool_path=spool_path if answer.spooled else None,
                            size=answer.size, cap=answer.cap)

    # ------------------------------------------------------------- state
    def stats(self) -> dict[str, int]:
        with self._lock:
            return {"readers": len(self._all), "idle": self._idle.qsize(), "starting": self._starting}

    def close(self) -> None:
        self._closed = True
        with self._lock:
            readers = list(self._all)
            self._all.clear()
        for reader in readers:
            reader.kill()
        shutil.rmtree(self._workdir, ignore_errors=True)
