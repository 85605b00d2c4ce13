"""The README's first command, as a newcomer runs it: `ourdata serve` on a fresh store loads the real data,
serves it on 127.0.0.1, holds the store (a second process is pointed to --url), and restarts without reloading."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from conftest import free_port

from graph.iris import Iris
from loaders.importer import graph_iri
from loaders.registry import all_sources

pytestmark = pytest.mark.slow
OURDATA = Path(sys.executable).with_name("ourdata")


def _start(store: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "OURDATA_TOKENS_FILE": str(store.parent / "tokens.sqlite")}
    return subprocess.Popen([str(OURDATA), "serve", "--store", str(store), "--port", str(port)], env=env,
                            stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True)


def _wait_healthy(url: str, process: subprocess.Popen[bytes], seconds: float = 240) -> dict[str, object]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server exited"
        try:
            response = httpx.get(url + "/healthz", timeout=2)
            if response.status_code == 200:
                return dict(response.json())
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise AssertionError("the server did not answer in time")


def _stop(process: subprocess.Popen[bytes]) -> int:
    process.send_signal(signal.SIGINT)
    try:
        return process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        return process.wait(timeout=10)


def test_serve_loads_the_bundled_data_then_restarts_without_reloading(tmp_path: Path) -> None:
    store, port, log = tmp_path / "ourdata-store", free_port(), tmp_path / "serve.log"
    url = f"http://127.0.0.1:{port}"
    process = _start(store, port, log)
    try:
        assert _wait_healthy(url, process)["store"] == "loaded"
        graphs = httpx.post(url + "/sparql", data={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"},
                            headers={"Accept": "text/csv"}, timeout=60).text.split()[1:]
        expected = {graph_iri(Iris("https://ourdata.coop/"), source) for source in all_sources()}
        assert expected <= set(graphs), f"missing: {sorted(expected - set(graphs))}"
        # a second process finds the store held, says so, and points to the running server
        second = subprocess.run([str(OURDATA), "query", "ASK {}", "--store", str(store)], capture_output=True,
                                text=True, timeout=60)
        assert second.returncode == 2 and "--url" in second.stderr
    finally:
        assert _stop(process) == 0
    restarted = _start(store, port, tmp_path / "restart.log")
    try:
        _wait_healthy(url, restarted, seconds=60)
        assert "skipping the first load" in (tmp_path / "restart.log").read_text()
    finally:  # stopped while it still warms its caches: a clean stop all the same
        assert _stop(restarted) == 0
    time.sleep(1)  # children that outlive the server would write after it exits
    restart_log = (tmp_path / "restart.log").read_text()
    assert "Traceback" not in restart_log and "ERROR" not in restart_log, restart_log[-3000:]
