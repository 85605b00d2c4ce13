"""``/def/`` on a real server: HTML for people, Turtle / JSON-LD / RDF/XML / N-Triples by Accept and by suffix,
paging of large schemes, 404 problems for unknown terms, ``Vary: Accept`` everywhere."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import run_server
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

import ontology
from graph.embedded import EmbeddedStore
from graph.formats import RDF_BY_NAME
from graph.iris import Iris
from graph.settings import Settings
from loaders.importer import import_source
from loaders.sources.ontology import VOCABULARIES, ontology_sources
from ontology.lookup import PAGE_SIZE
from ontology.vocab import INSTITUTION_KIND, INSTITUTION_KIND_SCHEME, OD, od_terms

BASE = "https://ourdata.coop/"
OTHER_BASE = "https://data.example.org/kg/"
FORMS = PAGE_SIZE * 2 + 50  # three pages
RDF_TYPES = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/rdf+xml": "xml",
             "application/n-triples": "nt"}
SUFFIXES = {".ttl": "turtle", ".jsonld": "json-ld", ".rdf": "xml", ".nt": "nt"}


def _legal_forms(base: str) -> str:
    """A legal-form scheme as the reference data models it, big enough to page."""
    lines = ["@prefix skos: <http://www.w3.org/2004/02/skos/core#> . @prefix owl: <http://www.w3.org/2002/07/owl#> .",
             f'<{base}def/legal-form> a skos:ConceptScheme ; skos:prefLabel "Legal forms (test)"@en .']
    for n in range(FORMS):
        code = f"T{n:03d}"
        lines.append(f'<{base}id/legal-form/{code}> a skos:Concept ; skos:inScheme <{base}def/legal-form> ; '
                     f'skos:notation "{code}" ; skos:prefLabel "Test form {n}"@en , "Forme {n}"@fr'
                     + (" ; owl:deprecated true ." if n == 0 else " ."))
    return "\n".join(lines)


def _organisation(base: str) -> str:
    org = f"{base}id/organisation/test-coop"
    return f"""@prefix skos: <http://www.w3.org/2004/02/skos/core#> . @prefix org: <http://www.w3.org/ns/org#> .
<{org}> a org:FormalOrganization ; skos:prefLabel "Test Data Co-op"@en ;
    org:classification <{INSTITUTION_KIND["data-cooperative"]}> ; <{OD.legalFormText}> "Society" ;
    <http://www.w3.org/ns/regorg#orgType> <{base}id/legal-form/T007> ;
    <http://purl.org/dc/terms/spatial> <{base}id/country/gb> .
<{base}def/country> a skos:ConceptScheme ; skos:prefLabel "Countries (test)"@en .
<{base}id/country/gb> a skos:Concept ; skos:inScheme <{base}def/country> ; skos:notation "GB" ;
    skos:prefLabel "United Kingdom"@en ."""


def _serve(tmp: Path, base: str, sources: list[object]) -> Iterator[str]:
    store = EmbeddedStore.open(None)
    iris = Iris(base)
    for source in sources:
        import_source(store, iris, source)  # type: ignore[arg-type]
    store.load(_legal_forms(base).encode(), RDF_BY_NAME["turtle"], graph=iris.graph("reference", "test-forms"))
    store.load(_organisation(base).encode(), RDF_BY_NAME["turtle"], graph=iris.graph("source", "test"))
    settings = Settings(store=tmp / "store", memory=False, base_iri=base, tokens_file=tmp / "tokens.sqlite",
                        _env_file=None)  # type: ignore[call-arg]
    yield from run_server(settings, store)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    for url in _serve(tmp_path_factory.mktemp("def"), BASE, ontology_sources()):
        with httpx.Client(base_url=url, timeout=30) as http:
            yield http


@pytest.fixture(scope="module")
def other_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    for url in _serve(tmp_path_factory.mktemp("def-other"), OTHER_BASE, ontology_sources()[:1]):
        with httpx.Client(base_url=url, timeout=30) as http:
            yield http


def _parse(response: httpx.Response, fmt: str) -> Graph:
    assert response.status_code == 200, response.text
    if fmt == "json-ld":
        data = json.loads(response.content)
        context = data.pop("@context") if isinstance(data, dict) else None
        assert context == ontology.load_context()["@context"]  # inline, never a URL to fetch
        return Graph().parse(data=json.dumps(data), format="json-ld", context=context)
    return Graph().parse(data=response.content, format=fmt)


def _html(client: httpx.Client, path: str) -> str:
    response = client.get(path, headers={"Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert "Accept" in response.headers["vary"]
    return response.text


# --- the index -------------------------------------------------------------------------------------------------

def test_index_html_lists_terms_kinds_schemes_and_credits(client: httpx.Client) -> None:
    html = _html(client, "/def/")
    for term in od_terms():
        assert "od:" + str(term).rsplit("/", 1)[1] in html
    graph = ontology.ontology_graph()
    for kind in sorted(graph.subjects(SKOS.inScheme, INSTITUTION_KIND_SCHEME)):
        assert str(next(graph.objects(kind, SKOS.prefLabel))) in html
    assert "Legal forms (test)" in html and f"{FORMS:,}" in html
    for vocabulary in VOCABULARIES:  # attribution of every vocabulary we load, from the meta graph
        assert vocabulary.info.attribution.replace("'", "&#39;") in html
        assert vocabulary.info.licence in html
    assert "Examples of use" in html and "od:legalFormText &#34;Society&#34;" in html


@pytest.mark.parametrize(("accept", "fmt"), RDF_TYPES.items())
def test_index_by_accept_holds_the_whole_ontology(client: httpx.Client, accept: str, fmt: str) -> None:
    response = client.get("/def/", headers={"Accept": accept})
    assert response.headers["content-type"].startswith(accept)
    assert "Accept" in response.headers["vary"]
    served = _parse(response, fmt)
    for triple in ontology.ontology_graph():
        assert triple in served, triple
    assert (URIRef(BASE + "def/legal-form"), RDF.type, SKOS.ConceptScheme) in served


@pytest.mark.parametrize(("suffix", "fmt"), SUFFIXES.items())
def test_index_by_suffix(client: httpx.Client, suffix: str, fmt: str) -> None:
    served = _parse(client.get(f"/def{suffix}", headers={"Accept": "text/html"}), fmt)
    assert (OD.sourceFamily, RDF.type, URIRef("http://www.w3.org/2002/07/owl#DatatypeProperty")) in served


def test_without_accept_the_answer_is_turtle(client: httpx.Client) -> None:
    response = client.get("/def/sourceFamily", headers={"Accept": ""})
    assert response.headers["content-type"].startswith("text/turtle")


# --- terms ---------------------------------------------------------------------------------------------------

def test_term_page_shows_definition_domain_range_and_uses(client: httpx.Client) -> None:
    html = _html(client, "/def/legalFormText")
    graph = ontology.ontology_graph()
    assert str(next(graph.objects(OD.legalFormText, SKOS.definition))) in html.replace("&#34;", '"').replace(
        "&#39;", "'")
    assert "org:Organization" in html and "rdfs:Literal" in html
    assert f"{BASE}id/organisation/test-coop" in html and "1 use" in html


@pytest.mark.parametrize(("suffix", "fmt"), SUFFIXES.items())
def test_term_by_suffix(client: httpx.Client, suffix: str, fmt: str) -> None:
    served = _parse(client.get(f"/def/InstitutionKind{suffix}"), fmt)
    assert (OD.InstitutionKind, URIRef("http://www.w3.org/2000/01/rdf-schema#subClassOf"), SKOS.Concept) in served


# --- schemes and concepts --------------------------------------------------------------------------------------

def test_institution_kind_scheme_and_concept(client: httpx.Client) -> None:
    html = _html(client, "/def/institution-kind")
    assert "data co-operative" in html and "16 concepts" in html
    concept = _html(client, "/def/institution-kind/data-cooperative")
    assert "https://w3id.org/dpv/legal/eu/dga#DataCooperative" in concept
    assert "Test Data Co-op" in concept  # who uses it, from the store


@pytest.mark.parametrize(("accept", "fmt"), RDF_TYPES.items())
def test_concept_by_accept(client: httpx.Client, accept: str, fmt: str) -> None:
    served = _parse(client.get("/def/institution-kind/data-trust", headers={"Accept": accept}), fmt)
    trust = INSTITUTION_KIND["data-trust"]
    assert (trust, SKOS.inScheme, INSTITUTION_KIND_SCHEME) in served
    assert (trust, SKOS.prefLabel, Literal("data trust", lang="en")) in served


def test_reference_concept_by_notation(client: httpx.Client) -> None:
    served = _parse(client.get("/def/legal-form/T007.ttl"), "turtle")
    assert (URIRef(BASE + "id/legal-form/T007"), SKOS.notation, Literal("T007")) in served
    html = _html(client, "/def/legal-form/T007")
    assert "Test form 7" in html and "Test Data Co-op" in html


@pytest.mark.parametrize("code", ["GB", "gb"])
def test_concept_by_notation_or_by_the_last_segment_of_its_iri(client: httpx.Client, code: str) -> None:
    served = _parse(client.get(f"/def/country/{code}", headers={"Accept": "application/n-triples"}), "nt")
    assert (URIRef(BASE + "id/country/gb"), SKOS.notation, Literal("GB")) in served


def test_large_scheme_is_paged(client: httpx.Client) -> None:
    first = client.get("/def/legal-form", headers={"Accept": "text/turtle"})
    served = _parse(first, "turtle")
    assert len(set(served.subjects(SKOS.inScheme, URIRef(BASE + "def/legal-form")))) == PAGE_SIZE
    assert 'rel="next"' in first.headers["link"] and "page=2" in first.headers["link"]
    last_page = -(-FORMS // PAGE_SIZE)
    last = client.get(f"/def/legal-form.nt?page={last_page}")
    assert len(set(_parse(last, "nt").subjects(SKOS.inScheme, None))) == FORMS - PAGE_SIZE * (last_page - 1)
    assert 'rel="prev"' in last.headers["link"] and 'rel="next"' not in last.headers["link"]
    html = _html(client, "/def/legal-form?page=2")
    assert f"page 2 of {last_page}" in html
    assert html.count('href="/def/legal-form/T') == PAGE_SIZE
    assert "T200" in html and "T199" not in html  # ordered by code
    beyond = client.get(f"/def/legal-form?page={last_page + 1}")
    assert beyond.status_code == 404 and beyond.headers["content-type"] == "application/problem+json"


# --- errors --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/def/noSuchTerm", "/def/institution-kind/no-such-kind", "/def/legal-form/ZZZZ",
                                  "/def/no-scheme/code", "/def/bad%20name", "/def.xyz"])
def test_unknown_terms_are_404_problems(client: httpx.Client, path: str) -> None:
    response = client.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert "Accept" in response.headers["vary"]
    body = response.json()
    assert body["status"] == 404 and body["title"] == "Not found" and body["detail"]


def test_unservable_accept_is_406(client: httpx.Client) -> None:
    response = client.get("/def/sourceFamily", headers={"Accept": "application/pdf"})
    assert response.status_code == 406
    assert "text/turtle" in response.json()["available"]
    assert "Accept" in response.headers["vary"]


def test_head_answers_without_a_body(client: httpx.Client) -> None:
    response = client.head("/def/institution-kind", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.content == b""
    assert response.headers["content-type"].startswith("text/turtle")


# --- another deployment base -----------------------------------------------------------------------------------

def test_other_base_serves_its_schemes_and_our_fixed_terms(other_client: httpx.Client) -> None:
    served = _parse(other_client.get("/def/legal-form/T001.ttl"), "turtle")
    assert (URIRef(OTHER_BASE + "id/legal-form/T001"), SKOS.notation, Literal("T001")) in served
    term = _parse(other_client.get("/def/sourceFamily", headers={"Accept": "text/turtle"}), "turtle")
    assert (OD.sourceFamily, RDF.type, None) in term  # the od: namespace is the same on every deployment
    assert "Legal forms (test)" in _html(other_client, "/def/")
