"""TransforMap / SUSY: counts from the bundled GeoJSON, country normalisation, coordinates, tags."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from rdflib import URIRef

from graph.embedded import EmbeddedStore
from graph.errors import BadRequest
from graph.iris import Iris
from loaders.importer import ImportReport, import_source
from loaders.sources.base import DATA_DIR
from loaders.sources.transformap import SOURCE_COUNTRY_CODES, TransforMap

BASE = "https://ourdata.coop/"
GEOJSON = DATA_DIR / "susy-transformap" / "susy-ssedas-initiatives.geojson"
PREFIXES = """
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX geo: <http://www.w3.org/2003/01/geo/wgs84_pos#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
#: Spellings of the United Kingdom in the file, written out by hand (the resolver is not used to compute these).
UK_SPELLINGS = {"england", "uk", "gb", "united kingdom", "scotland"}
AUSTRIA_SPELLINGS = {"österreich", "austria", "at"}
#: Slovakia's extent (degrees), to check what "SR" means in this file.
SLOVAKIA = (16.8, 22.6, 47.7, 49.7)


@pytest.fixture(scope="module")
def features() -> list[dict]:
    return json.loads(GEOJSON.read_text(encoding="utf-8"))["features"]


@pytest.fixture(scope="module")
def loaded() -> tuple[EmbeddedStore, ImportReport]:
    store = EmbeddedStore.open(None)
    return store, import_source(store, Iris(BASE), TransforMap())


def org_iri(feature: dict) -> URIRef:
    return URIRef(f"{BASE}id/organisation/transformap-{feature['properties']['_id']}")


def by_org(store: EmbeddedStore, query: str) -> dict[str, str]:
    return {str(r["o"]): str(r["v"]) for r in store.select(PREFIXES + query)}


def country_text(feature: dict) -> str:
    return (feature["properties"].get("addr:country") or "").strip()


def test_one_organisation_per_feature(loaded, features) -> None:
    store, report = loaded
    assert report.counts["organisations"] == len(features)
    found = by_org(store, "SELECT ?o ?v WHERE { ?o a org:FormalOrganization ; skos:prefLabel ?v }")
    assert found == {str(org_iri(f)): f["properties"]["name"].strip() for f in features}


def test_linked_to_the_transformap_place(loaded, features) -> None:
    store, _ = loaded
    found = by_org(store, "SELECT ?o ?v WHERE { ?o owl:sameAs ?v }")
    assert found == {str(org_iri(f)): f["properties"]["_uri"] for f in features}


def test_united_kingdom_and_austria_in_all_their_spellings(loaded, features) -> None:
    store, _ = loaded
    countries = by_org(store, "SELECT ?o ?v WHERE { ?o dct:spatial ?v }")
    for spellings, code in ((UK_SPELLINGS, "gb"), (AUSTRIA_SPELLINGS, "at")):
        expected = {str(org_iri(f)) for f in features if country_text(f).lower() in spellings}
        assert expected and {o for o, c in countries.items() if c == f"{BASE}id/country/{code}"} >= expected


def test_sr_means_slovakia_in_this_file(loaded, features) -> None:
    store, _ = loaded
    sr = [f for f in features if country_text(f) in SOURCE_COUNTRY_CODES]
    assert sr
    west, east, south, north = SLOVAKIA
    assert all(west <= f["geometry"]["coordinates"][0] <= east and south <= f["geometry"]["coordinates"][1] <= north
               for f in sr)
    countries = by_org(store, "SELECT ?o ?v WHERE { ?o dct:spatial ?v }")
    assert {countries[str(org_iri(f))] for f in sr} == {f"{BASE}id/country/sk"}


def test_every_country_value_is_mapped_or_reported(loaded, features) -> None:
    store, report = loaded
    countries = by_org(store, "SELECT ?o ?v WHERE { ?o dct:spatial ?v }")
    reported = {p["row"]: p for p in report.problems if p["column"] == "addr:country"}
    for number, feature in enumerate(features, start=1):
        text = country_text(feature)
        mapped = str(org_iri(feature)) in countries
        assert mapped != (number in reported) if text else not mapped and number not in reported
        if number in reported:
            assert reported[number]["value"] == text and reported[number]["id"] == feature["properties"]["_id"]
    typos = {p["value"]: p.get("candidates", []) for p in reported.values()}
    assert typos.get("Frace") == [f"{BASE}id/country/fr"]  # a near miss is offered, not taken


def test_coordinates_kept(loaded, features) -> None:
    store, _ = loaded
    lat = by_org(store, "SELECT ?o ?v WHERE { ?o org:hasSite/geo:lat ?v }")
    long = by_org(store, "SELECT ?o ?v WHERE { ?o org:hasSite/geo:long ?v }")
    assert len(lat) == len(long) == sum(1 for f in features if f["geometry"]["type"] == "Point")
    for feature in features[:200]:
        x, y = feature["geometry"]["coordinates"]
        assert float(lat[str(org_iri(feature))]) == pytest.approx(y, abs=1e-12)
        assert float(long[str(org_iri(feature))]) == pytest.approx(x, abs=1e-12)


def test_types_of_initiative_become_keywords(loaded, features) -> None:
    store, _ = loaded
    expected = Counter()
    for f in features:
        tags = {t.strip() for key in ("type_of_initiative", "free_keywords")
                for t in (f["properties"].get(key) or "").split(";") if t.strip()}
        expected.update(tags)
    found = store.select(PREFIXES + "SELECT ?k (COUNT(DISTINCT ?o) AS ?n) WHERE { ?o dcat:keyword ?k } GROUP BY ?k")
    assert {str(r["k"]): int(r["n"].toPython()) for r in found} == dict(expected)


def test_classified_as_sse_initiatives_and_food_cooperatives(loaded, features) -> None:
    store, _ = loaded
    kinds = store.select(PREFIXES + "SELECT ?k (COUNT(?o) AS ?n) WHERE { ?o org:classification ?k } GROUP BY ?k")
    got = {str(r["k"]).rsplit("/", 1)[-1]: int(r["n"].toPython()) for r in kinds}
    food = sum(1 for f in features if "food_cooperative" in
               {t.strip() for t in (f["properties"].get("type_of_initiative") or "").split(";")})
    assert got == {"sse-initiative": len(features), "cooperative": food}


def test_descriptions_keep_their_language(loaded, features) -> None:
    store, _ = loaded
    german = sum(1 for f in features if (f["properties"].get("description:de") or "").strip())
    found = store.select(PREFIXES + 'SELECT (COUNT(*) AS ?n) WHERE { ?o dct:description ?d FILTER(LANG(?d) = "de") }')
    assert int(found[0]["n"].toPython()) >= german > 0


def test_not_a_feature_collection_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.geojson"
    path.write_text('{"type": "Feature"}', encoding="utf-8")
    with pytest.raises(BadRequest):
        TransforMap().build(Iris(BASE), path)
