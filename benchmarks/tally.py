"""Summing load-generator runs against one server: requests, latencies, and whose CPU the time went to.

CPU is split three ways over each run: the server's process tree, the client (this process), and everything else
the machine did meanwhile (``other``, from ``/proc/stat``), so a reader can tell a slow server from a busy machine.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.loadgen import LoadResult, percentile, run_load
from benchmarks.servers import Server


def busy_cpu_seconds() -> float:
    """CPU time all cores spent in processes (user, nice, system) or stolen by the hypervisor, from /proc/stat.

    Interrupt time is left out: it is mostly the loopback traffic of the benchmark itself."""
    user, nice, system, _idle, _iowait, _irq, _softirq, steal = (
        int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9])
    return (user + nice + system + steal) / os.sysconf("SC_CLK_TCK")


@dataclass
class Tally:
    """One workload on one server, summed over the rounds."""

    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)  # of 200 answers
    error_latencies: list[float] = field(default_factory=list)  # of other answers (a 503 after a wait, say)
    client_cpu: float = 0.0
    server_cpu: float = 0.0
    foreign_cpu: float = 0.0  # CPU seconds used by neither server nor client (other work on the machine)
    body_bytes: int = 0
    round_rps: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)

    def add(self, result: LoadResult, server_cpu: float, busy_cpu: float) -> None:
        self.requests += result.requests
        self.errors += result.errors
        self.seconds += result.seconds
        self.latencies += result.latencies
        self.error_latencies += result.error_latencies
        self.client_cpu += result.client_cpu
        self.server_cpu += server_cpu
        self.foreign_cpu += max(0.0, busy_cpu - server_cpu - result.client_cpu)
        self.body_bytes += result.body_bytes
        self.round_rps.append(result.rate)
        for status, count in result.statuses.items():
            self.statuses[status] = self.statuses.get(status, 0) + count

    def row(self) -> dict[str, object]:
        def pct(seconds: float) -> float:
            return round(100 * seconds / self.seconds, 0) if self.seconds else 0

        return {"requests": self.requests, "errors": self.errors, "seconds": round(self.seconds, 2),
                "rps": round(self.requests / self.seconds, 1) if self.seconds else 0.0,
                "p50_ms": round(percentile(self.latencies, 0.50) * 1000, 2),
                "p99_ms": round(percentile(self.latencies, 0.99) * 1000, 2),
                "p99_all_answers_ms": round(percentile(self.latencies + self.error_latencies, 0.99) * 1000, 2),
                "server_cpu_pct": pct(self.server_cpu), "client_cpu_pct": pct(self.client_cpu),
                "foreign_cpu_pct": pct(self.foreign_cpu),
                "round_rps": [round(r, 1) for r in self.round_rps],
                "mb_per_request": round(self.body_bytes / max(self.requests, 1) / 1e6, 3),
                "statuses": {str(k): v for k, v in sorted(self.statuses.items())}}


def measure(server: Server, requests: list[bytes], connections: int, seconds: float, max_requests: int,
            tally: Tally | None) -> LoadResult:
    """One bounded load run; added to ``tally`` with the CPU it cost (None: a warm-up, not counted)."""
    cpu, busy = server.cpu_seconds(), busy_cpu_seconds()
    result = run_load(server.host, server.port, requests, connections=connections, max_requests=max_requests,
                      max_seconds=seconds)
    if tally is not None:
        tally.add(result, server.cpu_seconds() - cpu, busy_cpu_seconds() - busy)
    return result
