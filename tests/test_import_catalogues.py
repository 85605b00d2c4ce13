"""Data catalogues: the Common Data Index registry and dataportals.org as dcat:Catalog records with owners, software,
coverage and API endpoints; the same catalogue in both sources is one record carrying both sources' statements, each
in its own graph. Counts are computed from the files."""

from __future__ import annotations

import csv
from collections import Counter

import pytest
from rdflib import URIRef
from rdflib.namespace import DCAT, DCTERMS, ORG, RDF

from graph.embedded import EmbeddedStore
from graph.iris import Iris
from loaders.importer import import_source
from loaders.matching import name_key, url_key
from loaders.sources.base import DATA_DIR
from loaders.sources.catalogues import WITHHELD, CommonDataIndex
from loaders.sources.dataportals import COUNTRY_FIXES, DataPortals

IRIS = Iris("https://ourdata.coop/")
GB = URIRef(IRIS.thing("country", "gb"))


def read(*parts: str) -> list[dict[str, str]]:
    with DATA_DIR.joinpath(*parts).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def registry() -> list[dict[str, str]]:
    return read("data-catalogs-registry", "catalogs-gb-and-european-civil-society.csv")


@pytest.fixture(scope="module")
def portals() -> list[dict[str, str]]:
    return read("dataportals-org", "portals.csv")


@pytest.fixture(scope="module")
def built_registry():  # type: ignore[no-untyped-def]
    return CommonDataIndex().build(IRIS)


def typed(triples, rdf_type) -> set:  # type: ignore[no-untyped-def]
    return {s for s, p, o in triples if p == RDF.type and o == rdf_type}


def test_registry_catalogues_owners_and_endpoints(built_registry, registry) -> None:
    catalogues = typed(built_registry.triples, DCAT.Catalog)
    assert len(catalogues) == len(registry) == built_registry.counts["catalogues"] == 726
    in_gb = {s for s, p, o in built_registry.triples if p == DCTERMS.spatial and o == GB and s in catalogues}
    assert len(in_gb) == sum(r["country"] == "GB" for r in registry) == 607
    owners = {(name_key(r["owner_name"]), r["country"]) for r in registry if r["owner_name"] != WITHHELD}
    assert built_registry.counts["owners"] == len(owners)
    published = {s for s, p, o in built_registry.triples if p == DCTERMS.publisher}
    assert len(published) == sum(r["owner_name"] != WITHHELD for r in registry)
    endpoints = sum(len(r["endpoints"].split()) for r in registry)
    assert len(typed(built_registry.triples, DCAT.DataService)) == endpoints == built_registry.counts["API endpoints"]
    assert sum(1 for s, p, o in built_registry.triples if p == DCAT.endpointURL) == endpoints


def test_registry_owner_types_and_software(built_registry, registry) -> None:
    kinds = Counter()
    owner_types: dict[URIRef, set[URIRef]] = {}
    for s, p, o in built_registry.triples:
        if p == ORG.classification:
            owner_types.setdefault(s, set()).add(o)
    publisher_of = {s: o for s, p, o in built_registry.triples if p == DCTERMS.publisher}
    for owner in publisher_of.values():
        for kind in owner_types.get(owner, ()):
            kinds[str(kind).rsplit("/", 1)[-1]] += 1
    expected = Counter()
    owner_kinds: dict[tuple[str, str], set[str]] = {}
    for row in registry:
        key = (name_key(row["owner_name"]), row["country"])
        owner_kinds.setdefault(key, set()).add(Iris.slugify(row["owner_type"]))
    for row in registry:
        if row["owner_name"] != WITHHELD:
            for kind in owner_kinds[(name_key(row["owner_name"]), row["country"])]:
                expected[kind] += 1
    assert kinds == expected
    based_on = {o for s, p, o in built_registry.triples if str(p) == "https://schema.org/isBasedOn"}
    assert {str(o).rsplit("/", 1)[-1] for o in based_on} == {r["software_id"] for r in registry
                                                              if r["software_id"] not in ("", "custom")}
    assert [p["value"] for p in built_registry.problems if p["column"] == "topics"] == ["eudatatheme:TRANSPORT"]


def test_dataportals_portals_and_country_fixes(portals) -> None:
    built = DataPortals().build(IRIS)
    assert len(typed(built.triples, DCAT.Catalog)) == len(portals) == 631
    chicago = next(r for r in portals if r["name"] == "chicago")
    lat, long = (float(x) for x in chicago["location"].split(","))
    assert chicago["country"] == "UK" and 24 < lat < 50 and -125 < long < -66  # in the US, as COUNTRY_FIXES says
    assert COUNTRY_FIXES == {"chicago": "US"}
    spatial = {(s, o) for s, p, o in built.triples if p == DCTERMS.spatial}
    uk_codes = {"GB", "UK", "United Kingdom"}
    uk = {r["name"] for r in portals if r["country"] in uk_codes and r["name"] not in COUNTRY_FIXES}
    catalogues = typed(built.triples, DCAT.Catalog)
    assert {str(s).rsplit("dataportals-", 1)[-1] for s, o in spatial if o == GB and s in catalogues} == uk
    licence_problems = [p for p in built.problems if p["column"] in ("license_id", "license_url")]
    with_licence = sum(1 for s, p, o in built.triples if p == DCTERMS.license)
    assert with_licence + len(licence_problems) == sum(bool(r["license_id"].strip() or r["license_url"].strip())
                                                       for r in portals)


@pytest.fixture(scope="module")
def store() -> EmbeddedStore:
    loaded = EmbeddedStore.open(None)
    import_source(loaded, IRIS, CommonDataIndex())
    import_source(loaded, IRIS, DataPortals())
    return loaded


def test_the_same_catalogue_in_both_sources_is_one_record(store, registry, portals) -> None:
    links: dict[str, set[str]] = {}
    for row in registry:
        if url_key(row["link"]):
            links.setdefault(url_key(row["link"]), set()).add(row["id"])  # type: ignore[arg-type]
    by_site = {r["name"]: next(iter(links[url_key(r["url"])])) for r in portals  # type: ignore[index]
               if url_key(r["url"]) in links and len(links[url_key(r["url"])]) == 1}  # type: ignore[index]
    rows = store.select("SELECT ?alias ?cat ?reason ?g WHERE { GRAPH ?g { ?alias "
                        "<http://www.w3.org/2002/07/owl#sameAs> ?cat ; <https://ourdata.coop/def/matchReason> ?reason "
                        "FILTER (CONTAINS(STR(?cat), '/id/catalogue/')) } }",
                        {"g": URIRef(IRIS.graph("source", "dataportals"))})
    matched = {str(r["alias"]).rsplit("dataportals-", 1)[-1]: str(r["cat"]).rsplit("cdi-", 1)[-1] for r in rows
               if str(r["reason"]) == "website"}
    assert matched == by_site and len(by_site) >= 5
    total = store.select("SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a <http://www.w3.org/ns/dcat#Catalog> }")
    assert int(total[0]["n"].toPython()) == len(registry) + len(portals) - len(rows)
    for portal, ident in matched.items():  # one IRI, two graphs, each with its own title and identifier
        catalogue = URIRef(IRIS.thing("catalogue", "cdi-" + ident))
        graphs = store.select("SELECT DISTINCT ?g ?c WHERE { GRAPH ?g { ?c <http://purl.org/dc/terms/identifier> "
                              "?i } }", {"c": catalogue})
        assert {str(r["g"]) for r in graphs} == {IRIS.graph("source", "common-data-index"),
                                                 IRIS.graph("source", "dataportals")}, portal


def test_reimporting_either_source_keeps_one_record(store) -> None:
    before = store.select("SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a <http://www.w3.org/ns/dcat#Catalog> }")
    import_source(store, IRIS, CommonDataIndex())
    again = import_source(store, IRIS, DataPortals())
    after = store.select("SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a <http://www.w3.org/ns/dcat#Catalog> }")
    assert before[0]["n"] == after[0]["n"]
    assert again.counts["catalogues matched by website"] >= 5
