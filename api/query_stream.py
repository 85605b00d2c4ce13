"""Runs a SPARQL query in a worker thread and hands its bytes to the event loop.

The worker evaluates and serializes (pyoxigraph results never leave their thread). The first
``buffer_bytes`` are held back: a result that fits is sent whole with Content-Length, and any error
raised before that point becomes a proper problem response. Larger results stream through a bounded
queue, so memory stays flat and the first byte leaves early. If the client goes away, the next write
in the worker raises and evaluation stops.

With reader processes (an on-disk store), the store hands over a result only once it is complete, so a time
limit always ends before the first byte. Without them (an in-memory store) the route stops waiting at the limit
and :meth:`QueryExecution.cancel` stops the worker at its next write.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Executor
from dataclasses import dataclass

from graph.capped_results import CapReport
from graph.errors import QueryTimeout
from graph.formats import Format, ResultKind

_END = object()


class ClientGone(Exception):
    """Raised inside the worker to stop serializing for a client that disconnected."""


@dataclass
class Head:
    """What is known once the first buffer is full or the query has finished."""

    fmt: Format | None
    body: bytes | None  # the whole body when the result fitted in the buffer
    error: BaseException | None = None
    cap: CapReport | None = None  # set when the result was cut to the configured limits


class QueryExecution:
    """A :class:`graph.store.ResultSink` that bridges one worker thread to one HTTP response."""

    def __init__(self, loop: asyncio.AbstractEventLoop, *, buffer_bytes: int, max_chunks: int = 16) -> None:
        self._loop = loop
        self._buffer_bytes = buffer_bytes
        self._max_chunks = max_chunks
        self._buffer = bytearray()
        self._streaming = False
        self._fmt: Format | None = None
        self._cap: CapReport | None = None
        self._head: asyncio.Future[Head] = loop.create_future()
        # The queue and its slots exist only once a result outgrows the buffer: most answers are small, and
        # creating them costs more than a tiny lookup's evaluation (issue 2 benchmark).
        self._chunks: asyncio.Queue[object] | None = None
        self._slots: threading.Semaphore | None = None
        self._cancelled = False  # set by the loop, read by the worker; a plain flag is atomic under the GIL

    # ------------------------------------------------------------ worker side
    def begin(self, fmt: Format, kind: ResultKind, cap: CapReport | None = None) -> None:
        self._fmt = fmt
        self._cap = cap

    def write(self, data: bytes) -> int:
        if self._cancelled:
            raise ClientGone()
        self._buffer += data
        if len(self._buffer) >= self._buffer_bytes:
            if not self._streaming:
                self._chunks = asyncio.Queue()
                self._slots = threading.Semaphore(self._max_chunks)
                self._streaming = True
                self._resolve_head(Head(self._fmt, None, cap=self._cap))
            self._push(bytes(self._buffer))
            self._buffer.clear()
        return len(data)

    def flush(self) -> None:
        """pyoxigraph calls flush() at the end; output is pushed on finish instead."""

    def _push(self, item: object) -> None:
        assert self._slots is not None and self._chunks is not None
        while not self._slots.acquire(timeout=0.5):
            if self._cancelled:
                raise ClientGone()
        self._loop.call_soon_threadsafe(self._chunks.put_nowait, item)

    def _resolve_head(self, head: Head) -> None:
        def resolve() -> None:
            if not self._head.done():
                self._head.set_result(head)

        self._loop.call_soon_threadsafe(resolve)

    def run(self, work: Callable[[QueryExecution], Format]) -> None:
        """Runs in the worker thread: ``work`` evaluates and writes into this sink."""
        try:
            fmt = work(self)
        except ClientGone:
            return
        except BaseException as exc:  # noqa: BLE001 - handed to the event loop, never lost
            if self._streaming:
                assert self._chunks is not None
                self._loop.call_soon_threadsafe(self._chunks.put_nowait, exc)
            else:
                self._resolve_head(Head(self._fmt, None, exc, cap=self._cap))
            return
        if self._streaming:
            try:
                if self._buffer:
                    self._push(bytes(self._buffer))
                self._push(_END)
            except ClientGone:
                return
        else:
            self._resolve_head(Head(fmt, bytes(self._buffer), cap=self._cap))

    # ------------------------------------------------------------- loop side
    async def start(self, executor: Executor, work: Callable[[QueryExecution], Format], *,
                    timeout: float | None = None) -> Head:
        """Submits the work and waits until the response head can be decided; with ``timeout``, at most that
        long (then :class:`QueryTimeout`, and the worker stops at its next write).

        ``executor.submit`` rather than ``loop.run_in_executor``, and a timer rather than ``asyncio.wait_for``:
        :meth:`run` reports through the head future, and a second future or a task per request cost a tiny
        lookup more than its evaluation."""
        executor.submit(self.run, work)
        timer = None if timeout is None else self._loop.call_later(timeout, self._time_out, timeout)
        try:
            return await self._head  # if the request is cancelled, so is this future; resolve() then skips it
        except (asyncio.CancelledError, QueryTimeout):
            self.cancel()
            raise
        finally:
            if timer is not None:
                timer.cancel()

    def _time_out(self, limit: float) -> None:
        if not self._head.done():
            self._head.set_exception(QueryTimeout.stopped(limit))

    async def stream(self) -> AsyncIterator[bytes]:
        """The body of a streamed response. An error after the first byte aborts the connection
        (the client sees an incomplete chunked body, never a silently cut-off success)."""
        assert self._chunks is not None and self._slots is not None
        try:
            while True:
                item = await self._chunks.get()
                if item is _END:
                    return
                if isinstance(item, BaseException):
                    raise item
                self._slots.release()
                assert isinstance(item, bytes)
                yield item
        finally:
            self.cancel()

    def cancel(self) -> None:
        self._cancelled = True
        slots = self._slots
        if slots is not None:
            for _ in range(64):  # wake a producer blocked on a full queue
                slots.release()
