"""The JSON-LD API over the real bundled sources (first load): counts, a filter, a search and a round trip."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from api_support import BASE, MEMBERS, PREFIXES, make_settings, parse_oxigraph
from conftest import bundled_store, run_server

from graph.embedded import EmbeddedStore
from graph.terms import to_ox

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def store() -> EmbeddedStore:
    return bundled_store()


@pytest.fixture(scope="module")
def client(store: EmbeddedStore, tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    for url in run_server(make_settings(tmp_path_factory.mktemp("api-real")), store):
        with httpx.Client(base_url=url, timeout=60) as http:
            yield http


def count(store: EmbeddedStore, where: str) -> int:
    return len(store.select(f"{PREFIXES} SELECT DISTINCT ?s WHERE {{ {where} }}"))


def test_totals_and_a_country_filter(store: EmbeddedStore, client: httpx.Client) -> None:
    body = client.get("/api/v1/organisations", params={"per_page": 1}).json()
    assert body["totalItems"] == count(store, MEMBERS["organisations"]) > 1000
    gb = client.get("/api/v1/organisations", params={"per_page": 1, "country": "gb"}).json()
    assert gb["totalItems"] == count(store, MEMBERS["organisations"] + f" ?s dct:spatial <{BASE}id/country/gb>")
    stats = client.get("/api/v1/stats").json()
    assert stats["organisations"]["total"] == body["totalItems"]
    assert stats["licences"]["total"] == count(store, MEMBERS["licences"])


def test_licences_permitting_commercial_use(store: EmbeddedStore, client: httpx.Client) -> None:
    body = client.get("/api/v1/licences", params={"permits": "commercial-use", "per_page": 500}).json()
    listed = {item["id"] for item in body["items"]}
    expected = {str(r["s"]) for r in store.select(
        f"{PREFIXES} SELECT DISTINCT ?s WHERE {{ ?s a dct:LicenseDocument ; odrl:hasPolicy ?p . "
        "FILTER NOT EXISTS { ?s odrl:hasPolicy/odrl:prohibition/odrl:action cc:CommercialUse } }")}
    assert listed == expected and BASE + "id/licence/CC-BY-4.0" in listed
    assert BASE + "id/licence/CC-BY-NC-4.0" not in listed


def test_search_finds_a_real_name_first(store: EmbeddedStore, client: httpx.Client) -> None:
    row = store.select(f"{PREFIXES} SELECT ?s ?n WHERE {{ ?s a org:FormalOrganization ; skos:prefLabel ?n }} "
                       "ORDER BY ?s OFFSET 200 LIMIT 1")[0]
    name = str(row["n"])
    body = client.get("/api/v1/organisations", params={"q": name, "per_page": 5}).json()
    top = body["items"][0]
    assert json.dumps(top["name"], ensure_ascii=False).lower().count(name.lower()) >= 1, (name, top["name"])


def test_a_real_organisation_round_trips(store: EmbeddedStore, client: httpx.Client) -> None:
    iri = str(store.select(f"{PREFIXES} SELECT ?s WHERE {{ ?s a rov:RegisteredOrganization ; "
                           "org:hasRegisteredSite ?site } ORDER BY ?s LIMIT 1")[0]["s"])
    document = client.get(f"/api/v1/organisations/{iri.rsplit('/', 1)[-1]}").json()
    for triple in parse_oxigraph(document):
        assert triple.startswith("<")
    own = {str(r["p"]) + " " + str(to_ox(r["o"])) for r in store.select(f"SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }}")}
    parsed = {t.split(" ", 2)[1].strip("<>") + " " + t.split(" ", 2)[2] for t in parse_oxigraph(document)
              if t.startswith(f"<{iri}> ")}
    assert parsed == own
