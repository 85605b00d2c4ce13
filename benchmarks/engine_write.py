"""The engine's own atomic write rate: the floor under issue 5's N-Triples target.

A contribution must land in one atomic write. This measures pyoxigraph doing nothing else: parsing N-Quads, and
writing them into an on-disk store by ``Store.load`` (one transaction) and by ``Store.bulk_load`` (SST files
ingested at once, also atomic; benchmarks/RESULTS.md, issue 5), with the flush, in a fresh process per write.
Whatever our pipeline adds (reading, mapping, SHACL, reconciliation, provenance) comes on top, so a rate this
script cannot reach on a machine, the pipeline cannot either.

    .venv/bin/python -m benchmarks.engine_write --quads 278000 --runs 3
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.generate import generate


def _write(method: str, data_path: str, store_path: str) -> dict[str, float]:
    import pyoxigraph as ox

    data = Path(data_path).read_bytes()
    store = ox.Store(store_path) if method != "parse" else None
    wall, cpu = time.perf_counter(), time.process_time()
    if method == "parse":
        count = sum(1 for _ in ox.parse(data, ox.RdfFormat.N_QUADS))
    else:
        assert store is not None
        getattr(store, method)(data, ox.RdfFormat.N_QUADS)
        store.flush()
        count = len(store)
    return {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu, "quads": count}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quads", type=int, default=278_000, help="about this many generated quads")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_write(*args.child)))
        return
    with tempfile.TemporaryDirectory(prefix="ourdata-engine-write-") as tmp:
        buffer = io.StringIO()
        generate(buffer, triples=args.quads, seed=7)
        data = Path(tmp) / "data.nq"
        data.write_text(buffer.getvalue(), encoding="utf-8")
        print(f"{args.quads:,} quads ({data.stat().st_size / 1e6:.1f} MB), {os.cpu_count()} CPUs, load average "
              f"{os.getloadavg()[0]:.1f}")
        for method in ("parse", "load", "bulk_load"):
            rows = []
            for run in range(args.runs):
                store = Path(tmp) / f"store-{method}-{run}"
                done = subprocess.run([sys.executable, "-m", "benchmarks.engine_write", "--child", method, str(data),
                                       str(store)], capture_output=True, text=True, check=True)
                rows.append(json.loads(done.stdout))
            quads = rows[0]["quads"]
            wall = statistics.median(quads / r["wall"] for r in rows)
            cpu = statistics.median(quads / r["cpu"] for r in rows)
            walls = ", ".join(f"{r['wall']:.2f}" for r in rows)
            print(f"{method:>9}: {quads:,} quads, median {wall:,.0f} quads/s wall, {cpu:,.0f} quads/s CPU "
                  f"(walls {walls} s)")


if __name__ == "__main__":
    main()
