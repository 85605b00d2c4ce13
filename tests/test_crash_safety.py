"""Crash safety: ``kill -9`` of the real server in the middle of a large contribution, again and again, on one
store. After every kill the store opens, holds all or nothing of that contribution (its data graph and its
provenance together, never one without the other), and every earlier contribution is intact; an acknowledged
contribution survives the kill. After the last restart the store still takes a contribution and serves them all.

Kill points are random (seeded; set OURDATA_CRASH_SEED to replay a run's choices) in three families, so they land
before, during and after the one transactional write: at a random delay after the request, at a random delay
after the job reports its ``writing`` phase (within the time the first write took; halved whenever a kill came
after the write), and just after the job reports it is done. Sizes vary too (6,000 or
20,000 triples), so however the store writes a small and a large contribution, both are cut. A moment before each
kill a SPARQL update (``POST /update``, 5,000 triples into a graph of its own) is sent too: it also lands whole
or not at all, and is there if it was answered. The seed and every kill's delay and outcome are printed
(``pytest -s``, and in the report of a failure).
"""

from __future__ import annotations

import io
import os
import random
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import BASE
from contributions_support import reference_store
from crash_support import CONTRIBUTION, SCRATCH, Sent, ServerProcess, Survey, insert_data, survey

from api.tokens import TokenStore
from graph.embedded import EmbeddedStore
from graph.formats import RDF_BY_NAME

LARGE, SMALL = 2000, 600  # organisations: 20,000 triples (about a second to write on disk), or 6,000
MODES = ["done"] * 2 + ["early"] * 3 + ["writing"] * 5  # ten kills; the first one times the phases
UPDATE_TRIPLES = 5000
POLL = 0.02
View = dict[str, Any]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store on disk with the ontology and reference data (no bundled organisations), and an admin token."""
    tmp = tmp_path_factory.mktemp("crash")
    buffer = io.BytesIO()
    reference_store().serialize(buffer, RDF_BY_NAME["nquads"], whole=True)
    disk = EmbeddedStore.open(tmp / "store")
    disk.load(buffer.getvalue(), RDF_BY_NAME["nquads"], graph=None, allow_named_graphs=True)
    disk.close()
    (tmp / "token").write_text(TokenStore(tmp / "tokens.sqlite").create("crash-tester", "admin"))
    return tmp


@pytest.fixture
def server(workdir: Path) -> Iterator[ServerProcess]:
    (workdir / "tmp").mkdir(exist_ok=True)  # what a killed server cannot clean up (multiprocessing's pymp-*)
    env = {"OURDATA_TOKENS_FILE": str(workdir / "tokens.sqlite"), "OURDATA_BASE_IRI": BASE,
           "OURDATA_WARM_CACHES": "false", "OURDATA_LOAD_ORGANISATIONS": "false",
           "OURDATA_RATE_LIMIT_PER_MINUTE": "0", "TMPDIR": str(workdir / "tmp")}
    process = ServerProcess(workdir / "store", workdir, env)
    try:
        yield process
    finally:
        process.kill()


def _send(server: ServerProcess, headers: dict[str, str], sent: Sent) -> str:
    """Sends a contribution as a job (answered at once), so we can watch its phases; returns the job's URL."""
    response = httpx.post(server.url + "/api/v1/contributions", params={"filename": sent.name}, content=sent.body,
                          headers={**headers, "Prefer": "respond-async"}, timeout=60)
    assert response.status_code == 202, response.text
    return server.url + response.headers["location"]


def _until(job: str, headers: dict[str, str], done: Callable[[View], bool], seconds: float = 180) -> View:
    deadline = time.monotonic() + seconds
    view: View = {}
    while time.monotonic() < deadline:
        view = httpx.get(job, headers=headers, timeout=30).json()
        if done(view):
            return view
        time.sleep(POLL)
    raise AssertionError(f"the job did not get there in {seconds} s: {view}")


def _writing(view: View) -> bool:
    return view["status"] != "running" or view["progress"]["phase"] == "writing"


def _finished(view: View) -> bool:
    return view["status"] != "running"


def _update(server: ServerProcess, headers: dict[str, str], graph: str) -> tuple[threading.Thread, dict[str, Any]]:
    """Sends a SPARQL update in a thread (the kill will cut its connection); the answer's status, if any."""
    answer: dict[str, Any] = {}

    def send() -> None:
        try:
            answer["status"] = httpx.post(server.url + "/update", content=insert_data(graph, UPDATE_TRIPLES),
                                          headers={**headers, "Content-Type": "application/sparql-update"},
                                          timeout=60).status_code
        except httpx.HTTPError as exc:
            answer["error"] = type(exc).__name__

    thread = threading.Thread(target=send, daemon=True)
    thread.start()
    return thread, answer


def _status(job: str, headers: dict[str, str]) -> str:
    try:
        view = httpx.get(job, headers=headers, timeout=5).json()
    except httpx.HTTPError:
        return "?"
    return str(view["status"] if view["status"] != "running" else view["progress"]["phase"])


def _check_updates(found: Survey, before: dict[str, int], graph: str, answered: bool, where: str) -> dict[str, int]:
    """The update cut off by this kill holds all or nothing (all if it was answered); earlier ones are intact."""
    now = dict(found.scratch)
    assert now.get(graph, 0) in (0, UPDATE_TRIPLES), f"{where}: the update left {now[graph]} of {UPDATE_TRIPLES}"
    assert not answered or now.get(graph) == UPDATE_TRIPLES, f"{where}: an answered update was lost"
    now.pop(graph, None)
    assert now == before, f"{where}: earlier updates changed: {before} -> {now}"
    if found.scratch.get(graph):
        now[graph] = UPDATE_TRIPLES
    return now


def _check(found: Survey, sent: dict[str, Sent], before: dict[str, str], where: str) -> dict[str, str]:
    """Asserts what must hold after any crash; returns the contributions held (checksum -> graph)."""
    assert not found.data_only, f"{where}: data without provenance in {sorted(found.data_only)}"
    assert not found.meta_only, f"{where}: provenance without data for {sorted(found.meta_only)}"
    groups = found.by_checksum()
    assert set(groups) <= set(sent), f"{where}: a contribution we did not send, or a broken record: {set(groups)}"
    twice = {sent[str(k)].name: len(v) for k, v in groups.items() if len(v) > 1}
    assert not twice, f"{where}: contributions held twice: {twice}"
    held = {str(k): v[0].graph for k, v in groups.items()}
    lost = {sent[k].name for k in before if held.get(k) != before[k]}
    assert not lost, f"{where}: earlier contributions lost: {sorted(lost)}"
    for checksum, graph in held.items():
        item, expected = found.landed[graph], sent[checksum]
        name, size = expected.name, len(expected.lines)
        assert item.count == size, f"{where}: {name} holds {item.count} of its {size} triples"
        assert item.triples == size, f"{where}: the provenance of {name} counts {item.triples} triples, not {size}"
        assert item.lines is None or item.lines == expected.lines, f"{where}: {name} holds other triples"
    shapes = {found.landed[g].meta_statements - 2 * sent[k].organisations for k, g in held.items()}
    assert len(shapes) <= 1, f"{where}: provenance records of different shapes: {shapes}"
    for checksum, indexes in found.indexes.items():
        expected = sent[checksum].in_every_index() if checksum in held else {name: 0 for name in indexes}
        assert indexes == expected, f"{where}: {sent[checksum].name} is in some indexes only: {indexes}"
    return held


@pytest.mark.timeout(900)  # about 60-150 s on two shared cores; the suite's 300 s would be too tight when busy
def test_kill_nine_mid_contribution_leaves_all_or_nothing(server: ServerProcess, workdir: Path) -> None:
    seed = int(os.environ.get("OURDATA_CRASH_SEED") or random.SystemRandom().randrange(1 << 32))
    rng = random.Random(seed)
    print(f"\ncrash safety: OURDATA_CRASH_SEED={seed}")
    started = time.monotonic()
    headers = {"Authorization": f"Bearer {(workdir / 'token').read_text()}", "Content-Type": "application/n-triples"}
    store = workdir / "store"
    sent: dict[str, Sent] = {}
    updated: dict[str, int] = {}

    def new(name: str, organisations: int) -> Sent:
        item = Sent(f"{name}.nt", f"{seed}-{name}", organisations)
        sent[item.checksum] = item
        return item

    # The first kill comes after its contribution is done: it times the phases a contribution has after a start.
    to_write, writing = 0.0, 0.0
    held: dict[str, str] = {}
    plan = MODES[1:]
    rng.shuffle(plan)
    for number, mode in enumerate([MODES[0], *plan], 1):
        item = new(f"c{number:02d}", LARGE if number == 1 else rng.choice([LARGE, LARGE, SMALL]))
        began = time.monotonic()
        if server.process is None:
            server.start()
        sending = time.monotonic()
        job = _send(server, headers, item)
        if mode == "early":
            delay = rng.uniform(0, to_write)
        else:
            reached = _until(job, headers, _writing)
            assert reached["status"] in ("running", "created"), reached
            at_write = time.monotonic()
            if mode == "writing":
                delay = rng.uniform(0, writing * item.organisations / LARGE)
            else:
                acknowledged = _until(job, headers, _finished)
                assert acknowledged["status"] == "created", acknowledged
                if number == 1:
                    to_write, writing = at_write - sending, time.monotonic() - at_write
                    print(f"timing: {to_write:.2f} s to the write, {writing:.2f} s writing {LARGE * 10:,} triples")
                delay = rng.uniform(0, 0.05)
        lead = rng.uniform(0, 0.15)
        time.sleep(max(delay - lead, 0))
        scratch = f"{SCRATCH}{number}"
        thread, answer = _update(server, headers, scratch)
        time.sleep(min(lead, delay))
        seen = _status(job, headers)
        server.kill()
        killed = time.monotonic()
        thread.join(timeout=30)
        where = (f"kill {number}: {mode}, {delay:.3f} s, update {lead:.3f} s before, "
                 f"{item.organisations * 10:,} triples, seed {seed}")
        found = survey(store, counted_only=set(held.values()), probe=[item])
        held = _check(found, sent, held, where)
        if mode == "done" or seen == "created":
            assert item.checksum in held, f"{where}: an acknowledged contribution was lost"
        if mode == "writing" and seen == "created":
            writing = max(writing / 2, 0.02)  # the write was shorter than we waited: aim the next kills earlier
        assert answer.get("status") in (None, 204), f"{where}: the update was answered {answer}"
        updated = _check_updates(found, updated, scratch, answer.get("status") == 204, where)
        print(f"{where}: job {seen} at the kill; {'all' if item.checksum in held else 'none'} of it, "
              f"{'all' if scratch in updated else 'none'} of the update ({answer.get('status', 'cut')}); "
              f"start {sending - began:.1f} s, run {killed - sending:.1f} s, check {time.monotonic() - killed:.1f} s")

    # After the last kill: the server starts on the store; the file the kill cut off, sent again, lands once
    # (or is recognised); a new one lands; the server serves every one.
    server.start()
    for again in (item, new("last", SMALL)):
        response = httpx.post(server.url + "/api/v1/contributions", params={"filename": again.name},
                              content=again.body, headers=headers, timeout=120)
        landed = again.checksum in held
        assert (response.status_code, response.json()["status"]) == ((200, "unchanged") if landed else
                                                                     (201, "created")), response.text
        assert not landed or response.json()["iri"] == held[again.checksum]
        held[again.checksum] = response.json()["iri"]
    counts = httpx.post(server.url + "/sparql", headers={"Accept": "application/sparql-results+json"}, timeout=60,
                        data={"query": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
                              f'FILTER(STRSTARTS(STR(?g), "{CONTRIBUTION}")) }} GROUP BY ?g'}).json()
    served = {row["g"]["value"]: int(row["n"]["value"]) for row in counts["results"]["bindings"]}
    assert served == {graph: len(sent[k].lines) for k, graph in held.items()}
    listed = httpx.get(server.url + "/api/v1/contributions", params={"limit": 1000}, timeout=60).json()
    assert listed["total"] == len(held)
    assert server.stop() == 0
    found = survey(store, probe=list(sent.values()))
    assert _check(found, sent, held, "after a clean stop, every triple read") == held
    assert found.scratch == updated
    print(f"{len(MODES)} kills; {len(held)} of {len(sent)} contributions held; {time.monotonic() - started:.0f} s")
