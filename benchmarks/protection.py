"""Issue 6's extra measurements: lookups beside runaway queries ("bad neighbours"), and the lookup rate by number
of reader processes. Both are run by ``benchmarks/run.py`` (``--neighbours``, ``--workers-scan``).

Bad neighbours: a quiet phase (16 connections of lookups alone), then a noisy one (the same lookups while 4
connections send queries that would run for hours), in alternating rounds. The server runs with a short time
limit, so each runaway is stopped (ours: 503 before any byte) and its client sends the next one at once. Every
phase is bounded in time and requests; a runaway request in flight when its phase ends is awaited, up to the
server's time limit plus a margin, then abandoned.
"""

from __future__ import annotations

import asyncio
import itertools
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.loadgen import HttpError, _Connection, get_request, load, percentile, run_async
from benchmarks.servers import Server, start_ours, wait_readers
from benchmarks.tally import Tally, busy_cpu_seconds, measure
from benchmarks.workloads import JSON


@dataclass
class Runaways:
    """What the runaway clients saw: a status per answered request, and requests that got no answer in time."""

    statuses: dict[int, int] = field(default_factory=dict)
    unanswered: int = 0
    seconds_to_answer: list[float] = field(default_factory=list)

    def row(self) -> dict[str, object]:
        answered = sum(self.statuses.values())
        return {"answered": answered, "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
                "unanswered": self.unanswered,
                "median_s_to_answer": round(statistics.median(self.seconds_to_answer), 2)
                if self.seconds_to_answer else None}


async def _runaway_client(server: Server, requests: Sequence[bytes], stop: asyncio.Event, patience: float,
                          tally: Runaways) -> None:
    """Sends a runaway, waits for its answer (503 from ours when killed), sends the next, until ``stop``."""
    loop = asyncio.get_running_loop()
    conn: _Connection | None = None
    for request in itertools.cycle(requests):
        if stop.is_set():
            break
        if conn is None or conn.lost:
            _, conn = await loop.create_connection(_Connection, server.host, server.port)
        started = time.perf_counter()
        try:
            status, _size, close = await asyncio.wait_for(conn.send(request), patience)
        except (HttpError, TimeoutError):
            tally.unanswered += 1
            if conn.transport is not None:
                conn.transport.close()
            conn = None
            continue
        tally.seconds_to_answer.append(time.perf_counter() - started)
        tally.statuses[status] = tally.statuses.get(status, 0) + 1
        if close and conn.transport is not None:
            conn.transport.close()
            conn = None
    if conn is not None and conn.transport is not None:
        conn.transport.close()


async def _noisy_phase(server: Server, lookups: list[bytes], runaways: list[bytes], *, lookup_connections: int,
                       runaway_connections: int, seconds: float, max_requests: int, patience: float,
                       tally: Tally, runaway_tally: Runaways) -> None:
    stop = asyncio.Event()
    clients = [asyncio.create_task(_runaway_client(server, runaways[i:] + runaways[:i], stop, patience,
                                                   runaway_tally))
               for i in range(runaway_connections)]
    await asyncio.sleep(0.5)  # the runaways are running (and lowered in priority) before lookups start
    cpu, busy = server.cpu_seconds(), busy_cpu_seconds()
    result = await load(server.host, server.port, lookups, lookup_connections, max_requests, seconds)
    tally.add(result, server.cpu_seconds() - cpu, busy_cpu_seconds() - busy)
    stop.set()
    await asyncio.gather(*clients)


def bad_neighbours(server: Server, lookup_queries: list[str], runaway_queries: list[str], *, rounds: int,
                   quiet_seconds: float, noisy_seconds: float, max_requests: int, time_limit: float,
                   lookup_connections: int = 16, runaway_connections: int = 4) -> dict[str, object]:
    """Lookups alone, then beside runaways, in ``rounds`` alternating rounds; the lookups' figures of each.

    p99 is taken over every answered lookup, 503s included (a lookup refused after waiting counts at its wait).
    If the server left a runaway unanswered (it did not stop it), later rounds are skipped: its quiet phase
    would no longer be quiet."""
    lookups = [get_request(server.host, server.port, server.query_path, q, JSON) for q in lookup_queries]
    runaways = [get_request(server.host, server.port, server.query_path, q, JSON) for q in runaway_queries]
    measure(server, lookups, lookup_connections, 1.0, max_requests, None)  # warm-up
    quiet, noisy, runaway_tally = Tally(), Tally(), Runaways()
    started = time.perf_counter()
    rounds_run = 0
    for _ in range(rounds):
        measure(server, lookups, lookup_connections, quiet_seconds, max_requests, quiet)
        run_async(_noisy_phase(server, lookups, runaways, lookup_connections=lookup_connections,
                               runaway_connections=runaway_connections, seconds=noisy_seconds,
                               max_requests=max_requests, patience=time_limit + 5, tally=noisy,
                               runaway_tally=runaway_tally))
        rounds_run += 1
        if runaway_tally.unanswered:
            break
    quiet_p99, noisy_p99 = (percentile(t.latencies + t.error_latencies, 0.99) for t in (quiet, noisy))
    quiet_rps, noisy_rps = (t.requests / t.seconds if t.seconds else 0.0 for t in (quiet, noisy))
    report = {"quiet": quiet.row(), "noisy": noisy.row(), "runaways": runaway_tally.row(), "rounds": rounds_run,
              "wall_s": round(time.perf_counter() - started, 1),
              "p99_ratio": round(noisy_p99 / quiet_p99, 2) if quiet_p99 else None,
              "rps_ratio": round(noisy_rps / quiet_rps, 2) if quiet_rps else None,
              "lookups_not_200": quiet.errors + noisy.errors, "processes_after": server.processes()}
    print_neighbours(server.name, report)
    return report


def print_neighbours(name: str, report: dict) -> None:
    for phase in ("quiet", "noisy"):
        r = report[phase]
        print(f"  {name:17s} {phase:5s} lookups {r['requests']:>7d} {r['rps']:>8.1f} req/s p50 {r['p50_ms']:>7.2f} "
              f"p99 {r['p99_all_answers_ms']:>8.2f} ms srvCPU {r['server_cpu_pct']:>4.0f}% "
              f"other {r['foreign_cpu_pct']:>4.0f}% statuses {r['statuses']}", flush=True)
    print(f"  {name:17s} p99 noisy/quiet {report['p99_ratio']} (target <= 3), req/s noisy/quiet "
          f"{report['rps_ratio']}; runaways {report['runaways']}; lookups not 200: {report['lookups_not_200']}; "
          f"processes after: {report['processes_after']}; rounds {report['rounds']}", flush=True)


def worker_scan(store: Path, workdir: Path, counts: list[int], theirs: Server, lookup_queries: list[str], *,
                rounds: int, seconds: float, warmup: float, max_requests: int, code: Path | None,
                env: dict[str, str] | None = None, connections: int = 16) -> dict[str, object]:
    """The lookup's rate with ``OURDATA_QUERY_WORKERS`` = each of ``counts``, in rounds interleaved with
    Oxigraph's; our servers run one at a time on ``store``."""
    table: dict[str, object] = {}
    theirs_requests = [get_request(theirs.host, theirs.port, theirs.query_path, q, JSON) for q in lookup_queries]
    for count in counts:
        ours = start_ours(store, workdir, name=f"workers-{count}", code=code,
                          env={**(env or {}), "OURDATA_QUERY_WORKERS": str(count)})
        try:
            mode = wait_readers(ours).get("mode")
            requests = [get_request(ours.host, ours.port, ours.query_path, q, JSON) for q in lookup_queries]
            tallies = {"ours": Tally(), "oxigraph": Tally()}
            for server, reqs in ((ours, requests), (theirs, theirs_requests)):
                measure(server, reqs, connections, warmup, max_requests, None)
            for n in range(rounds):
                pair = [(ours, requests, tallies["ours"]), (theirs, theirs_requests, tallies["oxigraph"])]
                for server, reqs, tally in pair if n % 2 == 0 else pair[::-1]:
                    measure(server, reqs, connections, seconds, max_requests, tally)
        finally:
            ours.stop()
        rows = {name: t.row() for name, t in tallies.items()}
        ours_t, theirs_t = tallies["ours"], tallies["oxigraph"]
        pairs = sorted(a / b for a, b in zip(ours_t.round_rps, theirs_t.round_rps, strict=True) if b)
        ratio = (ours_t.requests / ours_t.seconds) / (theirs_t.requests / theirs_t.seconds) if theirs_t.requests else 0
        table[str(count)] = {"mode": mode, **rows, "ratio": round(ratio, 3),
                             "round_ratios": [round(r, 3) for r in pairs]}
        o, t = rows["ours"], rows["oxigraph"]
        print(f"  workers {count}: ours {o['rps']:>8.1f} req/s (p50 {o['p50_ms']:.2f} p99 {o['p99_ms']:.2f} ms, "
              f"srvCPU {o['server_cpu_pct']:.0f}%, other {o['foreign_cpu_pct']:.0f}%, {mode}); oxigraph "
              f"{t['rps']:>8.1f} req/s; ratio {ratio:.2f} (rounds {min(pairs, default=0):.2f}-"
              f"{max(pairs, default=0):.2f}) (target >= 0.4)", flush=True)
    return table
