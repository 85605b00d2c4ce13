"""/dump.nq.gz: every quad of the store, gzipped N-Quads, streamed when large, with validators."""

from __future__ import annotations

import gzip
from pathlib import Path

import httpx
from conftest import run_server
from linked_support import fixture_dataset, loaded_store, make_settings, quads_by_graph
from rdflib import Dataset

from graph.embedded import EmbeddedStore
from graph.formats import RDF_BY_NAME


def _quads(body: bytes) -> Dataset:
    dataset = Dataset()
    dataset.parse(data=gzip.decompress(body), format="nquads")
    return dataset


def test_dump_holds_every_quad(tmp_path: Path) -> None:
    store = loaded_store()
    expected = fixture_dataset()
    for url in run_server(make_settings(tmp_path), store):
        with httpx.Client(base_url=url, timeout=30) as http:
            response = http.get("/dump.nq.gz")
            assert response.status_code == 200
            assert response.headers["content-type"] == "application/gzip"
            assert "content-encoding" not in response.headers  # the body is the .gz file, not re-encoded
            dumped = _quads(response.content)
            assert quads_by_graph(dumped) == quads_by_graph(expected)
            assert sum(quads_by_graph(dumped).values()) == store.count()

            etag = response.headers["etag"]
            assert http.get("/dump.nq.gz", headers={"If-None-Match": etag}).status_code == 304
            head = http.head("/dump.nq.gz")
            assert head.status_code == 200 and head.content == b"" and head.headers["etag"] == etag
            assert "last-modified" in head.headers


def test_large_dump_is_streamed(tmp_path: Path) -> None:
    store = EmbeddedStore.open(None)
    lines = [f'<https://ourdata.coop/id/organisation/o{i}> <http://www.w3.org/2004/02/skos/core#prefLabel> '
             f'"Organisation number {i} with a longer name so the body is not tiny"@en .' for i in range(20000)]
    store.load("\n".join(lines).encode(), RDF_BY_NAME["ntriples"], graph="https://ourdata.coop/graph/source/big")
    settings = make_settings(tmp_path, stream_buffer_bytes=1024)
    for url in run_server(settings, store):
        with httpx.Client(base_url=url, timeout=60) as http, http.stream("GET", "/dump.nq.gz") as response:
            assert response.status_code == 200
            assert "content-length" not in response.headers  # chunked: produced while sent
            chunks = list(response.iter_bytes())
            assert len(chunks) > 1
            body = b"".join(chunks)
    assert len(gzip.decompress(body).splitlines()) == len(lines) == store.count()


def test_dump_etag_changes_with_the_data(tmp_path: Path) -> None:
    store = loaded_store()
    for url in run_server(make_settings(tmp_path), store):
        with httpx.Client(base_url=url, timeout=30) as http:
            before = http.get("/dump.nq.gz").headers["etag"]
            store.load(b'<https://ourdata.coop/id/organisation/new> <http://ex.org/p> "1" .',
                       RDF_BY_NAME["ntriples"], graph="https://ourdata.coop/graph/source/new")
            after = http.get("/dump.nq.gz", headers={"If-None-Match": before})
            assert after.status_code == 200
            assert after.headers["etag"] != before
            assert sum(quads_by_graph(_quads(after.content)).values()) == store.count()
