"""Validators on every API GET: weak ETag, Last-Modified, 304 on a matching If-None-Match, and new ETags after a
change; the context is cached for a day."""

from __future__ import annotations

from collections.abc import Iterator
from email.utils import parsedate_to_datetime
from pathlib import Path

import httpx
import pytest
from api_support import BASE, loaded_store, serve

from graph.embedded import EmbeddedStore
from graph.formats import RDF_BY_NAME

ROUTES = ["/api/v1/organisations", "/api/v1/organisations?country=gb&per_page=2", "/api/v1/datasets",
          "/api/v1/licences?permits=commercial-use", "/api/v1/legal-forms", "/api/v1/countries?region=eu",
          "/api/v1/organisations/our-data-coop", "/api/v1/datasets/wait-times-2025", "/api/v1/licences/CC-BY-4.0",
          "/api/v1/legal-forms/ZZGG", "/api/v1/countries/gb", "/api/v1/stats", "/api/v1/context.jsonld"]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    for url in serve(loaded_store(), tmp_path_factory.mktemp("api-caching")):
        with httpx.Client(base_url=url, timeout=30) as http:
            yield http


@pytest.mark.parametrize("route", ROUTES)
def test_etag_and_304(client: httpx.Client, route: str) -> None:
    first = client.get(route)
    assert first.status_code == 200
    etag = first.headers["etag"]
    assert etag.startswith('W/"')
    again = client.get(route, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    assert client.get(route, headers={"If-None-Match": f'"other", {etag}'}).status_code == 304
    assert client.get(route, headers={"If-None-Match": '"something-else"'}).status_code == 200
    assert client.get(route).headers["etag"] == etag  # stable while nothing changes


def test_etag_differs_between_representations(client: httpx.Client) -> None:
    ld = client.get("/api/v1/countries/gb", headers={"Accept": "application/ld+json"}).headers["etag"]
    plain = client.get("/api/v1/countries/gb", headers={"Accept": "application/json"}).headers["etag"]
    assert ld != plain


def test_last_modified_is_the_newest_change(client: httpx.Client) -> None:
    org = client.get("/api/v1/organisations/our-data-coop")
    # its own dct:modified (2025-03-01T10:00Z) is newer than its source graph (2024-06-01)
    assert parsedate_to_datetime(org.headers["last-modified"]).isoformat() == "2025-03-01T10:00:00+00:00"
    contributed = client.get("/api/v1/organisations/coops-uk-R000002")
    assert parsedate_to_datetime(contributed.headers["last-modified"]).isoformat() == "2025-06-01T12:00:00+00:00"
    page = client.get("/api/v1/organisations")
    assert parsedate_to_datetime(page.headers["last-modified"]) == parsedate_to_datetime(
        contributed.headers["last-modified"])
    assert "no-cache" in page.headers["cache-control"] and "Accept" in page.headers["vary"]


def test_etags_change_when_the_data_does(tmp_path: Path) -> None:
    store: EmbeddedStore = loaded_store()
    for url in serve(store, tmp_path):
        with httpx.Client(base_url=url, timeout=30) as client:
            before = {route: client.get(route).headers["etag"] for route in ("/api/v1/organisations",
                                                                             "/api/v1/organisations/our-data-coop")}
            store.load(f'<{BASE}id/organisation/our-data-coop> <http://purl.org/dc/terms/description> "New."@en .'
                       .encode(), RDF_BY_NAME["turtle"], graph=BASE + "graph/contribution/c0002")
            for route, etag in before.items():
                response = client.get(route, headers={"If-None-Match": etag})
                assert response.status_code == 200, route
                assert response.headers["etag"] != etag
