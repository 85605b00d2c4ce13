"""Shared by the JSON-LD API tests: the fixture store, a module-wide live server, and readers.

Expected answers are computed here from the fixture itself with plain SPARQL (never from the catalogue code),
so a test fails when the API and the data disagree.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
from conftest import run_server
from rdflib import Graph

from graph.embedded import EmbeddedStore
from graph.formats import RDF_BY_NAME
from graph.settings import Settings
from ontology import load_context

DATA = Path(__file__).parent / "data" / "api"
FILES = (DATA / "reference.trig", DATA / "organisations.trig")
BASE = "https://ourdata.coop/"
PREFIXES = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rov: <http://www.w3.org/ns/regorg#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX odrl: <http://www.w3.org/ns/odrl/2/>
PREFIX cc: <http://creativecommons.org/ns#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX eu-dga: <https://w3id.org/dpv/legal/eu/dga#>
"""
#: How each collection's members are found, written independently of graph/catalogue_terms.py.
MEMBERS = {
    "organisations": "?s a ?t . VALUES ?t { org:FormalOrganization org:Organization org:OrganizationalCollaboration "
                     "rov:RegisteredOrganization eu-dga:DataCooperative } "
                     "FILTER(STRSTARTS(STR(?s), 'https://ourdata.coop/id/organisation/'))",
    "datasets": "?s a dcat:Dataset . FILTER(STRSTARTS(STR(?s), 'https://ourdata.coop/id/dataset/'))",
    "licences": "?s a dct:LicenseDocument . FILTER(STRSTARTS(STR(?s), 'https://ourdata.coop/id/licence/'))",
    "legal-forms": "?s skos:inScheme <https://ourdata.coop/def/legal-form> .",
    "countries": "?s skos:inScheme <https://ourdata.coop/def/country> .",
}


def loaded_store(files: tuple[Path, ...] = FILES) -> EmbeddedStore:
    store = EmbeddedStore.open(None)
    for path in files:
        store.load(path.read_bytes(), RDF_BY_NAME["trig"], graph=None, allow_named_graphs=True)
    return store


def make_settings(tmp: Path) -> Settings:
    return Settings(store=tmp / "store", memory=True, base_iri=BASE, tokens_file=tmp / "tokens.sqlite",
                    _env_file=None)  # type: ignore[call-arg]


def serve(store: EmbeddedStore, tmp: Path) -> Iterator[str]:
    yield from run_server(make_settings(tmp), store)


def select_set(store: EmbeddedStore, where: str, var: str = "s") -> set[str]:
    return {str(row[var]) for row in store.select(f"{PREFIXES} SELECT DISTINCT ?{var} WHERE {{ {where} }}")}


def members(store: EmbeddedStore, collection: str, extra: str = "") -> set[str]:
    return select_set(store, MEMBERS[collection] + " " + extra)


def walk(client: httpx.Client, url: str, *, limit: int = 500) -> tuple[list[str], list[dict[str, Any]]]:
    """Follows ``next`` from ``url``: (item IRIs in order, every page body)."""
    iris: list[str] = []
    pages: list[dict[str, Any]] = []
    next_url: str | None = url
    while next_url is not None:
        response = client.get(next_url)
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append(body)
        iris.extend(item["id"] for item in body["items"])
        next_url = body.get("next")
        assert len(pages) <= limit, "paging does not end"
    return iris, pages


def local_context() -> dict[str, Any]:
    return load_context()["@context"]  # type: ignore[no-any-return]


def with_local_context(document: dict[str, Any]) -> dict[str, Any]:
    """The document with its remote @context replaced by the shipped one (nothing is fetched)."""
    return {**document, "@context": local_context()}


def parse_rdflib(document: dict[str, Any]) -> Graph:
    return Graph().parse(data=json.dumps(with_local_context(document)), format="json-ld")


def parse_oxigraph(document: dict[str, Any]) -> set[str]:
    data = json.dumps(with_local_context(document)).encode("utf-8")
    return {str(ox.Triple(q.subject, q.predicate, q.object)) for q in ox.parse(data, format=ox.RdfFormat.JSON_LD)}
