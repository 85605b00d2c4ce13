"""Paging: walking ``next`` visits every item exactly once (pages and cursors, filtered and ranked), ``previous``
walks back, the ``Link`` header agrees with the body, and a cursor walk survives writes made while walking."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from api_support import BASE, loaded_store, members, serve, walk

from graph.embedded import EmbeddedStore
from graph.formats import RDF_BY_NAME


@pytest.fixture(scope="module")
def store() -> EmbeddedStore:
    return loaded_store()


@pytest.fixture(scope="module")
def client(store: EmbeddedStore, tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    for url in serve(store, tmp_path_factory.mktemp("api-paging")):
        with httpx.Client(base_url=url, timeout=30) as http:
            yield http


def url(client: httpx.Client, path: str, **params: str | int) -> str:
    return str(client.build_request("GET", path, params=params).url)


def links(response: httpx.Response) -> dict[str, str]:
    found = {}
    for part in response.headers["link"].split(", <"):
        target, _, rel = part.partition(">; rel=")
        found[rel.split(";")[0].strip('"')] = target.lstrip("<")
    return found


@pytest.mark.parametrize("per_page", [1, 2, 5, 7, 50])
@pytest.mark.parametrize("mode", ["page", "cursor"])
def test_walking_next_visits_every_item_once(store: EmbeddedStore, client: httpx.Client, per_page: int,
                                             mode: str) -> None:
    start = {"per_page": per_page, **({"cursor": "*"} if mode == "cursor" else {})}
    iris, pages = walk(client, url(client, "/api/v1/organisations", **start))
    expected = sorted(members(store, "organisations"))
    assert iris == expected  # each once, in IRI order
    assert len(pages) == max(1, math.ceil(len(expected) / per_page))
    assert all(page["totalItems"] == len(expected) for page in pages)
    assert all(len(page["items"]) <= per_page for page in pages)


@pytest.mark.parametrize("params", [{"country": "gb"}, {"q": "data"}, {"q": "co-op", "region": "europe"},
                                    {"kind": "cooperative,data-cooperative"}])
def test_filtered_and_ranked_walks_match_one_big_page(client: httpx.Client, params: dict[str, str]) -> None:
    whole = client.get("/api/v1/organisations", params={**params, "per_page": 500}).json()
    everything = [item["id"] for item in whole["items"]]
    assert everything and whole["totalItems"] == len(everything)
    for start in ({"per_page": 2}, {"per_page": 2, "cursor": "*"}):
        iris, _ = walk(client, url(client, "/api/v1/organisations", **params, **start))
        assert iris == everything  # same order: by relevance with q, else by IRI


def test_previous_walks_back_in_both_modes(client: httpx.Client) -> None:
    for start in ({"per_page": 3}, {"per_page": 3, "cursor": "*"}):
        forward, pages = walk(client, url(client, "/api/v1/organisations", **start))
        backward: list[str] = []
        body = pages[-1]
        while True:
            backward = [item["id"] for item in body["items"]] + backward
            if "previous" not in body:
                break
            body = client.get(body["previous"]).json()
        assert backward == forward, start


def test_link_header_matches_body_and_ends(client: httpx.Client) -> None:
    first = client.get("/api/v1/countries", params={"per_page": 2})
    body = first.json()
    header = links(first)
    assert header["next"] == body["next"] and header["first"] == body["first"] and header["last"] == body["last"]
    assert "prev" not in header and "previous" not in body
    assert header["http://www.w3.org/ns/json-ld#context"].endswith("/api/v1/context.jsonld")
    last = client.get(body["last"])
    assert "next" not in last.json() and links(last)["prev"] == last.json()["previous"]
    beyond = client.get("/api/v1/countries", params={"per_page": 2, "page": 999}).json()
    assert beyond["items"] == [] and beyond["totalItems"] == body["totalItems"]
    assert "page=2" in body["next"] and "per_page=2" in body["next"]


def test_filters_are_kept_in_links(client: httpx.Client) -> None:
    body = client.get("/api/v1/organisations", params={"country": "gb", "per_page": 1}).json()
    for key in ("first", "next", "last"):
        assert "country=gb" in body[key] and "per_page=1" in body[key]


def test_cursor_walk_survives_writes_while_walking(tmp_path: Path) -> None:
    store = loaded_store()
    before = sorted(members(store, "organisations"))
    for root in serve(store, tmp_path):
        with httpx.Client(base_url=root, timeout=30) as client:
            seen: list[str] = []
            body = client.get("/api/v1/organisations", params={"per_page": 3, "cursor": "*"}).json()
            seen += [item["id"] for item in body["items"]]
            # new organisations sort before and after the cursor; one already-listed is withdrawn
            added = [BASE + "id/organisation/aaa-new", BASE + "id/organisation/zzz-new"]
            turtle = "".join(f"<{iri}> a <http://www.w3.org/ns/org#FormalOrganization> .\n" for iri in added)
            store.load(turtle.encode(), RDF_BY_NAME["turtle"], graph=BASE + "graph/contribution/late")
            while "next" in body:
                body = client.get(body["next"]).json()
                seen += [item["id"] for item in body["items"]]
            assert len(seen) == len(set(seen))  # nothing twice
            assert set(before) <= set(seen)  # nothing that was there all along is skipped
            assert added[1] in seen and added[0] not in seen  # only what sorts after the cursor
