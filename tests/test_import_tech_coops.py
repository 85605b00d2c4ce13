"""The tech co-ops list: co-ops, networks and memberships as the files state them, countries found in free text, and
one record per organisation with Co-operatives UK (the UK co-ops both list). Counts are computed from the files."""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pycountry
import pytest
from rdflib import URIRef
from rdflib.namespace import DCTERMS, ORG, OWL, RDF

from graph.embedded import EmbeddedStore
from graph.errors import BadRequest
from graph.iris import Iris
from loaders.importer import import_source
from loaders.matching import url_key
from loaders.sources.base import DATA_DIR
from loaders.sources.coops_uk import CoopsUk
from loaders.sources.tech_coops import TechCoops
from ontology.vocab import INSTITUTION_KIND

IRIS = Iris("https://ourdata.coop/")
FOLDER = DATA_DIR / "tech-coops-list"


def rows(name: str) -> list[dict[str, str]]:
    with (FOLDER / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def coops() -> list[dict[str, str]]:
    return rows("tech-coops.csv")


@pytest.fixture(scope="module")
def built():  # type: ignore[no-untyped-def]
    return TechCoops().build(IRIS)


def subjects_of(triples, rdf_type) -> set:  # type: ignore[no-untyped-def]
    return {s for s, p, o in triples if p == RDF.type and o == rdf_type}


def test_one_organisation_per_named_coop_and_the_networks(built, coops) -> None:
    names = {Iris.slugify(r["name"]) for r in coops if r["name"].strip()}
    networks = rows("tech-coop-networks.csv")
    assert built.counts["organisations"] == len(names) and len(coops) == 182
    assert built.counts["networks"] == len(networks) == 6
    coop_iris = subjects_of(built.triples, ORG.FormalOrganization)
    assert coop_iris == {URIRef(IRIS.thing("organisation", "tech-coops-" + n)) for n in names}
    collaborations = subjects_of(built.triples, ORG.OrganizationalCollaboration)
    assert len(collaborations) == len(networks)
    kinds = {(s, o) for s, p, o in built.triples if p == ORG.classification}
    assert all((c, URIRef(INSTITUTION_KIND["cooperative"])) in kinds for c in coop_iris)
    assert all((n, URIRef(INSTITUTION_KIND["network"])) in kinds for n in collaborations)
    repeated = [n for n, c in Counter(Iris.slugify(r["name"]) for r in coops).items() if c > 1]
    assert sorted(p["value"] for p in built.problems if p["column"] == "name") == \
        sorted(r["name"] for r in coops if Iris.slugify(r["name"]) in repeated)[1:]


def test_status_as_the_list_states_it(built, coops) -> None:
    first = {}
    for row in coops:
        first.setdefault(Iris.slugify(row["name"]), row["status"])
    assert built.counts["status active"] == Counter(first.values())["active"]
    assert built.counts["status defunct"] == Counter(first.values())["defunct"] == 10


def test_countries_from_the_region_text(built, coops) -> None:
    spatial = {(s, o) for s, p, o in built.triples if p == DCTERMS.spatial}
    checked = 0
    for row in coops:
        last = row["region_country"].split(",")[-1].strip()
        if len(last) <= 3:  # "CO" after a city is Colorado, not Colombia: codes are checked by the unit tests
            continue
        try:
            country = pycountry.countries.lookup(last)
        except LookupError:
            continue
        org = URIRef(IRIS.thing("organisation", "tech-coops-" + Iris.slugify(row["name"])))
        assert (org, URIRef(IRIS.thing("country", country.alpha_2.lower()))) in spatial, row["region_country"]
        checked += 1
    assert checked > len(coops) // 2
    uk = {s for s, o in spatial if o == URIRef(IRIS.thing("country", "gb"))}
    assert len(uk) >= sum(bool(re.search(r"\b(UK|Scotland|England|Wales)\b", r["region_country"])) for r in coops)
    no_country = {p["value"] for p in built.problems if p["column"] == "region_country"}
    assert {"Worldwide", "Remote, international", "Europe"} <= no_country
    assert not any(re.search(r"\b(UK|USA|Germany|France|Canada)\b", v) for v in no_country)


def test_memberships_the_notes_state(built, coops) -> None:
    stated = [r for r in coops if re.search(r"\b(member of|part of)\b", r["notes"], re.I)
              and re.search(r"FACT|CoTech|Libre Entreprise|Patio|tech-coops\.de|Tech Co-op Network", r["notes"])]
    memberships = subjects_of(built.triples, ORG.Membership)
    assert len(memberships) == len(stated) == built.counts["memberships"] >= 2
    has_member = {(s, o) for s, p, o in built.triples if p == ORG.hasMember}
    assert (URIRef(IRIS.thing("organisation", "tech-coops-network-cotech")),
            URIRef(IRIS.thing("organisation", "tech-coops-wao-co-op"))) in has_member


def test_a_file_that_is_not_the_list_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "tech-coops.csv"
    bad.write_text("name,url\nX,https://x.coop\n", encoding="utf-8")
    with pytest.raises(BadRequest):
        TechCoops().build(IRIS, bad)


@pytest.fixture(scope="module")
def store() -> EmbeddedStore:
    loaded = EmbeddedStore.open(None)
    import_source(loaded, IRIS, CoopsUk())
    import_source(loaded, IRIS, TechCoops())
    return loaded


def test_coops_co_operatives_uk_registers_are_one_record(store, coops) -> None:
    with (DATA_DIR / "coops-uk" / CoopsUk.info.default_file.split("/", 1)[1]).open(encoding="utf-8-sig") as handle:
        registered = list(csv.DictReader(handle))
    by_site: dict[str, set[str]] = {}
    for row in registered:
        key = url_key(row["Website"])
        if key:
            by_site.setdefault(key, set()).add(IRIS.thing("organisation", f"coops-uk-{row['Identifier']}"))
    expected = {}
    for row in coops:
        key = url_key(row["url"])
        if key in by_site and len(by_site[key]) == 1:
            expected.setdefault(IRIS.thing("organisation", "tech-coops-" + Iris.slugify(row["name"])),
                                next(iter(by_site[key])))
    graph = URIRef(IRIS.graph("source", "tech-coops"))
    found = store.select("SELECT ?alias ?org ?g WHERE { GRAPH ?g { ?alias <http://www.w3.org/2002/07/owl#sameAs> "
                         "?org ; <https://ourdata.coop/def/matchReason> \"website\" } }", {"g": graph})
    assert {str(r["alias"]): str(r["org"]) for r in found} == expected and len(expected) >= 10
    for alias, org in expected.items():  # the list's statements are on the register's record; the alias only links
        assert store.select("SELECT ?o ?g WHERE { GRAPH ?g { ?o a <http://www.w3.org/ns/org#FormalOrganization> } }",
                            {"g": graph, "o": URIRef(org)})
        alias_facts = store.select("SELECT ?o ?p WHERE { ?o ?p ?x }", {"o": URIRef(alias)})
        assert {str(r["p"]) for r in alias_facts} == {str(OWL.sameAs), "https://ourdata.coop/def/matchReason",
                                                      "https://ourdata.coop/def/matchKey"}


def test_reimport_gives_the_same_graph(store) -> None:
    graph = IRIS.graph("source", "tech-coops")
    before = store.count(graph)
    again = import_source(store, IRIS, TechCoops())
    assert store.count(graph) == before == again.triples
    assert again.counts["matched by website"] >= 10
