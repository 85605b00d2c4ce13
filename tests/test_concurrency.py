"""Many parallel queries while writes run, on a real server: every answer complete and right, the process up,
and a slow query never holding up the event loop (``/healthz`` keeps answering at once)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed

import httpx
import pytest
from conftest import BASE, LiveServer, make_test_settings, serving
from rdflib.compare import isomorphic
from sparql_results import read_boolean, read_rows, read_triples, sample_graph

from graph.embedded import EmbeddedStore
from graph.formats import RDF_BY_NAME

ORGS = BASE + "graph/source/sample"
BIG = "http://example.org/graph/big"
BIG_ROWS = 2000
HEAVY = "http://example.org/graph/heavy"
HEAVY_ROWS = 190  # a three-way cross join over these: several million solutions, about a second
WRITES = "http://example.org/graph/writes"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Few query threads (so requests queue) and a small stream buffer (so big results stream in parallel)."""
    settings = make_test_settings(tmp_path_factory.mktemp("concurrency"), query_threads=4, stream_buffer_bytes=4096)
    store = EmbeddedStore.open(None)
    ntriples = RDF_BY_NAME["ntriples"]
    big = "\n".join(f'<http://example.org/s/{i}> <http://example.org/p> "big {i}" .' for i in range(BIG_ROWS))
    store.load(big.encode(), ntriples, graph=BIG)
    heavy = "\n".join(f'<http://example.org/h/{i}> <http://example.org/p> "{i}" .' for i in range(HEAVY_ROWS))
    store.load(heavy.encode(), ntriples, graph=HEAVY)
    with serving(settings, store) as running:
        yield running


def labels_ok(response: httpx.Response) -> bool:
    rows = read_rows(response.headers["content-type"], response.content)[1]
    return len(rows) == 4 and {r["label"] for r in rows} >= {"Alpha Data Co-op", "Fiducie Beta"}


def big_ok(response: httpx.Response) -> bool:
    rows = read_rows(response.headers["content-type"], response.content)[1]
    return {r["o"] for r in rows} == {f"big {i}" for i in range(BIG_ROWS)}


QUERIES = [
    ("SELECT ?org ?label WHERE { ?org <http://www.w3.org/2004/02/skos/core#prefLabel> ?label }", "text/csv",
     labels_ok),
    ("SELECT ?org ?label WHERE { ?org <http://www.w3.org/2004/02/skos/core#prefLabel> ?label }",
     "application/sparql-results+xml", labels_ok),
    (f"SELECT ?s ?o WHERE {{ GRAPH <{BIG}> {{ ?s ?p ?o }} }}", "application/sparql-results+json", big_ok),
    (f"SELECT ?s ?o WHERE {{ GRAPH <{BIG}> {{ ?s ?p ?o }} }}", "text/tab-separated-values", big_ok),
    (f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{ORGS}> {{ ?s ?p ?o }} }}", "text/turtle",
     lambda r: isomorphic(read_triples(r.headers["content-type"], r.content), sample_graph(ORGS))),
    ("ASK { ?s ?p ?o }", "application/sparql-results+json",
     lambda r: read_boolean(r.headers["content-type"], r.content) is True),
]


def test_dozens_of_parallel_queries_while_writes_run(server: LiveServer) -> None:
    writes_done = threading.Event()
    write_statuses: list[int] = []

    def writer() -> None:
        with server.client() as client:
            for i in range(20):
                text = f'INSERT DATA {{ GRAPH <{WRITES}> {{ <http://example.org/w/{i}> <http://example.org/p> {i} }} }}'
                response = client.post("/update", content=text.encode(),
                                       headers={"Content-Type": "application/sparql-update", **server.admin})
                write_statuses.append(response.status_code)
            lines = "\n".join(f'<http://example.org/l/{i}> <http://example.org/p> "{i}" .' for i in range(1000))
            response = client.put("/store", params={"graph": WRITES + "/load"}, content=lines.encode(),
                                  headers={"Content-Type": "application/n-triples", **server.admin})
            write_statuses.append(response.status_code)
        writes_done.set()

    def reader(index: int) -> tuple[int, bool]:
        query, accept, ok = QUERIES[index % len(QUERIES)]
        with server.client() as client:
            response = client.get("/sparql", params={"query": query}, headers={"Accept": accept})
        return response.status_code, response.status_code == 200 and ok(response)

    writer_thread = threading.Thread(target=writer)
    writer_thread.start()
    with ThreadPoolExecutor(max_workers=16) as pool:
        results = [future.result(timeout=60) for future in as_completed(pool.submit(reader, i) for i in range(60))]
    writer_thread.join(timeout=60)
    assert writes_done.is_set()
    assert write_statuses == [204] * 20 + [201]
    assert [status for status, _ in results] == [200] * 60
    assert all(ok for _, ok in results)
    with server.client() as client:
        assert client.get("/healthz").json()["status"] == "ok"
        query = f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{WRITES}> {{ ?s ?p ?o }} }}"
        count = client.get("/sparql", params={"query": query}, headers={"Accept": "text/csv"})
        assert read_rows("text/csv", count.content)[1] == [{"n": "20"}]


def test_a_slow_query_does_not_block_the_event_loop(server: LiveServer) -> None:
    heavy = (f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{HEAVY}> {{ ?a ?p ?b . ?c ?q ?d . ?e ?r ?f }} }}")
    finished: dict[str, float] = {}

    def run_heavy() -> None:
        with server.client() as client:
            started = time.perf_counter()
            response = client.get("/sparql", params={"query": heavy}, headers={"Accept": "text/csv"})
            finished["at"] = time.perf_counter()
            finished["took"] = finished["at"] - started
            finished["n"] = float(read_rows("text/csv", response.content)[1][0]["n"])

    thread = threading.Thread(target=run_heavy)
    thread.start()
    time.sleep(0.05)  # let the heavy query reach its worker thread
    latencies = []
    with server.client() as client:
        for _ in range(5):
            started = time.perf_counter()
            assert client.get("/healthz").status_code == 200
            latencies.append(time.perf_counter() - started)
            answered_at = time.perf_counter()
    thread.join(timeout=120)
    assert finished["n"] == HEAVY_ROWS**3
    assert answered_at < finished["at"], f"the heavy query ({finished['took']:.2f} s) ended before /healthz answered"
    assert max(latencies) < finished["took"] / 3, (latencies, finished["took"])


def test_clients_that_leave_mid_stream_do_not_hurt_the_server(server: LiveServer) -> None:
    """Start big streamed results and hang up after the first bytes: the workers stop, the server goes on."""
    query = f"SELECT ?s ?o WHERE {{ GRAPH <{BIG}> {{ ?s ?p ?o . ?x ?y ?z }} }}"  # large: BIG_ROWS² rows
    for _ in range(8):
        with server.client() as client, client.stream("GET", "/sparql", params={"query": query},
                                                      headers={"Accept": "text/csv"}) as response:
            assert response.status_code == 200
            next(response.iter_bytes())
    started = time.perf_counter()
    with server.client() as client:
        response = client.get("/sparql", params={"query": QUERIES[0][0]}, headers={"Accept": "text/csv"})
    assert response.status_code == 200 and labels_ok(response)
    assert time.perf_counter() - started < 5  # the query threads were freed, not stuck on abandoned streams
