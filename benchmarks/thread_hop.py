"""What a query thread costs a tiny lookup: the same lookups evaluated on the event loop's thread, in a thread pool,
and an empty job through the same pool, without HTTP.

Why: in one process our lookup rate is bound by CPU per request, and a query must not run on the event loop (a
slow one would stop every other request). This separates the cost of the hop itself from the cost of evaluating
in another thread than the loop's.

    .venv/bin/python -m benchmarks.thread_hop --store /tmp/w/store-unprotected   # a store from benchmarks.run --keep
"""

from __future__ import annotations

import argparse
import asyncio
import io
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from benchmarks.loadgen import run_async
from benchmarks.workloads import workloads


async def _measure(mode: str, store: Any, queries: list[str], threads: int, concurrent: int, each: int) -> str:
    def job(i: int) -> bytes:
        if mode == "empty job":
            return b""
        result = store.query(queries[i % len(queries)], use_default_graph_as_union=True)
        output = io.BytesIO()
        result.serialize(output, ox.QueryResultsFormat.JSON)
        return output.getvalue()

    loop = asyncio.get_running_loop()
    pool = ThreadPoolExecutor(threads)

    async def client() -> None:
        for i in range(each):
            if mode == "on the loop":
                job(i)
                continue
            done: asyncio.Future[bytes] = loop.create_future()

            def run(i: int = i, done: asyncio.Future[bytes] = done) -> None:
                loop.call_soon_threadsafe(done.set_result, job(i))

            pool.submit(run)
            await done

    wall, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(client() for _ in range(concurrent)))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    pool.shutdown()
    count = concurrent * each
    return (f"{mode:>18} ({threads} threads): {count / wall:8,.0f} per s, {cpu / count * 1e6:5.0f} us CPU each, "
            f"{cpu / wall * 100:4.0f}% CPU")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--store", type=Path, required=True, help="a store of benchmarks.run's generated data")
    parser.add_argument("--organisations", type=int, default=16_992, help="as generated (1M triples, seed 42)")
    parser.add_argument("--concurrent", type=int, default=16)
    parser.add_argument("--each", type=int, default=2000)
    args = parser.parse_args()
    store = ox.Store.read_only(str(args.store))
    lookup = next(w for w in workloads("https://ourdata.coop/", args.organisations, 42) if w.name == "lookup")
    for mode, threads in (("on the loop", 1), ("query thread", 1), ("query thread", 8), ("empty job", 8)):
        print(run_async(_measure(mode, store, lookup.queries, threads, args.concurrent, args.each)))


if __name__ == "__main__":
    main()
