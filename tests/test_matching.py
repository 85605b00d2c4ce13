"""One record per organisation: the keys, the rules and their order, how a match is recorded, the index the importer
builds from the store (and keeps current over a first load), and what ``ourdata report`` says about matches,
near-misses and conflicts. Small synthetic sources on a real in-memory store; the bundled sources' matches are
tested with their importers."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, RDF, SKOS

from graph.embedded import EmbeddedStore
from graph.iris import Iris
from graph.store import Triple
from loaders.identify import identify, identify_all
from loaders.importer import import_source, provenance
from loaders.match_report import match_report
from loaders.matching import Known, Record, name_key, url_key
from loaders.running_index import known_for_import
from loaders.sources.base import Built, SourceInfo
from loaders.sources.directory_common import Directory
from ontology.vocab import OD

IRIS = Iris("https://ourdata.coop/")
GB, DE, US = (IRIS.thing("country", c) for c in ("gb", "de", "us"))
ADMS = "http://www.w3.org/ns/adms#"
ROV_REGISTRATION = URIRef("http://www.w3.org/ns/regorg#registration")


def org(slug: str) -> URIRef:
    return URIRef(IRIS.thing("organisation", slug))


# --- keys ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("a", "b"), [
    ("http://www.aberdeencity.gov.uk/", "https://aberdeencity.gov.uk"),
    ("https://baseline.quebec/en/", "baseline.quebec"),
    ("https://WWW.Coops.Tech/index.html", "http://coops.tech"),
    ("https://www.argyll-bute.gov.uk/home", "https://argyll-bute.gov.uk/"),
    ("https://example.org/a?utm=1#top", "http://example.org/a/"),
])
def test_the_same_site_written_differently_has_one_key(a: str, b: str) -> None:
    assert url_key(a) == url_key(b) is not None


@pytest.mark.parametrize(("a", "b"), [
    ("https://www.aberdeenshire.gov.uk/social-care/ahscp/", "https://www.aberdeenshire.gov.uk/"),
    ("https://github.com/odiaberdeen", "https://github.com/codethecity"),
    ("https://opendata.angus.gov.uk", "https://angus.gov.uk"),
])
def test_different_sites_keep_different_keys(a: str, b: str) -> None:
    assert url_key(a) != url_key(b)


@pytest.mark.parametrize("value", ["", "mailto:x@example.org", "https:/withtheranks.com", "https://github.com/",
                                   "not a url", "ftp://example.org/x"])
def test_what_says_nothing_about_who_has_no_key(value: str) -> None:
    assert url_key(value) is None


def test_names_compare_without_case_accents_articles_or_legal_suffixes() -> None:
    assert name_key("The Café Co-operative Ltd.") == name_key("cafe cooperative") == "cafe cooperative"
    assert name_key("Catchment Systems Thinking Co-op") != name_key("Catchment Systems")


# --- the rules -----------------------------------------------------------------------------------------------

@pytest.fixture()
def known() -> Known:
    index = Known()
    index.add(str(org("a")), Record.of("Agaric", countries=[US], websites=["https://agaric.coop"],
                                       registrations=[("Companies House", "01234567")], wikidata=["Q1"]), "g:a")
    index.add(str(org("b")), Record.of("Blue Coop", countries=[GB], websites=["https://blue.example"]), "g:b")
    index.add(str(org("c")), Record.of("Blue Coop", countries=[DE]), "g:c")
    return index


def test_each_rule_finds_the_record(known: Known) -> None:
    by_registration = known.match(Record.of("Other", registrations=[("companies house", "01234 567")]))
    assert (by_registration.iri, by_registration.reason) == (str(org("a")), "registration")  # type: ignore[union-attr]
    by_wikidata = known.match(Record.of("Other", wikidata=["http://www.wikidata.org/entity/Q1"]))
    assert by_wikidata is not None and by_wikidata.reason == "wikidata" and by_wikidata.key == "Q1"
    by_site = known.match(Record.of("Anything", websites=["http://www.agaric.coop/"]))
    assert by_site is not None and (by_site.reason, by_site.key) == ("website", "agaric.coop")
    by_name = known.match(Record.of("BLUE CO-OP LTD", countries=[GB]))
    assert by_name is not None and (by_name.iri, by_name.reason) == (str(org("b")), "name-and-country")
    assert by_name.key == "blue coop|gb"


def test_the_strongest_rule_wins(known: Known) -> None:
    found = known.match(Record.of("Blue Coop", countries=[GB], websites=["https://agaric.coop"]))
    assert found is not None and found.iri == str(org("a")) and found.reason == "website"


def test_never_on_a_name_alone(known: Known) -> None:
    assert known.match(Record.of("Blue Coop")) is None  # no country
    assert known.match(Record.of("Agaric", countries=[GB])) is None  # another country
    assert known.match(Record.of("Blue Coop", countries=[DE])).iri == str(org("c"))  # type: ignore[union-attr]


def test_a_name_does_not_join_what_an_identifier_or_website_keeps_apart(known: Known) -> None:
    assert known.match(Record.of("Agaric", countries=[US], wikidata=["Q2"])) is None
    assert known.match(Record.of("Agaric", countries=[US], registrations=[("Companies House", "999")])) is None
    assert known.match(Record.of("Blue Coop", countries=[GB], websites=["https://other.example"])) is None
    # a register of another kind says nothing either way
    assert known.match(Record.of("Agaric", countries=[US], registrations=[("FCA", "999")])) is not None


def test_an_ambiguous_key_is_skipped_not_guessed(known: Known) -> None:
    known.add(str(org("d")), Record.of("Dee", countries=[GB], websites=["https://blue.example"]), "g:d")
    assert known.match(Record.of("Someone", websites=["https://blue.example"])) is None
    found = known.match(Record.of("Dee", countries=[GB], websites=["https://blue.example"]))
    assert found is not None and found.iri == str(org("d")) and found.reason == "name-and-country"


def test_catalogues_and_organisations_never_match_each_other(known: Known) -> None:
    assert known.match(Record.of("Agaric", websites=["https://agaric.coop"], kind="catalogue")) is None


# --- recording a match ---------------------------------------------------------------------------------------

def test_a_match_is_recorded_on_the_alias_and_given_to_one_record_only(known: Known) -> None:
    first = identify(known, Record.of("Agaric", websites=["https://agaric.coop"]), org("mine-1"))
    assert first.subject == org("a")
    assert set(first.triples) == {(org("mine-1"), OWL.sameAs, org("a")),
                                  (org("mine-1"), OD.matchReason, Literal("website")),
                                  (org("mine-1"), OD.matchKey, Literal("agaric.coop"))}
    second = identify(known, Record.of("Agaric", countries=[US]), org("mine-2"))
    assert second.subject == org("mine-2") and second.triples == ()
    unmatched = identify(known, Record.of("Nobody", countries=[GB]), org("mine-3"))
    assert (unmatched.subject, unmatched.match, unmatched.triples) == (org("mine-3"), None, ())
    assert identify(None, Record.of("Agaric", websites=["https://agaric.coop"]), org("x")).subject == org("x")


def test_identify_all_gives_a_known_record_to_the_strongest_match(known: Known) -> None:
    by_name, by_site = org("blue-by-name"), org("blue-by-site")
    result = identify_all(known, [(Record.of("Blue Coop", countries=[GB]), by_name),
                                  (Record.of("Blue Council", websites=["https://blue.example"]), by_site)])
    assert result[by_site].subject == org("b") and result[by_name].subject == by_name


# --- the index from the store, and through the importer ------------------------------------------------------

class Fake:
    """A pure source that describes what it is given (and matches when asked)."""

    def __init__(self, name: str, records: list[tuple[str, Record]], matches: bool = True) -> None:
        self.records = records
        self.info = SourceInfo(name=name, family="source", title=name, licence="http://spdx.org/licenses/CC0-1.0",
                               attribution=name, source_url=f"urn:test:{name}", publisher=name, matches=matches)

    def build(self, iris: Iris, file: Path | None = None, known: Known | None = None) -> Built:
        d = Directory(iris, known, None)
        for slug, record in self.records:
            subject = d.organisation(org(slug), record, [ORG.FormalOrganization])
            for site in sorted(record.websites):
                d.m.add(subject, FOAF.homepage, URIRef("https://" + site))
        return d.m.built()


def registered(slug: str, name: str, number: str) -> list[Triple]:
    ident = URIRef(f"{org(slug)}/registration/ch")
    return [(org(slug), RDF.type, ORG.FormalOrganization), (org(slug), SKOS.prefLabel, Literal(name)),
            (org(slug), ROV_REGISTRATION, ident), (ident, SKOS.notation, Literal(number)),
            (ident, URIRef(ADMS + "schemaAgency"), Literal("Companies House"))]


def test_the_index_reads_data_graphs_only_and_leaves_out_the_importing_graph() -> None:
    store = EmbeddedStore.open(None)
    store.replace_graph_with(IRIS.graph("source", "one"), registered("one-1", "Agaric", "123"))
    store.replace_graph_with(IRIS.graph("reference", "ref"), [(org("ref-1"), RDF.type, ORG.FormalOrganization),
                                                              (org("ref-1"), SKOS.prefLabel, Literal("Agaric"))])
    store.add_quads([(URIRef(IRIS.graph("reference", "ref")), OD.sourceFamily, Literal("reference"),
                      URIRef(IRIS.meta_graph))])
    known = Known.from_store(store)
    assert str(org("one-1")) in known and str(org("ref-1")) not in known
    found = known.match(Record.of("x", registrations=[("companies house", "123")]))
    assert found is not None and found.iri == str(org("one-1")) and found.reason == "registration"
    assert len(Known.from_store(store, exclude_graphs=[IRIS.graph("source", "one")])) == 0
    assert Known.from_triples(registered("t", "T", "9"), "g").match(
        Record.of("y", registrations=[("Companies House", "9")])) is not None


def test_imports_match_against_the_store_and_reimports_change_nothing() -> None:
    store = EmbeddedStore.open(None)
    first = Fake("first", [("first-agaric", Record.of("Agaric", countries=[US], websites=["https://agaric.coop"]))])
    second = Fake("second", [("second-agaric", Record.of("Agaric Co-op", websites=["http://www.agaric.coop/"])),
                             ("second-blue", Record.of("Blue", countries=[GB]))])
    import_source(store, IRIS, first)
    report = import_source(store, IRIS, second)
    graph = URIRef(IRIS.graph("source", "second"))
    in_second = store.select("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }", {"g": graph})
    triples = {(r["s"], r["p"], r["o"]) for r in in_second}
    assert (org("first-agaric"), SKOS.altLabel, Literal("Agaric Co-op")) in triples  # on the first source's IRI
    assert (org("second-agaric"), OWL.sameAs, org("first-agaric")) in triples
    assert (org("second-agaric"), OD.matchReason, Literal("website")) in triples
    assert not any(s == org("second-agaric") and p == RDF.type for s, p, _ in triples)
    assert (org("second-blue"), RDF.type, ORG.FormalOrganization) in triples
    assert report.counts["matched by website"] == 1
    again = import_source(store, IRIS, second)
    meta = len(provenance(IRIS, second, str(graph), again.triples, None))
    assert again.added == again.removed == meta  # only the provenance (new timestamps) changed
    again_first = import_source(store, IRIS, first)  # the record the second source matched keeps its IRI
    assert again_first.added == again_first.removed == len(provenance(IRIS, first, "g", again_first.triples, None))
    assert {(r["s"], r["p"], r["o"]) for r in store.select(
        "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }", {"g": graph})} == triples


def test_the_running_index_agrees_with_one_built_from_the_store() -> None:
    store = EmbeddedStore.open(None)
    import_source(store, IRIS, Fake("first", [("f-1", Record.of("One", countries=[GB], websites=["https://one.x"]))]))
    known_for_import(store, "unused")  # starts the running index
    import_source(store, IRIS, Fake("second", [("s-1", Record.of("Two", countries=[DE], websites=["https://two.x"]))],
                                    matches=False))
    running = known_for_import(store, "unused")
    fresh = Known.from_store(store)
    assert {(e.iri, frozenset(e.websites), frozenset(e.countries)) for e in running.resources()} == \
        {(e.iri, frozenset(e.websites), frozenset(e.countries)) for e in fresh.resources()} != set()


# --- the report ----------------------------------------------------------------------------------------------

def test_the_report_lists_matches_near_misses_and_conflicts() -> None:
    store = EmbeddedStore.open(None)
    import_source(store, IRIS, Fake("first", [
        ("f-agaric", Record.of("Agaric", countries=[US], websites=["https://agaric.coop"])),
        ("f-fiqus", Record.of("Fiqus", countries=[GB], websites=["https://fiqus.coop"])),
        ("f-blue", Record.of("Blue", countries=[GB]))]))
    import_source(store, IRIS, Fake("second", [
        ("s-agaric", Record.of("Agaric", countries=[DE], websites=["https://agaric.coop"])),  # conflict: country
        ("s-fiqus", Record.of("Fiqus", countries=[GB], websites=["https://fiqus.com"])),  # near-miss: website
        ("s-blue", Record.of("Blue", countries=[DE]))]))  # near-miss: country
    for graph in ("first", "second"):
        store.add_quads([(URIRef(IRIS.graph("source", graph)), OD.sourceFamily, Literal("source"),
                          URIRef(IRIS.meta_graph))])
    matched, near, conflicting = match_report(store)
    assert [(m.resource, m.alias, m.reason, m.key) for m in matched] == [
        (str(org("f-agaric")), str(org("s-agaric")), "website", "agaric.coop")]
    assert {(n.name, n.why) for n in near} == {("fiqus", "different website"), ("blue", "different country")}
    assert [(c.resource, c.fact, sorted(v for vs in c.values.values() for v in vs)) for c in conflicting] == [
        (str(org("f-agaric")), "country", sorted([US, DE]))]
    assert DCTERMS.spatial  # the conflict above is about dct:spatial
