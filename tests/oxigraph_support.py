"""A real second SPARQL server for tests: Oxigraph server (PyPI ``oxigraph``) on a free 127.0.0.1 port."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from conftest import free_port

OXIGRAPH = Path(sys.executable).parent / "oxigraph"


def oxigraph_binary() -> str:
    found = str(OXIGRAPH) if OXIGRAPH.exists() else shutil.which("oxigraph")
    if found is None:
        pytest.fail("the oxigraph server binary (PyPI 'oxigraph') is not installed")
    return found


@contextmanager
def oxigraph_server(data: Path, location: Path) -> Iterator[str]:
    """Loads ``data`` into a store at ``location``, serves it, yields its base URL; always stopped afterwards."""
    binary = oxigraph_binary()
    subprocess.run([binary, "load", "--location", str(location), "--file", str(data)], check=True,
                   capture_output=True, timeout=60)
    port = free_port()
    process = subprocess.Popen([binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"oxigraph exited: {process.stderr.read().decode() if process.stderr else ''}")
            try:
                if httpx.get(url + "/query", params={"query": "ASK {}"}, timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("oxigraph did not start")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
