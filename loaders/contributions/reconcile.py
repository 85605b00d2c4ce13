"""Reconciliation: is a contributed record about an organisation (or dataset) we already hold?

An organisation matches one we hold when it names it (one of our IRIs), or has the same registration number
on the same register, or the same normalised name in the same country. A dataset matches by its IRI, or by
the same title from the same publisher. A match attaches the record to the held IRI (no duplicate) and the
reason is reported; several candidates are a problem that names them. New records get minted IRIs
(``{base}id/organisation/{slugified name}``, with the country code or a number when taken).

The index of what we hold is built with three queries, cached per store version and kept up to date
across our own writes, so a stream of small contributions does not rebuild it each time.
"""

from __future__ import annotations

import re
import threading
import weakref
from collections import defaultdict
from dataclasses import dataclass, field

from graph.iris import Iris
from graph.sparql_text import checked_iri
from graph.store import GraphStore
from loaders.contributions.model import DATASET, ORGANISATION, Draft, Match, Record
from loaders.contributions.problems import Problem
from loaders.contributions.terms import iri, iri_value
from loaders.resolve import normalise

_PREFIXES = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rov: <http://www.w3.org/ns/regorg#>
PREFIX adms: <http://www.w3.org/ns/adms#>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
"""
_NAMES = _PREFIXES + """SELECT DISTINCT ?org ?label ?country WHERE {
  VALUES ?type { org:FormalOrganization org:Organization rov:RegisteredOrganization org:OrganizationalCollaboration }
  ?org a ?type ; dct:spatial ?country .
  { ?org skos:prefLabel ?label } UNION { ?org rov:legalName ?label }
}"""
_REGISTRATIONS = _PREFIXES + """SELECT DISTINCT ?org ?number ?agency WHERE {
  ?org rov:registration ?r . ?r skos:notation ?number ; adms:schemaAgency ?agency .
}"""
_DATASETS = _PREFIXES + """SELECT DISTINCT ?d ?title ?publisher WHERE { ?d a dcat:Dataset ; dct:title ?title ;
  dct:publisher ?publisher }"""


_NON_WORD = re.compile(r"[^\w]+")


def name_key(text: str) -> str:
    """Case, accents, punctuation and spacing do not tell names apart: "Alpha Data Co-op." = "alpha data co op".

    >>> name_key("Alpha  Data Co-op."), name_key("Coopérative & Cie")
    ('alpha data co op', 'cooperative and cie')
    """
    folded = text.lower() if text.isascii() else normalise(text)  # ASCII needs no decomposition (the common case)
    return _NON_WORD.sub(" ", folded.replace("&", " and ")).strip()


def number_key(text: str) -> str:
    return re.sub(r"[\s.\-/]", "", text).upper()


@dataclass
class Held:
    names: dict[tuple[str, str], set[str]] = field(default_factory=lambda: defaultdict(set))
    registrations: dict[tuple[str, str], set[str]] = field(default_factory=lambda: defaultdict(set))
    datasets: dict[tuple[str, str], set[str]] = field(default_factory=lambda: defaultdict(set))
    pending: list[Record] = field(default_factory=list)  # written since: indexed when next needed

    def settle(self) -> Held:
        for record in self.pending:
            self.add(record)
        self.pending = []
        return self

    def add(self, record: Record) -> None:
        if record.iri is None:
            return
        if record.kind == ORGANISATION:
            for name in record.names:
                if record.country:
                    self.names[(name_key(name), record.country)].add(record.iri)
            for number, register in record.registrations:
                self.registrations[(number_key(number), name_key(register))].add(record.iri)
        elif record.publisher:
            for title in record.names:
                self.datasets[(name_key(title), iri_value(record.publisher))].add(record.iri)


def build(store: GraphStore) -> Held:
    held = Held()
    for row in store.select(_NAMES):
        held.names[(name_key(str(row["label"])), str(row["country"]))].add(str(row["org"]))
    for row in store.select(_REGISTRATIONS):
        held.registrations[(number_key(str(row["number"])), name_key(str(row["agency"])))].add(str(row["org"]))
    for row in store.select(_DATASETS):
        held.datasets[(name_key(str(row["title"])), str(row["publisher"]))].add(str(row["d"]))
    return held


_cache: weakref.WeakKeyDictionary[GraphStore, tuple[int, Held]] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def held_index(store: GraphStore) -> Held:
    version = store.version()
    with _lock:
        cached = _cache.get(store)
        if cached is not None and cached[0] == version:
            return cached[1].settle()  # under the lock: a dry run may reconcile while a load does
    built = build(store)
    with _lock:
        _cache[store] = (version, built)
    return built


def remember(store: GraphStore, before: int, records: list[Record]) -> None:
    """After our write that only added ``records``: the index of version ``before`` plus them still holds."""
    with _lock:
        cached = _cache.get(store)
        if cached is not None and cached[0] == before:
            cached[1].pending += records  # indexed by the next reconciliation, not on this one's clock
            _cache[store] = (store.version(), cached[1])


def forget(store: GraphStore) -> None:
    with _lock:
        _cache.pop(store, None)


def existing(store: GraphStore, values: list[str]) -> set[str]:
    """Which of these IRIs are the subject of something we hold (one query per 500, not one each)."""
    found: set[str] = set()
    for start in range(0, len(values), 500):
        chunk = " ".join(checked_iri(v) for v in values[start:start + 500])
        found |= {str(r["s"]) for r in store.select(f"SELECT DISTINCT ?s WHERE {{ VALUES ?s {{ {chunk} }} ?s ?p ?o }}")}
    return found


def _label(record: Record) -> str:
    where = record.where
    if "row" in where and where["row"] is not None:
        return f"row {where['row']}" + (f" (dataset {where['dataset']})" if "dataset" in where else "")
    return where.get("pointer") or where.get("focus_node") or f"record {record.number}"


class Reconciler:
    def __init__(self, store: GraphStore, iris: Iris, draft: Draft) -> None:
        self.store, self.iris, self.draft = store, iris, draft
        self.held = held_index(store) if any(not r.explicit for r in draft.records) else Held()
        self.batch = Held()
        self.owner: dict[str, Record] = {}  # final IRI -> the record of this contribution that has it
        self.taken: set[str] = set()
        self.known: dict[str, bool] = {}  # IRI -> whether we hold it
        self.matching = any(not r.explicit for r in draft.records)

    def _exists(self, value: str) -> bool:
        if value not in self.known:
            self.known[value] = bool(existing(self.store, [value]))
        return self.known[value]

    def _look_up(self, values: list[str]) -> None:
        found = existing(self.store, values)
        self.known.update({v: v in found for v in values})

    def run(self) -> dict[str, str]:
        """Decides every record's IRI; returns record term -> final IRI term. Problems go into the draft."""
        final: dict[str, str] = {}
        organisations = [r for r in self.draft.records if r.kind == ORGANISATION]
        datasets = [r for r in self.draft.records if r.kind == DATASET]
        self._look_up([iri_value(r.term) if r.explicit else self._options(r)[0] for r in organisations])
        for record in organisations + datasets:
            if record is (datasets[0] if datasets else None):
                for dataset in datasets:
                    if dataset.publisher:
                        dataset.publisher = final.get(dataset.publisher, dataset.publisher)
                self._look_up([iri_value(r.term) if r.explicit else self._options(r)[0] for r in datasets])
            self._decide(record)
            if record.iri is None:
                continue
            previous = self.owner.get(record.iri)
            if previous is not None and previous is not record:
                self.draft.problems.append(self.draft.locator.place(Problem(
                    f"This record is about the same {record.kind} as {_label(previous)} ({record.iri}); give each "
                    f"{record.kind} once.", "duplicate-record", value=record.label), record.term))
            self.owner[record.iri] = record
            if self.matching:  # only records without our IRI are matched, against the held ones and each other
                self.batch.add(record)
            final[record.term] = iri(record.iri)
        return final

    def _decide(self, record: Record) -> None:
        if record.explicit:
            record.iri = iri_value(record.term)
            if self._exists(record.iri):
                record.action = "updated"
                record.match = Match(record.iri, "identifier", f"names our {record.kind} {record.iri}")
            else:
                record.action = "created"
            return
        match = self._match(record)
        if match is not None:
            record.match, record.iri, record.action = match, match.iri, "matched"
            return
        record.iri, record.action = self._mint(record), "created"

    def _match(self, record: Record) -> Match | None:
        found: list[tuple[str, str, str]] = []  # (iri, basis, reason)
        if record.kind == ORGANISATION:
            for number, register in record.registrations:
                key = (number_key(number), name_key(register))
                for iri_text in sorted(self.held.registrations.get(key, set()) | self.batch.registrations.get(key,
                                                                                                         set())):
                    found.append((iri_text, "registration",
                                  f"same registration number {number} on the register '{register}'"))
            if not found and record.country:
                for name in record.names:
                    key = (name_key(name), record.country)
                    for iri_text in sorted(self.held.names.get(key, set()) | self.batch.names.get(key, set())):
                        found.append((iri_text, "name-country", f"same name '{name}' in the same country"))
        elif record.publisher:
            for title in record.names:
                key = (name_key(title), iri_value(record.publisher))
                for iri_text in sorted(self.held.datasets.get(key, set()) | self.batch.datasets.get(key, set())):
                    found.append((iri_text, "title-publisher", f"same title '{title}' from the same publisher"))
        candidates = list(dict.fromkeys(f[0] for f in found))
        if len(candidates) > 1:
            self.draft.problems.append(self.draft.locator.place(Problem(
                f"This record matches {len(candidates)} {record.kind}s we hold ({found[0][2]}): "
                f"{', '.join(candidates[:5])}. Give the 'id' of the one you mean.", "ambiguous-match",
                value=record.label, candidates=candidates), record.term))
            return None
        if candidates:
            return Match(found[0][0], found[0][1], found[0][2])
        return None

    def _options(self, record: Record) -> list[str]:
        """The IRIs a new record may get, best first (more are numbered after the last)."""
        if record.kind == ORGANISATION:
            slug = Iris.slugify(record.label or "organisation", 60)
            country = (record.country or "").rstrip("/").rsplit("/", 1)[-1]
            options = [slug, f"{slug}-{country}"] if country else [slug]
            return [self.iris.thing("organisation", o) for o in options]
        publisher = iri_value(record.publisher).rstrip("/").rsplit("/", 1)[-1] if record.publisher else ""
        title = Iris.slugify(record.label or "dataset", 50)
        return [self.iris.thing("dataset", f"{publisher}-{title}" if publisher else title)]

    def _mint(self, record: Record) -> str:
        candidates = options = self._options(record)
        for n in range(2, 1000):
            for candidate in candidates:
                if candidate not in self.taken and candidate not in self.owner and not self._exists(candidate):
                    self.taken.add(candidate)
                    return candidate
            candidates = [f"{options[-1]}-{n}"]
        raise RuntimeError("no free IRI")  # pragma: no cover - a thousand records with one name


def reconcile(store: GraphStore, iris: Iris, draft: Draft) -> dict[str, str]:
    return Reconciler(store, iris, draft).run()
