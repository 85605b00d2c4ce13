"""``/api/v1/{collection}``: every collection and every filter, against answers computed with plain SPARQL.

Expected sets come from the fixture (tests/data/api) through queries written here, never from the catalogue
code; a filter that returned too much or too little fails.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from api_support import BASE, PREFIXES, loaded_store, members, select_set, serve, walk

from graph.embedded import EmbeddedStore

C = BASE + "id/country/"
REGION = BASE + "id/region/"
KIND = "https://ourdata.coop/def/institution-kind/"


@pytest.fixture(scope="module")
def store() -> EmbeddedStore:
    return loaded_store()


@pytest.fixture(scope="module")
def client(store: EmbeddedStore, tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    for url in serve(store, tmp_path_factory.mktemp("api-collections")):
        with httpx.Client(base_url=url, timeout=30) as http:
            yield http


def listed(client: httpx.Client, collection: str, **params: str | list[str]) -> list[str]:
    iris, pages = walk(client, str(client.build_request("GET", f"/api/v1/{collection}",
                                                        params={"per_page": 3, **params}).url))
    assert pages[0]["totalItems"] == len(iris)
    return iris


# --- what the fixture says, in SPARQL -----------------------------------------------------------------------
def licence_terms(store: EmbeddedStore, relation: str, action: str) -> set[str]:
    """Subjects (licences, or datasets through their licences and own policies) whose terms have the action."""
    path = {"permission": "odrl:permission", "prohibition": "odrl:prohibition", "duty": "odrl:permission/odrl:duty"}
    return select_set(store, f"?s odrl:hasPolicy/{path[relation]}/odrl:action <{action}>")


def dataset_licences(store: EmbeddedStore) -> dict[str, set[str]]:
    """Dataset -> our licence IRIs (a licence given by its SPDX IRI maps to ours through skos:exactMatch)."""
    rows = store.select(f"{PREFIXES} SELECT ?d ?ours WHERE {{ ?d a dcat:Dataset ; dct:license ?l . "
                        "{ ?l a dct:LicenseDocument BIND(?l AS ?ours) } UNION { ?ours skos:exactMatch ?l } }")
    found: dict[str, set[str]] = {}
    for row in rows:
        found.setdefault(str(row["d"]), set()).add(str(row["ours"]))
    return found


def datasets_with(store: EmbeddedStore, relation: str, action: str) -> set[str]:
    by_licence = licence_terms(store, relation, action)
    return {d for d, licences in dataset_licences(store).items() if licences & by_licence or d in by_licence}


# --- every collection lists every member once, in IRI order ----------------------------------------------------
@pytest.mark.parametrize("collection", ["organisations", "datasets", "licences", "legal-forms", "countries"])
def test_collection_lists_every_member_in_iri_order(store: EmbeddedStore, client: httpx.Client,
                                                    collection: str) -> None:
    iris = listed(client, collection)
    assert iris == sorted(members(store, collection))
    response = client.get(f"/api/v1/{collection}")
    assert response.headers["x-total-count"] == str(len(iris))
    assert response.json()["type"] == "hydra:Collection"


def test_country_and_region(store: EmbeddedStore, client: httpx.Client) -> None:
    assert set(listed(client, "organisations", country="gb")) == members(store, "organisations",
                                                                         f"?s dct:spatial <{C}gb>")
    assert set(listed(client, "organisations", country="GB,fr")) == members(
        store, "organisations", f"?s dct:spatial ?c FILTER(?c IN (<{C}gb>, <{C}fr>))")
    assert set(listed(client, "organisations", country=C + "de")) == members(store, "organisations",
                                                                             f"?s dct:spatial <{C}de>")
    for region in ("eu", "eea", "europe", "americas", "northern-europe"):
        expected = members(store, "organisations", f"?s dct:spatial/skos:broader <{REGION}{region}>")
        assert set(listed(client, "organisations", region=region)) == expected, region
        assert set(listed(client, "legal-forms", region=region)) == members(
            store, "legal-forms", f"?s dct:spatial/skos:broader <{REGION}{region}>"), region
        assert set(listed(client, "countries", region=region)) == members(
            store, "countries", f"?s skos:broader <{REGION}{region}>"), region
    assert set(listed(client, "legal-forms", country="de")) == members(store, "legal-forms", f"?s dct:spatial <{C}de>")


def test_datasets_by_place_include_their_publishers_country(store: EmbeddedStore, client: httpx.Client) -> None:
    expected = members(store, "datasets",
                       f"{{ ?s dct:spatial <{C}fr> }} UNION {{ ?s dct:publisher/dct:spatial <{C}fr> }}")
    assert set(listed(client, "datasets", country="fr")) == expected
    assert len(expected) >= 2  # one by its publisher, one by its own coverage


def test_legal_form_and_kind(store: EmbeddedStore, client: httpx.Client) -> None:
    for code in ("ZZGG", "zzgg", "IYXU", "FVGZ"):
        expected = members(store, "organisations", f"?s rov:orgType <{BASE}id/legal-form/{code.upper()}>")
        assert set(listed(client, "organisations", legal_form=code)) == expected
    for kind in ("data-cooperative", "cooperative", "data-trust", "community-benefit-society"):
        expected = members(store, "organisations", f"?s org:classification <{KIND}{kind}>")
        assert expected and set(listed(client, "organisations", kind=kind)) == expected, kind
    publishers = members(store, "organisations", f"?s org:classification <{KIND}data-cooperative>")
    expected = members(store, "datasets", "?s dct:publisher ?p") & {
        str(r["s"]) for r in store.select(f"{PREFIXES} SELECT ?s ?p WHERE {{ ?s dct:publisher ?p }}")
        if str(r["p"]) in publishers}
    assert set(listed(client, "datasets", kind="data-cooperative")) == expected


def test_licence(store: EmbeddedStore, client: httpx.Client) -> None:
    by_dataset = dataset_licences(store)
    for code in ("CC-BY-4.0", "cc0-1.0", "ODbL-1.0", "MIT"):
        spdx = next(c for c in ("CC-BY-4.0", "CC0-1.0", "ODbL-1.0", "MIT") if c.lower() == code.lower())
        iri = f"{BASE}id/licence/{spdx}"
        expected = {d for d, licences in by_dataset.items() if iri in licences}
        assert expected and set(listed(client, "datasets", licence=code)) == expected, code
        publishers = select_set(store, f"?d dct:publisher ?s FILTER(?d IN ({', '.join(f'<{d}>' for d in expected)}))")
        assert set(listed(client, "organisations", licence=code)) == publishers


def test_permits_requires_prohibits(store: EmbeddedStore, client: httpx.Client) -> None:
    cc = "http://creativecommons.org/ns#"
    with_policy = members(store, "licences", "?s odrl:hasPolicy ?p")
    nc = licence_terms(store, "prohibition", cc + "CommercialUse")
    assert set(listed(client, "licences", permits="commercial-use")) == with_policy - nc
    assert set(listed(client, "licences", prohibits="commercial-use")) == nc
    assert set(listed(client, "licences", requires="share-alike")) == licence_terms(store, "duty", cc + "ShareAlike")
    assert set(listed(client, "licences", permits="derivative-works", requires="attribution")) == (
        licence_terms(store, "permission", cc + "DerivativeWorks")
        - licence_terms(store, "prohibition", cc + "DerivativeWorks")
    ) & licence_terms(store, "duty", cc + "Attribution")
    # several actions = all of them
    assert set(listed(client, "licences", requires="attribution,share-alike")) == (
        licence_terms(store, "duty", cc + "Attribution") & licence_terms(store, "duty", cc + "ShareAlike"))
    # datasets: licence terms plus their own policy; a licence without a policy permits nothing checkable
    by_dataset = dataset_licences(store)
    commercial = {d for d, ls in by_dataset.items() if ls & (with_policy - nc)}
    assert set(listed(client, "datasets", permits="commercial-use")) == commercial
    assert BASE + "id/dataset/manchester-rota" not in commercial  # MIT here has no machine-readable policy
    assert set(listed(client, "datasets", prohibits="sell")) == {BASE + "id/dataset/member-survey"}
    assert set(listed(client, "datasets", requires="share-alike")) == datasets_with(store, "duty", cc + "ShareAlike")
    rows = store.select(f"{PREFIXES} SELECT ?s ?d WHERE {{ ?d dct:publisher ?s }}")
    orgs = {str(r["s"]) for r in rows if str(r["d"]) in commercial}
    assert set(listed(client, "organisations", permits="commercial-use")) == orgs


def test_source(store: EmbeddedStore, client: httpx.Client) -> None:
    for name in ("coops-uk", "transformap", "data-institutions-seed", "source/coops-uk",
                 BASE + "graph/source/transformap"):
        graph = name if name.startswith("http") else BASE + "graph/" + (name if "/" in name else f"source/{name}")
        expected = select_set(store, f"GRAPH <{graph}> {{ ?s ?p ?o }}") & members(store, "organisations")
        assert expected and set(listed(client, "organisations", source=name)) == expected, name
    contributed = select_set(store, f"GRAPH <{BASE}graph/contribution/c0001> {{ ?s ?p ?o }}")
    assert set(listed(client, "organisations", source="c0001")) == contributed
    assert set(listed(client, "countries", source="countries")) == members(store, "countries")


def test_modified_since(store: EmbeddedStore, client: httpx.Client) -> None:
    all_orgs = members(store, "organisations")
    assert set(listed(client, "organisations", modified_since="2000-01-01")) == all_orgs
    assert listed(client, "organisations", modified_since="2999-01-01") == []
    # our-data-coop: own dct:modified 2025-03-01; R000002: a contribution of 2025-06-01; seed graph 2024-06-01
    assert set(listed(client, "organisations", modified_since="2025-02-01")) == {
        BASE + "id/organisation/our-data-coop", BASE + "id/organisation/coops-uk-R000002"}
    assert set(listed(client, "organisations", modified_since="2025-06-01T12:00:00Z")) == {
        BASE + "id/organisation/coops-uk-R000002"}
    assert set(listed(client, "organisations", modified_since="2025-06-01T13:00:00+02:00")) == {
        BASE + "id/organisation/coops-uk-R000002"}
    assert set(listed(client, "datasets", modified_since="2025-01-01")) == members(store, "datasets")


def test_q_ranks_and_combines_with_filters(client: httpx.Client) -> None:
    ranked = listed(client, "organisations", q="our data co-op")
    assert ranked[0] == BASE + "id/organisation/our-data-coop"
    assert BASE + "id/organisation/health-data-collective" in ranked  # its description mentions the words
    assert listed(client, "organisations", q="cooperative energie") == [
        BASE + "id/organisation/cooperative-energie-donnees"]
    assert listed(client, "organisations", q="coopérative", country="fr")[0].endswith(("cooperative-energie-donnees",
                                                                                      "transformap-0002"))
    assert listed(client, "organisations", q="bristol ener") == [BASE + "id/organisation/coops-uk-R000002"]
    assert listed(client, "organisations", q="co-op", country="us") == [BASE + "id/organisation/drivers-seat"]
    assert listed(client, "organisations", q="co-op ", country="us") == []  # whole word "coop" only
    assert listed(client, "legal-forms", q="SCIC") == [BASE + "id/legal-form/SC1C"]
    assert listed(client, "licences", q="attribution share") == [BASE + "id/licence/CC-BY-SA-4.0"]
    assert listed(client, "countries", q="deutschland") == [C + "de"]
    assert listed(client, "datasets", q="énergie") == [BASE + "id/dataset/energie-citoyenne"]


@pytest.mark.parametrize(("params", "field", "candidate"), [
    ({"country": "uk"}, "country", "GB"),
    ({"region": "europ"}, "region", "europe"),
    ({"legal_form": "Co-operative Society"}, "legal_form", "ZZGG"),
    ({"kind": "data-coop"}, "kind", "data-cooperative"),
    ({"licence": "CC BY 4.0"}, "licence", "CC-BY-4.0"),
    ({"permits": "commercial"}, "permits", "commercial-use"),
    ({"source": "coops"}, "source", "coops-uk"),
])
def test_unknown_values_are_400_with_candidates(client: httpx.Client, params: dict[str, str], field: str,
                                                candidate: str) -> None:
    response = client.get("/api/v1/organisations", params=params)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    error = next(e for e in problem["errors"] if e["field"] == field)
    assert candidate in error["candidates"], error


def test_unknown_and_misplaced_parameters_are_400(client: httpx.Client) -> None:
    response = client.get("/api/v1/organisations", params={"contry": "gb", "limit": "5"})
    assert response.status_code == 400
    errors = {e["field"]: e for e in response.json()["errors"]}
    assert set(errors) == {"contry", "limit"} and "country" in errors["contry"]["candidates"]
    assert "contry" in response.json()["detail"]
    misplaced = client.get("/api/v1/countries", params={"legal_form": "ZZGG"})
    assert misplaced.status_code == 400 and "legal_form" in misplaced.json()["detail"]
    for params in ({"per_page": "501"}, {"per_page": "0"}, {"page": "0"}, {"page": "x"}, {"page": "1", "cursor": "*"},
                   {"cursor": "not-a-cursor"}, {"modified_since": "yesterday"}):
        answer = client.get("/api/v1/organisations", params=params)
        assert answer.status_code == 400, params
        assert answer.headers["content-type"] == "application/problem+json"


def test_lists_negotiate_json_and_refuse_the_rest(client: httpx.Client) -> None:
    assert client.get("/api/v1/licences", headers={"Accept": "application/json"}).headers["content-type"].startswith(
        "application/json")
    assert client.get("/api/v1/licences", headers={"Accept": "*/*"}).headers["content-type"].startswith(
        "application/ld+json")
    refused = client.get("/api/v1/licences", headers={"Accept": "text/turtle"})
    assert refused.status_code == 406 and refused.headers["content-type"] == "application/problem+json"


def test_cors_and_gzip(client: httpx.Client) -> None:
    response = client.get("/api/v1/organisations", headers={"Origin": "https://portal.example.org"})
    assert response.headers["access-control-allow-origin"] in ("*", "https://portal.example.org")
    exposed = response.headers["access-control-expose-headers"].lower()
    assert {"etag", "link", "x-total-count"} <= set(h.strip() for h in exposed.split(","))
    preflight = client.options("/api/v1/organisations", headers={"Origin": "https://portal.example.org",
                                                                 "Access-Control-Request-Method": "GET"})
    assert preflight.status_code == 200
    big = client.get("/api/v1/organisations", params={"per_page": 500}, headers={"Accept-Encoding": "gzip"})
    assert big.headers.get("content-encoding") == "gzip" and big.json()["totalItems"] > 0
    small = client.get("/api/v1/countries/gb", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in small.headers  # small bodies are not worth compressing


def test_stats_route_is_json(client: httpx.Client) -> None:
    response = client.get("/api/v1/stats")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
