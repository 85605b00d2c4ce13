"""``/api/v1/{collection}/{id}``: every resource's JSON-LD parses (with the local context) to exactly the triples the
store holds for it; the framed shape; 303, 404, 400 and 406."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from api_support import BASE, PREFIXES, loaded_store, members, parse_oxigraph, parse_rdflib, serve
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from graph.describe import describe
from graph.embedded import EmbeddedStore
from graph.terms import to_ox

COLLECTIONS = {"organisations": "organisation", "datasets": "dataset", "licences": "licence",
               "legal-forms": "legal-form", "countries": "country"}
LABELS = ("skos:prefLabel", "skos:notation", "dct:title", "<http://www.w3.org/2000/01/rdf-schema#label>")


@pytest.fixture(scope="module")
def store() -> EmbeddedStore:
    return loaded_store()


@pytest.fixture(scope="module")
def client(store: EmbeddedStore, tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    for url in serve(store, tmp_path_factory.mktemp("api-resource")):
        with httpx.Client(base_url=url, timeout=30) as http:
            yield http


def normalised(graph: Graph) -> Graph:
    out = Graph()
    for s, p, o in graph:
        out.add((s, p, Literal(str(o), lang=o.language, datatype=o.datatype) if isinstance(o, Literal) else o))
    return out


def root(client: httpx.Client) -> str:
    return str(client.base_url).rstrip("/")


def expected_triples(store: EmbeddedStore, collection: str, iri: str) -> Graph:
    """What the document must hold, from the linked-data description and plain CONSTRUCT queries."""
    graph = Graph()
    for triple in describe(store, iri):
        graph.add(triple)
    if collection == "organisations":
        summary = store.construct(
            f"{PREFIXES} CONSTRUCT {{ ?d dct:publisher <{iri}> . ?d ?p ?o }} WHERE {{ ?d dct:publisher <{iri}> . "
            "?d ?p ?o FILTER(?p IN (rdf:type, dct:title, dct:license)) }".replace("rdf:type", "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"))
        for triple in summary:
            graph.add(triple)
    subjects = {s for s in graph.subjects()}
    linked = {o for s, p, o in graph if isinstance(o, URIRef) and o not in subjects
              and str(p) != "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"}
    for target in linked:
        for triple in store.construct(
                f"{PREFIXES} CONSTRUCT {{ <{target}> ?p ?l }} WHERE {{ <{target}> ?p ?l "
                f"FILTER(?p IN ({', '.join(LABELS)}) && isLiteral(?l)) }}"):
            graph.add(triple)
    return graph


def all_resources(store: EmbeddedStore) -> list[tuple[str, str]]:
    found = []
    for collection in COLLECTIONS:
        found += [(collection, iri) for iri in sorted(members(store, collection))]
    return found


def test_every_resource_round_trips_to_the_stores_triples(store: EmbeddedStore, client: httpx.Client) -> None:
    resources = all_resources(store)
    assert len({c for c, _ in resources}) == len(COLLECTIONS)
    for collection, iri in resources:
        ident = iri.rsplit("/", 1)[-1]
        response = client.get(f"/api/v1/{collection}/{ident}")
        assert response.status_code == 200, (iri, response.text)
        assert response.headers["content-type"].startswith("application/ld+json")
        document = response.json()
        assert document["@context"] == f"{root(client)}/api/v1/context.jsonld"
        assert document["id"] == iri
        parsed = parse_rdflib(document)
        expected = expected_triples(store, collection, iri)
        # exact lexical forms: pyoxigraph's JSON-LD parser against the store's own terms
        assert parse_oxigraph(document) == {str(ox.Triple(to_ox(s), to_ox(p), to_ox(o))) for s, p, o in expected}
        # and rdflib's parser (which normalises some literals, so compare normalised)
        assert isomorphic(normalised(parsed), normalised(expected)), iri
        for s, p, o in parsed:  # every triple is held by the endpoint
            assert store.ask("ASK { ?s ?p ?o }", bindings={"s": s, "p": p, "o": o}), (s, p, o)


def test_organisation_embeds_labels_and_lists_datasets_with_licences(client: httpx.Client) -> None:
    document = client.get("/api/v1/organisations/our-data-coop").json()
    assert document["name"] == {"en": "Our Data Co-op"}
    assert document["legalName"] == "Our Data Co-operative Limited"
    assert document["country"]["id"] == BASE + "id/country/gb"
    assert document["country"]["name"]["en"] == "United Kingdom" and document["country"]["notation"] == "GB"
    assert document["legalForm"]["name"] == {"en": "Co-operative Society"}
    assert [k["name"]["en"] for k in document["kind"]] == ["data co-operative"]
    datasets = {d["id"]: d for d in document["datasets"]}
    assert set(datasets) == {BASE + "id/dataset/wait-times-2025", BASE + "id/dataset/member-survey"}
    licence = datasets[BASE + "id/dataset/wait-times-2025"]["licence"]
    assert licence["notation"] == "CC-BY-4.0" and licence["name"]["en"].startswith("Creative Commons")
    site = document["registeredSite"]
    assert site["address"]["postCode"] == "SO14 0AA"
    assert site["lat"] == {"@value": "50.9097", "@type": "xsd:decimal"}
    assert document["type"] == sorted(document["type"]) and "org:FormalOrganization" in document["type"]


def test_shape_is_stable_across_organisations(store: EmbeddedStore, client: httpx.Client) -> None:
    """Links are objects with an id; type and kind are always arrays; legalForm/country single objects."""
    for iri in members(store, "organisations"):
        document = client.get(f"/api/v1/organisations/{iri.rsplit('/', 1)[-1]}").json()
        assert isinstance(document["type"], list)
        assert isinstance(document.get("kind", []), list)
        for key in ("country", "legalForm"):
            if key in document:
                assert isinstance(document[key], dict) and "id" in document[key]
        assert isinstance(document["name"], dict)  # a language map ("@none" for untagged names)


def test_list_items_have_the_resource_shape(client: httpx.Client) -> None:
    page = client.get("/api/v1/organisations", params={"per_page": 100}).json()
    for item in page["items"]:
        ident = item["id"].rsplit("/", 1)[-1]
        single = client.get(f"/api/v1/organisations/{ident}").json()
        single.pop("@context")
        assert item == single


def test_dataset_documents_show_licence_and_publisher(client: httpx.Client) -> None:
    document = client.get("/api/v1/datasets/salus-cohort").json()
    assert document["publisher"]["name"]["en"] == "Salus Data Trust"
    assert document["licence"]["id"] == "http://spdx.org/licenses/CC0-1.0"  # as the source says it
    survey = client.get("/api/v1/datasets/member-survey").json()
    assert survey["policy"][0]["prohibition"][0]["action"][0]["id"] == "http://www.w3.org/ns/odrl/2/sell"


def test_html_and_other_rdf_syntaxes_are_sent_to_the_document(client: httpx.Client) -> None:
    for accept in ("text/html", "text/turtle", "application/n-triples"):
        response = client.get("/api/v1/licences/CC-BY-4.0", headers={"Accept": accept})
        assert response.status_code == 303
        assert response.headers["location"] == f"{root(client)}/doc/licence/CC-BY-4.0"
    assert client.get("/api/v1/licences/CC-BY-4.0", headers={"Accept": "application/json"}).headers[
        "content-type"].startswith("application/json")


def test_unacceptable_unknown_and_malformed(client: httpx.Client) -> None:
    refused = client.get("/api/v1/organisations/our-data-coop", headers={"Accept": "text/csv"})
    assert refused.status_code == 406
    assert refused.headers["content-type"] == "application/problem+json"
    assert "application/ld+json" in refused.json()["available"]
    missing = client.get("/api/v1/organisations/no-such-org")
    assert missing.status_code == 404 and missing.json()["status"] == 404
    wrong_kind = client.get("/api/v1/organisations/CC-BY-4.0")  # a licence's id under organisations
    assert wrong_kind.status_code == 404
    assert client.get("/api/v1/datasets/our-data-coop").status_code == 404
    bad = client.get("/api/v1/organisations/a%20b")
    assert bad.status_code == 400 and bad.headers["content-type"] == "application/problem+json"


def test_head_gives_headers_without_body(client: httpx.Client) -> None:
    response = client.head("/api/v1/countries/gb")
    assert response.status_code == 200 and response.content == b""
    assert response.headers["etag"] == client.get("/api/v1/countries/gb").headers["etag"]


def test_context_route_serves_the_shipped_context(client: httpx.Client) -> None:
    from ontology import CONTEXT_FILE

    response = client.get("/api/v1/context.jsonld")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/ld+json")
    assert response.content == Path(CONTEXT_FILE).read_bytes()
    assert "max-age=86400" in response.headers["cache-control"]
    link = client.get("/api/v1/countries/fr").headers["link"]
    assert 'rel="http://www.w3.org/ns/json-ld#context"' in link and "/api/v1/context.jsonld" in link
