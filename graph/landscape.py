"""What the web pages show of the landscape: a filtered selection of organisations with facet counts, its
rows, map points and CSV, and the lists on the licence, legal form and country pages.

Everything is computed from the API's catalogue snapshot (:mod:`graph.catalogue`: the same filters mean the
same thing on the page and in ``/api/v1/organisations``) plus, once per snapshot, the organisations' rows
(:mod:`graph.landscape_rows`) and the labels of facet values. Facet counts are "disjunctive": the counts of
one facet's values ignore that facet's own filter (ticking a second country adds to the selection), and honour
every other filter and the text query.
"""

from __future__ import annotations

import csv
import io
import threading
import weakref
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from graph import bitsets
from graph.catalogue import Criteria, Selection, Snapshot
from graph.catalogue_queries import csv_rows
from graph.catalogue_terms import INSTITUTION_KIND
from graph.describe import labels
from graph.landscape_rows import OrgRow, read_rows
from graph.licence_words import Term, terms_in_words
from graph.sparql_text import checked_iri
from graph.store import GraphStore

ORGANISATIONS = "organisations"
#: The organisation filters the pages offer, in the order the facets are shown.
FACETS = ("country", "region", "kind", "legal_form", "source")
FACET_LABELS = {"country": "Country", "region": "Region", "kind": "Kind of organisation",
                "legal_form": "Legal form (ISO 20275)", "source": "Source"}
DCT = "http://purl.org/dc/terms/"
OD = "https://ourdata.coop/def/"
CSV_COLUMNS = ("iri", "name", "country", "kind", "legal_form", "town", "area", "postcode", "latitude",
               "longitude", "homepage", "source")


@dataclass(frozen=True)
class FacetValue:
    key: str  # the IRI the catalogue filters on
    code: str  # what the URL carries (gb, cooperative, 17R0, coops-uk)
    label: str
    count: int
    selected: bool


@dataclass(frozen=True)
class Facet:
    name: str
    label: str
    values: list[FacetValue]


@dataclass(frozen=True)
class Listed:
    """One organisation as a listing shows it."""

    row: OrgRow
    countries: list[str]
    kinds: list[str]
    legal_forms: list[str]
    sources: list[tuple[str, str]]  # (code, title)


@dataclass(frozen=True)
class Browse:
    total: int
    items: list[Listed]
    facets: list[Facet]
    with_coordinates: int


def _sort_key(name: str) -> str:
    """Alphabetical as people expect: case-blind, ignoring leading quotes and brackets ("Anakyklos" under A)."""
    return name.casefold().lstrip("\"'“”‘’«»([ ")


class Landscape:
    """The pages' view of one catalogue snapshot; immutable once built, shared between threads."""

    def __init__(self, store: GraphStore, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.index = snapshot.kind(ORGANISATIONS)
        self.rows = read_rows(store, self.index.members)
        self.located = bitsets.from_positions(
            (p for p, iri in enumerate(self.index.members) if self.rows[iri].lat is not None), self.index.size)
        keys = {k for facet in FACETS for k in self.index.facets.get(facet, {})}
        self.labels = labels(store, sorted(k for k in keys if k.startswith(("http://", "https://"))))
        self.codes = {(facet, key): self._code(facet, key)
                      for facet in FACETS for key in self.index.facets.get(facet, {})}
        self._per_position: dict[str, list[tuple[str, ...]]] = {}
        self._lock = threading.Lock()
        self._store = store
        self._stated: list[tuple[str, int]] | None = None
        by_name = sorted(range(self.index.size), key=lambda p: (_sort_key(self.rows[self.index.members[p]].name), p))
        self._name_rank = [0] * self.index.size
        for rank, position in enumerate(by_name):
            self._name_rank[position] = rank

    # ------------------------------------------------------------- naming
    def _code(self, facet: str, key: str) -> str:
        if facet in ("country", "legal_form") and key in self.snapshot.data.notation:
            return self.snapshot.data.notation[key].lower() if facet == "country" else self.snapshot.data.notation[key]
        if facet == "kind" and key.startswith(INSTITUTION_KIND):
            return key[len(INSTITUTION_KIND):]
        return key.rstrip("/").rsplit("/", 1)[-1]  # region and source slugs

    def label(self, facet: str, key: str) -> str:
        text = self.labels.get(key)
        if text is None:
            text = self.codes.get((facet, key), key.rsplit("/", 1)[-1]).replace("-", " ")
        text = text[:1].upper() + text[1:]
        if facet == "legal_form" and (code := self.codes.get((facet, key))) and code not in text:
            return f"{text} ({code})"
        return text

    # ----------------------------------------------------------- selection
    def criteria(self, filters: Mapping[str, Sequence[str]], q: str | None) -> Criteria:
        """Resolves codes to keys (BadRequest listing unknown values with suggestions)."""
        wanted = {name: [v for v in values if v.strip()] for name, values in filters.items() if name in FACETS}
        return self.snapshot.criteria(ORGANISATIONS, {k: v for k, v in wanted.items() if v}, q=q)

    def select(self, criteria: Criteria) -> Selection:
        return self.snapshot.select(ORGANISATIONS, criteria)

    def ordered(self, criteria: Criteria) -> list[int]:
        """The selected positions: by relevance when there is a text query, else by name."""
        positions = self.select(criteria).positions
        return positions if criteria.q is not None else sorted(positions, key=self._name_rank.__getitem__)

    def _mask(self, criteria: Criteria) -> int:
        return bitsets.from_positions(self.select(criteria).positions, self.index.size)

    def facets(self, criteria: Criteria) -> list[Facet]:
        chosen = dict(criteria.filters)
        out = []
        for facet in FACETS:
            others = Criteria(tuple((n, v) for n, v in criteria.filters if n != facet), criteria.q, criteria.since)
            mask = self._mask(others)
            values = []
            for key, members in self.index.facets.get(facet, {}).items():
                count = (members & mask).bit_count()
                selected = key in chosen.get(facet, ())
                if count or selected:
                    values.append(FacetValue(key, self.codes[(facet, key)], self.label(facet, key), count, selected))
            values.sort(key=lambda v: (not v.selected, -v.count, v.label.lower()))
            out.append(Facet(facet, FACET_LABELS[facet], values))
        return out

    def _values_at(self, facet: str) -> list[tuple[str, ...]]:
        """position -> the facet's keys for that member (inverted from the bitsets once, on first use)."""
        with self._lock:
            found = self._per_position.get(facet)
            if found is None:
                lists: list[list[str]] = [[] for _ in range(self.index.size)]
                for key, members in self.index.facets.get(facet, {}).items():
                    for position in bitsets.to_positions(members):
                        lists[position].append(key)
                found = self._per_position[facet] = [tuple(sorted(v)) for v in lists]
            return found

    def listed(self, iri: str) -> Listed:
        position = self.index.position[iri]

        def named(facet: str) -> list[str]:
            return [self.label(facet, k) for k in self._values_at(facet)[position]]

        sources = [(self.codes[("source", k)], self.label("source", k)) for k in self._values_at("source")[position]]
        return Listed(self.rows[iri], named("country"), named("kind"), named("legal_form"), sources)

    def browse(self, criteria: Criteria, *, start: int = 0, limit: int = 50) -> Browse:
        positions = self.ordered(criteria)
        items = [self.listed(self.index.members[p]) for p in positions[max(0, start):max(0, start) + limit]]
        located = (bitsets.from_positions(positions, self.index.size) & self.located).bit_count()
        return Browse(len(positions), items, self.facets(criteria), located)

    # --------------------------------------------------------- map and CSV
    def points(self, criteria: Criteria) -> list[tuple[float, float, str, str]]:
        """(lat, long, name, IRI) of every selected organisation with coordinates, in selection order."""
        out = []
        for position in self.select(criteria).positions:
            row = self.rows[self.index.members[position]]
            if row.lat is not None and row.long is not None:
                out.append((row.lat, row.long, row.name, row.iri))
        return out

    def csv_lines(self, criteria: Criteria) -> Iterator[str]:
        """The selection as CSV (header first), one line at a time so a large download streams."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")

        def line(values: Sequence[object]) -> str:
            buffer.seek(0)
            buffer.truncate()
            writer.writerow(values)
            return buffer.getvalue()

        yield line(CSV_COLUMNS)
        countries, kinds, forms, sources = (self._values_at(f) for f in ("country", "kind", "legal_form", "source"))
        for position in self.ordered(criteria):
            row = self.rows[self.index.members[position]]
            yield line([row.iri, row.name,
                        " ".join(self.codes[("country", k)].upper() for k in countries[position]),
                        " ".join(self.codes[("kind", k)] for k in kinds[position]),
                        " ".join(self.codes[("legal_form", k)] for k in forms[position]),
                        row.town, row.area, row.postcode,
                        "" if row.lat is None else row.lat, "" if row.long is None else row.long, row.homepage,
                        " ".join(self.codes[("source", k)] for k in sources[position])])

    # ------------------------------------------------------ resource pages
    def members_with(self, facet: str, key: str, *, limit: int) -> tuple[int, list[OrgRow]]:
        """(how many organisations have this facet value, the first ``limit`` of them by name)."""
        mask = self.index.facets.get(facet, {}).get(key, 0)
        rows = [self.rows[self.index.members[p]] for p in bitsets.to_positions(mask)]
        rows.sort(key=lambda r: (r.name.lower(), r.iri))
        return len(rows), rows[:limit]

    def stated_legal_forms(self) -> list[tuple[str, int]]:
        """The sources' own words for legal forms (``od:legalFormText``) with how many organisations use each."""
        if self._stated is None:
            query = (f"SELECT ?text (COUNT(DISTINCT ?o) AS ?n) WHERE {{ ?o {checked_iri(OD + 'legalFormText')} ?t "
                     "BIND(STR(?t) AS ?text) } GROUP BY ?text ORDER BY DESC(?n) ?text")
            self._stated = [(text, int(n)) for text, n in csv_rows(self._store, query)]
        return self._stated


def licence_terms(snapshot: Snapshot, licence: str) -> dict[str, list[Term]]:
    """What the licence permits, requires and prohibits, in plain words (empty: no machine-readable terms)."""
    index = snapshot.kind("licences")
    position = index.position.get(licence)
    if position is None:
        return {}
    facets = {relation: {action for action, mask in index.facets.get(relation, {}).items() if mask >> position & 1}
              for relation in ("permits", "requires", "prohibits")}
    return terms_in_words(facets)


def datasets_under(snapshot: Snapshot, licence: str) -> int:
    return snapshot.kind("datasets").facets.get("licence", {}).get(licence, 0).bit_count()


_landscapes: weakref.WeakKeyDictionary[GraphStore, Landscape] = weakref.WeakKeyDictionary()
_build_lock = threading.Lock()


def landscape_for(store: GraphStore, snapshot: Snapshot) -> Landscape:
    """The landscape of this snapshot, built once (concurrent first requests wait for one build)."""
    current = _landscapes.get(store)
    if current is not None and current.snapshot.token == snapshot.token:
        return current
    with _build_lock:
        current = _landscapes.get(store)
        if current is None or current.snapshot.token != snapshot.token:
            current = _landscapes[store] = Landscape(store, snapshot)
        return current
