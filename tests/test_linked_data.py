"""/id/ and /doc/ over a real uvicorn server: 303, negotiation (Accept and suffix), 404/406, ETag/304,
Last-Modified, Vary, CORS, gzip, base mapping, and the HTML page (labels, links, provenance, JSON-LD)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path

import httpx
import pytest
from conftest import run_server
from linked_support import BASE, fixture_dataset, loaded_store, make_settings, newest_meta_date, parse, read_html
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import FOAF, SKOS

from graph.embedded import EmbeddedStore
from graph.formats import RDF_BY_NAME

DELTA = BASE + "id/organisation/delta-coop"
DELTA_DOC = "/doc/organisation/delta-coop"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    return fixture_dataset()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, EmbeddedStore]]:
    store = loaded_store()
    # a name that would break out of a <script> or inject markup if pasted unescaped
    store.load(f'<{BASE}id/organisation/tricky> <{SKOS.prefLabel}> "</script><b>bold</b> & co"@en .'.encode(),
               RDF_BY_NAME["ntriples"], graph=BASE + "graph/source/tricky")
    for url in run_server(make_settings(tmp_path_factory.mktemp("ld")), store):
        yield url, store


@pytest.fixture
def http(server: tuple[str, EmbeddedStore]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server[0], timeout=30) as client:
        yield client


def expected_about(dataset: Dataset, iri: str) -> set[tuple[str, str, str]]:
    """Triples of the fixture about ``iri`` or its children, blank nodes as '_' (the union of graphs)."""
    found = set()
    for s, p, o, _g in dataset.quads((None, None, None, None)):
        if isinstance(s, BNode) or str(s) == iri or str(s).startswith(iri + "/"):
            if str(_g) == BASE + "graph/meta":
                continue
            found.add(("_" if isinstance(s, BNode) else str(s), str(p), "_" if isinstance(o, BNode) else o.n3()))
    return found


def shape(graph: Graph) -> set[tuple[str, str, str]]:
    return {("_" if isinstance(s, BNode) else str(s), str(p), "_" if isinstance(o, BNode) else o.n3())
            for s, p, o in graph if p != FOAF.primaryTopic and str(s) != BASE + "doc/organisation/delta-coop"}


# ------------------------------------------------------------------------------------------------- /id/
@pytest.mark.parametrize("path", ["/id/organisation/delta-coop", "/id/organisation/delta-coop/site/registered"])
def test_id_answers_303_to_doc_on_the_same_host(http: httpx.Client, server: tuple[str, EmbeddedStore],
                                                path: str) -> None:
    response = http.get(path)
    assert response.status_code == 303
    assert response.headers["location"] == server[0] + path.replace("/id/", "/doc/", 1)
    assert http.head(path).status_code == 303
    assert http.get(path, follow_redirects=True).status_code == 200


@pytest.mark.parametrize("path", ["/id/organisation/nobody", "/id/country/zz", "/id/organisation/delta-coop/nothing"])
def test_id_unknown_is_404_problem(http: httpx.Client, path: str) -> None:
    response = http.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 404


def test_id_bad_identifier_is_4xx_problem(http: httpx.Client) -> None:
    response = http.get("/id/organisation/has%20space")
    assert response.status_code in (400, 404)
    assert response.headers["content-type"] == "application/problem+json"


# ------------------------------------------------------------------------------------- negotiation
@pytest.mark.parametrize(("accept", "media_type", "rdflib_format"), [
    ("text/turtle", "text/turtle", "turtle"),
    ("application/ld+json", "application/ld+json", "json-ld"),
    ("application/n-triples", "application/n-triples", "nt"),
    ("application/rdf+xml", "application/rdf+xml", "xml"),
    ("application/json", "application/ld+json", "json-ld"),
    ("*/*", "text/turtle", "turtle"),
    (None, "text/turtle", "turtle"),
    ("application/n-triples;q=0.4, application/rdf+xml;q=0.8", "application/rdf+xml", "xml"),
])
def test_doc_negotiates_by_accept(http: httpx.Client, dataset: Dataset, accept: str | None, media_type: str,
                                  rdflib_format: str) -> None:
    response = http.get(DELTA_DOC, headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    assert "Accept" in response.headers["vary"]
    graph = parse(response.content, rdflib_format)
    assert shape(graph) == expected_about(dataset, DELTA)
    assert (URIRef(BASE + "doc/organisation/delta-coop"), FOAF.primaryTopic, URIRef(DELTA)) in graph


@pytest.mark.parametrize(("suffix", "media_type", "rdflib_format"), [
    (".ttl", "text/turtle", "turtle"), (".jsonld", "application/ld+json", "json-ld"),
    (".nt", "application/n-triples", "nt"), (".rdf", "application/rdf+xml", "xml"),
])
def test_doc_suffix_wins_over_accept(http: httpx.Client, dataset: Dataset, suffix: str, media_type: str,
                                     rdflib_format: str) -> None:
    response = http.get(DELTA_DOC + suffix, headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    assert shape(parse(response.content, rdflib_format)) == expected_about(dataset, DELTA)


@pytest.mark.parametrize(("path", "accept"), [(DELTA_DOC, "text/html"), (DELTA_DOC, BROWSER),
                                               (DELTA_DOC + ".html", "text/turtle")])
def test_doc_html_for_browsers_and_suffix(http: httpx.Client, path: str, accept: str) -> None:
    response = http.get(path, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")


def test_jsonld_is_compacted_with_the_project_context(http: httpx.Client) -> None:
    document = http.get(DELTA_DOC + ".jsonld").json()
    context = document["@context"]
    assert isinstance(context, dict) and context.get("org") == "http://www.w3.org/ns/org#"
    nodes = document.get("@graph", [document])
    delta = next(n for n in nodes if n.get("id", n.get("@id")) == DELTA)
    assert delta["legalName"] == "Delta Data Co-operative Limited"


def test_unknown_doc_is_404_in_every_form(http: httpx.Client) -> None:
    for path in ("/doc/organisation/nobody", "/doc/organisation/nobody.ttl", "/doc/licence/nothing-here.html"):
        response = http.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"] == "application/problem+json"


def test_unservable_accept_is_406_listing_what_we_can_send(http: httpx.Client) -> None:
    response = http.get(DELTA_DOC, headers={"Accept": "image/png"})
    assert response.status_code == 406
    problem = response.json()
    assert problem["status"] == 406
    assert "text/turtle" in problem["available"] and "text/html" in problem["available"]


def test_head_has_the_get_headers_without_body(http: httpx.Client) -> None:
    got = http.get(DELTA_DOC, headers={"Accept": "text/turtle"})
    head = http.head(DELTA_DOC, headers={"Accept": "text/turtle"})
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == got.headers["etag"]
    assert head.headers["content-type"] == got.headers["content-type"]


# -------------------------------------------------------------------------------- validators, caching
def test_etag_and_304(http: httpx.Client) -> None:
    first = http.get(DELTA_DOC, headers={"Accept": "text/turtle"})
    etag = first.headers["etag"]
    again = http.get(DELTA_DOC, headers={"Accept": "text/turtle", "If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    assert "Accept" in again.headers["vary"]
    other = http.get(DELTA_DOC, headers={"Accept": "text/turtle", "If-None-Match": 'W/"something-else"'})
    assert other.status_code == 200
    assert http.get(DELTA_DOC, headers={"Accept": "application/n-triples"}).headers["etag"] != etag


def test_etag_changes_when_the_resource_changes(tmp_path: Path) -> None:
    store = loaded_store()
    for url in run_server(make_settings(tmp_path), store):
        with httpx.Client(base_url=url, timeout=30) as http:
            etag = http.get(DELTA_DOC).headers["etag"]
            store.add_quads([(URIRef(DELTA), SKOS.altLabel, Literal("Delta"), URIRef(BASE + "graph/source/extra"))])
            changed = http.get(DELTA_DOC, headers={"If-None-Match": etag})
            assert changed.status_code == 200
            assert changed.headers["etag"] != etag
            assert '"Delta"' in changed.text


def test_last_modified_is_the_newest_source_date(http: httpx.Client, dataset: Dataset) -> None:
    response = http.get(DELTA_DOC)
    newest = newest_meta_date(dataset, {BASE + "graph/source/register", BASE + "graph/source/directory"})
    assert parsedate_to_datetime(response.headers["last-modified"]) == newest
    since = http.get(DELTA_DOC, headers={"If-Modified-Since": format_datetime(newest, usegmt=True)})
    assert since.status_code == 304
    older = newest.replace(year=newest.year - 1)
    assert http.get(DELTA_DOC, headers={"If-Modified-Since": format_datetime(older, usegmt=True)}).status_code == 200


def test_every_get_has_validators(http: httpx.Client) -> None:
    # a resource whose graphs have no recorded date still gets a Last-Modified
    for path in ("/doc/organisation/alpha-coop", "/doc/organisation/alpha-coop.html", DELTA_DOC + ".rdf"):
        response = http.get(path)
        assert response.status_code == 200
        assert response.headers["etag"].startswith('W/"')
        parsedate_to_datetime(response.headers["last-modified"])


def test_cors_and_gzip(http: httpx.Client) -> None:
    response = http.get(DELTA_DOC + ".html", headers={"Origin": "https://portal.example.org",
                                                      "Accept-Encoding": "gzip"})
    assert response.headers["access-control-allow-origin"] in ("*", "https://portal.example.org")
    assert "etag" in response.headers["access-control-expose-headers"].lower()
    assert response.headers.get("content-encoding") == "gzip"  # the page is over the 4 KB threshold
    assert "Delta Data Co-op" in response.text


# --------------------------------------------------------------------------------------------- HTML
def test_html_shows_labels_links_and_provenance(http: httpx.Client, server: tuple[str, EmbeddedStore],
                                               dataset: Dataset) -> None:
    url = server[0]
    html = http.get(DELTA_DOC, headers={"Accept": "text/html"}).text
    page = read_html(html)
    text = page.visible
    for label in ("Delta Data Co-op", "United Kingdom", "Registered society", "Legal form", "Postcode", "M1 1AA",
                  "Place"):
        assert label in text, label
    # related resources appear by label, never as raw IRIs, and link to their pages on this host
    for iri in (BASE + "id/country/gb", BASE + "id/legal-form/ZZGG", "http://www.w3.org/ns/regorg#orgType"):
        assert iri not in text
    assert url + "/doc/country/gb" in page.links
    assert url + "/doc/legal-form/ZZGG" in page.links
    assert "https://delta.example.org/" in page.links
    # provenance of each source: title, licence, date, attribution
    for fragment in ("Example register", "Example directory", "2024-03-01", "2025-01-15",
                     "Contains data from the Example register, CC BY 4.0."):
        assert fragment in text, fragment
    assert url + "/doc/licence/CC-BY-4.0" in page.links
    # a licence named by its SPDX IRI is shown with our label and links to our description of it
    assert "Open Data Commons Open Database License v1.0" in text
    assert url + "/doc/licence/ODbL-1.0" in page.links
    # embedded JSON-LD states the same as the Turtle document
    embedded = Graph().parse(data=page.scripts[0], format="json-ld")
    assert shape(embedded) == expected_about(dataset, DELTA)


def test_html_escapes_and_embeds_safely(http: httpx.Client) -> None:
    html = http.get("/doc/organisation/tricky.html").text
    assert "<b>bold</b>" not in html
    page = read_html(html)
    assert "</script><b>bold</b> & co" in page.visible
    assert len(page.scripts) == 1
    label = json.loads(page.scripts[0])
    assert "</script>" in json.dumps(label, ensure_ascii=False)


def test_html_lists_resources_linking_here(http: httpx.Client, server: tuple[str, EmbeddedStore]) -> None:
    page = read_html(http.get("/doc/organisation/alpha-coop.html").text)
    assert "Alpha health survey" in page.visible
    assert server[0] + "/doc/dataset/alpha-health" in page.links


# ------------------------------------------------------------------------------------ base mapping
def test_paths_map_onto_the_configured_base(tmp_path: Path) -> None:
    base = "https://data.example.org/kg/"
    store = EmbeddedStore.open(None)
    store.load(f'<{base}id/organisation/x> <{SKOS.prefLabel}> "X"@en .'.encode(), RDF_BY_NAME["ntriples"],
               graph=base + "graph/source/s")
    for url in run_server(make_settings(tmp_path, base=base), store):
        with httpx.Client(base_url=url, timeout=30) as http:
            assert http.get("/id/organisation/x").headers["location"] == url + "/doc/organisation/x"
            graph = parse(http.get("/doc/organisation/x.nt").content, "nt")
            assert (URIRef(base + "id/organisation/x"), SKOS.prefLabel, Literal("X", lang="en")) in graph
            assert not any(url in str(term) for triple in graph for term in triple)
            assert http.get("/doc/organisation/delta-coop").status_code == 404


def test_concurrent_requests_agree(server: tuple[str, EmbeddedStore]) -> None:
    """Many threads at once (pyoxigraph results never cross threads; the document cache is shared)."""
    from concurrent.futures import ThreadPoolExecutor

    paths = [DELTA_DOC + s for s in ("", ".html", ".jsonld", ".nt", ".rdf")] + ["/doc/organisation/alpha-coop.html"]

    def fetch(index: int) -> tuple[str, int, str]:
        path = paths[index % len(paths)]
        response = client.get(path)
        return path, response.status_code, response.headers.get("etag", "")

    limits = httpx.Limits(max_connections=12)
    with httpx.Client(base_url=server[0], timeout=30, limits=limits) as client, \
            ThreadPoolExecutor(max_workers=12) as pool:
        results = list(pool.map(fetch, range(120)))
    assert {status for _, status, _ in results} == {200}
    etags: dict[str, set[str]] = {}
    for path, _, etag in results:
        etags.setdefault(path, set()).add(etag)
    assert all(len(tags) == 1 for tags in etags.values())
    assert len({next(iter(tags)) for tags in etags.values()}) == len(paths)
