"""The data-quality report, checked against counts computed from the source files themselves."""

from __future__ import annotations

import csv
import json
from collections import Counter

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, ORG, RDF, SKOS

from graph.embedded import EmbeddedStore
from graph.iris import Iris
from loaders.importer import ImportReport, import_source
from loaders.report import QualityReport, normalise_name, quality_report
from loaders.sources.base import DATA_DIR
from loaders.sources.coops_uk import GB_LEGAL_FORMS, CoopsUk
from loaders.sources.data_institutions import DataInstitutionsSeed
from loaders.sources.transformap import TransforMap
from ontology.vocab import OD

BASE = "https://ourdata.coop/"
IRIS = Iris(BASE)
#: The file's spellings of the United Kingdom, written out by hand.
UK_SPELLINGS = {"england", "uk", "gb", "united kingdom", "scotland"}


def csv_rows(name: str, file: str) -> list[dict[str, str]]:
    with (DATA_DIR / name / file).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def files() -> dict[str, list]:
    return {
        "coops": csv_rows("coops-uk", "coops-uk-open-data-2023Q2-sea-standard.csv"),
        "seed": csv_rows("data-institutions-seed", "data-institutions-seed.csv"),
        "susy": json.loads((DATA_DIR / "susy-transformap" / "susy-ssedas-initiatives.geojson").read_text())["features"],
    }


@pytest.fixture(scope="module")
def loaded() -> tuple[EmbeddedStore, dict[str, ImportReport], QualityReport]:
    store = EmbeddedStore.open(None)
    reports = {s.info.name: import_source(store, IRIS, s) for s in (DataInstitutionsSeed(), CoopsUk(), TransforMap())}
    return store, reports, quality_report(store)


def test_counts_by_source_graph(loaded, files) -> None:
    _, _, report = loaded
    by_graph = {c.key: c.n for c in report.by_source}
    assert by_graph == {IRIS.graph("source", "coops-uk"): len(files["coops"]),
                        IRIS.graph("source", "data-institutions-seed"): len(files["seed"]),
                        IRIS.graph("source", "transformap"): len(files["susy"])}
    assert report.organisations == len(files["coops"]) + len(files["seed"]) + len(files["susy"])
    assert all(c.label for c in report.by_source)  # titles from the meta graph


def test_counts_by_country(loaded, files) -> None:
    _, _, report = loaded
    gb = (sum(r["Country ID"] == "GB" for r in files["coops"]) + sum(r["country_iso3166_1"] == "GB"
                                                                     for r in files["seed"])
          + sum((f["properties"].get("addr:country") or "").strip().lower() in UK_SPELLINGS for f in files["susy"]))
    by_country = {c.key: c.n for c in report.by_country}
    assert by_country[f"{BASE}id/country/gb"] == gb
    assert by_country[f"{BASE}id/country/je"] == sum(r["Country ID"] == "JE" for r in files["coops"])
    assert sum(by_country.values()) + report.missing_country_total == report.organisations


def test_counts_by_legal_form(loaded, files) -> None:
    _, _, report = loaded
    expected = Counter(GB_LEGAL_FORMS[r["Legal Form"]] for r in files["coops"]
                       if r["Legal Form"] in GB_LEGAL_FORMS and r["Country ID"] == "GB")
    assert {c.key: c.n for c in report.by_legal_form} == {f"{BASE}id/legal-form/{k}": n for k, n in expected.items()}
    text = {c.key: c.n for c in report.by_legal_form_text}
    assert text["Society"] == sum(r["Legal Form"] == "Society" for r in files["coops"])
    assert report.missing_legal_form_total == report.organisations - sum(expected.values())


def test_counts_by_kind(loaded, files) -> None:
    _, _, report = loaded
    kinds = {c.key.rsplit("/", 1)[-1]: c.n for c in report.by_kind}
    food = sum("food_cooperative" in (f["properties"].get("type_of_initiative") or "") for f in files["susy"])
    assert kinds["cooperative"] == len(files["coops"]) + food
    assert kinds["sse-initiative"] == len(files["susy"])
    assert kinds["data-cooperative"] == sum(r["kind"].startswith("data cooperative") for r in files["seed"])


def test_missing_country_per_graph(loaded, files) -> None:
    _, reports, report = loaded
    missing = {c.key: c.n for c in report.missing_country}
    seed_missing = sum(not r["country_iso3166_1"] for r in files["seed"])
    assert missing[IRIS.graph("source", "data-institutions-seed")] == seed_missing
    susy = reports["transformap"]
    susy_missing = sum(not (f["properties"].get("addr:country") or "").strip() for f in files["susy"])
    unresolved = sum(p["column"] == "addr:country" for p in susy.problems)
    assert missing[IRIS.graph("source", "transformap")] == susy_missing + unresolved
    assert IRIS.graph("source", "coops-uk") not in missing


def test_duplicates_span_graphs_and_share_name_and_country(loaded) -> None:
    store, _, report = loaded
    assert report.duplicates
    for duplicate in report.duplicates:
        graphs = {o["graph"] for o in duplicate.organisations}
        assert len(graphs) >= 2
        assert {normalise_name(o["name"]) for o in duplicate.organisations} == {duplicate.name}
        for member in duplicate.organisations:
            row = store.select("SELECT ?o ?c WHERE { ?o <http://purl.org/dc/terms/spatial> ?c }",
                               {"o": URIRef(member["organisation"])})
            assert {str(r["c"]) for r in row} == {duplicate.country}


def test_datasets_without_a_licence_and_synthetic_duplicates() -> None:
    store = EmbeddedStore.open(None)
    a, b = URIRef(IRIS.graph("contribution", "a")), URIRef(IRIS.graph("contribution", "b"))
    vocabulary = URIRef(IRIS.graph("vocabulary", "dcat"))
    gb, fr = URIRef(f"{BASE}id/country/gb"), URIRef(f"{BASE}id/country/fr")
    licensed, unlicensed = URIRef(f"{BASE}id/dataset/x"), URIRef(f"{BASE}id/dataset/y")
    via_distribution, dist = URIRef(f"{BASE}id/dataset/z"), URIRef(f"{BASE}id/dataset/z/csv")

    def org(slug: str, name: str, country: URIRef, graph: URIRef) -> list:
        iri = URIRef(f"{BASE}id/organisation/{slug}")
        return [(iri, RDF.type, ORG.FormalOrganization, graph), (iri, SKOS.prefLabel, Literal(name), graph),
                (iri, DCTERMS.spatial, country, graph)]

    store.add_quads([
        *org("one", "The Unicorn Co-operative Ltd", gb, a), *org("two", "unicorn cooperative", gb, b),
        *org("three", "Unicorn Co-operative", fr, b), *org("four", "Solo", gb, a), *org("five", "Solo Ltd", gb, a),
        (licensed, RDF.type, DCAT.Dataset, a), (licensed, DCTERMS.license, URIRef(f"{BASE}id/licence/CC0-1.0"), a),
        (unlicensed, RDF.type, DCAT.Dataset, a), (unlicensed, DCTERMS.title, Literal("No licence"), a),
        (via_distribution, RDF.type, DCAT.Dataset, b), (via_distribution, DCAT.distribution, dist, b),
        (dist, DCTERMS.license, URIRef(f"{BASE}id/licence/CC0-1.0"), b),
        *org("w3c", "World Wide Web Consortium", gb, vocabulary),  # a vocabulary's publisher is not landscape
        (vocabulary, OD.sourceFamily, Literal("vocabulary"), URIRef(IRIS.meta_graph)),
    ])
    report = quality_report(store)
    assert report.organisations == 5 and {c.key for c in report.by_source} == {str(a), str(b)}
    assert report.datasets == 3
    assert report.datasets_without_licence == [{"graph": str(a), "dataset": str(unlicensed), "title": "No licence"}]
    assert [(d.name, d.country, sorted(o["organisation"].rsplit("/", 1)[-1] for o in d.organisations))
            for d in report.duplicates] == [("unicorn cooperative", str(gb), ["one", "two"])]  # "Solo": one graph
    assert json.loads(json.dumps(report.as_dict()))["missing_country_total"] == 0
