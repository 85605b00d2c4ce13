"""One row per organisation for the web pages: name, place, coordinates, homepage.

The search page, its map and its CSV download show thousands of organisations at once; a lookup per
organisation would cost a query each, so the rows of every organisation are read once per store version with
three SELECTs over constant IRIs (no client text reaches them) and kept in memory (about 300 bytes each).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from graph.catalogue_queries import csv_rows
from graph.catalogue_terms import KINDS
from graph.sparql_text import checked_iri
from graph.store import GraphStore

ORG = "http://www.w3.org/ns/org#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
GEO = "http://www.w3.org/2003/01/geo/wgs84_pos#"
LOCN = "http://www.w3.org/ns/locn#"
FOAF = "http://xmlns.com/foaf/0.1/"


def _types() -> str:
    return " ".join(checked_iri(t) for t in KINDS["organisations"].types)


#: (?o ?name ?lang): every name an organisation has, with its language tag (to prefer English).
NAMES = (f"SELECT DISTINCT ?o ?name ?lang WHERE {{ VALUES ?t {{ {_types()} }} ?o a ?t ; <{SKOS}prefLabel> ?name "
         "BIND(LANG(?name) AS ?lang) }")
#: (?o ?lat ?long ?town ?area ?postcode): the registered site first, then other sites.
PLACES = f"""PREFIX org: <{ORG}>
PREFIX geo: <{GEO}>
PREFIX locn: <{LOCN}>
SELECT ?o ?registered ?lat ?long ?town ?area ?postcode WHERE {{
  {{ ?o org:hasRegisteredSite ?site BIND(1 AS ?registered) }} UNION {{ ?o org:hasSite ?site BIND(0 AS ?registered) }}
  OPTIONAL {{ ?site geo:lat ?lat ; geo:long ?long }}
  OPTIONAL {{ ?site locn:address ?address .
             OPTIONAL {{ ?address locn:postName ?town }}
             OPTIONAL {{ ?address locn:adminUnitL2 ?area }}
             OPTIONAL {{ ?address locn:postCode ?postcode }} }}
}}"""
#: STR(): the engine's CSV writes IRIs unquoted, so an IRI with a comma would split its row; literals are quoted.
HOMEPAGES = f"SELECT ?o ?page WHERE {{ ?o <{FOAF}homepage> ?p BIND(STR(?p) AS ?page) }}"


@dataclass
class OrgRow:
    """What a listing shows of one organisation (the rest is on its /doc/ page)."""

    iri: str
    name: str = ""
    town: str = ""
    area: str = ""
    postcode: str = ""
    lat: float | None = None
    long: float | None = None
    homepage: str = ""

    @property
    def place(self) -> str:
        """'Town, Area' without repeating a town that is its own area."""
        parts = [p for p in (self.town, self.area) if p]
        if len(parts) == 2 and parts[0].lower() == parts[1].lower():
            parts = parts[:1]
        return ", ".join(parts)


def _coordinate(text: str, limit: float) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if -limit <= value <= limit else None


def read_rows(store: GraphStore, members: Iterable[str]) -> dict[str, OrgRow]:
    """The rows of ``members`` (organisation IRIs); those the store says nothing about get an empty row."""
    rows = {iri: OrgRow(iri) for iri in members}
    ranks: dict[str, int] = {}
    for o, name, lang in csv_rows(store, NAMES):
        row = rows.get(o)
        if row is None:
            continue
        rank = 0 if lang.lower().startswith("en") else 1 if not lang else 2
        if o not in ranks or rank < ranks[o] or (rank == ranks[o] and name < row.name):
            ranks[o] = rank
            row.name = name
    placed: dict[str, tuple[int, int]] = {}  # iri -> (registered site?, has coordinates?) of the place kept
    for o, registered, lat, long, town, area, postcode in csv_rows(store, PLACES):
        row = rows.get(o)
        if row is None:
            continue
        latitude, longitude = _coordinate(lat, 90), _coordinate(long, 180)
        has_point = int(latitude is not None and longitude is not None)
        quality = (int(registered == "1"), has_point)
        if o in placed and placed[o] >= quality:
            continue
        placed[o] = quality
        row.town, row.area, row.postcode = town, area, postcode
        row.lat, row.long = (latitude, longitude) if has_point else (None, None)
    for o, page in csv_rows(store, HOMEPAGES):
        row = rows.get(o)
        if row is not None and not row.homepage:
            row.homepage = page
    for row in rows.values():
        if not row.name:
            row.name = row.iri.rsplit("/", 1)[-1]
    return rows
