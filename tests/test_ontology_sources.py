"""The ontology and vocabulary sources: one named graph each, no blank nodes, licence and attribution in the
meta graph, loaded first, and a re-import that changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, RDFS

import ontology
from graph.embedded import EmbeddedStore
from graph.errors import BadRequest
from graph.iris import Iris
from loaders.importer import import_source
from loaders.registry import ontology_and_reference
from loaders.sources.base import DATA_DIR
from loaders.sources.ontology import VOCABULARIES, OntologySource, as_stored, ontology_sources, parse_file
from ontology.vocab import OD

BASE = "https://ourdata.coop/"
SHARED_NAMES = {"org", "regorg", "dcat", "prov", "odrl", "eu-dga", "locn", "adms", "essglobal"}


@pytest.fixture(scope="module")
def loaded() -> tuple[EmbeddedStore, Iris]:
    store = EmbeddedStore.open(None)
    iris = Iris(BASE)
    for source in ontology_sources():
        import_source(store, iris, source)
    return store, iris


def _graph(store: EmbeddedStore, iri: str) -> Graph:
    rows = store.construct("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }", bindings={"g": URIRef(iri)})
    graph = Graph()
    for triple in rows:
        graph.add(triple)
    return graph


def test_every_vocabulary_file_is_shipped_with_its_provenance() -> None:
    assert {v.info.name for v in VOCABULARIES} == SHARED_NAMES
    for vocabulary in VOCABULARIES:
        assert vocabulary.info.default_file is not None
        path = DATA_DIR / vocabulary.info.default_file
        assert path.is_file(), path
        assert (path.parent / "PROVENANCE.md").is_file(), path.parent
        assert path.name in (path.parent / "PROVENANCE.md").read_text(encoding="utf-8")


def test_the_ontology_graph_is_exactly_our_two_files(loaded: tuple[EmbeddedStore, Iris]) -> None:
    store, iris = loaded
    assert isomorphic(_graph(store, iris.ontology_graph), ontology.ontology_graph())


@pytest.mark.parametrize("vocabulary", VOCABULARIES, ids=lambda v: v.info.name)
def test_each_vocabulary_is_in_its_own_graph_without_blank_nodes(loaded: tuple[EmbeddedStore, Iris],
                                                                  vocabulary: object) -> None:
    store, iris = loaded
    info = vocabulary.info  # type: ignore[attr-defined]
    graph_iri = iris.graph("vocabulary", info.name)
    assert graph_iri == f"{BASE}graph/vocabulary/{info.name}"
    stored = _graph(store, graph_iri)
    source = parse_file(DATA_DIR / info.default_file)
    assert len(stored) == len(source)
    assert not any(isinstance(t, BNode) for triple in stored for t in triple)
    # the same terms as the file, blank nodes aside
    named = {as_stored(t) if isinstance(t, Literal) else t for triple in source for t in triple
             if not isinstance(t, BNode)}
    assert named <= {t for triple in stored for t in triple}
    namespace = vocabulary.namespace  # type: ignore[attr-defined]
    assert any(str(s).startswith(namespace) for s in stored.subjects())


def test_blank_nodes_become_stable_skolem_iris() -> None:
    iris = Iris(BASE)
    dcat = next(v for v in VOCABULARIES if v.info.name == "dcat")
    first, second = dcat.build(iris).triples, dcat.build(iris).triples
    assert set(first) == set(second)
    skolems = {t for triple in first for t in triple if str(t).startswith(f"{BASE}.well-known/genid/")}
    blank = {t for triple in parse_file(DATA_DIR / "w3c-ns" / "dcat3.ttl") for t in triple if isinstance(t, BNode)}
    assert len(skolems) == len(blank) > 0


@pytest.mark.parametrize("source", ontology_sources(), ids=lambda s: s.info.name)
def test_meta_graph_credits_each_graph_with_licence_and_attribution(loaded: tuple[EmbeddedStore, Iris],
                                                                    source: object) -> None:
    store, iris = loaded
    info = source.info  # type: ignore[attr-defined]
    graph_iri = URIRef(iris.ontology_graph if info.family == "ontology" else iris.graph("vocabulary", info.name))
    meta = _graph(store, iris.meta_graph)
    assert (graph_iri, DCTERMS.license, URIRef(info.licence)) in meta
    assert (graph_iri, RDFS.comment, Literal(info.attribution, lang="en")) in meta
    assert (graph_iri, DCTERMS.source, URIRef(info.source_url)) in meta
    assert (graph_iri, OD.sourceFamily, Literal(info.family)) in meta


def test_reimporting_changes_no_data(loaded: tuple[EmbeddedStore, Iris]) -> None:
    store, iris = loaded
    before = {g: _graph(store, g) for g in store.named_graphs() if g != iris.meta_graph}
    for source in ontology_sources():
        report = import_source(store, iris, source)
        provenance = len(list(_graph(store, iris.meta_graph).triples((URIRef(report.graph), None, None))))
        assert report.added == report.removed == provenance, source.info.name  # only the provenance is renewed
    after = {g: _graph(store, g) for g in store.named_graphs() if g != iris.meta_graph}
    assert before.keys() == after.keys()
    for name, graph in before.items():
        assert set(graph) == set(after[name]), name


def test_the_ontology_and_vocabularies_load_first() -> None:
    ours = [s.info.name for s in ontology_sources()]
    assert [s.info.name for s in ontology_and_reference()][: len(ours)] == ours
    assert ours[0] == "ontology"


def test_ontology_graph_does_not_depend_on_the_base() -> None:
    assert set(OntologySource().build(Iris(BASE)).triples) == \
        set(OntologySource().build(Iris("https://data.example.org/kg/")).triples)


def test_a_file_that_is_not_rdf_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text("this is not turtle", encoding="utf-8")
    org = next(v for v in VOCABULARIES if v.info.name == "org")
    with pytest.raises(BadRequest):
        org.build(Iris(BASE), broken)
    with pytest.raises(BadRequest):
        org.build(Iris(BASE), tmp_path / "vocabulary.csv")
    with pytest.raises(BadRequest):
        OntologySource().build(Iris(BASE), broken)
