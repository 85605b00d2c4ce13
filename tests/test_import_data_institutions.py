"""The curated seed list: one organisation per row, typed and classified by the kind its source uses."""

from __future__ import annotations

import csv

import pytest
from rdflib import URIRef

from graph.embedded import EmbeddedStore
from graph.iris import Iris
from loaders.importer import ImportReport, import_source
from loaders.sources.base import DATA_DIR
from loaders.sources.data_institutions import FIRST_ROW, DataInstitutionsSeed

BASE = "https://ourdata.coop/"
CSV_PATH = DATA_DIR / "data-institutions-seed" / "data-institutions-seed.csv"
PREFIXES = """
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX eu-dga: <https://w3id.org/dpv/legal/eu/dga#>
PREFIX rov: <http://www.w3.org/ns/regorg#>
PREFIX od: <https://ourdata.coop/def/>
"""


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    with CSV_PATH.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def loaded() -> tuple[EmbeddedStore, ImportReport]:
    store = EmbeddedStore.open(None)
    return store, import_source(store, Iris(BASE), DataInstitutionsSeed())


def values(store: EmbeddedStore, query: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for row in store.select(PREFIXES + query):
        found.setdefault(str(row["o"]).rsplit("/", 1)[-1], set()).add(str(row["v"]))
    return found


def test_one_organisation_per_row_named_by_its_curated_id(loaded, rows) -> None:
    store, report = loaded
    assert report.counts["organisations"] == len(rows)
    names = values(store, "SELECT ?o ?v WHERE { ?o a org:FormalOrganization ; skos:prefLabel ?v }")
    assert names == {r["id"]: {r["name"]} for r in rows}


def test_data_cooperatives_typed_in_the_dga_sense_unless_only_proposed(loaded, rows) -> None:
    store, _ = loaded
    typed = set(values(store, "SELECT ?o ?v WHERE { ?o a eu-dga:DataCooperative BIND(1 AS ?v) }"))
    expected = {r["id"] for r in rows if r["kind"].startswith("data cooperative") and "proposed" not in r["kind"]}
    assert typed == expected and expected
    classified = set(values(store, "SELECT ?o ?v WHERE { ?o org:classification "
                                   "<https://ourdata.coop/def/institution-kind/data-cooperative> BIND(1 AS ?v) }"))
    assert classified == {r["id"] for r in rows if r["kind"].startswith("data cooperative")}


def test_every_row_classified_or_its_kind_reported(loaded, rows) -> None:
    store, report = loaded
    classified = set(values(store, "SELECT ?o ?v WHERE { ?o org:classification ?v }"))
    reported = {p["row"] for p in report.problems if p["column"] == "kind"}
    for number, row in enumerate(rows, start=FIRST_ROW):
        assert (row["id"] in classified) != (number in reported), row["id"]


def test_country_source_page_and_description(loaded, rows) -> None:
    store, _ = loaded
    countries = values(store, "SELECT ?o ?v WHERE { ?o dct:spatial ?v }")
    assert countries == {r["id"]: {f"{BASE}id/country/{r['country_iso3166_1'].lower()}"}
                         for r in rows if r["country_iso3166_1"]}
    sources = values(store, "SELECT ?o ?v WHERE { ?o a org:FormalOrganization ; dct:source ?v }")
    assert sources == {r["id"]: {r["source_url"]} for r in rows if r["source_url"]}
    descriptions = values(store, "SELECT ?o ?v WHERE { ?o dct:description ?v }")
    assert descriptions == {r["id"]: {r["described_as"]} for r in rows if r["described_as"]}


def test_legal_form_hints_kept_as_text_never_as_elf_codes(loaded, rows) -> None:
    store, report = loaded
    hints = values(store, "SELECT ?o ?v WHERE { ?o od:legalFormText ?v }")
    assert hints == {r["id"]: {r["legal_form_hint"]} for r in rows if r["legal_form_hint"]}
    assert not store.select(PREFIXES + "SELECT ?o WHERE { ?o rov:orgType ?t }")
    assert len([p for p in report.problems if p["column"] == "legal_form_hint"]) == len(hints)


def test_reimport_changes_nothing_but_provenance(loaded) -> None:
    store, first = loaded
    again = import_source(store, Iris(BASE), DataInstitutionsSeed())
    assert again.triples == first.triples == store.count(first.graph)
    assert set(store.named_graphs()) == {first.graph, Iris(BASE).meta_graph}
    org = URIRef(f"{BASE}id/organisation/midata")
    assert store.select(PREFIXES + "SELECT ?o ?v WHERE { ?o skos:prefLabel ?v }", {"o": org})
