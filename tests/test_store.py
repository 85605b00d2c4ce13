"""EmbeddedStore on memory and on disk: loads, replacements (diff and blank-node paths), drops, the query
dataset, atomicity of failed writes, and the lock a second process meets."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import DATA, load_fixture
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from graph.embedded import EmbeddedStore
from graph.errors import BadRequest, QuerySyntaxError, RdfSyntaxError, StoreError, StoreLocked
from graph.formats import RDF_BY_NAME, RESULTS_BY_NAME, ResultKind
from graph.store import QueryRequest, UpdateRequest

SAMPLE = DATA / "sample.trig"
ORGS = "https://ourdata.coop/graph/source/sample"
DATASETS = "https://ourdata.coop/graph/source/datasets"
EX = "http://example.org/"
P, Q = URIRef(EX + "p"), URIRef(EX + "q")
NT = RDF_BY_NAME["ntriples"]


def sample_dataset() -> Dataset:
    dataset = Dataset(default_union=True)
    dataset.parse(SAMPLE, format="trig")
    return dataset


def sample_graph(iri: str) -> Graph:
    graph = Graph()
    for s, p, o in sample_dataset().graph(URIRef(iri)):
        graph.add((s, p, o))
    return graph


def quad_total(dataset: Dataset) -> int:
    return sum(1 for _ in dataset.quads((None, None, None, None)))


@pytest.fixture(params=["memory", "disk"])
def store(request: pytest.FixtureRequest) -> EmbeddedStore:
    opened: EmbeddedStore = request.getfixturevalue(f"{request.param}_store")
    load_fixture(opened)
    return opened


def graph_of(store: EmbeddedStore, iri: str | None) -> Graph:
    buffer = io.BytesIO()
    store.serialize(buffer, NT, graph=iri)
    return Graph().parse(data=buffer.getvalue().decode(), format="nt")


def nt(*lines: str) -> bytes:
    return "\n".join(lines).encode()


# ----------------------------------------------------------------------------------------------- loading
def test_load_keeps_every_quad_of_the_fixture(store: EmbeddedStore) -> None:
    expected = sample_dataset()
    assert store.count() == quad_total(expected)
    assert store.named_graphs() == sorted(str(g.identifier) for g in expected.graphs() if len(g))
    for iri in (ORGS, DATASETS):
        assert isomorphic(graph_of(store, iri), sample_graph(iri))
    assert {info.iri: info.triples for info in store.graph_infos()} == {
        ORGS: len(sample_graph(ORGS)), DATASETS: len(sample_graph(DATASETS))}


def test_load_into_one_graph_and_the_default_graph(store: EmbeddedStore) -> None:
    before = store.count()
    assert store.load(nt(f"<{EX}a> <{EX}p> \"1\" .", f"<{EX}b> <{EX}p> \"2\" ."), NT, graph=EX + "g") == 2
    assert store.count(EX + "g") == 2
    assert store.load(nt(f"<{EX}a> <{EX}p> \"0\" ."), NT, graph=None) == 1
    assert store.count() == before + 3 and len(graph_of(store, None)) == 1
    assert [info.iri for info in store.graph_infos()][0] is None  # the default graph is listed first


def test_a_document_that_names_graphs_is_refused_unless_allowed(store: EmbeddedStore) -> None:
    before = store.count()
    trig = f"<{EX}g> {{ <{EX}a> <{EX}p> <{EX}b> }}".encode()
    with pytest.raises(RdfSyntaxError):
        store.load(trig, RDF_BY_NAME["trig"], graph=EX + "target")
    assert store.count() == before
    assert store.load(trig, RDF_BY_NAME["trig"], graph=None, allow_named_graphs=True) == 1
    assert store.graph_exists(EX + "g")


def test_a_failing_load_changes_nothing(store: EmbeddedStore) -> None:
    before, version = store.count(), store.version()
    good = [f"<{EX}s{i}> <{EX}p> \"{i}\" ." for i in range(500)]
    with pytest.raises(RdfSyntaxError) as caught:
        store.load(nt(*good, "<broken"), NT, graph=EX + "g")
    assert "ntriples" in caught.value.detail
    assert store.count() == before
    assert not store.graph_exists(EX + "g")
    assert store.version() == version  # nothing was written, so nothing changed


def test_an_empty_document_still_creates_the_graph(store: EmbeddedStore) -> None:
    assert store.load(b"", NT, graph=EX + "empty") == 0
    assert store.graph_exists(EX + "empty")


@pytest.mark.parametrize("bad", ["not an iri", "relative/path", ""])
def test_an_invalid_graph_iri_is_a_bad_request_everywhere(store: EmbeddedStore, bad: str) -> None:
    before = store.count()
    with pytest.raises(BadRequest):
        store.load(nt(f"<{EX}a> <{EX}p> <{EX}b> ."), NT, graph=bad)
    with pytest.raises(BadRequest):
        store.replace_graph(nt(f"<{EX}a> <{EX}p> <{EX}b> ."), NT, graph=bad)
    with pytest.raises(BadRequest):
        store.serialize(io.BytesIO(), NT, graph=bad)
    with pytest.raises(BadRequest):
        store.drop_graph(bad)
    assert store.count() == before


# ----------------------------------------------------------------------------------------------- updates
def test_a_failing_multi_operation_update_changes_nothing(store: EmbeddedStore) -> None:
    before = store.count()
    update = f"INSERT DATA {{ GRAPH <{EX}g> {{ <{EX}a> <{EX}p> 1 }} }} ; CLEAR GRAPH <{EX}does-not-exist>"
    with pytest.raises(BadRequest) as caught:
        store.update(UpdateRequest(update))
    assert "changed nothing" in caught.value.detail
    assert store.count() == before
    assert not store.graph_exists(EX + "g")


def test_a_malformed_update_changes_nothing(store: EmbeddedStore) -> None:
    before = store.count()
    with pytest.raises(QuerySyntaxError):
        store.update(UpdateRequest(f"INSERT DATA {{ <{EX}a> <{EX}p> 1 }} ; CLEAR XYZ"))
    assert store.count() == before


def test_update_with_protocol_using_graph(store: EmbeddedStore) -> None:
    copy = f"INSERT {{ GRAPH <{EX}copy> {{ ?s ?p ?o }} }} WHERE {{ ?s ?p ?o }}"
    store.update(UpdateRequest(copy))  # the update's default graph is the store's own, empty one
    assert store.count(EX + "copy") == 0
    store.update(UpdateRequest(copy, using_graph_uris=(DATASETS,)))
    assert isomorphic(graph_of(store, EX + "copy"), sample_graph(DATASETS))
    with pytest.raises(BadRequest):
        store.update(UpdateRequest(f"DELETE {{ ?s ?p ?o }} USING <{ORGS}> WHERE {{ ?s ?p ?o }}",
                                   using_graph_uris=(ORGS,)))


# ------------------------------------------------------------------------------------------ replacements
def test_replace_graph_from_a_document(store: EmbeddedStore) -> None:
    first = store.replace_graph(nt(f"<{EX}a> <{EX}p> \"1\" .", f"<{EX}a> <{EX}p> \"2\" ."), NT, graph=EX + "g")
    assert (first.created, first.added, first.removed) == (True, 2, 0)
    second = store.replace_graph(nt(f"<{EX}a> <{EX}p> \"2\" .", f"<{EX}a> <{EX}p> \"3\" ."), NT, graph=EX + "g")
    assert (second.created, second.added, second.removed) == (False, 1, 1)
    assert {str(o) for _, _, o in graph_of(store, EX + "g")} == {"2", "3"}
    before = store.count()
    with pytest.raises(RdfSyntaxError):
        store.replace_graph(b"<broken", NT, graph=EX + "g")
    assert store.count() == before
    assert {str(o) for _, _, o in graph_of(store, EX + "g")} == {"2", "3"}


def test_replace_graph_with_writes_only_the_difference(store: EmbeddedStore) -> None:
    graph = EX + "source"
    old = [(URIRef(EX + f"s{i}"), P, Literal(i)) for i in range(10)]
    store.replace_graph_with(graph, old)
    version = store.version()
    same = store.replace_graph_with(graph, old)
    assert (same.added, same.removed) == (0, 0)
    assert store.version() == version  # an unchanged graph is not rewritten
    new = old[2:] + [(URIRef(EX + "s99"), P, Literal(99))]
    result = store.replace_graph_with(graph, new)
    assert (result.created, result.added, result.removed) == (False, 1, 2)
    expected = Graph()
    for triple in new:
        expected.add(triple)
    assert isomorphic(graph_of(store, graph), expected)


def test_replace_graph_with_keeps_blank_node_structure(store: EmbeddedStore) -> None:
    """A blank node kept from the old graph and used by new triples must stay one node, not split in two."""
    graph = EX + "bnodes"
    node = BNode("site")
    store.replace_graph_with(graph, [(URIRef(EX + "org"), P, node), (node, P, Literal("1"))])
    new = [(URIRef(EX + "org"), P, node), (node, P, Literal("1")), (node, Q, Literal("2"))]
    store.replace_graph_with(graph, new)
    expected = Graph()
    for triple in new:
        expected.add(triple)
    assert isomorphic(graph_of(store, graph), expected)
    nodes = store.select(f"SELECT DISTINCT ?n WHERE {{ GRAPH <{graph}> {{ <{EX}org> ?p ?n }} }}")
    assert len(nodes) == 1
    # removing a triple with a blank node works too (DELETE DATA cannot name blank nodes)
    store.replace_graph_with(graph, [(URIRef(EX + "org"), P, Literal("gone"))])
    assert {str(o) for _, _, o in graph_of(store, graph)} == {"gone"}


def test_replace_graph_with_replaces_provenance_about_the_graph(store: EmbeddedStore) -> None:
    graph, meta = EX + "source", EX + "meta"
    about = URIRef(graph)
    first_meta = [(about, P, Literal("run 1"), URIRef(meta)), (about, Q, BNode("activity"), URIRef(meta))]
    store.replace_graph_with(graph, [(URIRef(EX + "a"), P, Literal(1))], extra_quads=first_meta, drop_about=graph)
    other = (URIRef(EX + "other"), P, Literal("kept"), URIRef(meta))
    store.add_quads([other])
    result = store.replace_graph_with(graph, [(URIRef(EX + "a"), P, Literal(1))],
                                      extra_quads=[(about, P, Literal("run 2"), URIRef(meta))], drop_about=graph)
    assert result.removed == 2  # both provenance quads, the blank-node one included
    assert {(str(s), str(o)) for s, _, o in graph_of(store, meta)} == {(graph, "run 2"), (EX + "other", "kept")}
    assert store.count(graph) == 1


def test_replacing_with_nothing_leaves_an_existing_empty_graph(store: EmbeddedStore) -> None:
    result = store.replace_graph_with(EX + "new-empty", [])
    assert result.created and store.graph_exists(EX + "new-empty")
    emptied = store.replace_graph(b"", NT, graph=ORGS)
    assert emptied.removed == len(sample_graph(ORGS))
    assert store.graph_exists(ORGS) and store.count(ORGS) == 0


def test_replace_the_default_graph(store: EmbeddedStore) -> None:
    store.load(nt(f"<{EX}a> <{EX}p> _:b1 .", f"_:b1 <{EX}p> \"x\" ."), NT, graph=None)
    result = store.replace_graph(nt(f"<{EX}a> <{EX}p> \"y\" ."), NT, graph=None)
    assert not result.created
    assert {str(o) for _, _, o in graph_of(store, None)} == {"y"}
    assert store.count(ORGS) == len(sample_graph(ORGS))  # named graphs untouched


# --------------------------------------------------------------------------------------------- dropping
def test_drop_graph(store: EmbeddedStore) -> None:
    total = store.count()
    assert store.drop_graph(DATASETS) is True
    assert not store.graph_exists(DATASETS)
    assert store.count() == total - len(sample_graph(DATASETS))
    assert store.drop_graph(DATASETS) is False
    assert store.drop_graph(None) is False  # the default graph was empty
    store.load(nt(f"<{EX}a> <{EX}p> <{EX}b> ."), NT, graph=None)
    assert store.drop_graph(None) is True
    assert len(graph_of(store, None)) == 0


# ------------------------------------------------------------------------------------ reads and datasets
def test_serialize_whole_store_round_trips(store: EmbeddedStore) -> None:
    for name in ("nquads", "trig"):
        buffer = io.BytesIO()
        store.serialize(buffer, RDF_BY_NAME[name], whole=True)
        reread = Dataset()
        reread.parse(data=buffer.getvalue().decode(), format=name)
        expected = sample_dataset()
        assert set(reread.quads((None, None, None, None))) == set(expected.quads((None, None, None, None)))
    with pytest.raises(BadRequest):
        store.serialize(io.BytesIO(), RDF_BY_NAME["turtle"], whole=True)


def test_default_graph_is_the_union_unless_the_query_names_its_dataset(store: EmbeddedStore) -> None:
    union = store.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert int(union[0]["n"]) == quad_total(sample_dataset())
    from_one = store.select(f"SELECT (COUNT(*) AS ?n) FROM <{DATASETS}> WHERE {{ ?s ?p ?o }}")
    assert int(from_one[0]["n"]) == len(sample_graph(DATASETS))
    only_named = store.select(f"SELECT (COUNT(*) AS ?n) FROM NAMED <{DATASETS}> WHERE {{ ?s ?p ?o }}")
    assert int(only_named[0]["n"]) == 0  # FROM NAMED alone: an empty default graph (SPARQL 1.1 13.2)
    graphs = store.select(f"SELECT DISTINCT ?g FROM NAMED <{DATASETS}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}")
    assert [str(r["g"]) for r in graphs] == [DATASETS]


@pytest.mark.parametrize(("default", "named", "expected_default", "expected_named"), [
    ((), (), "union", [ORGS, DATASETS]),
    ((DATASETS,), (), DATASETS, []),
    ((), (ORGS,), None, [ORGS]),
    ((DATASETS,), (ORGS,), DATASETS, [ORGS]),
])
def test_protocol_dataset_is_exactly_what_it_lists(store: EmbeddedStore, default: tuple[str, ...],
                                                    named: tuple[str, ...], expected_default: str | None,
                                                    expected_named: list[str]) -> None:
    def run(query: str) -> list[dict[str, object]]:
        sink = io.BytesIO()

        class Sink:
            def begin(self, fmt: object, kind: ResultKind, cap: object = None) -> None:
                pass

            def write(self, data: bytes) -> int:
                return sink.write(data)

            def flush(self) -> None:
                pass

        store.run_query(QueryRequest(query, default, named), lambda _kind: RESULTS_BY_NAME["json"], Sink())
        return json.loads(sink.getvalue())["results"]["bindings"]

    # FROM in the query is overridden by the protocol's dataset, when there is one
    count = int(str(run(f"SELECT (COUNT(*) AS ?n) FROM <{ORGS}> WHERE {{ ?s ?p ?o }}")[0]["n"]["value"]))
    if expected_default == "union":
        assert count == len(sample_graph(ORGS))  # no protocol dataset: the query's FROM holds
    elif expected_default is None:
        assert count == 0
    else:
        assert count == len(sample_graph(expected_default))
    graphs = run("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g")
    assert sorted(r["g"]["value"] for r in graphs) == sorted(expected_named)


def test_select_bindings_are_values_not_text(store: EmbeddedStore) -> None:
    org = URIRef("https://ourdata.coop/id/organisation/alpha-coop")
    rows = store.select("SELECT ?org ?label WHERE { ?org <http://www.w3.org/2004/02/skos/core#prefLabel> ?label }",
                        bindings={"org": org})
    assert [str(r["label"]) for r in rows] == [str(o) for o in sample_dataset().objects(
        org, URIRef("http://www.w3.org/2004/02/skos/core#prefLabel"))]
    with pytest.raises(QuerySyntaxError):
        store.select("SELECT ?label WHERE { ?org ?p ?label }", bindings={"org": org})  # ?org is not projected
    with pytest.raises(QuerySyntaxError):
        store.select("ASK { ?s ?p ?o }")
    assert store.ask("ASK { ?s ?p ?o }") is True
    triples = store.construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{DATASETS}> {{ ?s ?p ?o }} }}")
    assert set(triples) == set(sample_graph(DATASETS))


# ------------------------------------------------------------------------------------------------- locks
def test_read_only_store_refuses_writes(tmp_path: Path) -> None:
    writer = EmbeddedStore.open(tmp_path / "ro")
    load_fixture(writer)
    writer.close()
    reader = EmbeddedStore.open(tmp_path / "ro", read_only=True)
    assert reader.count() == quad_total(sample_dataset())
    with pytest.raises(StoreError):
        reader.load(nt(f"<{EX}a> <{EX}p> <{EX}b> ."), NT, graph=EX + "g")
    with pytest.raises(StoreError):
        reader.update(UpdateRequest("CLEAR ALL"))
    assert reader.count() == quad_total(sample_dataset())


def test_second_opener_in_this_process_meets_the_lock(disk_store: EmbeddedStore) -> None:
    assert disk_store.path is not None
    with pytest.raises(StoreLocked) as caught:
        EmbeddedStore.open(disk_store.path)
    assert "--url" in caught.value.detail


def test_second_process_meets_the_lock_and_is_told_about_url(disk_store: EmbeddedStore) -> None:
    script = textwrap.dedent(f"""
        from pathlib import Path
        from graph.embedded import EmbeddedStore
        from graph.errors import StoreLocked
        try:
            EmbeddedStore.open(Path({str(disk_store.path)!r}))
        except StoreLocked as exc:
            print(exc.detail)
            raise SystemExit(3)
        raise SystemExit(0)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                          cwd=Path(__file__).parent.parent)
    assert done.returncode == 3, done.stderr
    assert "in use by another process" in done.stdout and "--url" in done.stdout


def test_csv_results_quote_iris_that_hold_commas(memory_store) -> None:
    """RFC 4180 + SPARQL CSV: an IRI with a comma is one field (the engine's own CSV writer splits it)."""
    import csv
    import io

    from graph.formats import RESULTS_BY_NAME
    from graph.store import QueryRequest

    memory_store.update(UpdateRequest('INSERT DATA { <http://ex.org/a,b> <http://ex.org/p> "x,\\"y\\"\\nz"@en }'))

    class Sink:
        def __init__(self) -> None:
            self.data = b""

        def begin(self, fmt, kind, cap=None) -> None:
            pass

        def write(self, data: bytes) -> int:
            self.data += data
            return len(data)

        def flush(self) -> None:
            pass

    sink = Sink()
    memory_store.run_query(QueryRequest("SELECT ?s ?o WHERE { ?s ?p ?o }"), lambda kind: RESULTS_BY_NAME["csv"], sink)
    rows = list(csv.reader(io.StringIO(sink.data.decode())))
    assert rows == [["s", "o"], ["http://ex.org/a,b", 'x,"y"\nz']]
