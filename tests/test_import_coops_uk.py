"""Co-operatives UK: every count is computed from the bundled CSV and compared with what the store holds."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest
from rdflib import URIRef

from graph.embedded import EmbeddedStore
from graph.errors import BadRequest
from graph.iris import Iris
from loaders.importer import ImportReport, import_source, provenance
from loaders.sources.base import DATA_DIR
from loaders.sources.coops_uk import FIRST_ROW, GB_LEGAL_FORMS, CoopsUk

BASE = "https://ourdata.coop/"
CSV_PATH = DATA_DIR / "coops-uk" / "coops-uk-open-data-2023Q2-sea-standard.csv"
ELF_CSV = next((DATA_DIR / "gleif-elf-code-list").glob("*.csv"))
PREFIXES = """
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rov: <http://www.w3.org/ns/regorg#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX adms: <http://www.w3.org/ns/adms#>
PREFIX locn: <http://www.w3.org/ns/locn#>
PREFIX geo: <http://www.w3.org/2003/01/geo/wgs84_pos#>
PREFIX essglobal: <http://purl.org/essglobal/vocab/>
PREFIX od: <https://ourdata.coop/def/>
"""


def rows() -> list[dict[str, str]]:
    with CSV_PATH.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def number(store: EmbeddedStore, query: str) -> int:
    return int(store.select(PREFIXES + query)[0]["n"].toPython())


@pytest.fixture(scope="module")
def source_rows() -> list[dict[str, str]]:
    return rows()


@pytest.fixture(scope="module")
def loaded() -> tuple[EmbeddedStore, ImportReport]:
    store = EmbeddedStore.open(None)
    return store, import_source(store, Iris(BASE), CoopsUk())


def test_one_organisation_per_row_with_its_own_identifier(loaded, source_rows) -> None:
    store, report = loaded
    assert report.counts["organisations"] == len(source_rows) == len({r["Identifier"] for r in source_rows})
    assert number(store, "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?o a org:FormalOrganization }") == len(source_rows)
    first = source_rows[0]
    org = URIRef(f"{BASE}id/organisation/coops-uk-{first['Identifier']}")
    rows_about = store.select(PREFIXES + """SELECT ?o ?name ?notation WHERE {
        ?o skos:prefLabel ?name ; adms:identifier/skos:notation ?notation }""", {"o": org})
    assert [(str(r["name"]), str(r["notation"])) for r in rows_about] == [(first["Name"], first["Identifier"])]


def test_registered_unless_unincorporated_or_unknown(loaded, source_rows) -> None:
    store, _ = loaded
    expected = sum(1 for r in source_rows if r["Legal Form"] not in ("", "Unincorporated"))
    assert number(store, "SELECT (COUNT(?o) AS ?n) WHERE { ?o a rov:RegisteredOrganization }") == expected


def test_legal_form_text_kept_for_every_row_that_has_one(loaded, source_rows) -> None:
    store, _ = loaded
    expected = Counter(r["Legal Form"] for r in source_rows if r["Legal Form"])
    found = store.select(PREFIXES + "SELECT ?f (COUNT(?o) AS ?n) WHERE { ?o od:legalFormText ?f } GROUP BY ?f")
    assert {str(r["f"]): int(r["n"].toPython()) for r in found} == dict(expected)


def test_org_type_only_for_unambiguous_gb_forms_that_exist_in_the_elf_list(loaded, source_rows) -> None:
    store, _ = loaded
    with ELF_CSV.open(encoding="utf-8-sig", newline="") as handle:
        gb_codes = {r["ELF Code"]: r["Entity Legal Form name Local name"] for r in csv.DictReader(handle)
                    if r["Country Code (ISO 3166-1)"] == "GB" and r["ELF Status ACTV/INAC"] == "ACTV"}
    for value, code in GB_LEGAL_FORMS.items():
        assert code in gb_codes, value
        assert value.lower() in (gb_codes[code].lower(), "llp")
    expected = Counter(GB_LEGAL_FORMS[r["Legal Form"]] for r in source_rows
                       if r["Legal Form"] in GB_LEGAL_FORMS and r["Country ID"] == "GB")
    found = store.select(PREFIXES + "SELECT ?t (COUNT(?o) AS ?n) WHERE { ?o rov:orgType ?t } GROUP BY ?t")
    assert {str(r["t"]): int(r["n"].toPython()) for r in found} == {
        f"{BASE}id/legal-form/{code}": n for code, n in expected.items()}


def test_every_unmapped_legal_form_is_reported_with_row_and_column(loaded, source_rows) -> None:
    reported = [p for p in loaded[1].problems if p["column"] == "Legal Form"]
    expected = [(i + FIRST_ROW, r["Legal Form"]) for i, r in enumerate(source_rows)
                if r["Legal Form"] and not (r["Legal Form"] in GB_LEGAL_FORMS and r["Country ID"] == "GB")]
    assert [(p["row"], p["value"]) for p in reported] == expected
    assert all(source_rows[p["row"] - FIRST_ROW]["Legal Form"] == p["value"] for p in reported)


def test_countries_resolved_and_nothing_guessed(loaded, source_rows) -> None:
    store, report = loaded
    expected = Counter(r["Country ID"].lower() for r in source_rows)
    found = store.select(PREFIXES + "SELECT ?c (COUNT(?o) AS ?n) WHERE { ?o a org:FormalOrganization ; "
                                     "dct:spatial ?c } GROUP BY ?c")
    assert {str(r["c"]): int(r["n"].toPython()) for r in found} == {
        f"{BASE}id/country/{c}": n for c, n in expected.items()}
    assert not [p for p in report.problems if p["column"] == "Country ID"]


def test_essglobal_codes_rewritten_to_purl_iris(loaded, source_rows) -> None:
    store, _ = loaded
    for column, prop in (("Organisational Structure", "organisationalStructure"),
                         ("Membership Type", "baseMembershipType"), ("Primary Activity", "primarySector")):
        expected = Counter(r[column].rsplit("/", 1)[-1] for r in source_rows if r[column])
        found = store.select(PREFIXES + f"SELECT ?c (COUNT(?o) AS ?n) WHERE {{ ?o essglobal:{prop} ?c }} GROUP BY ?c")
        got = {str(r["c"]): int(r["n"].toPython()) for r in found}
        assert all(iri.startswith("http://purl.org/essglobal/standard/") for iri in got)
        assert {iri.rsplit("/", 1)[-1]: n for iri, n in got.items()} == dict(expected), column
    assert number(store, 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(CONTAINS(STR(?o), "dev.lod.coop")) }') == 0


def test_classified_as_cooperatives_only(loaded, source_rows) -> None:
    """OS130 covers co-operative societies and community benefit societies alike: no finer kind is guessed."""
    store, _ = loaded
    kinds = store.select(PREFIXES + "SELECT ?k (COUNT(?o) AS ?n) WHERE { ?o org:classification ?k } GROUP BY ?k")
    got = {str(r["k"]).rsplit("/", 1)[-1]: int(r["n"].toPython()) for r in kinds}
    assert got == {"cooperative": len(source_rows)}


def test_companies_house_numbers_as_registrations(loaded, source_rows) -> None:
    store, _ = loaded
    expected = {(r["Identifier"], r["Companies House Number"]) for r in source_rows if r["Companies House Number"]}
    found = store.select(PREFIXES + "SELECT ?o ?num WHERE { ?o rov:registration/skos:notation ?num }")
    got = {(str(r["o"]).rsplit("coops-uk-", 1)[-1], str(r["num"])) for r in found}
    assert got == expected


def test_registered_site_with_address_and_coordinates(loaded, source_rows) -> None:
    store, _ = loaded
    with_coordinates = [r for r in source_rows if r["Geo Container Latitude"] or r["Latitude"]]
    assert number(store, "SELECT (COUNT(?s) AS ?n) WHERE { ?o org:hasRegisteredSite ?s . ?s geo:lat ?lat ; "
                         "geo:long ?long }") == len(with_coordinates)
    sample = next(r for r in source_rows if "\n" in r["Street Address"] and r["Geo Container Latitude"])
    org = URIRef(f"{BASE}id/organisation/coops-uk-{sample['Identifier']}")
    site = store.select(PREFIXES + """SELECT ?o ?street ?post ?region ?lat ?long WHERE {
        ?o org:hasRegisteredSite ?s . ?s a org:Site ; geo:lat ?lat ; geo:long ?long ;
        locn:address ?a ; org:siteAddress ?a . ?a a locn:Address ; locn:thoroughfare ?street ; locn:postCode ?post .
        OPTIONAL { ?a locn:adminUnitL2 ?region } }""", {"o": org})[0]
    assert str(site["street"]) == ", ".join(line.strip() for line in sample["Street Address"].splitlines())
    assert str(site["post"]) == sample["Postcode"]
    assert float(site["lat"].toPython()) == float(sample["Geo Container Latitude"])
    assert float(site["long"].toPython()) == float(sample["Geo Container Longitude"])
    assert str(site.get("region", "")) == sample["Region"]


def test_no_blank_nodes_and_source_attribution_on_every_organisation(loaded, source_rows) -> None:
    store, _ = loaded
    assert number(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(isBlank(?s) || isBlank(?o)) }") == 0
    assert number(store, "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?o a org:FormalOrganization ; dct:source "
                         f"<{CoopsUk.info.source_url}> }}") == len(source_rows)


def test_reimport_replaces_rather_than_duplicates(loaded) -> None:
    store, first = loaded
    graph = first.graph
    before = store.count(graph)
    again = import_source(store, Iris(BASE), CoopsUk())
    meta = len(provenance(Iris(BASE), CoopsUk(), graph, again.triples, None))
    assert store.count(graph) == before == again.triples
    assert again.added == again.removed == meta  # only the provenance (new timestamps) changed


def test_small_file_reports_bad_rows(tmp_path: Path, source_rows) -> None:
    fields = list(source_rows[0])
    good = dict(source_rows[0])
    jersey = dict(source_rows[0], Identifier="R999001", **{"Country ID": "JE", "Legal Form": "Community Interest "
                                                                                            "Company"})
    bad_id = dict(source_rows[0], Identifier="R 1")
    odd = dict(source_rows[0], Identifier="R999002", Website="not a site", **{"Membership Type": "http://x.org/BMT1"})
    path = tmp_path / "small.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows([good, jersey, bad_id, good, odd])
    built = CoopsUk().build(Iris(BASE), path)
    where = {(p["row"], p["column"]) for p in built.problems}
    assert {(3, "Legal Form"), (4, "Identifier"), (5, "Identifier"), (6, "Website"), (6, "Membership Type")} <= where
    assert built.counts["organisations"] == 3
    assert not any(str(t[2]).endswith("/legal-form/17R0") for t in built.triples)  # a Jersey CIC is not GB's


def test_a_file_that_is_not_this_csv_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(BadRequest, match="missing columns"):
        CoopsUk().build(Iris(BASE), path)


def test_iris_follow_the_deployment_base(tmp_path: Path, source_rows) -> None:
    path = tmp_path / "one.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(source_rows[0]))
        writer.writeheader()
        writer.writerows(source_rows[:3])
    built = CoopsUk().build(Iris("https://example.org/kg/"), path)
    subjects = {str(s) for s, _, _ in built.triples}
    assert len(subjects) > 3
    assert all(s.startswith("https://example.org/kg/id/organisation/coops-uk-") for s in subjects)
