"""The analyst questions of the directory and catalogue sources (docs/questions.md Q16-Q18), run against everything
the product bundles. Each expected answer is computed from the source files, with the store consulted only for
which IRI a source's record ended up on (its alias statements) and by simpler queries."""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict

import pycountry
import pytest
from conftest import bundled_store
from rdflib import URIRef

from graph.embedded import EmbeddedStore
from graph.iris import Iris
from graph.store import Row
from loaders.matching import name_key
from loaders.sources.base import DATA_DIR
from loaders.sources.catalogues import WITHHELD
from loaders.sources.dataportals import COUNTRY_FIXES
from loaders.sources.directory_common import countries_in_text

pytestmark = pytest.mark.slow

BASE = "https://ourdata.coop/"
IRIS = Iris(BASE)
DOC = DATA_DIR.parent.parent / "docs" / "questions.md"
TESTED = {"Q16", "Q17", "Q18"}
#: English names pycountry spells otherwise.
COUNTRY_NAMES = {"Turkey": "TR", "Russia": "RU"}


def questions() -> dict[str, str]:
    text = DOC.read_text(encoding="utf-8")
    return dict(re.findall(r"^## (Q\d+)\..*?```sparql\n(.*?)```", text, re.S | re.M))


def read(*parts: str) -> list[dict[str, str]]:
    with DATA_DIR.joinpath(*parts).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def store() -> EmbeddedStore:
    return bundled_store()


@pytest.fixture(scope="module")
def ask(store: EmbeddedStore):  # type: ignore[no-untyped-def]
    text = questions()

    def run(qid: str) -> list[Row]:
        return store.select(text[qid])

    return run


@pytest.fixture(scope="module")
def final(store: EmbeddedStore):  # type: ignore[no-untyped-def]
    """Where each source's own IRI ended up: itself, or the resource it was matched to (a simple lookup)."""
    aliases = {str(r["alias"]): str(r["to"]) for r in store.select(
        "SELECT ?alias ?to WHERE { ?alias <https://ourdata.coop/def/matchReason> ?r ; "
        "<http://www.w3.org/2002/07/owl#sameAs> ?to }")}

    def where(iri: str) -> str:
        return aliases.get(iri, iri)

    return where


def test_these_questions_are_documented() -> None:
    assert set(questions()) >= TESTED


def test_q16_tech_coops_per_country(ask, final) -> None:
    per_country: dict[str, set[str]] = defaultdict(set)
    seen: set[str] = set()
    for row in read("tech-coops-list", "tech-coops.csv"):
        slug = Iris.slugify(row["name"])
        if slug in seen:
            continue
        seen.add(slug)
        iri = final(IRIS.thing("organisation", "tech-coops-" + slug))
        for country in countries_in_text(IRIS, row["region_country"])[0]:  # the parse is tested on its own
            per_country[country.rsplit("/", 1)[-1].upper()].add(iri)
    for row in read("patio-tech-coops", "patio-member-coops.csv"):
        code = COUNTRY_NAMES.get(row["country"]) or pycountry.countries.lookup(row["country"]).alpha_2
        per_country[code].add(final(IRIS.thing("organisation", "patio-" + Iris.slugify(row["name"]))))
    rows = ask("Q16")
    assert {str(r["code"]): int(r["coops"].toPython()) for r in rows} == {c: len(o) for c, o in per_country.items()}
    assert [int(r["coops"].toPython()) for r in rows] == sorted((len(o) for o in per_country.values()), reverse=True)
    assert str(rows[0]["code"]) in {"AR", "US", "FR", "DE"}


def test_q17_uk_catalogues_by_owner_type(ask, final) -> None:
    catalogue_owners: dict[str, set[str]] = defaultdict(set)
    uk: set[str] = set()
    owner_types: dict[str, set[str]] = defaultdict(set)
    registry_owner: dict[tuple[str, str], str] = {}  # an owner is named as its first row spells it
    for row in read("data-catalogs-registry", "catalogs-gb-and-european-civil-society.csv"):
        catalogue = final(IRIS.thing("catalogue", "cdi-" + row["id"]))
        if row["country"] == "GB":
            uk.add(catalogue)
        if row["owner_name"] == WITHHELD:
            continue
        spelling = registry_owner.setdefault((name_key(row["owner_name"]), row["country"]), row["owner_name"])
        owner = final(IRIS.thing("organisation", f"cdi-{row['country'].lower()}-{Iris.slugify(spelling)}"))
        catalogue_owners[catalogue].add(owner)
        owner_types[owner].add(row["owner_type"])
    first_owner: dict[tuple[str, str], str] = {}
    for row in read("dataportals-org", "portals.csv"):
        slug = row["name"] if re.fullmatch(r"[A-Za-z0-9._~-]+", row["name"]) else Iris.slugify(row["name"])
        catalogue = final(IRIS.thing("catalogue", "dataportals-" + slug))
        code = COUNTRY_FIXES.get(row["name"], row["country"])
        country = "gb" if code in ("GB", "UK", "United Kingdom") else code.lower()
        if country == "gb":
            uk.add(catalogue)
        if not row["publisher"].strip():
            continue
        key = (name_key(row["publisher"]), country)
        slug = first_owner.setdefault(key, f"dataportals-{country if len(country) == 2 else 'xx'}-"
                                           f"{Iris.slugify(row['publisher'])}")
        owner = final(IRIS.thing("organisation", slug))
        catalogue_owners[catalogue].add(owner)
        if row["publisher_classification"].strip():
            owner_types[owner].add(row["publisher_classification"].strip())
    expected: Counter[str] = Counter()
    for catalogue in uk:
        for kind in {k for owner in catalogue_owners[catalogue] for k in owner_types[owner]}:
            expected[kind] += 1
    rows = ask("Q17")
    assert {str(r["ownerType"]): int(r["catalogues"].toPython()) for r in rows} == expected
    assert expected["Local government"] >= 180 and expected["Academy"] >= 231


def test_q18_organisations_in_more_than_one_source(ask, store) -> None:
    typed = store.select("""SELECT DISTINCT ?org ?graph WHERE {
        VALUES ?type { <http://www.w3.org/ns/org#FormalOrganization> <http://www.w3.org/ns/org#Organization>
                       <http://www.w3.org/ns/org#OrganizationalCollaboration> }
        GRAPH ?graph { ?org a ?type } }""")
    families = {str(r["g"]): str(r["f"]) for r in store.select(
        "SELECT ?g ?f WHERE { ?g <https://ourdata.coop/def/sourceFamily> ?f }")}
    graphs: dict[str, set[str]] = defaultdict(set)
    for row in typed:
        if families.get(str(row["graph"])) in ("source", "contribution"):
            graphs[str(row["org"])].add(str(row["graph"]))
    expected = {org: len(g) for org, g in graphs.items() if len(g) > 1}
    rows = ask("Q18")
    assert {str(r["org"]): int(r["sources"].toPython()) for r in rows} == expected
    # from the files: the UK tech co-ops Co-operatives UK also registers are among them (same website)
    webarchitects = IRIS.thing("organisation", "coops-uk-R006394")
    assert expected.get(webarchitects, 0) >= 3  # Co-operatives UK, the tech co-ops list and Patio
    titles = next(str(r["sourceTitles"]) for r in rows if str(r["org"]) == webarchitects)
    assert "Co-operatives UK" in titles and "Patio" in titles and "Tech coops list" in titles
    assert URIRef(webarchitects)
