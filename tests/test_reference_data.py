"""All reference data loaded together: ESSGLOBAL schemes, EU data themes, and queries that cross the graphs."""

from __future__ import annotations

import csv
import time
from collections.abc import Iterator

import pytest
from rdflib import Literal
from rdflib.namespace import RDF, SKOS

from graph.embedded import EmbeddedStore
from graph.iris import Iris
from graph.sparql_text import checked_iri
from loaders.importer import ImportReport, import_source
from loaders.registry import ontology_and_reference
from loaders.sources.data_themes import THEMES_FILE
from loaders.sources.essglobal_schemes import STANDARD_DIR
from loaders.sources.legal_form_kinds import COMMUNITY_BENEFIT, COMMUNITY_INTEREST, COOPERATIVE, MUTUAL
from loaders.sources.reference import reference_sources
from loaders.sources.reference_common import parse_rdf

IRIS = Iris("https://ourdata.coop/")
PREFIXES = "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\nPREFIX dct: <http://purl.org/dc/terms/>\n"


@pytest.fixture(scope="module")
def loaded() -> Iterator[tuple[EmbeddedStore, list[ImportReport], float]]:
    store = EmbeddedStore.open(None)
    started = time.monotonic()
    reports = [import_source(store, IRIS, source) for source in reference_sources()]
    yield store, reports, time.monotonic() - started
    store.close()


def graph(name: str) -> str:
    return checked_iri(IRIS.graph("reference", name))


def test_each_source_in_its_own_graph_quickly(loaded: tuple[EmbeddedStore, list[ImportReport], float]) -> None:
    store, reports, seconds = loaded
    assert [r.graph for r in reports] == [IRIS.graph("reference", s.info.name) for s in reference_sources()]
    assert all(r.triples > 0 and store.count(r.graph) == r.triples for r in reports)
    problems = [p for r in reports for p in r.problems]
    assert {p["value"] for p in problems} == {"XK"}  # Kosovo's legal forms: no ISO 3166-1 country to point at
    assert seconds < 20  # a few seconds on a developer machine; generous for a loaded CI


def test_registered_after_the_ontology() -> None:
    names = [s.info.name for s in ontology_and_reference()]
    ours = [s.info.name for s in reference_sources()]
    assert names[-len(ours):] == ours


def test_reimport_changes_nothing(loaded: tuple[EmbeddedStore, list[ImportReport], float]) -> None:
    store, _, _ = loaded

    def content(name: str) -> set[tuple[str, str, str]]:
        rows = store.select(f"SELECT ?s ?p ?o WHERE {{ GRAPH {graph(name)} {{ ?s ?p ?o }} }}")
        return {(str(r["s"]), str(r["p"]), r["o"].n3()) for r in rows}  # type: ignore[union-attr]

    for source in reference_sources():
        before = content(source.info.name)
        import_source(store, IRIS, source)
        assert content(source.info.name) == before, source.info.name


def test_essglobal_concepts_from_the_files(loaded: tuple[EmbeddedStore, list[ImportReport], float]) -> None:
    store, _, _ = loaded
    concepts = set()
    for path in STANDARD_DIR.glob("*.ttl"):
        concepts |= set(parse_rdf(path, "turtle").subjects(RDF.type, SKOS.Concept))
    rows = store.select(PREFIXES + f"SELECT ?c ?code WHERE {{ GRAPH {graph('essglobal-schemes')} "
                        "{ ?c a skos:Concept ; skos:notation ?code } }")
    assert {r["c"] for r in rows} == concepts
    assert {str(r["code"]) for r in rows} >= {"OS115", "OS170", "L2", "BMT40", "ICA10"}
    assert not store.ask(PREFIXES + f"ASK {{ GRAPH {graph('essglobal-schemes')} {{ ?s ?p '' }} }}")
    assert not store.ask(PREFIXES + f"ASK {{ GRAPH {graph('essglobal-schemes')} {{ ?s ?p ?o . "
                         "FILTER(isLiteral(?o) && STR(?o) = '') } }")


def test_legal_form_links_point_at_loaded_essglobal_concepts(
        loaded: tuple[EmbeddedStore, list[ImportReport], float]) -> None:
    store, _, _ = loaded
    for target in COOPERATIVE + MUTUAL + COMMUNITY_BENEFIT + COMMUNITY_INTEREST:
        assert store.ask(PREFIXES + f"ASK {{ {checked_iri(target)} a skos:Concept ; skos:prefLabel ?l }}"), target


def test_thirteen_eu_data_themes(loaded: tuple[EmbeddedStore, list[ImportReport], float]) -> None:
    store, _, _ = loaded
    with THEMES_FILE.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    found = store.select(PREFIXES + f"SELECT ?t ?code ?label WHERE {{ GRAPH {graph('data-themes')} "
                         "{ ?t a skos:Concept ; skos:notation ?code ; skos:prefLabel ?label } }")
    assert len(found) == len(rows) == 13
    assert {str(r["t"]) for r in found} == {
        f"http://publications.europa.eu/resource/authority/data-theme/{row['code']}" for row in rows}
    assert any(r["label"] == Literal("Health", lang="en") for r in found)


def test_legal_forms_point_at_loaded_countries(loaded: tuple[EmbeddedStore, list[ImportReport], float]) -> None:
    store, _, _ = loaded
    dangling = store.select(PREFIXES + f"""SELECT ?c WHERE {{ GRAPH {graph('legal-forms')} {{ ?f dct:spatial ?c }}
        FILTER NOT EXISTS {{ GRAPH {graph('countries')} {{ ?c a skos:Concept }} }} }} LIMIT 1""")
    assert dangling == []


def test_co_operative_legal_forms_in_the_eu(loaded: tuple[EmbeddedStore, list[ImportReport], float]) -> None:
    store, _, _ = loaded
    rows = store.select(PREFIXES + f"""SELECT ?code WHERE {{ ?f skos:broadMatch {checked_iri(COOPERATIVE[0])} ;
        skos:notation ?code ; dct:spatial/skos:broader {checked_iri(IRIS.thing('region', 'eu'))} }}""")
    codes = {str(r["code"]) for r in rows}
    assert {"AZFE", "8TOF", "V1Z5", "NFFH"} <= codes
    assert "ZZGG" not in codes and "QSI2" not in codes  # United Kingdom and Switzerland are not in the EU
