"""Front processes: simple reads answered beside the serving process, everything else handed over with its
connection, reads after writes consistent, slow queries moved out of the way and stopped at the limit.

Every protocol rule is also run through front processes in test_sparql_protocol.py ("front-processes").
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api.front_http import form_value, parse_head, simple_query
from graph.embedded import EmbeddedStore
from tests.conftest import LiveServer, make_test_settings, serving

RUNAWAY = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f . ?g ?s ?h } ")
LOOKUP = "SELECT ?o WHERE { ?s ?p ?o } LIMIT 1"


def _front_status(server: LiveServer) -> dict[str, int]:
    with server.client() as client:
        return client.get("/healthz").json()["queries"]["fronts"]


@pytest.fixture
def fronted(tmp_path: Path) -> Iterator[LiveServer]:
    store = EmbeddedStore.open(tmp_path / "store")
    settings = make_test_settings(tmp_path, query_workers=1, front_processes=2, query_timeout=3)
    with serving(settings, store, fronts=True) as live:
        _wait_for_fronts(live, 2)
        yield live
    store.close()


def _wait_for_fronts(server: LiveServer, count: int, seconds: float = 20) -> dict[str, int]:
    deadline = time.monotonic() + seconds
    while True:
        status = _front_status(server)
        if status["fronts"] >= count or time.monotonic() > deadline:
            return status
        time.sleep(0.1)


def test_simple_reads_are_answered_by_the_fronts_and_the_rest_is_handed_over(fronted: LiveServer) -> None:
    before = _front_status(fronted)["handed_over"]
    for _ in range(3):
        with fronted.client() as client:  # a new connection each time: each lands on some front
            for _ in range(10):
                response = client.get("/sparql", params={"query": LOOKUP},
                                      headers={"Accept": "application/sparql-results+json"})
                assert response.status_code == 200
                assert response.json()["results"]["bindings"]
    after_reads = _front_status(fronted)["handed_over"]
    assert after_reads - before <= 1  # only the /healthz request above went over, on its own connection
    with fronted.client() as client:
        assert client.post("/sparql", data={"query": LOOKUP}).status_code == 200
        assert client.get("/api/v1/stats").status_code == 200
    assert _front_status(fronted)["handed_over"] > after_reads


def test_a_read_right_after_a_write_sees_the_write(fronted: LiveServer) -> None:
    with fronted.client() as writer, fronted.client() as reader:
        for i in range(15):
            update = ("INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/s> <http://example.org/n> "
                      f"{i} }} }}")
            assert writer.post("/update", data={"update": update}, headers=fronted.admin).status_code == 204
            response = reader.get("/sparql", params={
                "query": "SELECT (MAX(?n) AS ?m) WHERE { <http://example.org/s> <http://example.org/n> ?n }"},
                headers={"Accept": "application/sparql-results+json"})
            assert response.status_code == 200
            assert response.json()["results"]["bindings"][0]["m"]["value"] == str(i)


def test_a_large_body_handed_over_arrives_whole(fronted: LiveServer) -> None:
    """The front reads the head (and some of the body) before handing over; the serving process must get every
    byte in order, also when the client is still sending."""
    literal = "x" * 2_000_000
    update = ("INSERT DATA { GRAPH <http://example.org/big> { <http://example.org/s> <http://example.org/p> "
              f'"{literal}" }} }}')
    with fronted.client() as client:
        assert client.post("/update", content=update.encode(), headers={
            **fronted.admin, "Content-Type": "application/sparql-update"}).status_code == 204
        response = client.get("/sparql", params={
            "query": "SELECT (STRLEN(?o) AS ?n) WHERE { GRAPH <http://example.org/big> { ?s ?p ?o } }"},
            headers={"Accept": "application/sparql-results+json"})
    assert response.json()["results"]["bindings"][0]["n"]["value"] == str(len(literal))


def _raw_exchange(url: str, payload: bytes, responses: int) -> list[bytes]:
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=20) as sock:
        sock.sendall(payload)
        received = b""
        heads: list[bytes] = []
        while len(heads) < responses:
            chunk = sock.recv(65536)
            assert chunk, f"connection closed after {len(heads)} responses"
            received += chunk
            while b"\r\n\r\n" in received:
                head, _, rest = received.partition(b"\r\n\r\n")
                length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                              if line.lower().startswith(b"content-length:"))
                if len(rest) < length:
                    break
                heads.append(head.split(b"\r\n")[0] + b" " + rest[:length])
                received = rest[length:]
    return heads


def test_pipelined_requests_are_answered_in_order_across_the_hand_over(fronted: LiveServer) -> None:
    host = fronted.url.removeprefix("http://")
    ask = "/sparql?query=ASK%20%7B%7D"
    form = b"query=ASK+%7B+FILTER%28false%29+%7D"
    payload = (f"GET {ask} HTTP/1.1\r\nHost: {host}\r\nAccept: text/csv\r\n\r\n"
               f"GET {ask} HTTP/1.1\r\nHost: {host}\r\nAccept: application/sparql-results+json\r\n\r\n"
               f"POST /sparql HTTP/1.1\r\nHost: {host}\r\nAccept: text/tab-separated-values\r\n"
               f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(form)}\r\n\r\n").encode()
    payload += form + f"GET {ask} HTTP/1.1\r\nHost: {host}\r\nAccept: text/csv\r\n\r\n".encode()
    answers = _raw_exchange(fronted.url, payload, 4)
    assert [a.split(b" ")[1] for a in answers] == [b"200"] * 4
    assert answers[0].endswith(b" true") and b'"boolean":true' in answers[1]
    assert answers[2].endswith(b" false") and answers[3].endswith(b" true")


def test_a_runaway_is_stopped_at_the_limit_while_lookups_go_on(fronted: LiveServer) -> None:
    with fronted.client() as client:  # enough rows that the four-way product runs for minutes
        values = " ".join(f"<http://example.org/v{i}>" for i in range(300))
        update = ("INSERT { GRAPH <http://example.org/many> { ?v <http://example.org/p> ?v } } WHERE { VALUES ?v { "
                  + values + " } }")
        assert client.post("/update", data={"update": update}, headers=fronted.admin).status_code == 204
    pinned = fronted.client()
    assert pinned.get("/sparql", params={"query": LOOKUP}).status_code == 200  # a kept-alive connection
    outcome: dict[str, httpx.Response] = {}

    def runaway() -> None:
        with fronted.client() as client:
            outcome["runaway"] = client.get("/sparql", params={"query": RUNAWAY})

    started = time.monotonic()
    thread = threading.Thread(target=runaway)
    thread.start()
    slowest = 0.0
    while thread.is_alive():
        asked = time.monotonic()
        response = pinned.get("/sparql", params={"query": LOOKUP})
        slowest = max(slowest, time.monotonic() - asked)
        assert response.status_code == 200
        with fronted.client() as fresh:
            assert fresh.get("/sparql", params={"query": LOOKUP}).status_code == 200
        time.sleep(0.05)
    thread.join()
    pinned.close()
    stopped = outcome["runaway"]
    assert stopped.status_code == 503
    assert stopped.headers["content-type"] == "application/problem+json"
    assert stopped.json()["timeout_seconds"] == 3
    assert 2.9 <= time.monotonic() - started < 15
    assert slowest < 2.5  # lookups were not stuck behind the runaway for its whole limit
    status = _wait_for_fronts(fronted, 2)
    assert status["fronts"] == 2 and status["evacuated"] >= 1
    deadline = time.monotonic() + 10  # the front that ran it exited: its CPU is free
    while _front_status(fronted)["fronts_finishing_slow_queries"] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _front_status(fronted)["fronts_finishing_slow_queries"] == 0


def test_fronts_apply_the_rate_limit(tmp_path: Path) -> None:
    store = EmbeddedStore.open(tmp_path / "store")
    settings = make_test_settings(tmp_path, query_workers=1, front_processes=1, rate_limit_per_minute=60,
                                  rate_limit_burst=3)
    with serving(settings, store, fronts=True) as live, live.client() as client:
        statuses = [client.get("/sparql", params={"query": "ASK {}"}).status_code for _ in range(5)]
        refused = client.get("/sparql", params={"query": "ASK {}"})
    store.close()
    assert statuses[:3] == [200, 200, 200] and 429 in statuses[3:]
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    assert refused.json()["title"] == "Too many requests"


def test_fronts_and_the_serving_process_share_one_budget(tmp_path: Path) -> None:
    """A client's requests count once whichever process answers them: SPARQL reads in the fronts, /healthz handed
    over to the serving process. With a bucket per process this client would get about three bursts."""
    store = EmbeddedStore.open(tmp_path / "store")
    burst = 6
    settings = make_test_settings(tmp_path, query_workers=1, front_processes=2, rate_limit_per_minute=60,
                                  rate_limit_burst=burst)
    statuses: list[int] = []
    with serving(settings, store, fronts=True) as live:
        started = time.monotonic()
        for _ in range(12):  # fresh connections, so the fronts take turns with the serving process
            with live.client() as client:
                statuses.append(client.get("/sparql", params={"query": "ASK {}"}).status_code)
            with live.client() as client:
                statuses.append(client.get("/healthz").status_code)
        elapsed = time.monotonic() - started
        with live.client(headers=live.admin) as admin:
            fronts = admin.get("/healthz").json()["queries"]["fronts"]
    store.close()
    assert fronts["handed_over"] >= 12  # the /healthz requests did reach the serving process
    answered = statuses.count(200)
    assert set(statuses) == {200, 429}
    assert burst <= answered <= burst + int(elapsed) + 1, statuses  # refilling at one a second meanwhile


@pytest.mark.parametrize(("target", "simple"), [
    ("/sparql?query=ASK+%7B%7D", "ASK {}"),
    ("/sparql?query=ASK+%7B%7D&timeout=1", None),  # any other parameter: the serving process decides
    ("/sparql?query=SELECT+*+%7B+SERVICE+%3Chttp%3A%2F%2Fx%2F%3E+%7B%7D+%7D", None),  # the federation guard
    ("/sparql?query=", None),
    ("/sparql?query=%ZZ", None),
    ("/sparql?query=%C3", None),  # not UTF-8: the serving process answers 400
    ("/sparql", None),
    ("/sparqlx?query=ASK+%7B%7D", None),
    ("/api/v1/organisations", None),
])
def test_which_requests_a_front_answers(target: str, simple: str | None) -> None:
    head = parse_head(f"GET {target} HTTP/1.1\r\nHost: x\r\nAccept: */*".encode())
    assert head is not None
    assert simple_query(head) == simple


@pytest.mark.parametrize("raw", [
    b"GET /sparql?query=ASK+%7B%7D HTTP/1.0\r\nHost: x",  # HTTP/1.0: uvicorn knows its keep-alive rules
    b"GET /sparql?query=ASK+%7B%7D HTTP/1.1\r\nHost: x\r\n folded: line",
    b"GET /sparql?query=ASK+%7B%7D HTTP/1.1\r\nBad Header: x",
    "GET /sparql?query=ASK+%7B%7D HTTP/1.1\r\nX: é".encode(),
])
def test_unusual_heads_are_not_parsed_here(raw: bytes) -> None:
    assert parse_head(raw) is None


@pytest.mark.parametrize("headers", ["Authorization: Bearer x", "Content-Length: 3", "Transfer-Encoding: chunked",
                                     "Connection: upgrade", "Expect: 100-continue"])
def test_requests_with_credentials_or_bodies_go_to_the_serving_process(headers: str) -> None:
    head = parse_head(f"GET /sparql?query=ASK+%7B%7D HTTP/1.1\r\nHost: x\r\n{headers}".encode())
    assert head is not None and simple_query(head) is None


def test_form_values_decode_as_the_serving_process_decodes_them() -> None:
    from urllib.parse import parse_qsl, quote_plus

    for text in ["SELECT * { ?s ?p 'é€😀' }", "a+b c", "50% \\ back", "x&y=z", ""]:
        encoded = quote_plus(text)
        assert form_value(encoded) == parse_qsl(f"q={encoded}", keep_blank_values=True)[0][1] == text


def test_an_idle_kept_alive_connection_is_closed_as_uvicorn_would(fronted: LiveServer) -> None:
    host, port = fronted.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=15) as sock:
        sock.sendall(f"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: {host}\r\nAccept: text/csv\r\n\r\n".encode())
        assert sock.recv(65536).startswith(b"HTTP/1.1 200")
        started = time.monotonic()
        assert sock.recv(65536) == b""  # closed by the server, not by the 15 s client timeout
        assert 4 < time.monotonic() - started < 10


def test_connections_at_rest_move_to_another_front_when_theirs_is_busy(tmp_path: Path) -> None:
    """With one front, a runaway makes it hand its other connections to its replacement; a kept-alive
    connection goes on being answered there (not by the serving process), then the runaway gets its 503."""
    store = EmbeddedStore.open(tmp_path / "store")
    settings = make_test_settings(tmp_path, query_workers=1, front_processes=1, query_timeout=2)
    with serving(settings, store, fronts=True) as live, live.client() as pinned, live.client() as other:
        _wait_for_fronts(live, 1)
        assert pinned.get("/sparql", params={"query": "ASK {}"}).status_code == 200
        values = " ".join(f"<http://example.org/v{i}>" for i in range(300))
        assert other.post("/update", headers=live.admin, data={
            "update": "INSERT { GRAPH <http://example.org/m> { ?v <http://example.org/p> ?v } } "
                      f"WHERE {{ VALUES ?v {{ {values} }} }}"}).status_code == 204
        outcome: list[httpx.Response] = []
        thread = threading.Thread(target=lambda: outcome.append(
            httpx.get(f"{live.url}/sparql", params={"query": RUNAWAY}, timeout=30)))
        thread.start()
        time.sleep(1.0)  # past the 0.25 s after which the busy front lets its other connections go
        for _ in range(5):
            assert pinned.get("/sparql", params={"query": "ASK {}"}).status_code == 200
        thread.join()
        status = _front_status(live)
    store.close()
    assert outcome[0].status_code == 503
    assert status["moved"] >= 1 and status["evacuated"] == 1


def test_connections_accepted_beside_a_runaway_are_answered(tmp_path: Path) -> None:
    """Connections a front accepted just before a runaway blocked it (some not yet taken in by its event loop)
    are passed on with the rest: each gets its answer in well under the time limit, none is reset."""
    store = EmbeddedStore.open(tmp_path / "store")
    settings = make_test_settings(tmp_path, query_workers=1, front_processes=1, query_timeout=4)
    with serving(settings, store, fronts=True) as live:
        _wait_for_fronts(live, 1)
        with live.client() as client:
            values = " ".join(f"<http://example.org/v{i}>" for i in range(300))
            assert client.post("/update", headers=live.admin, data={
                "update": "INSERT { GRAPH <http://example.org/m> { ?v <http://example.org/p> ?v } } "
                          f"WHERE {{ VALUES ?v {{ {values} }} }}"}).status_code == 204
        host, port = live.url.removeprefix("http://").split(":")
        runaway = f"GET /sparql?query={RUNAWAY.replace(' ', '+').replace('?', '%3F').replace('{', '%7B').replace('}', '%7D').replace('(', '%28').replace(')', '%29').replace('*', '%2A')} HTTP/1.1\r\nHost: x\r\n\r\n"  # noqa: E501
        ask = "GET /sparql?query=ASK+%7B%7D HTTP/1.1\r\nHost: x\r\nAccept: text/csv\r\nConnection: close\r\n\r\n"
        blocker = socket.create_connection((host, int(port)))
        blocker.sendall(runaway.encode())
        others = [socket.create_connection((host, int(port)), timeout=10) for _ in range(6)]
        started = time.monotonic()
        for sock in others:
            sock.sendall(ask.encode())
        answers = []
        for sock in others:
            received = b""
            while chunk := sock.recv(65536):
                received += chunk
            answers.append(received)
            sock.close()
        elapsed = time.monotonic() - started
        blocker.settimeout(15)
        stopped = blocker.recv(65536)
        blocker.close()
    store.close()
    assert all(a.startswith(b"HTTP/1.1 200") and a.endswith(b"true") for a in answers), answers
    assert elapsed < 3
    assert stopped.startswith(b"HTTP/1.1 503")
