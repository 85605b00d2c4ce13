"""Countries and regions as loaded into a real store: counts from the files, region queries, the resolver."""

from __future__ import annotations

import csv
from collections.abc import Iterator

import pycountry
import pytest

from graph.embedded import EmbeddedStore
from graph.iris import Iris
from graph.sparql_text import checked_iri
from loaders.importer import import_source
from loaders.resolve import country_iri
from loaders.sources.countries import REGIONS_DIR, Countries

IRIS = Iris("https://ourdata.coop/")
PREFIXES = "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\nPREFIX dct: <http://purl.org/dc/terms/>\n"


def table(name: str) -> list[dict[str, str]]:
    with (REGIONS_DIR / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def store() -> Iterator[EmbeddedStore]:
    store = EmbeddedStore.open(None)
    report = import_source(store, IRIS, Countries())
    assert report.problems == []
    yield store
    store.close()


COUNTRIES = checked_iri(IRIS.definition("country"))
REGIONS = checked_iri(IRIS.definition("region"))


def count(store: EmbeddedStore, query: str) -> int:
    return int(store.select(PREFIXES + query)[0]["n"])


def members(store: EmbeddedStore, region: str) -> set[str]:
    iri = checked_iri(IRIS.thing("region", region))
    rows = store.select(PREFIXES + f"SELECT ?code WHERE {{ ?c skos:broader {iri} ; skos:notation ?code ;"
                        f" skos:inScheme {COUNTRIES} }}")
    return {str(row["code"]) for row in rows}


def test_every_pycountry_country_is_a_concept(store: EmbeddedStore) -> None:
    n = count(store, f"SELECT (COUNT(?c) AS ?n) WHERE {{ ?c skos:inScheme {COUNTRIES} }}")
    assert n == len(pycountry.countries) == len(table("countries.csv"))


def test_every_region_of_the_table_is_a_concept(store: EmbeddedStore) -> None:
    n = count(store, f"SELECT (COUNT(?c) AS ?n) WHERE {{ ?c skos:inScheme {REGIONS} }}")
    assert n == len(table("m49-areas.csv")) + 2  # + EU and EEA


@pytest.mark.parametrize("region, column", [("eu", "eu"), ("eea", "eea")])
def test_political_groupings_match_the_table(store: EmbeddedStore, region: str, column: str) -> None:
    expected = {row["alpha2"] for row in table("countries.csv") if row[column] == "1"}
    assert members(store, region) == expected


def test_in_europe_is_one_hop_and_follows_m49(store: EmbeddedStore) -> None:
    europe = members(store, "europe")
    expected = {row["alpha2"] for row in table("countries.csv") if row["m49_region"] == "150"}
    assert europe == expected
    assert {"DE", "GB", "NO", "CH", "UA", "GG", "JE"} <= europe
    assert "CY" not in europe and "CY" in members(store, "eu")  # M49 puts Cyprus in Western Asia
    assert "GB" not in members(store, "eu") and "NO" in members(store, "eea") and "NO" not in members(store, "eu")


def test_channel_islands_are_in_northern_europe_too(store: EmbeddedStore) -> None:
    assert {"GG", "JE"} <= members(store, "channel-islands")
    assert {"GG", "JE", "GB", "SE"} <= members(store, "northern-europe")


def test_every_country_but_antarctica_has_a_continent(store: EmbeddedStore) -> None:
    rows = store.select(PREFIXES + f"""SELECT ?code WHERE {{ ?c skos:inScheme {COUNTRIES} ; skos:notation ?code .
        FILTER NOT EXISTS {{ ?c skos:broader/skos:topConceptOf {REGIONS} }} }}""")
    assert {str(r["code"]) for r in rows} == {"AQ"}


def test_labels_exact_match_and_one_preflabel_per_language(store: EmbeddedStore) -> None:
    gb = checked_iri(IRIS.thing("country", "gb"))
    labels = {(str(r["l"]), r["l"].language) for r in store.select(  # type: ignore[union-attr]
        PREFIXES + f"SELECT ?l WHERE {{ {gb} skos:prefLabel ?l }}")}
    assert ("United Kingdom", "en") in labels and ("Royaume-Uni", "fr") in labels
    assert store.ask(PREFIXES + f"ASK {{ {gb} skos:exactMatch <http://publications.europa.eu/resource/authority/"
                     "country/GBR> ; dct:identifier 'GBR' ; skos:notation 'GB' }")
    duplicates = store.select(PREFIXES + """SELECT ?c WHERE { ?c skos:prefLabel ?a, ?b .
        FILTER(?a != ?b && lang(?a) = lang(?b)) } LIMIT 1""")
    assert duplicates == []


def test_bolivia_keeps_iso_name_as_alt_label(store: EmbeddedStore) -> None:
    bo = checked_iri(IRIS.thing("country", "bo"))
    assert store.ask(PREFIXES + f"ASK {{ {bo} skos:prefLabel 'Bolivia'@en ; "
                     "skos:altLabel 'Bolivia, Plurinational State of'@en }")


@pytest.mark.parametrize("text, code", [
    ("GB", "gb"), ("gbr", "gb"), ("United Kingdom", "gb"), ("UK", "gb"), ("England", "gb"), ("Scotland", "gb"),
    ("Wales", "gb"), ("Northern Ireland", "gb"), ("Deutschland", "de"), ("Österreich", "at"), ("Osterreich", "at"),
    ("España", "es"), ("Ελλάδα", "gr"), ("EL", "gr"), ("the Netherlands", "nl"), ("Royaume-Uni", "gb"),
    ("  germany ", "de"), ("276", "de"), ("Czech Republic", "cz"), ("Czechia", "cz"), ("USA", "us"),
    ("https://ourdata.coop/id/country/fr", "fr"),
    ("http://publications.europa.eu/resource/authority/country/GRC", "gr"),
])
def test_country_iri_resolves(text: str, code: str) -> None:
    assert country_iri(IRIS, text) == (IRIS.thing("country", code), [])


@pytest.mark.parametrize("text", ["", "Atlantis", "XX", "Europe"])
def test_country_iri_unknown(text: str) -> None:
    assert country_iri(IRIS, text) == (None, [])


def test_country_iri_offers_candidates_for_typos() -> None:
    iri, candidates = country_iri(IRIS, "Untied Kingdom")
    assert iri is None and candidates == [IRIS.thing("country", "gb")]


def test_country_iri_follows_the_base() -> None:
    other = Iris("https://example.org/kg/")
    assert country_iri(other, "France") == ("https://example.org/kg/id/country/fr", [])
