"""The API description: every JSON-LD API route and parameter documented with examples that match real answers,
and ``/docs`` served without any CDN."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from api_support import loaded_store, serve

from api.api_examples import EXAMPLES, STATS_EXAMPLE
from graph.catalogue_terms import KINDS

RESOURCES = {"organisations": "our-data-coop", "datasets": "wait-times-2025", "licences": "CC-BY-NC-4.0",
             "legal-forms": "ZZGG", "countries": "gb"}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    for url in serve(loaded_store(), tmp_path_factory.mktemp("api-openapi")):
        with httpx.Client(base_url=url, timeout=30) as http:
            yield http


@pytest.fixture(scope="module")
def spec(client: httpx.Client) -> dict[str, Any]:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


def test_every_api_route_is_documented_with_examples(spec: dict[str, Any]) -> None:
    paths = spec["paths"]
    for kind in KINDS.values():
        listing = paths[f"/api/v1/{kind.collection}"]["get"]
        names = {p["name"] for p in listing["parameters"]}
        assert names == set(kind.filters) | {"page", "per_page", "cursor"}, kind.collection
        assert all(p.get("description") for p in listing["parameters"])
        for status in ("200", "304", "400", "406"):
            assert status in listing["responses"], (kind.collection, status)
        assert listing["responses"]["200"]["content"]["application/ld+json"]["example"]["items"]
        single = paths[f"/api/v1/{kind.collection}/{{id}}"]["get"]
        assert [p["name"] for p in single["parameters"]] == ["id"]
        for status in ("200", "303", "304", "400", "404", "406"):
            assert status in single["responses"], (kind.collection, status)
    assert "200" in paths["/api/v1/stats"]["get"]["responses"]
    assert "/api/v1/context.jsonld" in paths


def shape(value: Any) -> Any:
    """The JSON type of a value (objects: their shape per key present in both)."""
    return type(value).__name__


def test_examples_have_the_shape_of_real_documents(client: httpx.Client) -> None:
    for collection, ident in RESOURCES.items():
        real = client.get(f"/api/v1/{collection}/{ident}").json()
        example = EXAMPLES[collection]
        for key in set(real) & set(example):
            assert shape(real[key]) == shape(example[key]), (collection, key)
        assert {"id", "type"} <= set(example) and {"id", "type"} <= set(real)
    listing = client.get("/api/v1/organisations", params={"per_page": 1}).json()
    for key in ("@context", "id", "type", "totalItems", "first", "next", "last", "items"):
        assert key in listing
    stats = client.get("/api/v1/stats").json()
    assert set(stats) == set(STATS_EXAMPLE)
    assert set(stats["organisations"]) == set(STATS_EXAMPLE["organisations"])
    assert set(stats["organisations"]["byCountry"][0]) == set(STATS_EXAMPLE["organisations"]["byCountry"][0])


def test_docs_work_offline(client: httpx.Client) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert "cdn" not in page.text.lower() and "https://" not in page.text
    for asset in ("/docs/assets/swagger-ui-bundle.js", "/docs/assets/swagger-ui.css"):
        assert asset in page.text
        response = client.get(asset)
        assert response.status_code == 200 and len(response.content) > 10_000
    assert client.get("/docs/assets/../../etc/passwd").status_code == 404


def test_api_guide_names_every_filter_and_action() -> None:
    from pathlib import Path

    from graph.catalogue_terms import ACTIONS, ALL_FILTERS

    guide = (Path(__file__).parent.parent / "docs" / "api.md").read_text(encoding="utf-8")
    for name in ALL_FILTERS:
        assert f"`{name}`" in guide, name
    for action in ACTIONS:
        assert f"`{action.name}`" in guide, action.name
    for kind in KINDS.values():
        assert f"/{kind.collection}" in guide
