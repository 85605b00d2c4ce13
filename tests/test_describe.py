"""graph.describe: a resource's triples (with children and blank nodes), their sources, labels, last change."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from rdflib import BNode, Dataset, URIRef

from graph.describe import (
    describe,
    graphs_holding,
    label_of,
    labels,
    last_modified,
    referrers,
    statement_sources,
)
from graph.embedded import EmbeddedStore
from graph.formats import RDF_BY_NAME

FIXTURE = Path(__file__).parent / "data" / "linked" / "resources.trig"
BASE = "https://ourdata.coop/"
DELTA = BASE + "id/organisation/delta-coop"
META = BASE + "graph/meta"


@pytest.fixture(scope="module")
def store() -> EmbeddedStore:
    opened = EmbeddedStore.open(None)
    opened.load(FIXTURE.read_bytes(), RDF_BY_NAME["trig"], graph=None, allow_named_graphs=True)
    return opened


@pytest.fixture(scope="module")
def expected() -> Dataset:
    dataset = Dataset()
    dataset.parse(FIXTURE, format="trig")
    return dataset


def _expected_triples(dataset: Dataset) -> set[tuple[str, str, str]]:
    """Triples about DELTA or under DELTA/ or about blank nodes, from the file (blank nodes as a marker)."""
    found = set()
    for s, p, o, g in dataset.quads((None, None, None, None)):
        if str(g) == META:
            continue
        if isinstance(s, BNode) or str(s) == DELTA or str(s).startswith(DELTA + "/"):
            found.add(("_" if isinstance(s, BNode) else str(s), str(p), "_" if isinstance(o, BNode) else str(o)))
    return found


def _shape(triples: list) -> set[tuple[str, str, str]]:  # type: ignore[type-arg]
    return {("_" if isinstance(s, BNode) else str(s), str(p), "_" if isinstance(o, BNode) else str(o))
            for s, p, o in triples}


def test_describe_has_the_resource_its_children_and_blank_nodes(store: EmbeddedStore, expected: Dataset) -> None:
    triples = describe(store, DELTA)
    assert _shape(triples) == _expected_triples(expected)
    assert len(triples) == len(set(triples)), "a triple held by two graphs is listed once"


def test_describe_excludes_other_resources(store: EmbeddedStore) -> None:
    subjects = {str(s) for s, _, _ in describe(store, DELTA) if isinstance(s, URIRef)}
    assert BASE + "id/country/gb" not in subjects
    assert all(s == DELTA or s.startswith(DELTA + "/") for s in subjects)


def test_describe_unknown_is_empty(store: EmbeddedStore) -> None:
    assert describe(store, BASE + "id/organisation/nobody") == []
    # an IRI that is only ever an object is not "held"
    assert describe(store, "https://delta.example.org/") == []


def test_statement_sources_give_each_graph_with_provenance(store: EmbeddedStore, expected: Dataset) -> None:
    sources = statement_sources(store, DELTA)
    label = URIRef("http://www.w3.org/2004/02/skos/core#prefLabel")
    holding_label = {s.graph for s in sources if s.p == label and str(s.s) == DELTA}
    assert holding_label == {str(g) for _, _, _, g in expected.quads((URIRef(DELTA), label, None, None))}
    register = next(s for s in sources if s.graph == BASE + "graph/source/register")
    assert register.title == "Example register"
    assert register.licence == BASE + "id/licence/CC-BY-4.0"
    assert register.modified == datetime(2024, 3, 1, 10, 0, tzinfo=UTC)
    assert register.attribution and "Example register" in register.attribution
    # every statement of the description is accounted for by at least one graph
    assert {(s.s, s.p, s.o) for s in sources} == set(describe(store, DELTA))


def test_last_modified_is_the_newest_graph(store: EmbeddedStore) -> None:
    assert set(graphs_holding(store, DELTA)) == {BASE + "graph/source/register", BASE + "graph/source/directory"}
    assert last_modified(store, DELTA) == datetime(2025, 1, 15, 8, 30, tzinfo=UTC)
    assert last_modified(store, BASE + "id/organisation/nobody") is None


def test_labels_prefer_english_and_skip_unlabelled(store: EmbeddedStore) -> None:
    found = labels(store, [BASE + "id/country/gb", BASE + "id/legal-form/ZZGG", "https://delta.example.org/",
                           "not an iri"])
    assert found == {BASE + "id/country/gb": "United Kingdom", BASE + "id/legal-form/ZZGG": "Registered society"}
    assert label_of(store, DELTA) == "Delta Data Co-op"


def test_labels_fall_back_to_other_languages(memory_store: EmbeddedStore) -> None:
    memory_store.load(b'<https://ex.org/a> <http://www.w3.org/2000/01/rdf-schema#label> "Bonjour"@fr .\n'
                      b'<https://ex.org/a> <http://www.w3.org/2004/02/skos/core#prefLabel> "Hallo"@de .\n'
                      b'<https://ex.org/b> <http://xmlns.com/foaf/0.1/name> "Plain" .\n'
                      b'<https://ex.org/b> <http://purl.org/dc/terms/title> "Titre"@fr .\n',
                      RDF_BY_NAME["ntriples"], graph="https://ex.org/g")
    # same language rank: property order decides (prefLabel before rdfs:label); untagged beats other languages
    assert labels(memory_store, ["https://ex.org/a", "https://ex.org/b"]) == {
        "https://ex.org/a": "Hallo", "https://ex.org/b": "Plain"}


def test_skolem_iris_count_as_part_of_the_resource(memory_store: EmbeddedStore) -> None:
    genid = BASE + ".well-known/genid/policy/b1"
    memory_store.load(f"""<{BASE}id/licence/x> <http://www.w3.org/ns/odrl/2/hasPolicy> <{genid}> .
<{genid}> <http://www.w3.org/ns/odrl/2/permission> <{genid}-p> .
<{BASE}id/licence/y> <http://www.w3.org/2004/02/skos/core#related> <{BASE}id/licence/x> .""".encode(),
                      RDF_BY_NAME["ntriples"], graph=BASE + "graph/reference/licences")
    subjects = {str(s) for s, _, _ in describe(memory_store, BASE + "id/licence/x")}
    assert subjects == {BASE + "id/licence/x", genid}
    assert referrers(memory_store, BASE + "id/licence/x") == [
        (URIRef(BASE + "id/licence/y"), URIRef("http://www.w3.org/2004/02/skos/core#related"))]


def test_referrers_leave_out_the_resource_s_own_parts(store: EmbeddedStore) -> None:
    linked = {str(s) for s, _ in referrers(store, BASE + "id/country/gb")}
    assert linked == {DELTA}
    # the site links to its address, but from the site's own page that link is a part, not a referrer
    assert referrers(store, DELTA + "/site/registered/address") != []
    site = URIRef("http://www.w3.org/ns/org#hasRegisteredSite")
    assert referrers(store, DELTA + "/site/registered") == [(URIRef(DELTA), site)]
