"""Patio, the ICA's tech co-op network: its members with their countries and services, their membership of the
network, and one record per organisation with the tech co-ops list. Counts are computed from the file."""

from __future__ import annotations

import csv

import pycountry
import pytest
from rdflib import URIRef
from rdflib.namespace import DCTERMS, ORG, RDF, SKOS

from graph.embedded import EmbeddedStore
from graph.iris import Iris
from loaders.importer import import_source
from loaders.matching import name_key, url_key
from loaders.sources.base import DATA_DIR
from loaders.sources.patio import Patio
from loaders.sources.tech_coops import TechCoops

IRIS = Iris("https://ourdata.coop/")
PATIO = URIRef(IRIS.thing("organisation", "patio"))


@pytest.fixture(scope="module")
def members() -> list[dict[str, str]]:
    with (DATA_DIR / "patio-tech-coops" / "patio-member-coops.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def built():  # type: ignore[no-untyped-def]
    return Patio().build(IRIS)


#: English names pycountry spells otherwise (it has "Türkiye", "Russian Federation").
NAMES = {"Turkey": "TR", "Russia": "RU"}


def code_of(name: str) -> str:
    return (NAMES.get(name) or pycountry.countries.lookup(name).alpha_2).lower()


def member(row: dict[str, str]) -> URIRef:
    return URIRef(IRIS.thing("organisation", "patio-" + Iris.slugify(row["name"])))


def test_members_countries_and_the_network(built, members) -> None:
    assert built.counts["organisations"] == len(members) == 40 and not built.problems
    spatial = {(s, o) for s, p, o in built.triples if p == DCTERMS.spatial}
    countries = {code_of(r["country"]) for r in members}
    assert len(countries) == 18
    for row in members:
        code = code_of(row["country"])
        assert (member(row), URIRef(IRIS.thing("country", code))) in spatial
    assert (PATIO, RDF.type, ORG.OrganizationalCollaboration) in built.triples
    memberships = {s for s, p, o in built.triples if p == RDF.type and o == ORG.Membership}
    assert len(memberships) == len(members)
    assert {o for s, p, o in built.triples if s == PATIO and p == ORG.hasMember} == {member(r) for r in members}


def test_services_are_concepts_of_one_scheme(built, members) -> None:
    stated = {Iris.slugify(name_key(s)) for r in members for s in r["services"].split(";") if s.strip()}
    concepts = {s for s, p, o in built.triples if p == RDF.type and o == SKOS.Concept}
    assert {str(c).rsplit("/", 1)[-1] for c in concepts} == stated
    purposes = [(s, o) for s, p, o in built.triples if p == ORG.purpose]
    assert len(set(purposes)) == len({(member(r), Iris.slugify(name_key(s))) for r in members
                                       for s in r["services"].split(";") if s.strip()})
    descriptions = {s for s, p, o in built.triples if p == DCTERMS.description and s != PATIO}
    assert len(descriptions) == sum(bool(r["description_en"].strip()) for r in members)


def test_members_the_tech_coops_list_also_has_are_one_record(members) -> None:
    store = EmbeddedStore.open(None)
    import_source(store, IRIS, TechCoops())
    report = import_source(store, IRIS, Patio())
    with (DATA_DIR / "tech-coops-list" / "tech-coops.csv").open(encoding="utf-8", newline="") as handle:
        listed = list(csv.DictReader(handle))
    sites: dict[str, set[str]] = {}
    for row in listed:
        if url_key(row["url"]):
            sites.setdefault(url_key(row["url"]), set()).add(Iris.slugify(row["name"]))  # type: ignore[arg-type]
    expected = {str(member(r)) for r in members if len(sites.get(url_key(r["url"]) or "", ())) == 1}
    aliases = store.select("SELECT ?alias ?g WHERE { GRAPH ?g { ?alias <https://ourdata.coop/def/matchReason> ?r } }",
                           {"g": URIRef(IRIS.graph("source", "patio"))})
    matched = {str(r["alias"]) for r in aliases}
    assert expected <= matched and len(expected) >= 15
    assert str(PATIO) in matched  # Patio itself is the list's "Patio ICA" network (same website)
    assert report.counts["matched by website"] == len(matched)
    network = URIRef(IRIS.thing("organisation", "tech-coops-network-patio-ica"))
    in_network = store.select("SELECT ?n (COUNT(DISTINCT ?m) AS ?c) WHERE { ?n <http://www.w3.org/ns/org#hasMember> "
                              "?m } GROUP BY ?n", {"n": network})
    assert int(in_network[0]["c"].toPython()) == len(members)
