"""A/B of two versions of our server on the same data: did a change make a workload faster?

    .venv/bin/python -m benchmarks.ab --a /tmp/base --b /tmp/changed [--workload lookup] [--rounds 8]

``--a``/``--b`` are directories holding copies of the source packages (``api``, ``graph``, ``loaders``,
``ontology``); ``installed`` means the installed tree. Append ``:NAME=VALUE`` to set environment variables
for that server (``installed:OURDATA_QUERY_THREADS=2``). Each server gets its own copy of one bulk-loaded
store; rounds alternate A, B, B, A, ... and the report gives the median request rate, the per-round ratios
and the server's CPU time per request, which varies less than the rate when other work shares the machine.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
from pathlib import Path

from benchmarks.generate import generate_file
from benchmarks.loadgen import get_request, percentile, run_load
from benchmarks.servers import Server, load_ours, start_ours
from benchmarks.workloads import JSON, workloads

BASE = "https://ourdata.coop/"


def _side(spec: str) -> tuple[Path | None, dict[str, str]]:
    code, *assignments = spec.split(":")
    env = dict(a.split("=", 1) for a in assignments)
    return (None if code == "installed" else Path(code).resolve()), env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--a", required=True)
    parser.add_argument("--b", required=True)
    parser.add_argument("--workload", default="lookup", choices=["lookup", "join", "rows-10k"])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=2.0)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="ourdata-ab-"))
    servers: list[Server] = []
    try:
        data = workdir / "bench.nq"
        generated = generate_file(data, triples=args.triples, seed=args.seed, base=BASE)
        load_ours(data, workdir / "store-a")
        shutil.copytree(workdir / "store-a", workdir / "store-b")
        for name, spec in (("A", args.a), ("B", args.b)):
            code, env = _side(spec)
            servers.append(start_ours(workdir / f"store-{name.lower()}", workdir, name=name, code=code, env=env))
        work = {w.name: w for w in workloads(BASE, generated.organisations, args.seed)}[args.workload]
        requests = {s.name: [get_request(s.host, s.port, s.query_path, q, JSON) for q in work.queries]
                    for s in servers}
        rates: dict[str, list[float]] = {s.name: [] for s in servers}
        cpu: dict[str, list[float]] = {s.name: [] for s in servers}
        latencies: dict[str, list[float]] = {s.name: [] for s in servers}
        for s in servers:  # warm-up
            run_load(s.host, s.port, requests[s.name], connections=work.connections, max_requests=10**6,
                     max_seconds=1)
        for n in range(args.rounds):
            for s in servers if n % 2 == 0 else servers[::-1]:
                before = s.cpu_seconds()
                r = run_load(s.host, s.port, requests[s.name], connections=work.connections, max_requests=10**6,
                             max_seconds=args.seconds)
                rates[s.name].append(r.rate)
                cpu[s.name].append((s.cpu_seconds() - before) / max(r.requests, 1))
                latencies[s.name] += r.latencies
        for s, spec in zip(servers, (args.a, args.b), strict=True):
            print(f"{s.name} {spec}: median {statistics.median(rates[s.name]):.1f} req/s, p50 "
                  f"{percentile(latencies[s.name], 0.5) * 1000:.2f} ms, server CPU "
                  f"{statistics.median(cpu[s.name]) * 1e6:.0f} us/request; rounds "
                  f"{[round(x, 1) for x in rates[s.name]]}")
        ratios = [b / a for a, b in zip(rates["A"], rates["B"], strict=True) if a]
        print(f"B/A: {statistics.median(rates['B']) / statistics.median(rates['A']):.3f} req/s (rounds "
              f"{min(ratios):.2f}-{max(ratios):.2f}), "
              f"{statistics.median(cpu['B']) / statistics.median(cpu['A']):.3f} CPU/request")
    finally:
        for s in servers:
            s.interrupt()
        for s in servers:
            s.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
