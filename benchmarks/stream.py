"""The huge-result test: one 1M-row SELECT, read to the end and counted, with time to first byte and the
server's memory (:meth:`benchmarks.servers.Server.rss_kb`: the proportional set size of the server and its
reader processes; the ``rss_*`` fields keep their names) sampled every 10 ms while the response flows."""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass

from benchmarks.loadgen import _Connection, get_request
from benchmarks.servers import Server
from benchmarks.workloads import JSON

#: every binding object of ``SELECT ?s ?p ?o`` starts like this in SPARQL JSON (a quote inside a value is escaped)
ROW_MARK = b'{"s":{'


@dataclass
class StreamResult:
    server: str
    status: int
    rows: int
    body_bytes: int
    head_ms: float  # request sent -> response head complete
    first_byte_ms: float  # request sent -> first body byte
    total_s: float
    rss_before_mb: float
    rss_peak_mb: float
    rss_after_mb: float

    @property
    def rss_growth_mb(self) -> float:
        return self.rss_peak_mb - self.rss_before_mb


class _Counter:
    def __init__(self) -> None:
        self.rows = 0
        self.tail = b""

    def __call__(self, data: bytes) -> None:
        joined = self.tail + data
        self.rows += joined.count(ROW_MARK)
        self.tail = joined[-(len(ROW_MARK) - 1):]


class _RssSampler(threading.Thread):
    def __init__(self, server: Server) -> None:
        super().__init__(daemon=True)
        self.server = server
        self.peak = server.rss_kb()
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.01):
            self.peak = max(self.peak, self.server.rss_kb())


async def _fetch(server: Server, query: str, counter: _Counter, timeout: float) -> tuple[int, int, float, float, float]:
    loop = asyncio.get_running_loop()
    _, conn = await loop.create_connection(lambda: _Connection(counter), server.host, server.port)
    started = time.perf_counter()
    status, size, _ = await asyncio.wait_for(
        conn.send(get_request(server.host, server.port, server.query_path, query, JSON)), timeout)
    finished = time.perf_counter()
    assert conn.transport is not None
    conn.transport.close()
    return status, size, conn.head_at - started, conn.first_body_at - started, finished - started


def stream_once(server: Server, query: str, *, timeout: float = 120) -> StreamResult:
    time.sleep(0.5)  # let the previous request's memory settle
    before = server.rss_kb()
    sampler = _RssSampler(server)
    sampler.start()
    counter = _Counter()
    try:
        status, size, head, first, total = asyncio.run(_fetch(server, query, counter, timeout))
    finally:
        sampler.stop.set()
        sampler.join()
    time.sleep(0.5)
    return StreamResult(server.name, status, counter.rows, size, head * 1000, first * 1000, total,
                        before / 1024, max(sampler.peak, before) / 1024, server.rss_kb() / 1024)
