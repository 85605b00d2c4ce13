"""``ourdata import dcat FILE`` on the two real council DCAT-AP feeds (and the same feeds as Turtle and RDF/XML), on
Project Open Data's own sample ``data.json``, and on remote contexts. Every expected fault is found by reading the
JSON file itself, never typed in."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from rdflib import BNode, Graph, URIRef
from typer.testing import CliRunner

from api.cli import _register, app
from graph.embedded import EmbeddedStore
from graph.errors import BadRequest
from graph.iris import Iris
from loaders.importer import ImportReport, import_source
from loaders.sources.base import DATA_DIR
from loaders.sources.dcat import DcatFeed
from loaders.sources.dcat_read import DCAT_AP_CONTEXT, dcat_ap_context, read
from loaders.sources.dcat_terms import NO_ASSERTION

BASE = "https://ourdata.coop/"
IRIS = Iris(BASE)
FEEDS = sorted((DATA_DIR / "open-data-scotland" / "dcat-ap-feeds").glob("*.jsonld"))
POD = Path(__file__).parent / "data" / "project-open-data" / "catalog-sample.json"
PREFIXES = """PREFIX dct: <http://purl.org/dc/terms/>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
"""


def feed_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def graph_of(title: str) -> str:
    return f"{BASE}graph/source/dcat-{Iris.slugify(title, 60)}"


@pytest.fixture(scope="module", params=FEEDS, ids=lambda p: p.stem)
def imported(request) -> tuple[dict, EmbeddedStore, ImportReport]:
    store = EmbeddedStore.open(None)
    return feed_json(request.param), store, import_source(store, IRIS, DcatFeed(request.param))


def number(store: EmbeddedStore, graph: str, where: str) -> int:
    rows = store.select(PREFIXES + f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ {where} }} }}")
    return int(rows[0]["n"].toPython())


def located(report: ImportReport, column: str, message: str) -> list[str]:
    return sorted(p["pointer"] for p in report.problems if p["column"] == column and message in p["message"])


def test_graph_named_after_the_catalogue_with_every_dataset_and_distribution(imported) -> None:
    doc, store, report = imported
    assert report.graph == graph_of(doc["dct:title"])
    datasets = doc["dcat:dataset"]
    distributions = [d for ds in datasets for d in ds["dcat:distribution"]]
    assert report.counts["datasets"] == len(datasets) and report.counts["distributions"] == len(distributions)
    assert number(store, report.graph, "?d a dcat:Dataset") == len(datasets)
    assert number(store, report.graph, "?d a dcat:Distribution") == len(distributions)
    same = store.select(PREFIXES + f"SELECT ?theirs WHERE {{ GRAPH <{report.graph}> {{ ?d a dcat:Dataset ; "
                                   "owl:sameAs ?theirs } }")
    assert {str(r["theirs"]) for r in same} == {d["@id"] for d in datasets}
    assert number(store, report.graph, f"<{BASE}id/catalogue/{report.graph.rsplit('/', 1)[-1]}> dcat:dataset ?d") \
        == len(datasets)


def test_miscased_access_url_is_read_as_dcat_access_url_and_reported_where_it_is(imported) -> None:
    doc, store, report = imported
    expected = sorted(f"/dcat:dataset/{i}/dcat:distribution/{j}/dcat:accessUrl"
                      for i, ds in enumerate(doc["dcat:dataset"]) for j, d in enumerate(ds["dcat:distribution"])
                      if "dcat:accessUrl" in d)
    assert expected and located(report, "dcat:accessUrl", "read as dcat:accessURL") == expected
    urls = {d["dcat:accessUrl"] for ds in doc["dcat:dataset"] for d in ds["dcat:distribution"]}
    rows = store.select(PREFIXES + f"SELECT ?u WHERE {{ GRAPH <{report.graph}> {{ ?x dcat:accessURL ?u }} }}")
    assert {str(r["u"]) for r in rows} == urls and all(isinstance(r["u"], URIRef) for r in rows)
    assert not store.ask("ASK { ?x <http://www.w3.org/ns/dcat#accessUrl> ?u }")


def test_publishers_given_as_plain_names_become_named_agents_and_are_reported(imported) -> None:
    doc, store, report = imported
    plain = sorted([f"/dcat:dataset/{i}/dct:publisher" for i, ds in enumerate(doc["dcat:dataset"])
                    if isinstance(ds.get("dct:publisher"), str)] +
                   (["/dct:publisher"] if isinstance(doc.get("dct:publisher"), str) else []))
    assert plain and located(report, "dct:publisher", "plain name") == plain
    names = {ds["dct:publisher"] for ds in doc["dcat:dataset"]} | {doc["dct:publisher"]}
    rows = store.select(PREFIXES + f"""SELECT DISTINCT ?name WHERE {{ GRAPH <{report.graph}> {{
        ?d dct:publisher ?agent . ?agent a foaf:Agent ; foaf:name ?name }} }}""")
    assert {str(r["name"]) for r in rows} == names
    assert number(store, report.graph, "?d a dcat:Dataset ; dct:publisher ?p FILTER(isIRI(?p))") == \
        len(doc["dcat:dataset"])


def test_no_licence_is_reported_for_every_dataset_and_the_catalogue(imported) -> None:
    doc, store, report = imported
    unlicensed = sorted(f"/dcat:dataset/{i}" for i, ds in enumerate(doc["dcat:dataset"])
                        if "dct:license" not in ds and not any("dct:license" in d for d in ds["dcat:distribution"]))
    assert unlicensed and located(report, "dct:license", "no licence:") == unlicensed
    assert report.counts["datasets without licence"] == len(unlicensed)
    assert located(report, "dct:license", "the catalogue states no licence") == [""]
    assert store.ask(f"ASK {{ GRAPH <{BASE}graph/meta> {{ <{report.graph}> <http://purl.org/dc/terms/license> "
                     f"<{NO_ASSERTION}> }} }}")
    assert number(store, report.graph, "?d dct:license ?l") == 0


def test_other_real_faults_are_repaired_or_left_out_and_each_reported(imported) -> None:
    doc, store, report = imported
    datasets = doc["dcat:dataset"]

    def where(key: str, test) -> list[str]:  # type: ignore[no-untyped-def]
        return sorted(f"/dcat:dataset/{i}/{key}" for i, ds in enumerate(datasets) if key in ds and test(ds[key]))

    themes = where("dcat:theme", lambda v: isinstance(v, str))
    assert themes and located(report, "dcat:theme", "kept as a dcat:keyword") == themes
    assert located(report, "dct:provenance", "empty value") == where("dct:provenance", lambda v: v == "")
    issued = where("dct:issued", lambda v: True)
    assert located(report, "dct:issued", "date written as plain text") == issued
    assert number(store, report.graph, "?d dct:issued ?x FILTER(DATATYPE(?x) = "
                                       "<http://www.w3.org/2001/XMLSchema#dateTime>)") == len(issued)
    assert located(report, "foaf:Document", "is a class, not a property") == ["/foaf:homepage/foaf:Document"]
    assert store.ask(PREFIXES + f"ASK {{ GRAPH <{report.graph}> {{ ?c a dcat:Catalog ; foaf:homepage "
                                f"<{doc['foaf:homepage']['foaf:Document']}> }} }}")
    rights = Counter(ds.get("dct:accessRights") for ds in datasets)
    assert located(report, "dct:accessRights", "text where a resource is expected") == where(
        "dct:accessRights", lambda v: v == "public")
    assert number(store, report.graph, "?d dct:accessRights <http://publications.europa.eu/resource/authority/"
                                       "access-right/PUBLIC>") == rights["public"]
    assert all(p["pointer"] is not None for p in report.problems)  # JSON: every fault has a pointer


def test_no_blank_nodes_and_reimport_replaces(imported) -> None:
    doc, store, report = imported
    query = f"SELECT ?s ?p ?o WHERE {{ GRAPH <{report.graph}> {{ ?s ?p ?o }} }}"
    before = {(r["s"], r["p"], r["o"]) for r in store.select(query)}
    assert not any(isinstance(term, BNode) for triple in before for term in triple)
    path = next(p for p in FEEDS if feed_json(p)["@id"] == doc["@id"])
    again = import_source(store, IRIS, DcatFeed(path))
    assert again.graph == report.graph
    assert {(r["s"], r["p"], r["o"]) for r in store.select(query)} == before


@pytest.mark.parametrize("fmt, suffix", [("turtle", ".ttl"), ("xml", ".rdf")])
def test_the_same_feed_as_turtle_or_rdfxml_reports_faults_by_node_and_property(tmp_path, fmt, suffix) -> None:
    source = FEEDS[0]
    graph = Graph()
    for triple in read(source, "https://example.org/").triples:
        graph.add(triple)
    path = tmp_path / f"{source.stem}{suffix}"
    path.write_text(graph.serialize(format=fmt), encoding="utf-8")
    doc = feed_json(source)
    built = DcatFeed(path).build(IRIS)
    miscased = [p for p in built.problems if p["column"] == "dcat:accessUrl"]
    distributions = sum(len(ds["dcat:distribution"]) for ds in doc["dcat:dataset"])
    assert len(miscased) == distributions and built.counts["datasets"] == len(doc["dcat:dataset"])
    assert all("pointer" not in p and p["node"].startswith(f"{BASE}id/dataset/") and "/distribution/" in p["node"]
               for p in miscased)
    assert not any(isinstance(term, BNode) for triple in built.triples for term in triple)


def test_project_open_data_sample_catalogue(tmp_path) -> None:
    doc = json.loads(POD.read_text(encoding="utf-8"))
    store = EmbeddedStore.open(None)
    report = import_source(store, IRIS, DcatFeed(POD))
    datasets = doc["dataset"]
    distributions = [d for ds in datasets for d in ds.get("distribution", [])]
    assert report.counts["datasets"] == len(datasets) and report.counts["distributions"] == len(distributions)
    assert report.counts["contact points left out (personal data)"] == sum(1 for d in datasets if "contactPoint" in d)
    assert not store.ask("ASK { ?s <http://www.w3.org/ns/dcat#contactPoint> ?o }")
    assert not store.ask("ASK { ?s ?p ?o FILTER(CONTAINS(STR(?o), 'mailto:')) }")
    media = Counter(d["mediaType"] for d in distributions if "mediaType" in d)
    rows = store.select(PREFIXES + "SELECT ?m (COUNT(?x) AS ?n) WHERE { ?x dcat:mediaType ?m } GROUP BY ?m")
    assert {str(r["m"]).removeprefix("https://www.iana.org/assignments/media-types/"): int(r["n"].toPython())
            for r in rows} == dict(media)
    assert located(report, "dct:license", "no licence:") == [f"/dataset/{i}" for i in range(len(datasets))]
    names = {d["publisher"]["name"] for d in datasets}
    rows = store.select(PREFIXES + "SELECT DISTINCT ?n WHERE { ?d dct:publisher/foaf:name ?n }")
    assert {str(r["n"]) for r in rows} == names


def dcat_ap_document(context: object) -> dict:
    return {"@context": context, "@type": "Catalogue", "@id": "https://hub.example.org/catalogue",
            "title": ["Example hub"], "licence": "https://creativecommons.org/licenses/by/4.0/",
            "dataset": [{"@type": "Dataset", "@id": "https://hub.example.org/dataset/1", "title": ["Trees"],
                         "publisher": "https://hub.example.org/org/council",
                         "datasetDistribution": [{"@type": "Distribution", "accessUrl": ["https://x.example/t.csv"],
                                                  "licence": "http://www.opendatacommons.org/licenses/odbl/1.0/"}]}]}


def test_the_dcat_ap_context_url_is_replaced_by_the_bundled_copy_and_said_so(tmp_path) -> None:
    url = "https://semiceu.github.io/DCAT-AP/releases/3.0.1/context/dcat-ap.jsonld"
    path = tmp_path / "hub.jsonld"
    path.write_text(json.dumps(dcat_ap_document(url)), encoding="utf-8")
    source = DcatFeed(path)
    built = source.build(IRIS)
    notes = [p["message"] for p in built.problems if p["column"] == "@context"]
    assert len(notes) == 1 and notes[0].startswith("remote @context not fetched: the bundled copy of the DCAT-AP")
    assert built.counts["datasets"] == 1 and built.counts["distributions"] == 1
    licences = {str(s).rsplit("/", 2)[-2]: str(o) for s, p, o in built.triples
                if str(p) == "http://purl.org/dc/terms/license"}
    assert licences == {"catalogue": f"{BASE}id/licence/CC-BY-4.0", "distribution": f"{BASE}id/licence/ODbL-1.0"}
    assert built.counts.get("datasets without licence", 0) == 0  # a distribution's licence covers its dataset
    assert source.info.licence == f"{BASE}id/licence/CC-BY-4.0" and source.info.name == "dcat-example-hub"
    # the same document with the context inline reads the same
    inline = tmp_path / "inline.jsonld"
    inline.write_text(json.dumps(dcat_ap_document(dcat_ap_context()[0])))
    assert set(DcatFeed(inline).build(IRIS).triples) == set(built.triples)


def test_the_bundled_context_is_upstreams_with_only_its_invalid_terms_left_out() -> None:
    upstream = json.loads(DCAT_AP_CONTEXT.read_text(encoding="utf-8"))["@context"]
    context, invalid = dcat_ap_context()
    assert invalid and all(term.startswith("Xsd:") for term in invalid)
    assert set(context) | set(invalid) == set(upstream) and all(context[t] == upstream[t] for t in context)


def test_any_other_remote_context_is_refused_not_fetched(tmp_path) -> None:
    path = tmp_path / "remote.jsonld"
    path.write_text(json.dumps(dcat_ap_document("https://example.org/some/context.jsonld")), encoding="utf-8")
    with pytest.raises(BadRequest, match="never fetch"):
        DcatFeed(path)


def test_xml_entities_and_files_without_datasets_are_refused(tmp_path) -> None:
    xml = tmp_path / "bomb.rdf"
    xml.write_text('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><rdf:RDF '
                   'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>', encoding="utf-8")
    with pytest.raises(BadRequest, match="entities"):
        DcatFeed(xml)
    empty = tmp_path / "empty.ttl"
    empty.write_text("<https://x.example/a> <https://x.example/p> 'b' .\n", encoding="utf-8")
    with pytest.raises(BadRequest, match="no dcat:Dataset"):
        DcatFeed(empty).build(IRIS)


def test_cli_imports_a_feed_into_its_own_graph(tmp_path) -> None:
    _register()
    result = CliRunner().invoke(app, ["import", "dcat", str(FEEDS[-1]), "--store", str(tmp_path / "store")],
                                env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert graph_of(feed_json(FEEDS[-1])["dct:title"]) in result.output
    assert "dct:publisher" in result.output and "plain name where an agent is expected" in result.output
    missing = CliRunner().invoke(app, ["import", "dcat", "--store", str(tmp_path / "store")])
    assert missing.exit_code == 2
