"""Federation through a real second SPARQL server: a partner's Oxigraph joins its graph with our endpoint.

The partner's listings cite our organisation IRIs; the query goes to the partner's Oxigraph server and
reaches our live uvicorn server through ``SERVICE``, so our endpoint is the federated member.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import LiveServer
from oxigraph_support import oxigraph_server
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import DCTERMS, SKOS

DATA = Path(__file__).parent / "data"
PARTNER = DATA / "linked" / "partner.ttl"
PP = "https://portal.example.org/def/"



@pytest.fixture
def partner(tmp_path: Path) -> Iterator[str]:
    """The partner's Oxigraph server on a free 127.0.0.1 port, holding partner.ttl; stopped afterwards."""
    with oxigraph_server(PARTNER, tmp_path / "partner-store") as url:
        yield url


def _select(endpoint: str, query: str) -> list[dict[str, str]]:
    response = httpx.post(endpoint + "/query", data={"query": query},
                          headers={"Accept": "application/sparql-results+json"}, timeout=60)
    assert response.status_code == 200, response.text
    return [{k: v["value"] for k, v in row.items()} for row in response.json()["results"]["bindings"]]


def _ours() -> Dataset:
    dataset = Dataset()
    dataset.parse(DATA / "sample.trig", format="trig")
    return dataset


def test_partner_query_joins_our_endpoint(live_server: LiveServer, partner: str) -> None:
    ours, theirs = _ours(), Graph().parse(PARTNER, format="turtle")
    query = f"""
        PREFIX pp: <{PP}>
        PREFIX skos: <{SKOS}>
        PREFIX dct: <{DCTERMS}>
        SELECT ?listing ?org ?name ?country ?rating WHERE {{
          ?listing pp:about ?org ; pp:rating ?rating .
          SERVICE <{live_server.url}/sparql> {{
            ?org skos:prefLabel ?name ; dct:spatial ?country .
            FILTER(langMatches(lang(?name), "en"))
          }}
        }} ORDER BY ?listing"""
    rows = _select(partner, query)
    cited = {str(o) for o in theirs.objects(None, URIRef(PP + "about"))}
    held = {str(s) for s, _, _, _ in ours.quads((None, SKOS.prefLabel, None, None))}
    expected = {(str(listing), str(org)) for listing, org in theirs.subject_objects(URIRef(PP + "about"))
                if str(org) in held}
    assert {(r["listing"], r["org"]) for r in rows} == expected
    assert len(expected) == len(cited & held) >= 2  # the citation we do not hold drops out of the join
    for row in rows:
        org = URIRef(row["org"])
        names = {str(o) for _, _, o, _ in ours.quads((org, SKOS.prefLabel, None, None)) if o.language == "en"}
        assert row["name"] in names
        assert URIRef(row["country"]) in {o for _, _, o, _ in ours.quads((org, DCTERMS.spatial, None, None))}


def test_partner_query_keeps_its_rows_with_optional_service(live_server: LiveServer, partner: str) -> None:
    query = f"""
        PREFIX pp: <{PP}>
        PREFIX skos: <{SKOS}>
        SELECT ?listing ?name WHERE {{
          ?listing a pp:Listing ; pp:about ?org .
          OPTIONAL {{ SERVICE <{live_server.url}/sparql> {{ ?org skos:prefLabel ?name FILTER(lang(?name) = "en") }} }}
        }}"""
    rows = _select(partner, query)
    theirs, ours = Graph().parse(PARTNER, format="turtle"), _ours()
    listings = set(theirs.subjects(None, URIRef(PP + "Listing")))
    assert {r["listing"] for r in rows} == {str(x) for x in listings}
    named = {str(listing) for listing, org in theirs.subject_objects(URIRef(PP + "about"))
             if any(o.language == "en" for _, _, o, _ in ours.quads((org, SKOS.prefLabel, None, None)))}
    assert {r["listing"] for r in rows if "name" in r} == named
    assert 0 < len(named) < len(listings)
