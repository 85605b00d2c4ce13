"""Open Data Scotland: every count is computed from the bundled CSVs and compared with what the store holds."""

from __future__ import annotations

import csv
import shutil
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from rdflib import BNode, Literal, URIRef

from graph.embedded import EmbeddedStore
from graph.errors import BadRequest
from graph.iris import Iris
from loaders.importer import ImportReport, import_source
from loaders.registry import organisation_sources
from loaders.resolve import licence_iri
from loaders.sources import licences as lic
from loaders.sources.base import DATA_DIR
from loaders.sources.open_data_scotland import FIRST_ROW, THEMES, OpenDataScotland, dataset_slugs

BASE = "https://ourdata.coop/"
IRIS = Iris(BASE)
FOLDER = DATA_DIR / "open-data-scotland"
GRAPH = f"{BASE}graph/source/open-data-scotland"
PREFIXES = """
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
"""


def read(name: str) -> list[dict[str, str]]:
    with (FOLDER / name).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def datasets() -> list[dict[str, str]]:
    return read("datasets.csv")


@pytest.fixture(scope="module")
def distributions() -> list[dict[str, str]]:
    return read("distributions.csv")


@pytest.fixture(scope="module")
def organisations() -> list[dict[str, str]]:
    return read("organizations.csv")


@pytest.fixture(scope="module")
def loaded() -> tuple[EmbeddedStore, ImportReport]:
    store = EmbeddedStore.open(None)
    return store, import_source(store, IRIS, OpenDataScotland())


def number(store: EmbeddedStore, where: str) -> int:
    return int(store.select(PREFIXES + f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")[0]["n"].toPython())


def problems_at(report: ImportReport, column: str, message: str) -> dict[int, str]:
    return {p["row"]: p["value"] for p in report.problems if p["column"] == column and message in p["message"]}


def dataset_iri(slugs: dict[str, str], dataset_id: str) -> URIRef:
    return URIRef(f"{BASE}id/dataset/ods-{slugs[dataset_id]}")


def test_is_registered_as_a_bundled_organisation_source() -> None:
    assert "open-data-scotland" in {s.info.name for s in organisation_sources()}


def test_one_dataset_per_row_with_its_identifier(loaded, datasets) -> None:
    store, report = loaded
    assert report.counts["datasets"] == len(datasets) == len({r["dataset_id"] for r in datasets})
    assert number(store, "SELECT DISTINCT ?d WHERE { ?d a dcat:Dataset }") == len(datasets)
    ids = {str(r["id"]) for r in store.select(PREFIXES + "SELECT ?id WHERE { ?d a dcat:Dataset ; dct:identifier ?id }")}
    assert ids == {r["dataset_id"] for r in datasets}
    assert len(set(dataset_slugs(datasets).values())) == len(datasets)  # ids whose words coincide stay apart
    catalogue = URIRef(IRIS.thing("catalogue", "open-data-scotland"))
    assert number(store, f"<{catalogue}> dcat:dataset ?d") == len(datasets)


def test_every_distribution_under_its_dataset(loaded, datasets, distributions) -> None:
    store, report = loaded
    assert report.counts["distributions"] == len(distributions)
    assert number(store, "?x a dcat:Distribution") == len(distributions)
    expected = Counter(r["dataset_id"] for r in distributions)
    rows = store.select(PREFIXES + """SELECT ?id (COUNT(?x) AS ?n) WHERE { ?d dct:identifier ?id ;
        dcat:distribution ?x } GROUP BY ?id""")
    assert {str(r["id"]): int(r["n"].toPython()) for r in rows} == dict(expected)
    stated = {r["dataset_id"]: int(r["n_resources"]) for r in datasets if r["n_resources"]}
    assert all(expected.get(i, 0) == n for i, n in stated.items())  # the file's own count agrees


def test_access_urls_with_spaces_are_encoded_and_reported(loaded, distributions) -> None:
    store, report = loaded
    spaced = {n: r["url"] for n, r in enumerate(distributions, start=FIRST_ROW) if " " in r["url"].strip()}
    assert spaced and problems_at(report, "url", "spaces") == spaced
    assert number(store, "?x dcat:accessURL ?u") == len(distributions)
    for url in spaced.values():
        assert store.ask(PREFIXES + f"ASK {{ ?x dcat:accessURL <{url.replace(' ', '%20')}> }}")


def expected_licences(datasets: list[dict[str, str]]) -> dict[str, str]:
    """dataset_id -> our licence IRI: the file's SPDX id when it gives one, else its licence URL resolved."""
    found = {}
    for row in datasets:
        if row["license_spdx"]:
            found[row["dataset_id"]] = str(lic.licence_iri(IRIS, row["license_spdx"]))
        elif row["license"].startswith("http"):
            iri, _ = licence_iri(IRIS, row["license"])
            if iri:
                found[row["dataset_id"]] = iri
    return found


def test_licences_are_our_concepts_where_the_file_names_one(loaded, datasets) -> None:
    store, report = loaded
    expected = expected_licences(datasets)
    rows = store.select(PREFIXES + "SELECT ?id ?l WHERE { ?d dct:identifier ?id ; dct:license ?l }")
    assert {str(r["id"]): str(r["l"]) for r in rows} == expected
    assert all(value.startswith(f"{BASE}id/licence/") for value in expected.values())
    spdx_counts = Counter(r["license_spdx"] for r in datasets if r["license_spdx"])
    ogl3 = str(lic.licence_iri(IRIS, "OGL-UK-3.0"))
    assert Counter(expected.values())[ogl3] == spdx_counts["OGL-UK-3.0"]


def test_missing_and_unresolvable_licences_are_reported_not_guessed(loaded, datasets) -> None:
    store, report = loaded
    resolved = expected_licences(datasets)
    unresolved = {n: r["license"] for n, r in enumerate(datasets, start=FIRST_ROW) if r["dataset_id"] not in resolved}
    reported = {p["row"]: p["value"] for p in report.problems if p["column"] == "license"}
    assert reported == unresolved and len(unresolved) == report.counts["datasets without licence"]
    no_licence = {n for n, value in unresolved.items() if value == "No licence"}
    assert no_licence and set(problems_at(report, "license", "no licence stated")) == no_licence
    assert all(p["file"] == "datasets.csv" for p in report.problems if p["column"] == "license")


def test_web_page_rights_statements_kept_as_rights_not_licences(loaded, datasets) -> None:
    store, _ = loaded
    resolved = expected_licences(datasets)
    pages = Counter(r["license"] for r in datasets
                    if r["dataset_id"] not in resolved and r["license"].startswith("http"))
    assert pages
    rows = store.select(PREFIXES + "SELECT ?r (COUNT(?d) AS ?n) WHERE { ?d dct:rights ?r } GROUP BY ?r")
    assert {str(r["r"]): int(r["n"].toPython()) for r in rows} == dict(pages)
    labels = {r["license"]: r["label"] for r in read("licences.csv")}
    for page in pages:
        assert store.ask(PREFIXES + f"ASK {{ <{page}> a dct:RightsStatement ; <http://www.w3.org/2000/01/rdf-schema#"
                                    f"label> {Literal(labels[page], lang='en').n3()} }}")
    assert number(store, "?d dct:rights ?r ; dct:license ?l") == 0


def test_publishers_with_wikidata_gss_area_country_and_type(loaded, organisations) -> None:
    store, report = loaded
    assert report.counts["publishers"] == len(organisations)
    assert number(store, "SELECT DISTINCT ?o WHERE { ?o a org:FormalOrganization }") == len(organisations)
    qids = Counter(r["wikidata_org_qid"] for r in organisations if r["wikidata_org_qid"])
    unique = {q for q, n in qids.items() if n == 1}
    rows = store.select(PREFIXES + "SELECT ?o ?w WHERE { ?o a org:FormalOrganization ; owl:sameAs ?w }")
    assert {str(r["w"]).rsplit("/", 1)[-1] for r in rows} == unique
    assert all(str(r["w"]).startswith("http://www.wikidata.org/entity/Q") for r in rows)
    shared = {n for n, r in enumerate(organisations, start=FIRST_ROW) if qids.get(r["wikidata_org_qid"], 0) > 1}
    assert shared and set(problems_at(report, "wikidata_org_qid", "same Wikidata item")) == shared
    codes = {r["gss_code"] for r in organisations if r["gss_code"]}
    areas = store.select(PREFIXES + "SELECT ?a WHERE { ?o a org:FormalOrganization ; dct:spatial ?a . "
                                    "FILTER(STRSTARTS(STR(?a), 'http://statistics.data.gov.uk/'))}")
    assert {str(r["a"]) for r in areas} == {f"http://statistics.data.gov.uk/id/statistical-geography/{c}"
                                             for c in codes}
    assert number(store, f"?o a org:FormalOrganization ; dct:spatial <{BASE}id/country/gb>") == len(organisations)
    aberdeen = next(r for r in organisations if r["gss_code"] == "S12000033")
    org = URIRef(f"{BASE}id/organisation/ods-{aberdeen['org_id']}")
    assert store.ask(PREFIXES + f"ASK {{ <{org}> skos:prefLabel {Literal(aberdeen['title']).n3()} ; "
                                f"foaf:homepage <{aberdeen['org_url']}> }}")
    types = Counter(t for r in organisations for t in r["type"].split(";") if t)
    rows = store.select(PREFIXES + """SELECT ?label (COUNT(?o) AS ?n) WHERE { ?o org:classification ?c .
        ?c skos:prefLabel ?label ; skos:inScheme <https://ourdata.coop/def/ods-organisation-type> } GROUP BY ?label""")
    assert {str(r["label"]): int(r["n"].toPython()) for r in rows} == dict(types)


def test_every_dataset_names_its_publisher(loaded, datasets, organisations) -> None:
    store, report = loaded
    slugs = dataset_slugs(datasets)
    by_title = {r["title"]: f"{BASE}id/organisation/ods-{r['org_id'].replace(chr(39), '')}" for r in organisations}
    rows = store.select(PREFIXES + "SELECT ?d ?p WHERE { ?d a dcat:Dataset ; dct:publisher ?p }")
    published = {str(r["d"]): str(r["p"]) for r in rows}
    assert len(published) == len(datasets)
    for row in datasets:
        if row["organization"] in by_title:
            assert published[str(dataset_iri(slugs, row["dataset_id"]))] == by_title[row["organization"]]
    unlisted = {n: r["organization"] for n, r in enumerate(datasets, start=FIRST_ROW)
                if r["organization"] not in by_title}
    assert unlisted and problems_at(report, "organization", "not listed") == unlisted
    assert report.counts["publishers not in organizations.csv"] == len(set(unlisted.values()))
    assert number(store, "?o a org:Organization ; skos:prefLabel ?n") == len(set(unlisted.values()))


def test_categories_are_keywords_and_mapped_ones_eu_themes(loaded, datasets) -> None:
    store, _ = loaded
    categories = Counter(c for r in datasets for c in r["categories"].split(";") if c)
    rows = store.select(PREFIXES + "SELECT ?k (COUNT(?d) AS ?n) WHERE { ?d dcat:keyword ?k } GROUP BY ?k")
    assert {str(r["k"]): int(r["n"].toPython()) for r in rows} == {c: n for c, n in categories.items()
                                                                   if c != "Uncategorised"}
    themes = Counter()
    for row in datasets:
        themes.update({code for c in row["categories"].split(";") for code in THEMES.get(c, ())})
    rows = store.select(PREFIXES + "SELECT ?t (COUNT(?d) AS ?n) WHERE { ?d dcat:theme ?t } GROUP BY ?t")
    assert {str(r["t"]).rsplit("/", 1)[-1]: int(r["n"].toPython()) for r in rows} == dict(themes)
    assert set(THEMES) <= set(categories)  # every mapped category exists in the file


def test_dates_and_landing_pages(loaded, datasets) -> None:
    store, _ = loaded
    assert number(store, "?d dct:issued ?x FILTER(DATATYPE(?x) = <http://www.w3.org/2001/XMLSchema#date>)") == \
        sum(1 for r in datasets if r["date_created"])
    assert number(store, "?d a dcat:Dataset ; dct:modified ?x") == sum(1 for r in datasets if r["date_updated"])
    assert number(store, "?d a dcat:Dataset ; dcat:landingPage ?x") == \
        sum(1 for r in datasets if r["original_dataset_link"])


def test_formats_are_eu_file_types_or_the_text_as_given(loaded, distributions) -> None:
    store, report = loaded
    given = [r["format"] for r in distributions if r["format"] and r["format"] != "No file type"]
    assert report.counts["formats as EU file types"] + report.counts["formats kept as text"] == len(given)
    csvs = store.select(PREFIXES + "SELECT (COUNT(?x) AS ?n) WHERE { ?x dct:format "
                                   "<http://publications.europa.eu/resource/authority/file-type/CSV> }")
    assert int(csvs[0]["n"].toPython()) == sum(1 for f in given if f == "CSV")


def test_no_blank_nodes_and_provenance(loaded) -> None:
    store, report = loaded
    triples = OpenDataScotland().build(IRIS).triples
    assert not any(isinstance(t, BNode) for triple in triples for t in triple)
    assert report.graph == GRAPH
    assert store.ask(f"ASK {{ GRAPH <{BASE}graph/meta> {{ <{GRAPH}> <http://purl.org/dc/terms/license> "
                     "<http://spdx.org/licenses/MIT> } }")


def test_reimport_leaves_the_graph_as_it_was(loaded) -> None:
    store, _ = loaded
    query = f"SELECT ?s ?p ?o WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}"
    before = {(r["s"], r["p"], r["o"]) for r in store.select(query)}
    again = import_source(store, IRIS, OpenDataScotland())
    assert {(r["s"], r["p"], r["o"]) for r in store.select(query)} == before
    assert again.triples == len(before)


def test_reads_the_folder_or_datasets_csv_and_refuses_another_csv(tmp_path: Path) -> None:
    by_file = OpenDataScotland().build(IRIS, FOLDER / "datasets.csv")
    by_folder = OpenDataScotland().build(IRIS, FOLDER)
    assert set(by_file.triples) == set(by_folder.triples)
    for name in ("distributions.csv", "organizations.csv", "licences.csv"):
        shutil.copy(FOLDER / name, tmp_path / name)
    (tmp_path / "datasets.csv").write_text("id,name\n1,x\n", encoding="utf-8")
    with pytest.raises(BadRequest, match="datasets CSV"):
        OpenDataScotland().build(IRIS, tmp_path)


def test_a_publisher_another_source_holds_is_described_on_its_iri(organisations) -> None:
    matching = pytest.importorskip("loaders.matching")
    row = next(r for r in organisations if r["gss_code"] == "S12000033")
    existing = f"{BASE}id/organisation/somewhere-else-1"
    known = matching.Known()
    known.add(existing, matching.Record.of("Another name", wikidata=[row["wikidata_org_qid"]]),
              f"{BASE}graph/source/elsewhere")
    portal = f"{BASE}id/catalogue/somewhere-else-2"
    known.add(portal, matching.Record.of("A portal", websites=[row["portal_url"]], kind="catalogue"),
              f"{BASE}graph/source/elsewhere")
    built = OpenDataScotland().build(IRIS, known=known)
    ours = URIRef(f"{BASE}id/organisation/ods-{row['org_id']}")
    subjects = defaultdict(set)
    for s, p, o in built.triples:
        subjects[s].add((str(p), str(o)))
    assert ("http://www.w3.org/2002/07/owl#sameAs", existing) in subjects[ours]
    assert ("http://www.w3.org/2004/02/skos/core#prefLabel", row["title"]) in subjects[URIRef(existing)]
    assert ("http://purl.org/dc/terms/publisher", existing) in subjects[URIRef(portal)]
    own_portal = URIRef(f"{BASE}id/catalogue/ods-{row['org_id']}")
    assert ("http://www.w3.org/2002/07/owl#sameAs", portal) in subjects[own_portal]
