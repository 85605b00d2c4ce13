"""Times the first load (``ourdata init`` / first ``ourdata serve``) into a fresh on-disk store.

Run: ``.venv/bin/python -m benchmarks.first_load [--runs 3] [--no-organisations]``. Each run opens a new store in a
temporary directory, loads every bundled source through :func:`loaders.initial.first_load` (the code path the
commands use) and prints seconds per source and in total; with several runs it also prints the median total.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import tempfile
import time
from pathlib import Path

from graph.embedded import EmbeddedStore
from graph.iris import Iris
from graph.settings import DEFAULT_BASE_IRI
from loaders.initial import first_load


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def one_run(organisations: bool) -> tuple[float, float, list[tuple[str, float, int]], int]:
    """(wall seconds, CPU seconds of this process, [(source, wall seconds, triples)], quads) for one fresh store.

    CPU time is printed beside wall time because a busy machine stretches the latter: on an idle machine the
    two are close, as the load is single-threaded apart from RocksDB's background work."""
    timings: list[tuple[str, float, int]] = []
    with tempfile.TemporaryDirectory(prefix="ourdata-first-load-") as tmp:
        store = EmbeddedStore.open(Path(tmp) / "store")
        marks: list[tuple[str, float]] = []

        def progress(name: str, index: int, total: int) -> None:
            marks.append((name, time.perf_counter()))

        started, cpu_started = time.perf_counter(), cpu_seconds()
        reports = first_load(store, Iris(DEFAULT_BASE_IRI), organisations=organisations, progress=progress)
        store.flush()
        total, cpu = time.perf_counter() - started, cpu_seconds() - cpu_started
        for (name, start), (_, end), report in zip(marks, marks[1:], reports, strict=False):
            timings.append((name, end - start, report.triples))
        quads = store.count()
        store.close()
    return total, cpu, timings, quads


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-organisations", action="store_true")
    args = parser.parse_args()
    print(f"python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.1f}; first load into a fresh on-disk store")
    totals = []
    for run in range(1, args.runs + 1):
        total, cpu, timings, quads = one_run(not args.no_organisations)
        totals.append(total)
        print(f"\nrun {run}: {total:.1f} s total ({cpu:.1f} s CPU), {quads:,} quads, "
              f"load average {os.getloadavg()[0]:.1f}")
        for name, seconds, triples in sorted(timings, key=lambda t: -t[1]):
            print(f"  {name:32} {seconds:6.2f} s {triples:>10,} triples")
    if len(totals) > 1:
        print(f"\nmedian total {statistics.median(totals):.1f} s (min {min(totals):.1f}, max {max(totals):.1f})")


if __name__ == "__main__":
    main()
