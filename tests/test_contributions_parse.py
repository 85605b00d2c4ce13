"""Reading contributions: formats, encodings, CSV dialects, JSON-LD contexts that are never fetched, XML entities."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator

import pytest
from contributions_support import IRIS

from graph.errors import BadRequest, UnsupportedMediaType
from loaders.contributions.parse import detect_format, parse
from loaders.contributions.terms import parse_rdf

ORG = "https://ourdata.coop/id/organisation/x"


@pytest.mark.parametrize(("kwargs", "expected"), [
    ({"media_type": "text/csv; charset=utf-8"}, "csv"),
    ({"media_type": "application/ld+json"}, "jsonld"),
    ({"media_type": "application/json"}, "json"),
    ({"media_type": "text/turtle"}, "turtle"),
    ({"media_type": "application/n-triples"}, "ntriples"),
    ({"media_type": "application/rdf+xml"}, "rdfxml"),
    ({"filename": "records.TTL"}, "turtle"),
    ({"filename": "records.nt"}, "ntriples"),
    ({"filename": "records.jsonld", "media_type": "application/octet-stream"}, "jsonld"),
    ({"fmt": "ttl", "media_type": "text/csv"}, "turtle"),
    ({"media_type": "application/vnd.ms-excel", "filename": "members.csv"}, "csv"),
    ({"media_type": "application/x-unknown", "filename": "records.ttl"}, "turtle"),
])
def test_the_format_comes_from_the_flag_the_media_type_or_the_name(kwargs: dict, expected: str) -> None:  # type: ignore[type-arg]
    assert detect_format(b"", **kwargs) == expected


@pytest.mark.parametrize(("data", "expected"), [
    (b'\xef\xbb\xbf{"name": {"en": "X"}}', "json"), (b'[{"@context": {}}]', "jsonld"),
    (b"@prefix x: <http://ex.org/> .", "turtle"), (f"<{ORG}> <http://ex.org/p> \"x\" .".encode(), "turtle"),
    (b'<?xml version="1.0"?><rdf:RDF/>', "rdfxml"), (b"name;country\nX;GB\n", "csv"),
])
def test_the_format_is_sniffed_when_nothing_names_it(data: bytes, expected: str) -> None:
    assert detect_format(data) == expected


def test_unknown_formats_are_refused() -> None:
    with pytest.raises(UnsupportedMediaType):
        detect_format(b"%PDF", media_type="application/pdf")
    with pytest.raises(BadRequest):
        detect_format(b"", fmt="xlsx")


@pytest.mark.parametrize("data", [b"name,country\nAlpha,GB\n", b"\xef\xbb\xbfname;country\r\nAlpha;GB\r\n",
                                  b"Name\tCountry\nAlpha\tGB\n", b'"name","country"\n"Alpha","GB"\n'])
def test_csv_with_or_without_bom_comma_semicolon_or_tab(data: bytes) -> None:
    parsed = parse(data, "csv", IRIS)
    assert not parsed.problems
    assert parsed.table is not None and parsed.table.rows == [(2, {"name": "Alpha", "country": "GB"})]


def test_json_without_context_is_read_with_ours() -> None:
    document = {"id": ORG, "type": "org:FormalOrganization", "name": {"en": "X"}, "country": "/id/country/gb"}
    parsed = parse(json.dumps(document).encode(), "json", IRIS)
    assert not parsed.problems
    assert (f"<{ORG}>", "<http://www.w3.org/2004/02/skos/core#prefLabel>", '"X"@en') in parsed.triples
    assert parsed.pointers[f"<{ORG}>"] == ""


@pytest.fixture
def context_server() -> Iterator[tuple[str, list[str]]]:
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the standard library's name
            hits.append(self.path)
            body = json.dumps({"@context": {"name": "http://schema.org/name"}}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/ld+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/context.jsonld", hits
    server.shutdown()


@pytest.mark.parametrize("where", ["top", "nested", "list", "import"])
def test_a_remote_context_is_refused_and_never_fetched(context_server: tuple[str, list[str]], where: str) -> None:
    url, hits = context_server
    document: dict = {"@id": ORG, "name": "X"}  # type: ignore[type-arg]
    if where == "top":
        document["@context"] = url
    elif where == "nested":
        document["knows"] = {"@context": url, "@id": "https://ex.org/y"}
    elif where == "list":
        document["@context"] = [{"ex": "https://ex.org/"}, url]
    else:
        document["@context"] = {"@version": 1.1, "@import": url}
    parsed = parse(json.dumps(document).encode(), "jsonld", IRIS)
    assert [p.code for p in parsed.problems] == ["remote-context"]
    assert not parsed.triples
    assert hits == []


def test_our_published_context_is_used_from_the_local_copy(context_server: tuple[str, list[str]]) -> None:
    document = {"@context": "https://ourdata.coop/api/v1/context.jsonld", "@id": ORG, "name": {"en": "X"}}
    parsed = parse(json.dumps(document).encode(), "jsonld", IRIS)
    assert not parsed.problems and len(parsed.triples) == 1


def test_the_engine_does_not_expand_external_entities(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Verified, not assumed: even without our refusal, pyoxigraph does not read the file an entity names."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    document = f"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ <!ENTITY x SYSTEM "file://{secret}"> ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://ex.org/">
  <rdf:Description rdf:about="http://ex.org/a"><ex:p>&x;</ex:p></rdf:Description>
</rdf:RDF>"""
    try:
        triples = parse_rdf(document.encode(), "rdfxml")
    except SyntaxError:
        triples = []
    assert not any("TOPSECRET" in o for _, _, o in triples)
    parsed = parse(document.encode(), "rdfxml", IRIS)
    assert [p.code for p in parsed.problems] == ["xml-entity"] and not parsed.triples


def test_a_doctype_without_entities_is_fine() -> None:
    document = b"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://ex.org/">
  <rdf:Description rdf:about="http://ex.org/a"><ex:p>x</ex:p></rdf:Description>
</rdf:RDF>"""
    assert not parse(document, "rdfxml", IRIS).problems


def test_the_api_list_shape_is_read_without_its_paging() -> None:
    document = {"items": [{"id": ORG, "type": "org:FormalOrganization", "name": {"en": "X"}}],
                "totalItems": 1, "next": "https://ourdata.coop/api/v1/organisations?page=2"}
    parsed = parse(json.dumps(document).encode(), "json", IRIS)
    assert not parsed.problems
    assert {t[0] for t in parsed.triples} == {f"<{ORG}>"}
    assert parsed.pointers[f"<{ORG}>"] == "/items/0"


def test_relative_iris_resolve_under_our_things() -> None:
    parsed = parse(b'<organisation/x> <http://www.w3.org/2004/02/skos/core#prefLabel> "X" .', "turtle", IRIS)
    assert parsed.triples == [(f"<{ORG}>", "<http://www.w3.org/2004/02/skos/core#prefLabel>", '"X"')]
