"""A small HTTP/1.1 load generator on raw asyncio sockets (uvloop when installed).

httpx costs more CPU per request than a tiny lookup costs Oxigraph, so on a 2-core machine it would
measure itself. This client pre-builds the request bytes, keeps connections alive, parses only the status
line, ``Content-Length`` and chunked framing, and discards the body. Each run is bounded by a request count
and a duration, whichever comes first. It records its own CPU time so the report can show it was not the
limit.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable, Coroutine, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import quote

try:
    import uvloop
except ImportError:  # pragma: no cover - uvloop ships with uvicorn[standard]
    uvloop = None

T = TypeVar("T")


def get_request(host: str, port: int, path: str, query: str, accept: str) -> bytes:
    """A keep-alive GET carrying the query in the URL; ``Accept-Encoding: identity`` for both servers."""
    return (f"GET {path}?query={quote(query, safe='')} HTTP/1.1\r\nHost: {host}:{port}\r\n"
            f"Accept: {accept}\r\nAccept-Encoding: identity\r\nUser-Agent: ourdata-bench\r\n\r\n").encode("ascii")


class HttpError(Exception):
    pass


class _Connection(asyncio.Protocol):
    """One keep-alive connection: write a request, parse the framing of one response, repeat."""

    def __init__(self, on_body: Callable[[bytes], None] | None = None) -> None:
        self.on_body = on_body
        self.head_at = 0.0  # perf_counter when the response head was complete
        self.first_body_at = 0.0  # perf_counter when the first body byte arrived
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.waiter: asyncio.Future[tuple[int, int, bool]] | None = None
        self.state = "head"
        self.remaining = 0
        self.status = 0
        self.body = 0
        self.close_after = False
        self.lost = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment] # uvloop's transports do not subclass asyncio's

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(HttpError(f"connection lost: {exc}"))

    def send(self, request: bytes) -> asyncio.Future[tuple[int, int, bool]]:
        assert self.transport is not None
        self.waiter = asyncio.get_running_loop().create_future()
        self.state, self.body = "head", 0
        self.transport.write(request)
        return self.waiter

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        try:
            self._parse()
        except HttpError as exc:
            if self.waiter is not None and not self.waiter.done():
                self.waiter.set_exception(exc)

    def _parse(self) -> None:  # noqa: C901 - one small state machine
        buf = self.buffer
        while True:
            if self.state == "head":
                end = buf.find(b"\r\n\r\n")
                if end < 0:
                    return
                head = bytes(buf[:end]).decode("latin-1").lower()
                del buf[:end + 4]
                self.head_at = time.perf_counter()
                lines = head.split("\r\n")
                self.status = int(lines[0].split(" ", 2)[1])
                headers = dict(line.split(":", 1) for line in lines[1:] if ":" in line)
                self.close_after = headers.get("connection", "").strip() == "close" or lines[0].startswith("http/1.0")
                if "chunked" in headers.get("transfer-encoding", ""):
                    self.state = "size"
                elif "content-length" in headers:
                    self.remaining = int(headers["content-length"])
                    self.state = "fixed"
                else:
                    raise HttpError("a response without Content-Length or chunked framing")
            elif self.state == "fixed":
                self._take(buf)
                if self.remaining:
                    return
                self._done()
                return
            elif self.state == "size":
                end = buf.find(b"\r\n")
                if end < 0:
                    return
                size = int(bytes(buf[:end]).split(b";")[0], 16)
                del buf[:end + 2]
                if size == 0:
                    self.state = "trailer"
                else:
                    self.remaining, self.state = size, "chunk"
            elif self.state == "chunk":
                self._take(buf)
                if self.remaining:
                    return
                self.state = "crlf"
            elif self.state == "crlf":
                if len(buf) < 2:
                    return
                del buf[:2]
                self.state = "size"
            elif self.state == "trailer":
                if buf[:2] == b"\r\n":
                    del buf[:2]
                else:
                    end = buf.find(b"\r\n\r\n")
                    if end < 0:
                        return
                    del buf[:end + 4]
                self._done()
                return

    def _take(self, buf: bytearray) -> None:
        take = min(self.remaining, len(buf))
        if take and not self.body:
            self.first_body_at = time.perf_counter()
        if self.on_body is not None and take:
            self.on_body(bytes(buf[:take]))
        del buf[:take]
        self.body += take
        self.remaining -= take

    def _done(self) -> None:
        self.state = "idle"
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result((self.status, self.body, self.close_after))


@dataclass
class LoadResult:
    requests: int
    errors: int
    seconds: float
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests only
    error_latencies: list[float] = field(default_factory=list)  # seconds, answers other than 200
    body_bytes: int = 0
    client_cpu: float = 0.0  # CPU seconds this process spent during the run
    statuses: dict[int, int] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


async def _worker(host: str, port: int, requests: Iterator[bytes], deadline: float, budget: list[int],
                  result: LoadResult) -> None:
    loop = asyncio.get_running_loop()
    conn: _Connection | None = None
    while budget[0] > 0 and time.perf_counter() < deadline:
        budget[0] -= 1
        if conn is None or conn.lost:
            _, conn = await loop.create_connection(_Connection, host, port)
        started = time.perf_counter()
        try:
            status, size, close = await conn.send(next(requests))
        except HttpError:
            result.errors += 1
            conn = None
            continue
        elapsed = time.perf_counter() - started
        result.statuses[status] = result.statuses.get(status, 0) + 1
        if status == 200:
            result.requests += 1
            result.latencies.append(elapsed)
            result.body_bytes += size
        else:
            result.errors += 1
            result.error_latencies.append(elapsed)
        if close:
            assert conn.transport is not None
            conn.transport.close()
            conn = None
    if conn is not None and conn.transport is not None:
        conn.transport.close()


async def load(host: str, port: int, requests: Sequence[bytes], connections: int, max_requests: int,
               max_seconds: float) -> LoadResult:
    """:func:`run_load` inside a running event loop, to run beside other clients (benchmarks/protection.py)."""
    cycle = itertools.cycle(requests)
    result = LoadResult(0, 0, 0.0)
    budget = [max_requests]
    cpu, started = time.process_time(), time.perf_counter()
    deadline = started + max_seconds
    await asyncio.gather(*(_worker(host, port, cycle, deadline, budget, result) for _ in range(connections)))
    result.seconds = time.perf_counter() - started
    result.client_cpu = time.process_time() - cpu
    return result


def run_load(host: str, port: int, requests: Sequence[bytes], *, connections: int, max_requests: int,
             max_seconds: float) -> LoadResult:
    """Keeps ``connections`` requests in flight, cycling through ``requests``, until either bound is hit."""
    return run_async(load(host, port, requests, connections, max_requests, max_seconds))


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    """Runs a client coroutine on uvloop when installed."""
    if uvloop is not None:
        return uvloop.run(coro)
    return asyncio.run(coro)


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile of unsorted values (0 when empty)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, int(round(fraction * len(ordered) + 0.5)) - 1))
    return ordered[rank]
