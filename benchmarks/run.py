"""Our service against Oxigraph server on the same generated data, same machine, same run.

    .venv/bin/python -m benchmarks.run --triples 1000000
    .venv/bin/python -m benchmarks.run --modes protected,unprotected --neighbours --workers-scan 1,2,4   # issue 6

Generates the data (seeded), bulk-loads it into two on-disk stores, starts ``ourdata serve`` and
``oxigraph serve`` on free 127.0.0.1 ports, checks that both give the same answers, measures the load
generator's own ceiling, then runs every workload in interleaved rounds (ours, theirs, ours, theirs...)
bounded by request count and time, and finally the 1M-row streaming test. Both servers are stopped at the
end, also on error or Ctrl-C. Every request sends ``Accept-Encoding: identity`` (Oxigraph never compresses;
our GZip middleware would otherwise compress large results) and ``Accept: application/sparql-results+json``.

``--modes`` serves ours several ways at once, each on its own copy of the store (``protected``: reader processes
with time limits, ``unprotected``: in-process streaming), and the table adds the ratio between them. Then, with
fresh servers: ``--workers-scan`` (the lookup by number of reader processes) and ``--neighbours`` (lookups beside
runaway queries, ours and Oxigraph each with a short time limit); see benchmarks/protection.py.
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
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pyoxigraph

from benchmarks.generate import generate_file
from benchmarks.loadgen import get_request, run_load
from benchmarks.protection import bad_neighbours, worker_scan
from benchmarks.servers import Server, copy_store, load_ours, load_theirs, start_ours, start_theirs, wait_readers
from benchmarks.stream import StreamResult, stream_once
from benchmarks.tally import Tally, measure
from benchmarks.workloads import JSON, ROWS_1M, Workload, runaways, workloads

BASE = "https://ourdata.coop/"
THEIRS = "oxigraph"

#: how each ``--modes`` entry runs our server (``ours``: the settings' defaults)
MODES: dict[str, dict[str, str]] = {
    "ours": {},
    "protected": {"OURDATA_QUERY_WORKERS": "2"},  # the defaults: reader processes and two front processes
    "readers-only": {"OURDATA_QUERY_WORKERS": "2", "OURDATA_FRONT_PROCESSES": "0"},  # every request via one process
    "one-front": {"OURDATA_QUERY_WORKERS": "2", "OURDATA_FRONT_PROCESSES": "1"},
    "unprotected": {"OURDATA_QUERY_WORKERS": "0"},
}


def code_version() -> str:
    """The commit measured, and which of our source files differed from it (work in progress is measured too)."""
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=Path(__file__).parent.parent, capture_output=True, text=True)
        return done.stdout

    status = git("status", "--short", "--untracked-files=all", "--", "api", "graph", "loaders", "ontology")
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
    """Every server must return Oxigraph's rows (the 10k list: the same number) before anything is timed."""
    *ours_all, theirs_server = servers
    for w in work:
        for query in w.queries[:3]:
            theirs = _rows(theirs_server, query)
            for server in ours_all:
                ours = _rows(server, query)
                if w.expected_rows is not None and len(ours) != w.expected_rows:
                    raise SystemExit(f"{w.name}: expected {w.expected_rows} rows, {server.name} gave {len(ours)}")
                same = len(ours) == len(theirs) if w.name == "rows-10k" else ours == theirs
                if not same:
                    raise SystemExit(f"{w.name}: {server.name} and oxigraph disagree "
                                     f"({len(ours)} vs {len(theirs)} rows)")
        print(f"  {w.name}: same answers ({len(theirs)} rows for the first query)")


def client_ceiling(theirs: Server, seconds: float) -> dict[str, float]:
    """``ASK {}`` against Oxigraph with 16 connections: the cheapest request there is, so the rate shows what the
    client reaches when the server does almost nothing, and client CPU per request gives its one-core ceiling."""
    requests = [get_request(theirs.host, theirs.port, theirs.query_path, "ASK {}", JSON)]
    result = run_load(theirs.host, theirs.port, requests, connections=16, max_requests=10**6, max_seconds=seconds)
    per_request = result.client_cpu / max(result.requests, 1)
    return {"ask_rps": round(result.rate, 0), "client_cpu_pct": round(100 * result.client_cpu / result.seconds, 0),
            "client_us_per_request": round(per_request * 1e6, 1),
            "client_one_core_ceiling_rps": round(1 / per_request, 0) if per_request else 0.0}


def ratio(tallies: dict[str, Tally], a: str, b: str) -> dict[str, object]:
    """``a``'s rate over ``b``'s, overall and per round (rounds are interleaved, so a round's pair shared the
    machine's state)."""
    rate_a, rate_b = (tallies[x].requests / tallies[x].seconds if tallies[x].seconds else 0.0 for x in (a, b))
    pairs = sorted(x / y for x, y in zip(tallies[a].round_rps, tallies[b].round_rps, strict=True) if y)
    return {"ratio": round(rate_a / rate_b, 3) if rate_b else 0.0, "rounds": [round(r, 3) for r in pairs]}


def run_workloads(servers: list[Server], work: list[Workload], args: argparse.Namespace) -> dict[str, dict]:
    """Every workload in ``--rounds`` rounds; the servers take turns within a round, starting one later each
    round, so drift in the machine's load spreads over all of them."""
    table: dict[str, dict] = {}
    names = [s.name for s in servers]
    for w in work:
        tallies = {s.name: Tally() for s in servers}
        requests = {s.name: [get_request(s.host, s.port, s.query_path, q, JSON) for q in w.queries] for s in servers}
        for s in servers:  # warm-up, not counted
            measure(s, requests[s.name], w.connections, args.warmup, args.max_requests, None)
        for n in range(args.rounds):
            for s in servers[n % len(servers):] + servers[:n % len(servers)]:
                measure(s, requests[s.name], w.connections, args.seconds, args.max_requests, tallies[s.name])
        ratios = {f"{name}/{THEIRS}": ratio(tallies, name, THEIRS) for name in names if name != THEIRS}
        if "protected" in names and "unprotected" in names:
            ratios["protected/unprotected"] = ratio(tallies, "protected", "unprotected")
        table[w.name] = {"connections": w.connections, **{name: t.row() for name, t in tallies.items()},
                         "ratios": ratios}
        print_workload(w.name, w.connections, names, table[w.name])
    return table


def print_workload(name: str, connections: int, servers: list[str], entry: dict) -> None:
    def show(key: str) -> str:
        r = entry["ratios"][key]
        return f"{r['ratio']:.2f} (rounds {r['rounds'][0]:.2f}-{r['rounds'][-1]:.2f})" if r["rounds"] else "-"

    for server in servers:
        r = entry[server]
        versus = f"vs {THEIRS} " + show(f"{server}/{THEIRS}") if server != THEIRS else ""
        print(f"{name:9s} {connections:>5d} {server:11s} {r['requests']:>8d} {r['rps']:>9.1f} {r['p50_ms']:>8.2f} "
              f"{r['p99_ms']:>8.2f} {r['server_cpu_pct']:>6.0f}% {r['client_cpu_pct']:>6.0f}% "
              f"{r['foreign_cpu_pct']:>6.0f}% {r['errors']:>5d} {versus}", flush=True)
    if "protected/unprotected" in entry["ratios"]:
        print(f"{name:9s} {'':5s} protected/unprotected {show('protected/unprotected')} (target >= 0.9)", flush=True)


def run_streams(servers: list[Server], runs: int) -> list[StreamResult]:
    results = []
    for _ in range(runs):
        for s in servers:
            r = stream_once(s, ROWS_1M)
            results.append(r)
            print(f"  {r.server:11s} status {r.status} rows {r.rows:>9,} {r.body_bytes / 1e6:7.1f} MB "
                  f"head {r.head_ms:7.1f} ms first byte {r.first_byte_ms:7.1f} ms total {r.total_s:6.2f} s "
                  f"PSS {r.rss_before_mb:6.0f} -> peak {r.rss_peak_mb:6.0f} (+{r.rss_growth_mb:.0f}) "
                  f"-> {r.rss_after_mb:6.0f} MB", flush=True)
    return results


def _stop_on_signal(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def _stop_all(servers: list[Server]) -> None:
    for s in servers:  # all at once: each may wait a few seconds for connections a crash left open
        s.interrupt()
    for s in servers:
        s.stop()
    servers.clear()


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds per workload")
    parser.add_argument("--seconds", type=float, default=3.0, help="bound on each round's duration")
    parser.add_argument("--max-requests", type=int, default=50_000, help="bound on each round's request count")
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds of uncounted load per server/workload")
    parser.add_argument("--stream-runs", type=int, default=2, help="1M-row runs per server (0 skips the test)")
    parser.add_argument("--query-threads", type=int, default=None, help="OURDATA_QUERY_THREADS for our server")
    parser.add_argument("--modes", default="ours",
                        help=f"our servers, comma-separated, each on its own store copy: {', '.join(MODES)}")
    parser.add_argument("--ours-env", action="append", default=[], metavar="NAME=VALUE",
                        help="an environment variable for every one of our servers (repeatable)")
    parser.add_argument("--ours-code", type=Path, default=None,
                        help="serve ours from a copy of the source packages in this directory (default: installed)")
    parser.add_argument("--only", nargs="*", default=None, help="workloads to run (lookup, join, rows-10k)")
    parser.add_argument("--workers-scan", default="",
                        help="lookup rate with OURDATA_QUERY_WORKERS = each of these (comma-separated), vs oxigraph")
    parser.add_argument("--neighbours", action="store_true", help="lookups beside runaway queries (bad neighbours)")
    parser.add_argument("--neighbour-rounds", type=int, default=2, help="quiet + noisy phase pairs")
    parser.add_argument("--quiet-seconds", type=float, default=5.0)
    parser.add_argument("--noisy-seconds", type=float, default=10.0)
    parser.add_argument("--time-limit", type=float, default=3.0,
                        help="OURDATA_QUERY_TIMEOUT and oxigraph --timeout-s for the scan and the neighbours")
    parser.add_argument("--workdir", type=Path, default=None, help="default: a temporary directory, deleted after")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (data, stores, logs)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this JSON file")
    args = parser.parse_args()
    args.modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    unknown = [m for m in args.modes if m not in MODES]
    if unknown or not args.modes or len(set(args.modes)) != len(args.modes):
        parser.error(f"--modes: one or more of {', '.join(MODES)}, each once")
    args.workers_scan = [int(x) for x in args.workers_scan.split(",") if x.strip()]
    args.ours_env = dict(x.split("=", 1) for x in args.ours_env)
    return args


def compare(servers: list[Server], work: list[Workload], args: argparse.Namespace, report: dict[str, object]) -> None:
    """The same-answers check, the client's ceiling and the workloads, on running servers."""
    check_same_answers(servers, work)
    ceiling = client_ceiling(servers[-1], min(args.seconds, 3.0))
    report["client_ceiling"] = ceiling
    print(f"client ceiling (ASK {{}} on oxigraph, 16 conns): {ceiling['ask_rps']:.0f} req/s at "
          f"{ceiling['client_cpu_pct']:.0f}% client CPU; {ceiling['client_us_per_request']} us CPU/request "
          f"-> one-core ceiling ~{ceiling['client_one_core_ceiling_rps']:.0f} req/s")
    print(f"\n{'workload':9s} {'conns':>5s} {'server':11s} {'requests':>8s} {'req/s':>9s} {'p50 ms':>8s} "
          f"{'p99 ms':>8s} {'srvCPU':>7s} {'cliCPU':>7s} {'other':>7s} {'errs':>5s} ratio")
    report["workloads"] = run_workloads(servers, work, args)
    for s in servers:
        if s.process.poll() is not None:
            raise SystemExit(f"{s.name} died during the run; see {s.log.name}")


def protection(servers: list[Server], workdir: Path, lookups: Workload, args: argparse.Namespace,
               report: dict[str, object]) -> None:
    """Issue 6: the lookup by number of readers, then lookups beside runaways; fresh servers with a short limit."""
    code = args.ours_code.resolve() if args.ours_code else None
    store = workdir / f"store-{args.modes[0]}"
    limit = {"OURDATA_QUERY_TIMEOUT": f"{args.time_limit:g}"}
    servers.append(start_theirs(workdir / "store-oxigraph", workdir, name="oxigraph-limited",
                                timeout_s=args.time_limit))
    theirs = servers[-1]
    if args.workers_scan:
        print(f"\nlookup ({lookups.connections} conns) by OURDATA_QUERY_WORKERS, rounds interleaved with oxigraph:")
        report["workers_scan"] = worker_scan(store, workdir, args.workers_scan, theirs, lookups.queries,
                                             rounds=args.rounds, seconds=args.seconds, warmup=args.warmup,
                                             max_requests=args.max_requests, code=code, env=args.ours_env)
    if args.neighbours:
        print(f"\nbad neighbours: {lookups.connections} conns of lookups alone, then beside 4 conns of runaways; "
              f"time limit {args.time_limit:g} s; {args.neighbour_rounds} x ({args.quiet_seconds:g} s quiet + "
              f"{args.noisy_seconds:g} s noisy):")
        servers.append(start_ours(store, workdir, name="ours-limited", code=code,
                                  env={**MODES["protected"], **args.ours_env, **limit}))
        ours = servers[-1]
        mode = wait_readers(ours).get("mode")
        entries = {}
        for server in (ours, theirs):
            entries[server.name] = bad_neighbours(
                server, lookups.queries, runaways(), rounds=args.neighbour_rounds, quiet_seconds=args.quiet_seconds,
                noisy_seconds=args.noisy_seconds, max_requests=args.max_requests, time_limit=args.time_limit)
        report["neighbours"] = {"mode": mode, "time_limit_s": args.time_limit, **entries}
    for s in servers:
        if s.process.poll() is not None:
            raise SystemExit(f"{s.name} died during the run; see {s.log.name}")


def main() -> None:
    args = _arguments()
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
        stores = [workdir / f"store-{mode}" for mode in args.modes]
        for store in [*stores, workdir / "store-oxigraph"]:
            shutil.rmtree(store, ignore_errors=True)
        t_ours = load_ours(data, stores[0])
        for store in stores[1:]:
            copy_store(stores[0], store)
        t_theirs = load_theirs(data, workdir / "store-oxigraph")
        print(f"bulk load: pyoxigraph {t_ours:.1f} s, oxigraph load {t_theirs:.1f} s")
        report["data"] = {**asdict(generated), "load_ours_s": round(t_ours, 1), "load_oxigraph_s": round(t_theirs, 1)}
        for mode, store in zip(args.modes, stores, strict=True):
            servers.append(start_ours(store, workdir, name=mode, query_threads=args.query_threads,
                                      env={**MODES[mode], **args.ours_env},
                                      code=args.ours_code.resolve() if args.ours_code else None))
        servers.append(start_theirs(workdir / "store-oxigraph", workdir, name=THEIRS))
        report["modes"] = {s.name: wait_readers(s) for s in servers[:-1]}
        for s in servers[:-1]:
            readers = report["modes"][s.name].get("mode")  # type: ignore[index]
            if (s.name, readers) in (("protected", "in process"), ("unprotected", "reader processes")):
                raise SystemExit(f"{s.name}: the server runs queries {readers}; see {s.log.name}")
        print("servers: " + ", ".join(f"{s.name} pid {s.process.pid} {s.url}" for s in servers))
        work = [w for w in workloads(BASE, generated.organisations, args.seed) if not args.only or w.name in args.only]
        if work:
            compare(servers, work, args, report)
        if args.stream_runs:
            print(f"\n1M-row SELECT ({ROWS_1M!r}), SPARQL JSON, read to the end (memory: PSS of the server and "
                  "its readers):")
            report["stream"] = [asdict(r) | {"rss_growth_mb": round(r.rss_growth_mb, 1)}
                                for r in run_streams(servers, args.stream_runs)]
        _stop_all(servers)
        if args.workers_scan or args.neighbours:
            lookups = next(w for w in workloads(BASE, generated.organisations, args.seed) if w.name == "lookup")
            protection(servers, workdir, lookups, args, report)
    finally:
        _stop_all(servers)
        if args.json:
            args.json.write_text(json.dumps(report, indent=2))
        if args.keep or args.workdir:
            print(f"work directory kept: {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
