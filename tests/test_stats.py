"""``/api/v1/stats``: every number checked against a SPARQL count over the fixture."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from api_support import BASE, PREFIXES, loaded_store, members, serve

from graph.embedded import EmbeddedStore


@pytest.fixture(scope="module")
def store() -> EmbeddedStore:
    return loaded_store()


@pytest.fixture(scope="module")
def stats(store: EmbeddedStore, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    for url in serve(store, tmp_path_factory.mktemp("api-stats")):
        with httpx.Client(base_url=url, timeout=30) as http:
            response = http.get("/api/v1/stats")
            assert response.status_code == 200
            yield response.json()


def counts(store: EmbeddedStore, collection: str, pattern: str) -> dict[str, int]:
    """value -> members having it, for ``pattern`` binding ?v on member ?s."""
    found: dict[str, set[str]] = {}
    wanted = members(store, collection)
    for row in store.select(f"{PREFIXES} SELECT DISTINCT ?s ?v WHERE {{ {pattern} }}"):
        if str(row["s"]) in wanted:
            found.setdefault(str(row["v"]), set()).add(str(row["s"]))
    return {value: len(found[value]) for value in found}


def as_counts(entries: list[dict[str, Any]]) -> dict[str, int]:
    return {entry["id"]: entry["count"] for entry in entries}


def test_totals(store: EmbeddedStore, stats: dict[str, Any]) -> None:
    for collection in ("organisations", "datasets", "licences", "legal-forms", "countries"):
        assert stats[collection]["total"] == len(members(store, collection)), collection


def test_organisation_breakdowns(store: EmbeddedStore, stats: dict[str, Any]) -> None:
    orgs = stats["organisations"]
    assert as_counts(orgs["byCountry"]) == counts(store, "organisations", "?s dct:spatial ?v")
    assert as_counts(orgs["byKind"]) == counts(store, "organisations", "?s org:classification ?v")
    assert as_counts(orgs["byLegalForm"]) == counts(store, "organisations", "?s rov:orgType ?v")
    assert as_counts(orgs["bySource"]) == counts(store, "organisations", "GRAPH ?v { ?s ?p ?o }")
    gb = next(e for e in orgs["byCountry"] if e["id"] == BASE + "id/country/gb")
    assert gb["code"] == "GB" and gb["label"] == "United Kingdom"
    assert [e["count"] for e in orgs["byCountry"]] == sorted((e["count"] for e in orgs["byCountry"]), reverse=True)
    kinds = {e["code"]: e["label"] for e in orgs["byKind"]}
    assert kinds["data-cooperative"] == "data co-operative"
    forms = {e["code"]: e["label"] for e in orgs["byLegalForm"]}
    assert forms["ZZGG"] == "Co-operative Society"
    sources = {e["code"]: e["label"] for e in orgs["bySource"]}
    assert sources["coops-uk"] == "Co-operatives UK open data"


def test_dataset_breakdowns(store: EmbeddedStore, stats: dict[str, Any]) -> None:
    datasets = stats["datasets"]
    by_licence = counts(store, "datasets", "?s dct:license ?l . { ?l a dct:LicenseDocument BIND(?l AS ?v) } "
                                           "UNION { ?v skos:exactMatch ?l }")
    assert as_counts(datasets["byLicence"]) == by_licence
    commercial = next(e for e in datasets["byPermittedAction"] if e["id"] == "commercial-use")
    nc_or_none = counts(store, "datasets", "?s dct:license ?v . FILTER NOT EXISTS { ?v odrl:hasPolicy ?p } "
                                           "FILTER(?v != <http://spdx.org/licenses/CC0-1.0>)")
    nc = counts(store, "datasets", "?s dct:license/odrl:hasPolicy/odrl:prohibition/odrl:action ?v")
    expected = len(members(store, "datasets")) - sum(nc_or_none.values()) - nc.get(
        "http://creativecommons.org/ns#CommercialUse", 0)
    assert commercial["count"] == expected and commercial["label"] == "Commercial use"
