"""The corpus of bad contributions (tests/data/contributions/bad): each is refused with the problems its sidecar
``*.expected.json`` lists, where they are, through the HTTP API, and leaves the store byte-for-byte unchanged."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from contributions_support import CORPUS, Server, dump, reference_store, serve, settings_for

BAD = CORPUS / "bad"
CASES = sorted(BAD.glob("*.expected.json"))
MAX_BYTES = 64 * 1024
MAX_RECORDS = 50
MEDIA = {".csv": "text/csv", ".ttl": "text/turtle", ".nt": "application/n-triples", ".json": "application/json",
         ".jsonld": "application/ld+json", ".rdf": "application/rdf+xml"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    settings = settings_for(tmp_path_factory.mktemp("corpus"), contribution_max_bytes=MAX_BYTES,
                            contribution_max_records=MAX_RECORDS)
    yield from serve(reference_store(), settings)


def body_for(case: Path, expected: dict[str, Any]) -> tuple[bytes, str]:
    name = case.name.removesuffix(".expected.json")
    suffix = Path(name).suffix
    generate = expected.get("generate")
    if generate is None:
        return (BAD / name).read_bytes(), expected.get("media_type", MEDIA[suffix])
    if generate["kind"] == "oversized":
        rows = "".join(f"Organisation number {n},GB,https://example.org/{n}\n" for n in range(MAX_BYTES // 30))
        data = ("name,country,website\n" + rows).encode()
        assert len(data) > MAX_BYTES
        return data, "text/csv"
    if generate["kind"] == "records":
        data = ("name,country\n" + "".join(f"Organisation {n},GB\n" for n in range(MAX_RECORDS + 1))).encode()
        assert len(data) < MAX_BYTES
        return data, "text/csv"
    return generate["text"].encode(), expected["media_type"]


def matches(expected: dict[str, Any], actual: dict[str, Any]) -> bool:
    for key, value in expected.items():
        if key == "candidates":
            if not set(value) <= set(actual.get("candidates", [])):
                return False
        elif actual.get(key) != value:
            return False
    return True


def test_corpus_is_big_enough() -> None:
    assert len(CASES) >= 25
    formats = {Path(c.name.removesuffix(".expected.json")).suffix for c in CASES}
    assert {".csv", ".ttl", ".nt", ".json", ".jsonld", ".rdf"} <= formats


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name.removesuffix(".expected.json"))
def test_bad_contribution_is_refused_with_its_problems_and_changes_nothing(server: Server, case: Path) -> None:
    expected = json.loads(case.read_text(encoding="utf-8"))
    data, media_type = body_for(case, expected)
    before = dump(server.store)
    name = case.name.removesuffix(".expected.json")
    with server.client("alice") as client:
        response = client.post("/api/v1/contributions", content=data,
                               headers={"Content-Type": media_type}, params={"filename": name})
    assert response.status_code == expected["status"], response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == expected["status"] and body["detail"]
    errors = [e for e in body["errors"] if e["severity"] == "error"]
    for want in expected["problems"]:
        assert any(matches(want, got) for got in errors), f"missing {want} in {errors}"
    for got in errors:
        assert any(matches(want, got) for want in expected["problems"]), f"unexpected {got}"
    for got in body["errors"]:
        assert len(got["message"]) > 15 and got["message"].rstrip().endswith((".", "?", ")")), got
    assert dump(server.store) == before
