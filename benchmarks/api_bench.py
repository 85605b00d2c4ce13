"""Benchmark of the JSON-LD API: one organisation by id, a filtered page and a search page, under bounded load.

For each data set (the bundled sources after a first load; the reference data plus N generated organisations)
it prepares an on-disk store, serves it with our app in a child process (uvicorn, one worker, access log off),
warms the catalogue, then runs each workload with a keep-alive HTTP/1.1 client on raw asyncio sockets (uvloop):
C connections, stopping after R requests or S seconds, whichever comes first. It reports p50/p99 latency,
requests per second, errors, and the server's and client's CPU time.

    .venv/bin/python -m benchmarks.api_bench --orgs 100000 --connections 16 --append-results
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"
BASE = "https://ourdata.coop/"


# ------------------------------------------------------------------------------------------------ the server
def serve(store_dir: Path, port: int) -> None:
    """Child process: our app over the store, as ``ourdata serve`` runs it but without per-request logging."""
    import uvicorn

    from api.app import create_app
    from graph.embedded import EmbeddedStore
    from graph.settings import Settings

    settings = Settings(store=store_dir, base_iri=BASE, tokens_file=store_dir.parent / "tokens.sqlite",
                        rate_limit_per_minute=0, warm_caches=False, _env_file=None)  # type: ignore[call-arg]
    store = EmbeddedStore.open(store_dir)
    uvicorn.run(create_app(settings, store=store), host="127.0.0.1", port=port, log_level="warning",
                access_log=False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def prepare(store_dir: Path, organisations: int) -> dict[str, float]:
    """The bundled first load (organisations=0) or reference data plus generated organisations."""
    import pyoxigraph as ox

    from benchmarks.api_bench_data import write
    from graph.embedded import EmbeddedStore
    from graph.iris import Iris
    from loaders.initial import first_load

    facts: dict[str, float] = {}
    started = time.perf_counter()
    store = EmbeddedStore.open(store_dir)
    first_load(store, Iris(BASE), organisations=organisations == 0)
    store.close()
    facts["first load (s)"] = time.perf_counter() - started
    if organisations:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "orgs.nq"
            started = time.perf_counter()
            facts["generated quads"] = write(path, organisations)
            raw = ox.Store(str(store_dir))
            raw.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
            raw.flush()
            del raw
            facts["generate + bulk load (s)"] = time.perf_counter() - started
    return facts


# ------------------------------------------------------------------------------------------------ the client
@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0
    client_cpu: float = 0.0
    server_cpu: float = 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))] * 1000 if ordered else 0.0


def request_bytes(port: int, path: str) -> bytes:
    return (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: application/ld+json\r\n"
            "User-Agent: ourdata-api-bench\r\n\r\n").encode("ascii")


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(b":") for line in lines[1:] if line)}
    if b"content-length" in headers:
        await reader.readexactly(int(headers[b"content-length"]))
    elif headers.get(b"transfer-encoding", b"").lower() == b"chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip().split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    return status


async def _load(port: int, requests: list[bytes], connections: int, total: int, seconds: float) -> Result:
    result = Result()
    counter = iter(range(total))
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for index in counter:
                if time.perf_counter() > deadline:
                    break
                started = time.perf_counter()
                writer.write(requests[index % len(requests)])
                status = await _read_response(reader)
                result.latencies.append(time.perf_counter() - started)
                if status != 200:
                    result.errors += 1
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    result.seconds = time.perf_counter() - started
    return result


def load(port: int, server_pid: int, paths: list[str], connections: int, total: int, seconds: float) -> Result:
    try:
        import uvloop

        uvloop.install()
    except ImportError:  # pragma: no cover
        pass
    requests = [request_bytes(port, p) for p in paths]
    cpu_before = time.process_time()
    server_before = cpu_seconds(server_pid)
    result = asyncio.run(_load(port, requests, connections, total, seconds))
    result.client_cpu = time.process_time() - cpu_before
    result.server_cpu = cpu_seconds(server_pid) - server_before
    return result


# ------------------------------------------------------------------------------------------------ the run
def workloads(client: httpx.Client, rng: random.Random, requests: int) -> dict[str, list[str]]:
    """Cold workloads never repeat a URL (every answer is computed); warm ones cycle over a few (cache hits)."""
    total = client.get("/api/v1/organisations", params={"per_page": 1}).json()["totalItems"]
    pages = max(1, -(-total // 500))
    ids: list[str] = []
    for page in sorted(rng.sample(range(1, pages + 1), min(pages, max(1, requests // 500 + 1)))):
        body = client.get("/api/v1/organisations", params={"per_page": 500, "page": page}).json()
        ids += [item["id"].rsplit("/", 1)[-1] for item in body["items"]]
    rng.shuffle(ids)
    gb = client.get("/api/v1/organisations", params={"country": "gb", "kind": "cooperative", "per_page": 1}).json()
    filtered = "/api/v1/organisations?country=gb&kind=cooperative&per_page=50&page="
    search = "/api/v1/organisations?q=community%20energy&country=gb&per_page=20&page="
    found = client.get(search + "1").json()["totalItems"]
    return {
        "organisation by id, cold (each id once)": [f"/api/v1/organisations/{i}" for i in ids[:requests]],
        "organisation by id, warm (100 ids)": [f"/api/v1/organisations/{i}" for i in ids[:100]],
        "filtered page, cold: country=gb&kind=cooperative, 50 items": [
            f"{filtered}{p}" for p in range(1, -(-gb["totalItems"] // 50) + 1)],
        "filtered page, warm (5 pages)": [f"{filtered}{p}" for p in range(1, 6)],
        "search page, cold: q=community energy&country=gb, 20 items": [
            f"{search}{p}" for p in range(1, -(-found // 20) + 1)],
    }


def run_scenario(name: str, organisations: int, args: argparse.Namespace) -> list[str]:
    rng = random.Random(11)
    work = Path(tempfile.mkdtemp(prefix="ourdata-api-bench-"))
    try:
        facts = prepare(work / "store", organisations)
        port = free_port()
        server = subprocess.Popen([sys.executable, "-m", "benchmarks.api_bench", "--serve", str(work / "store"),
                                   "--port", str(port)], cwd=HERE.parent)
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=600) as client:
                deadline = time.monotonic() + 120
                while True:
                    try:
                        if client.get("/healthz").status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    if time.monotonic() > deadline:
                        raise RuntimeError("server did not start")
                    time.sleep(0.2)
                started = time.perf_counter()
                total = client.get("/api/v1/organisations", params={"per_page": 1}).json()["totalItems"]
                facts["catalogue build on first request (s)"] = time.perf_counter() - started
                paths = workloads(client, rng, args.requests)
                for path in (paths["filtered page, warm (5 pages)"] + paths["organisation by id, warm (100 ids)"]):
                    client.get(path)  # the warm workloads start warm
            lines = [f"\n**{name}**: {total:,} organisations; "
                     + "; ".join(f"{k} {v:,.1f}" if isinstance(v, float) else f"{k} {v:,}" for k, v in facts.items()),
                     "", "| workload | requests | errors | p50 ms | p99 ms | req/s | server CPU ms/request "
                     "| client CPU s | load avg |", "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
            for workload, each in paths.items():
                load_before = os.getloadavg()[0]
                count = args.requests if "warm" in workload else min(args.requests, len(each))
                result = load(port, server.pid, each, args.connections, count, args.seconds)
                lines.append(f"| {workload} | {len(result.latencies):,} | {result.errors} | "
                             f"{result.percentile(50):.1f} | {result.percentile(99):.1f} | "
                             f"{len(result.latencies) / result.seconds:,.0f} | "
                             f"{result.server_cpu * 1000 / max(1, len(result.latencies)):.1f} | "
                             f"{result.client_cpu:.1f} | {load_before:.1f} |")
                print(lines[-1], flush=True)
            return lines
        finally:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orgs", type=int, default=100_000, help="generated organisations (0: bundled data only)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--requests", type=int, default=4000, help="at most this many requests per workload")
    parser.add_argument("--seconds", type=float, default=30.0, help="at most this long per workload")
    parser.add_argument("--skip-bundled", action="store_true")
    parser.add_argument("--append-results", action="store_true", help=f"append the tables to {RESULTS.name}")
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port)
        return
    lines: list[str] = []
    if not args.skip_bundled:
        lines += run_scenario("Bundled data (first load)", 0, args)
    if args.orgs:
        lines += run_scenario(f"Reference data + {args.orgs:,} generated organisations", args.orgs, args)
    text = "\n".join(lines)
    print(text)
    if args.append_results:
        with RESULTS.open("a", encoding="utf-8") as out:
            out.write(f"\n<!-- api_bench {time.strftime('%Y-%m-%d %H:%M')}, {args.connections} connections, "
                      f"at most {args.requests} requests / {args.seconds:.0f} s per workload -->\n{text}\n")


if __name__ == "__main__":
    main()
