"""Our service against Oxigraph server on the same generated data, same machine, same run.

    .venv/bin/python -m benchmarks.run --triples 1000000

Generates the data (seeded), bulk-loads it into two on-disk stores, starts ``ourdata serve`` and
``oxigraph serve`` on free 127.0.0.1 ports, checks that both give the same answers, measures the load
generator's own ceiling, then runs every workload in interleaved rounds (ours, theirs, ours, theirs...)
bounded by request count and time, and finally the 1M-row streaming test. Both servers are stopped at the
end, also on error or Ctrl-C. Every request sends ``Accept-Encoding: identity`` (Oxigraph never compresses;
our GZip middleware would otherwise compress large results) and ``Accept: application/sparql-results+json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pyoxigraph

from benchmarks.generate import generate_file
from benchmarks.loadgen import LoadResult, get_request, percentile, run_load
from benchmarks.servers import Server, load_ours, load_theirs, start_ours, start_theirs
from benchmarks.stream import StreamResult, stream_once
from benchmarks.workloads import JSON, ROWS_1M, Workload, workloads

BASE = "https://ourdata.coop/"


@dataclass
class Tally:
    """One workload on one server, summed over the rounds."""

    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    client_cpu: float = 0.0
    server_cpu: float = 0.0
    foreign_cpu: float = 0.0  # CPU seconds used by neither server nor client (other work on the machine)
    body_bytes: int = 0
    round_rps: list[float] = field(default_factory=list)

    def add(self, result: LoadResult, server_cpu: float, busy_cpu: float) -> None:
        self.requests += result.requests
        self.errors += result.errors
        self.seconds += result.seconds
        self.latencies += result.latencies
        self.client_cpu += result.client_cpu
        self.server_cpu += server_cpu
        self.foreign_cpu += max(0.0, busy_cpu - server_cpu - result.client_cpu)
        self.body_bytes += result.body_bytes
        self.round_rps.append(result.rate)

    def row(self) -> dict[str, float | int]:
        return {"requests": self.requests, "errors": self.errors, "seconds": round(self.seconds, 2),
                "rps": round(self.requests / self.seconds, 1) if self.seconds else 0.0,
                "p50_ms": round(percentile(self.latencies, 0.50) * 1000, 2),
                "p99_ms": round(percentile(self.latencies, 0.99) * 1000, 2),
                "server_cpu_pct": round(100 * self.server_cpu / self.seconds, 0) if self.seconds else 0,
                "client_cpu_pct": round(100 * self.client_cpu / self.seconds, 0) if self.seconds else 0,
                "foreign_cpu_pct": round(100 * self.foreign_cpu / self.seconds, 0) if self.seconds else 0,
                "round_rps": [round(r, 1) for r in self.round_rps],
                "mb_per_request": round(self.body_bytes / max(self.requests, 1) / 1e6, 3)}


def busy_cpu_seconds() -> float:
    """CPU time all cores spent in processes (user, nice, system) or stolen by the hypervisor, from /proc/stat.

    Interrupt time is left out: it is mostly the loopback traffic of the benchmark itself."""
    user, nice, system, _idle, _iowait, _irq, _softirq, steal = (
        int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9])
    return (user + nice + system + steal) / os.sysconf("SC_CLK_TCK")


def code_version() -> str:
    """The commit measured, and which of our source files differed from it (work in progress is measured too)."""
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=Path(__file__).parent.parent, capture_output=True, text=True)
        return done.stdout

    status = git("status", "--short", "--untracked-files=no", "--", "api", "graph", "loaders", "ontology")
    dirty = [line[3:] for line in status.splitlines() if line.strip()]
    return git("rev-parse", "--short", "HEAD").strip() + (f" + uncommitted {', '.join(dirty)}" if dirty else "")


def machine() -> dict[str, str]:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = next((line.split(":", 1)[1].strip() for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), "?")
    return {"date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "nproc": str(os.cpu_count()), "cpu": cpu,
            "memory": mem, "kernel": platform.release(), "python": platform.python_version(),
            "pyoxigraph": pyoxigraph.__version__, "code": code_version(),
            "load_average": " ".join(f"{x:.2f}" for x in os.getloadavg())}


def _rows(server: Server, query: str) -> list[tuple[tuple[str, str], ...]]:
    response = httpx.get(server.url, params={"query": query}, timeout=120,
                         headers={"Accept": JSON, "Accept-Encoding": "identity"})
    response.raise_for_status()
    return sorted(tuple(sorted((k, v["value"]) for k, v in b.items())) for b in response.json()["results"]["bindings"])


def check_same_answers(servers: list[Server], work: list[Workload]) -> None:
    """Both servers must return the same rows (the 10k list: the same number) before anything is timed."""
    for w in work:
        for query in w.queries[:3]:
            ours, theirs = (_rows(s, query) for s in servers)
            if w.expected_rows is not None and len(ours) != w.expected_rows:
                raise SystemExit(f"{w.name}: expected {w.expected_rows} rows, ours gave {len(ours)}")
            same = len(ours) == len(theirs) if w.name == "rows-10k" else ours == theirs
            if not same:
                raise SystemExit(f"{w.name}: the servers disagree ({len(ours)} vs {len(theirs)} rows)")
        print(f"  {w.name}: same answers ({len(ours)} rows for the first query)")


def measure(server: Server, requests: list[bytes], connections: int, seconds: float, max_requests: int,
            tally: Tally | None) -> LoadResult:
    cpu, busy = server.cpu_seconds(), busy_cpu_seconds()
    result = run_load(server.host, server.port, requests, connections=connections, max_requests=max_requests,
                      max_seconds=seconds)
    if tally is not None:
        tally.add(result, server.cpu_seconds() - cpu, busy_cpu_seconds() - busy)
    return result


def client_ceiling(theirs: Server, seconds: float) -> dict[str, float]:
    """``ASK {}`` against Oxigraph with 16 connections: the cheapest request there is, so the rate shows what the
    client reaches when the server does almost nothing, and client CPU per request gives its one-core ceiling."""
    requests = [get_request(theirs.host, theirs.port, theirs.query_path, "ASK {}", JSON)]
    result = run_load(theirs.host, theirs.port, requests, connections=16, max_requests=10**6, max_seconds=seconds)
    per_request = result.client_cpu / max(result.requests, 1)
    return {"ask_rps": round(result.rate, 0), "client_cpu_pct": round(100 * result.client_cpu / result.seconds, 0),
            "client_us_per_request": round(per_request * 1e6, 1),
            "client_one_core_ceiling_rps": round(1 / per_request, 0) if per_request else 0.0}


def run_workloads(servers: list[Server], work: list[Workload], args: argparse.Namespace) -> dict[str, dict]:
    table: dict[str, dict] = {}
    for w in work:
        tallies = {s.name: Tally() for s in servers}
        requests = {s.name: [get_request(s.host, s.port, s.query_path, q, JSON) for q in w.queries] for s in servers}
        for s in servers:  # warm-up, not counted
            measure(s, requests[s.name], w.connections, args.warmup, args.max_requests, None)
        for _ in range(args.rounds):
            for s in servers:
                measure(s, requests[s.name], w.connections, args.seconds, args.max_requests, tallies[s.name])
        rows = {name: t.row() for name, t in tallies.items()}
        ours, theirs = rows["ours"]["rps"], rows["oxigraph"]["rps"]
        per_round = zip(tallies["ours"].round_rps, tallies["oxigraph"].round_rps, strict=True)
        pairs = sorted(a / b for a, b in per_round if b)
        table[w.name] = {"connections": w.connections, **rows, "ratio": round(ours / theirs, 3) if theirs else 0.0,
                         "round_ratios": [round(r, 3) for r in pairs]}
        print_workload(w.name, w.connections, table[w.name])
    return table


def print_workload(name: str, connections: int, entry: dict) -> None:
    for server in ("ours", "oxigraph"):
        r = entry[server]
        pairs = entry["round_ratios"]
        ratio = f"{entry['ratio']:.2f} (rounds {pairs[0]:.2f}-{pairs[-1]:.2f})" if server == "ours" and pairs else ""
        print(f"{name:9s} {connections:>5d} {server:9s} {r['requests']:>8d} {r['rps']:>9.1f} {r['p50_ms']:>8.2f} "
              f"{r['p99_ms']:>8.2f} {r['server_cpu_pct']:>6.0f}% {r['client_cpu_pct']:>6.0f}% "
              f"{r['foreign_cpu_pct']:>6.0f}% {r['errors']:>5d} {ratio}", flush=True)


def run_streams(servers: list[Server], runs: int) -> list[StreamResult]:
    results = []
    for _ in range(runs):
        for s in servers:
            r = stream_once(s, ROWS_1M)
            results.append(r)
            print(f"  {r.server:9s} status {r.status} rows {r.rows:>9,} {r.body_bytes / 1e6:7.1f} MB "
                  f"head {r.head_ms:7.1f} ms first byte {r.first_byte_ms:7.1f} ms total {r.total_s:6.2f} s "
                  f"RSS {r.rss_before_mb:6.0f} -> peak {r.rss_peak_mb:6.0f} (+{r.rss_growth_mb:.0f}) "
                  f"-> {r.rss_after_mb:6.0f} MB", flush=True)
    return results


def _stop_on_signal(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds per workload")
    parser.add_argument("--seconds", type=float, default=3.0, help="bound on each round's duration")
    parser.add_argument("--max-requests", type=int, default=50_000, help="bound on each round's request count")
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds of uncounted load per server/workload")
    parser.add_argument("--stream-runs", type=int, default=2, help="1M-row runs per server (0 skips the test)")
    parser.add_argument("--query-threads", type=int, default=None, help="OURDATA_QUERY_THREADS for our server")
    parser.add_argument("--ours-code", type=Path, default=None,
                        help="serve ours from a copy of the source packages in this directory (default: installed)")
    parser.add_argument("--only", nargs="*", default=None, help="workloads to run (lookup, join, rows-10k)")
    parser.add_argument("--workdir", type=Path, default=None, help="default: a temporary directory, deleted after")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (data, stores, logs)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this JSON file")
    args = parser.parse_args()

    signal.signal(signal.SIGTERM, _stop_on_signal)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="ourdata-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    servers: list[Server] = []
    report: dict[str, object] = {"machine": machine(), "args": {k: str(v) for k, v in vars(args).items()}}
    print("machine:", json.dumps(report["machine"]))
    try:
        data = workdir / f"bench-{args.triples}-{args.seed}.nq"
        generated = generate_file(data, triples=args.triples, seed=args.seed, base=BASE)
        print(f"generated {generated.triples:,} quads ({generated.organisations:,} organisations, "
              f"{generated.datasets:,} datasets) in {generated.seconds:.1f} s")
        for name in ("store-ours", "store-oxigraph"):
            shutil.rmtree(workdir / name, ignore_errors=True)
        t_ours = load_ours(data, workdir / "store-ours")
        t_theirs = load_theirs(data, workdir / "store-oxigraph")
        print(f"bulk load: pyoxigraph {t_ours:.1f} s, oxigraph load {t_theirs:.1f} s")
        report["data"] = {**asdict(generated), "load_ours_s": round(t_ours, 1), "load_oxigraph_s": round(t_theirs, 1)}
        servers.append(start_ours(workdir / "store-ours", workdir, query_threads=args.query_threads,
                                  code=args.ours_code.resolve() if args.ours_code else None))
        servers.append(start_theirs(workdir / "store-oxigraph", workdir))
        print("servers: " + ", ".join(f"{s.name} pid {s.process.pid} {s.url}" for s in servers))
        work = [w for w in workloads(BASE, generated.organisations, args.seed) if not args.only or w.name in args.only]
        check_same_answers(servers, work)
        ceiling = client_ceiling(servers[1], min(args.seconds, 3.0))
        report["client_ceiling"] = ceiling
        print(f"client ceiling (ASK {{}} on oxigraph, 16 conns): {ceiling['ask_rps']:.0f} req/s at "
              f"{ceiling['client_cpu_pct']:.0f}% client CPU; {ceiling['client_us_per_request']} us CPU/request "
              f"-> one-core ceiling ~{ceiling['client_one_core_ceiling_rps']:.0f} req/s")
        print(f"\n{'workload':9s} {'conns':>5s} {'server':9s} {'requests':>8s} {'req/s':>9s} {'p50 ms':>8s} "
              f"{'p99 ms':>8s} {'srvCPU':>7s} {'cliCPU':>7s} {'other':>7s} {'errs':>5s} ratio ours/oxigraph")
        report["workloads"] = run_workloads(servers, work, args)
        if args.stream_runs:
            print(f"\n1M-row SELECT ({ROWS_1M!r}), SPARQL JSON, read to the end:")
            report["stream"] = [asdict(r) | {"rss_growth_mb": round(r.rss_growth_mb, 1)}
                                for r in run_streams(servers, args.stream_runs)]
        for s in servers:
            if s.process.poll() is not None:
                raise SystemExit(f"{s.name} died during the run; see {s.log.name}")
    finally:
        for s in servers:  # both at once: each may wait a few seconds for connections a crash left open
            s.interrupt()
        for s in servers:
            s.stop()
        if args.json:
            args.json.write_text(json.dumps(report, indent=2))
        if args.keep or args.workdir:
            print(f"work directory kept: {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
