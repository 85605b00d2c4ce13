"""Crash-safety support: the real ``ourdata serve`` in a process group of its own, killed with SIGKILL on purpose;
large N-Triples contributions whose exact content we know; and a survey of what the store holds after a crash,
read by opening the store directory in this process once the server is dead."""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import httpx
from conftest import BASE, free_port
from rdflib import URIRef

from graph.embedded import EmbeddedStore
from graph.formats import RDF_BY_NAME

OURDATA = Path(sys.executable).with_name("ourdata")
CONTRIBUTION = BASE + "graph/contribution/"
SCRATCH = BASE + "graph/crash-update/"  # graphs that SPARQL updates cut off by a kill write into
META = BASE + "graph/meta"
_ID = BASE + "id/"

_META_QUERY = """PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX spdx: <http://spdx.org/rdf/terms#>
PREFIX void: <http://rdfs.org/ns/void#>
SELECT ?g ?sum ?n ?meta WHERE { GRAPH ?meta {
  ?g <https://ourdata.coop/def/sourceFamily> "contribution" .
  OPTIONAL { ?g prov:wasDerivedFrom/spdx:checksum/spdx:checksumValue ?sum }
  OPTIONAL { ?g void:triples ?n } } }"""
_META_SUBJECTS = f"""SELECT ?s (COUNT(*) AS ?n) ?meta WHERE {{ GRAPH ?meta {{ ?s ?p ?o }}
  FILTER(STRSTARTS(STR(?s), "{CONTRIBUTION}")) }} GROUP BY ?s ?meta"""
_COUNT = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
# One pattern per index the engine keeps for named graphs (subject-, object-, predicate-object- and graph-first),
# so a write that reached some indexes and not others shows.
_PUBLISHER = "<http://purl.org/dc/terms/publisher>"
_PROBES = {
    "s": "SELECT ?x (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?x ?p ?o } } GROUP BY ?x",
    "o": "SELECT ?x (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?x } } GROUP BY ?x",
    "po": f"SELECT ?x (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s {_PUBLISHER} ?x }} }} GROUP BY ?x",
    "gp": f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s {_PUBLISHER} ?o }} }} GROUP BY ?g",
    "go": "SELECT ?g ?x (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?x } } GROUP BY ?g ?x",
}


def insert_data(graph: str, triples: int) -> str:
    """A SPARQL update that adds ``triples`` statements to ``graph`` in one operation."""
    body = "\n".join(f"<urn:crash:s{n}> <urn:crash:p> {n} ." for n in range(triples))
    return f"INSERT DATA {{ GRAPH <{graph}> {{\n{body}\n}} }}"


def contribution(tag: str, organisations: int) -> bytes:
    """N-Triples of ``organisations`` new organisations, each with a dataset, under our own IRIs (kept as they
    are, so the contribution's graph must hold exactly these lines): 10 triples and 2 records per organisation."""
    lines = []
    for n in range(organisations):
        org, data = f"<{_ID}organisation/crash-{tag}-{n}>", f"<{_ID}dataset/crash-{tag}-{n}-data>"
        lines += [
            f"{org} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://www.w3.org/ns/org#FormalOrganization> .",
            f'{org} <http://www.w3.org/2004/02/skos/core#prefLabel> "Crash Test Co-op {tag} {n}" .',
            f"{org} <http://purl.org/dc/terms/spatial> <{_ID}country/gb> .",
            f"{org} <http://xmlns.com/foaf/0.1/homepage> <https://crash-{tag}-{n}.example.org/> .",
            f'{org} <http://purl.org/dc/terms/description> "Organisation {n} of batch {tag}, sent to be cut off."@en .',
            f"{data} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://www.w3.org/ns/dcat#Dataset> .",
            f'{data} <http://purl.org/dc/terms/title> "Data {n} of {tag}"@en .',
            f'{data} <http://purl.org/dc/terms/description> "Numbers {n} of {tag}."@en .',
            f"{data} <http://purl.org/dc/terms/publisher> {org} .",
            f"{data} <http://purl.org/dc/terms/license> <{_ID}licence/CC-BY-4.0> .",
        ]
    return ("\n".join(lines) + "\n").encode("utf-8")


@dataclass
class Sent:
    """A contribution file we sent, and what its graph must hold if it landed."""

    name: str
    tag: str
    organisations: int

    @cached_property
    def body(self) -> bytes:
        return contribution(self.tag, self.organisations)

    @cached_property
    def checksum(self) -> str:
        return hashlib.sha256(self.body).hexdigest()

    @cached_property
    def lines(self) -> list[str]:
        return sorted(self.body.decode("utf-8").splitlines())

    def samples(self) -> list[tuple[URIRef, URIRef]]:
        """A few of its organisations (first, middle, last) and their home pages."""
        return [(URIRef(f"{_ID}organisation/crash-{self.tag}-{n}"), URIRef(f"https://crash-{self.tag}-{n}.example.org/"))
                for n in sorted({0, self.organisations // 2, self.organisations - 1})]

    def in_every_index(self) -> dict[str, int]:
        """What :func:`_probe` finds when the whole contribution is there."""
        k = len(self.samples())
        return {"s": 5 * k, "o": k, "po": k, "gp": self.organisations, "go": k}


@dataclass
class Landed:
    """One contribution as the store holds it: its data graph and its record in the meta graph."""

    graph: str
    count: int
    lines: list[str] | None  # the graph's N-Triples, sorted, when asked for
    checksum: str | None = None
    triples: int | None = None
    meta_statements: int = 0


@dataclass
class Survey:
    """Every contribution the store holds, read directly from the store directory."""

    landed: dict[str, Landed] = field(default_factory=dict)
    indexes: dict[str, dict[str, int]] = field(default_factory=dict)  # checksum -> what each probe found
    scratch: dict[str, int] = field(default_factory=dict)  # triples in each graph under SCRATCH
    data_only: set[str] = field(default_factory=set)  # a contribution graph with no record in the meta graph
    meta_only: set[str] = field(default_factory=set)  # a record (or part of one) with no data graph

    def by_checksum(self) -> dict[str | None, list[Landed]]:
        out: dict[str | None, list[Landed]] = {}
        for item in self.landed.values():
            out.setdefault(item.checksum, []).append(item)
        return out


def _owner(subject: str) -> str:
    """The contribution a meta-graph subject belongs to (``{g}``, ``{g}/activity``, ``{g}/file/checksum``)."""
    return CONTRIBUTION + subject[len(CONTRIBUTION):].split("/", 1)[0]


def _count(store: EmbeddedStore, query: str, bindings: dict[str, URIRef]) -> int:
    rows = store.select(query, bindings)
    return int(str(rows[0]["n"])) if rows else 0


def _probe(store: EmbeddedStore, sent: Sent, graph: str | None) -> dict[str, int]:
    """Finds a contribution's sample statements through each index: all there, or none anywhere."""
    found = {name: 0 for name in _PROBES}
    for org, home in sent.samples():
        found["s"] += _count(store, _PROBES["s"], {"x": org})
        found["o"] += _count(store, _PROBES["o"], {"x": home})
        found["po"] += _count(store, _PROBES["po"], {"x": org})
        if graph is not None:
            found["go"] += _count(store, _PROBES["go"], {"g": URIRef(graph), "x": org})
    if graph is not None:
        found["gp"] = _count(store, _PROBES["gp"], {"g": URIRef(graph)})
    return found


def survey(path: Path, *, counted_only: Collection[str] = (), probe: Collection[Sent] = ()) -> Survey:
    """Opens the store (as a restarted server would: RocksDB recovers its log) and reads every contribution:
    its triple count, its record in the meta graph, and its N-Triples unless it is in ``counted_only`` (a graph
    read in full before: reading 20,000 triples costs about as much as a second, counting them a few ms);
    looks for the contributions in ``probe`` through every index."""
    store = EmbeddedStore.open(path)
    try:
        meta = URIRef(META)
        named = store.named_graphs()
        graphs = [g for g in named if g.startswith(CONTRIBUTION)]
        counts = {g: int(str(store.select(_COUNT, {"g": URIRef(g)})[0]["n"])) for g in graphs}
        scratch = {g: int(str(store.select(_COUNT, {"g": URIRef(g)})[0]["n"])) for g in named if g.startswith(SCRATCH)}
        lines: dict[str, list[str]] = {}
        for graph in graphs:
            if graph not in counted_only:
                buffer = io.BytesIO()
                store.serialize(buffer, RDF_BY_NAME["ntriples"], graph=graph)
                lines[graph] = sorted(buffer.getvalue().decode("utf-8").splitlines())
        records = {str(row["g"]): row for row in store.select(_META_QUERY, {"meta": meta})}
        parts: Counter[str] = Counter()
        for row in store.select(_META_SUBJECTS, {"meta": meta}):
            parts[_owner(str(row["s"]))] += int(str(row["n"]))
        graph_of = {str(row.get("sum")): g for g, row in records.items()}
        indexes = {sent.checksum: _probe(store, sent, graph_of.get(sent.checksum)) for sent in probe}
    finally:
        store.close()
    out = Survey(indexes=indexes, scratch=scratch)
    for graph, count in counts.items():
        if graph not in records:
            out.data_only.add(graph)
            continue
        row = records[graph]
        out.landed[graph] = Landed(graph, count, lines.get(graph),
                                   str(row["sum"]) if row.get("sum") is not None else None,
                                   int(str(row["n"])) if row.get("n") is not None else None, parts[graph])
    out.meta_only = (set(records) | set(parts)) - set(counts)
    return out


class ServerProcess:
    """``ourdata serve`` on one store, in a new session (its own process group, with any reader processes)."""

    def __init__(self, store: Path, workdir: Path, env: dict[str, str]) -> None:
        self.store, self.workdir, self.env = store, workdir, env
        self.process: subprocess.Popen[bytes] | None = None
        self.url = ""
        self.starts = 0

    def start(self, seconds: float = 120) -> None:
        """Starts the server and waits until it answers; a port taken meanwhile by someone else is tried again."""
        for _ in range(3):
            if self._start(seconds):
                return
        raise AssertionError(f"no free port for the server: {self.log()[-2000:]}")

    def _start(self, seconds: float) -> bool:
        assert self.process is None, "already running"
        self.starts += 1
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        log = (self.workdir / f"serve-{self.starts}.log").open("wb")
        self.process = subprocess.Popen([str(OURDATA), "serve", "--store", str(self.store), "--port", str(port)],
                                        env={**os.environ, **self.env}, stdout=log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        log.close()
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                code, self.process = self.process.returncode, None
                if "address already in use" in self.log():
                    return False
                raise AssertionError(f"the server exited ({code}): {self.log()[-3000:]}")
            try:
                if httpx.get(self.url + "/healthz", timeout=2).status_code == 200:
                    return True
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise AssertionError(f"the server did not answer in {seconds} s: {self.log()[-3000:]}")

    def log(self) -> str:
        return (self.workdir / f"serve-{self.starts}.log").read_text(errors="replace")

    def kill(self) -> None:
        """``kill -9`` of the server, then of whatever it started (its reader processes)."""
        if self.process is None:
            return
        process, self.process = self.process, None
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)

    def stop(self) -> int:
        """A clean stop (Ctrl-C); SIGKILL if it does not end in time. Returns the exit code."""
        assert self.process is not None
        process = self.process
        process.send_signal(signal.SIGINT)
        try:
            code = process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            code = -1
        self.kill()
        return code
