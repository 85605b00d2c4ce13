"""Preparing the two stores and running the two servers as child processes on 127.0.0.1.

Ours: a store bulk-loaded with pyoxigraph, then ``ourdata serve --store DIR`` (which skips the first load
on a non-empty store). Theirs: ``oxigraph load`` then ``oxigraph serve --union-default-graph``; our
default graph is the union of the named graphs too. Both stores are on disk (RocksDB).

CPU time and memory are those of the server's whole process tree: with reader processes (issue 6) our queries
are evaluated in children of the server, which the server process's own figures would leave out.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx
import pyoxigraph as ox

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def load_ours(data: Path, store: Path) -> float:
    """Bulk-loads the N-Quads file into a new on-disk store; returns seconds."""
    started = time.perf_counter()
    db = ox.Store(str(store))
    db.bulk_load(path=str(data), format=ox.RdfFormat.N_QUADS)
    db.flush()
    del db
    return time.perf_counter() - started


def copy_store(source: Path, target: Path) -> None:
    """A second server needs its own copy of a store: RocksDB lets one process open a store for writing."""
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source, target)


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            kids += [int(x) for x in (task / "children").read_text().split()]
    except OSError:
        pass  # the process ended meanwhile
    return kids


def _descendants(pid: int) -> Iterator[int]:
    for kid in _children(pid):
        yield kid
        yield from _descendants(kid)


def _stat_fields(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def load_theirs(data: Path, store: Path) -> float:
    started = time.perf_counter()
    subprocess.run([str(BIN / "oxigraph"), "load", "--location", str(store), "--file", str(data)],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - started


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    port: int
    query_path: str
    log: IO[bytes]
    host: str = "127.0.0.1"

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}{self.query_path}"

    def rss_kb(self) -> int:
        """Memory (kB) of the server and every process it started (our reader processes): the proportional
        set size (``Pss`` in /proc/<pid>/smaps_rollup), so pages that forked readers share with each other are
        counted once in all; for a single process it is its resident memory less its share of libraries."""
        total = 0
        for pid in (self.process.pid, *_descendants(self.process.pid)):
            try:
                lines = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
            except OSError:
                continue
            total += next((int(line.split()[1]) for line in lines if line.startswith("Pss:")), 0)
        return total

    def processes(self) -> int:
        """The server process and its live descendants."""
        return 1 + sum(1 for _ in _descendants(self.process.pid))

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server's process tree: every live process of it (the server, a
        forkserver, readers at work) and the children each has reaped (killed readers): a process's CPU moves
        into its parent's ``cutime``/``cstime`` when it is reaped, so nothing is counted twice."""
        ticks = 0
        for pid in (self.process.pid, *_descendants(self.process.pid)):
            try:
                ticks += sum(int(f) for f in _stat_fields(pid)[11:15])  # utime, stime, cutime, cstime
            except OSError:
                continue
        return ticks / os.sysconf("SC_CLK_TCK")

    def interrupt(self) -> None:
        """Asks the server to shut down (SIGINT: uvicorn's and Oxigraph's graceful stop); :meth:`stop` waits."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)

    def stop(self) -> None:
        """Waits up to 6 s for a graceful stop, then kills: after a crash of the client, connections it left
        open keep Oxigraph's connection threads (60 s socket timeouts) and uvicorn's graceful wait (5 s) busy."""
        if self.process.poll() is None:
            self.interrupt()
            try:
                self.process.wait(timeout=6)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log.close()


def _wait_ready(server: Server, probe: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited with {server.process.returncode}; see {server.log.name}")
        try:
            if httpx.get(f"http://{server.host}:{server.port}{probe}", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{server.name} did not answer within {timeout} s; see {server.log.name}")


def start_ours(store: Path, workdir: Path, *, query_threads: int | None = None, timeout: float = 60,
               name: str = "ours", code: Path | None = None, env: dict[str, str] | None = None) -> Server:
    """``ourdata serve`` on ``store``; with ``code``, the packages in that directory are imported instead of the
    installed ones (a copy of the source tree with a change to compare, see :mod:`benchmarks.ab`)."""
    port = free_port()
    environ = {**os.environ, "OURDATA_TOKENS_FILE": str(workdir / f"{name}.tokens.sqlite"),
               # the benchmark is one client hammering on purpose: per-client rate limiting off
               "OURDATA_RATE_LIMIT_PER_MINUTE": "0",
               # the SPARQL benchmark does not use the JSON API: no catalogue build competing at start-up
               "OURDATA_WARM_CACHES": "false", **(env or {})}
    if query_threads is not None:
        environ["OURDATA_QUERY_THREADS"] = str(query_threads)
    log = (workdir / f"{name}.log").open("wb")
    command = [str(BIN / "ourdata")] if code is None else [sys.executable, "-c", "from api.cli import main; main()"]
    process = subprocess.Popen([*command, "serve", "--store", str(store), "--host", "127.0.0.1", "--port", str(port)],
                               env=environ, cwd=code, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    server = Server(name, process, port, "/sparql", log)
    try:
        _wait_ready(server, "/healthz", timeout)
    except BaseException:
        server.stop()
        raise
    return server


def wait_readers(server: Server, *, timeout: float = 60) -> dict[str, object]:
    """Waits until our server's reader processes are all started and idle; returns its ``queries`` health
    figures (``mode`` says whether queries run in reader processes or in process)."""
    deadline = time.monotonic() + timeout
    while True:
        queries: dict[str, object] = httpx.get(f"http://{server.host}:{server.port}/healthz",
                                               timeout=5).json().get("queries", {})
        if queries.get("starting", 0) == 0 and queries.get("idle", 0) == queries.get("readers", 0):
            return queries
        if time.monotonic() > deadline:
            raise RuntimeError(f"{server.name}: readers not ready within {timeout} s: {queries}")
        time.sleep(0.1)


def start_theirs(store: Path, workdir: Path, *, timeout: float = 60, name: str = "oxigraph",
                 timeout_s: float | None = None) -> Server:
    """``oxigraph serve``; ``timeout_s`` is its ``--timeout-s`` query time limit."""
    port = free_port()
    log = (workdir / f"{name}.log").open("wb")
    limit = [] if timeout_s is None else ["--timeout-s", f"{timeout_s:g}"]
    process = subprocess.Popen([str(BIN / "oxigraph"), "serve", "--location", str(store),
                                "--bind", f"127.0.0.1:{port}", "--union-default-graph", *limit],
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    server = Server(name, process, port, "/query", log)
    try:
        _wait_ready(server, "/query?query=ASK%7B%7D", timeout)
    except BaseException:
        server.stop()
        raise
    return server
