"""Real time limits and result caps on the public endpoint: queries run in killable reader processes over
checkpoints of an on-disk store (issue 6). A real uvicorn server, real reader processes, real clients."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import make_test_settings, serving
from SPARQLWrapper import JSON, SPARQLWrapper

from graph.embedded import EmbeddedStore
from graph.formats import RDF_BY_NAME

RUNAWAY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n ?o } ORDER BY ?a ?o ?m"
SMALL = "SELECT ?o WHERE { <urn:test:item-7> <urn:test:value> ?o }"
ITEMS = 300


def _items() -> bytes:
    return "".join(f'<urn:test:item-{i}> <urn:test:value> "value {i}" .\n' for i in range(ITEMS)).encode()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    tmp = tmp_path_factory.mktemp("limits")
    store = EmbeddedStore.open(tmp / "store")
    store.load(_items(), RDF_BY_NAME["ntriples"], graph="urn:test:items")
    settings = make_test_settings(tmp, query_timeout=2.0, query_workers=2, query_workers_max=6,
                                  rate_limit_per_minute=0)
    with serving(settings, store) as live:
        yield live
    store.close()


def _children_cpu() -> float:
    """CPU seconds used so far by this process's child processes that are still alive (the readers)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == os.getpid():  # ppid
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def _query(client: httpx.Client, query: str, **params: str) -> httpx.Response:
    return client.get("/sparql", params={"query": query, **params},
                      headers={"Accept": "application/sparql-results+json"})


def test_health_reports_reader_processes(server) -> None:  # type: ignore[no-untyped-def]
    with server.client() as client:
        queries = client.get("/healthz").json()["queries"]
    assert queries["mode"] == "reader processes"
    assert queries["timeout_seconds"] == 2.0


def test_runaway_query_gets_503_and_its_cpu_is_freed(server) -> None:  # type: ignore[no-untyped-def]
    with server.client() as client:
        response = _query(client, RUNAWAY)
        assert response.status_code == 503
        assert response.headers["content-type"].startswith("application/problem+json")
        problem = response.json()
        assert problem["timeout_seconds"] == 2.0
        assert "time limit of 2 s" in problem["detail"]
        # the reader that ran it was killed: the readers left burn (almost) no CPU
        before = _children_cpu()
        time.sleep(1.0)
        assert _children_cpu() - before < 0.5
        # and the endpoint still answers
        assert _query(client, SMALL).json()["results"]["bindings"][0]["o"]["value"] == "value 7"


def test_small_queries_and_writes_go_on_while_runaways_are_stopped(server) -> None:  # type: ignore[no-untyped-def]
    statuses: list[int] = []

    def runaway() -> None:
        with server.client() as client:
            statuses.append(_query(client, RUNAWAY).status_code)

    threads = [threading.Thread(target=runaway) for _ in range(3)]
    for thread in threads:
        thread.start()
    try:
        with server.client() as client:
            answered = [_query(client, SMALL) for _ in range(30)]
            write = client.post("/update", data={"update": "INSERT DATA { GRAPH <urn:test:during> "
                                                           "{ <urn:test:w> <urn:test:p> 'landed' } }"},
                                headers=server.admin)
            seen = _query(client, "SELECT ?o WHERE { <urn:test:w> <urn:test:p> ?o }").json()
    finally:
        for thread in threads:
            thread.join(timeout=60)
    assert [r.status_code for r in answered] == [200] * 30, [r.text for r in answered if r.status_code != 200]
    assert write.status_code == 204
    assert seen["results"]["bindings"][0]["o"]["value"] == "landed"  # read-after-write through a new checkpoint
    assert statuses == [503, 503, 503]


def test_each_query_sees_the_writes_before_it(server) -> None:  # type: ignore[no-untyped-def]
    with server.client() as client:
        for n in range(5):
            update = f"INSERT DATA {{ GRAPH <urn:test:counter> {{ <urn:test:c> <urn:test:n> {n} }} }}"
            assert client.post("/update", data={"update": update}, headers=server.admin).status_code == 204
            count = _query(client, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <urn:test:counter> { ?s ?p ?o } }")
            assert count.json()["results"]["bindings"][0]["n"]["value"] == str(n + 1)
    readers_dir = server.settings.store.with_name(f".{server.settings.store.name}.readers") / "snapshots"
    assert len(list(readers_dir.iterdir())) <= server.settings.query_workers_max + 1  # old checkpoints go


def test_timeout_parameter(server) -> None:  # type: ignore[no-untyped-def]
    with server.client() as client:
        shorter = _query(client, RUNAWAY, timeout="0.5")
        assert shorter.status_code == 503 and shorter.json()["timeout_seconds"] == 0.5
        assert _query(client, SMALL, timeout="60").status_code == 403  # longer needs an admin
        assert _query(client, SMALL, timeout="soon").status_code == 400
        assert _query(client, SMALL, timeout="-1").status_code == 400
        admin = client.get("/sparql", params={"query": SMALL, "timeout": "60"},
                           headers={**server.admin, "Accept": "application/sparql-results+json"})
        assert admin.status_code == 200
        too_long = client.get("/sparql", params={"query": SMALL, "timeout": "100000"}, headers=server.admin)
        assert too_long.status_code == 400


def test_large_results_are_complete(server) -> None:  # type: ignore[no-untyped-def]
    """A result larger than the inline buffer travels through a spool file and arrives whole."""
    query = "SELECT ?s ?o WHERE { ?s <urn:test:value> ?o . ?x <urn:test:value> ?y } LIMIT 20000"
    with server.client() as client:
        response = _query(client, query)
    assert response.status_code == 200
    assert len(response.json()["results"]["bindings"]) == 20000
    spool = server.settings.store.with_name(f".{server.settings.store.name}.readers") / "spool"
    assert list(spool.iterdir()) == []  # deleted once sent


def test_sparqlwrapper_sees_a_timeout_as_an_error(server) -> None:  # type: ignore[no-untyped-def]
    client = SPARQLWrapper(server.url + "/sparql")
    client.setQuery(RUNAWAY)
    client.setReturnFormat(JSON)
    with pytest.raises(Exception) as caught:
        client.query().convert()
    assert "503" in str(caught.value) or "Unavailable" in type(caught.value).__name__


@pytest.fixture(scope="module")
def capped_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    tmp = tmp_path_factory.mktemp("capped")
    store = EmbeddedStore.open(tmp / "store")
    store.load(_items(), RDF_BY_NAME["ntriples"], graph="urn:test:items")
    settings = make_test_settings(tmp, query_workers=1, query_max_rows=25, rate_limit_per_minute=0)
    with serving(settings, store) as live:
        yield live
    store.close()


ALL_ITEMS = "SELECT ?s ?o WHERE { ?s <urn:test:value> ?o } ORDER BY ?s"


def test_capped_result_says_so(capped_server) -> None:  # type: ignore[no-untyped-def]
    with capped_server.client() as client:
        response = _query(client, ALL_ITEMS)
        small = _query(client, "SELECT ?o WHERE { <urn:test:item-1> ?p ?o }")
        csv = client.get("/sparql", params={"query": ALL_ITEMS}, headers={"Accept": "text/csv"})
        graph = client.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
                           headers={"Accept": "application/n-triples"})
    assert response.status_code == 200
    assert response.headers["ourdata-result-capped"] == "max-rows; rows=25"
    body = response.json()
    assert body["capped"] is True
    assert len(body["results"]["bindings"]) == 25
    assert "ourdata-result-capped" not in small.headers and "capped" not in small.json()
    assert csv.headers["ourdata-result-capped"] == "max-rows; rows=25"
    assert len(csv.text.strip().splitlines()) == 26  # header + 25 rows
    assert graph.headers["ourdata-result-capped"] == "max-rows; rows=25"
    assert len(graph.text.strip().splitlines()) == 25
    # SPARQLWrapper still reads the capped JSON as a normal result
    wrapper = SPARQLWrapper(capped_server.url + "/sparql")
    wrapper.setQuery(ALL_ITEMS)
    wrapper.setReturnFormat(JSON)
    converted = wrapper.query().convert()
    assert len(converted["results"]["bindings"]) == 25
    assert json.dumps(converted).count("urn:test:item-") == 25


def test_byte_cap_cuts_whole_rows_and_says_so(tmp_path: Path) -> None:
    store = EmbeddedStore.open(tmp_path / "store")
    store.load(_items(), RDF_BY_NAME["ntriples"], graph="urn:test:items")
    settings = make_test_settings(tmp_path, query_workers=1, query_max_result_bytes=3000, rate_limit_per_minute=0)
    try:
        with serving(settings, store, fixture=None) as live, live.client() as client:
            response = _query(client, ALL_ITEMS)
            tsv = client.get("/sparql", params={"query": ALL_ITEMS}, headers={"Accept": "text/tab-separated-values"})
            small = _query(client, SMALL)
    finally:
        store.close()
    assert len(response.content) <= 3000
    reason, rows = response.headers["ourdata-result-capped"].split("; rows=")
    assert reason == "max-bytes"
    body = response.json()
    assert body["capped"] is True and len(body["results"]["bindings"]) == int(rows) > 0
    assert [b["s"]["value"] for b in body["results"]["bindings"]] == sorted(
        f"urn:test:item-{i}" for i in range(ITEMS))[: int(rows)]  # the first rows, in order
    assert len(tsv.content) <= 3000 and tsv.headers["ourdata-result-capped"].startswith("max-bytes")
    assert "ourdata-result-capped" not in small.headers


def test_query_past_the_memory_limit_is_stopped(tmp_path: Path) -> None:
    """A reader may use ``query_memory_mb`` of address space: a sort over a huge product hits it, the engine
    aborts that reader, the client gets a 503 that says why, and the next query is answered."""
    store = EmbeddedStore.open(tmp_path / "store")
    store.load(_items(), RDF_BY_NAME["ntriples"], graph="urn:test:items")
    settings = make_test_settings(tmp_path, query_workers=1, query_memory_mb=1024, query_timeout=120,
                                  rate_limit_per_minute=0)
    hungry = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l } ORDER BY ?c ?f ?i ?l"
    try:
        with serving(settings, store, fixture=None) as live, httpx.Client(base_url=live.url, timeout=120) as client:
            response = _query(client, hungry)
            after = _query(client, SMALL)
    finally:
        store.close()
    assert response.status_code == 503, response.text
    assert response.json()["title"] == "Query memory limit reached"
    assert "1024 MB" in response.json()["detail"]
    assert after.status_code == 200
