"""What a contribution says, once read: its records, their triples, and where each statement came from.

A record is one organisation or one dataset. Until reconciliation decides its IRI, a new record's
statements use a placeholder subject ``<urn:x-ourdata:record:N>`` (and ``.../site/registered`` etc. below
it); :func:`rename` then swaps each placeholder for the IRI of the organisation it matched or a minted one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from loaders.contributions import fields
from loaders.contributions.problems import Problem
from loaders.contributions.terms import Triple, iri_value, kind

PLACEHOLDER = "urn:x-ourdata:record:"
ORGANISATION = "organisation"
DATASET = "dataset"


def placeholder(number: int) -> str:
    return f"<{PLACEHOLDER}{number}>"


@lru_cache(maxsize=262144)
def root_of(term: str) -> str:
    """The record term a (sub-resource) term belongs to: ``<urn:x-ourdata:record:3/site/registered>`` ->
    ``<urn:x-ourdata:record:3>``; ``<{base}id/organisation/x/site/registered>`` -> ``<{base}id/organisation/x>``."""
    if not term.startswith("<"):
        return term
    value = iri_value(term)
    if value.startswith(PLACEHOLDER):
        return "<" + value.split("/", 1)[0] + ">"
    head, sep, rest = value.partition("/id/")
    if sep:
        parts = rest.split("/")
        if len(parts) > 2:
            return f"<{head}/id/{parts[0]}/{parts[1]}>"
    return term


@dataclass
class Match:
    iri: str
    basis: str  # identifier | registration | name-country | title-publisher
    reason: str  # a sentence: "same registration number RS009999 on the register 'Financial Conduct Authority'"


@dataclass
class Record:
    number: int
    kind: str
    term: str  # the subject term the draft uses (placeholder or an IRI under {base}id/)
    where: dict[str, Any]
    label: str = ""
    names: list[str] = field(default_factory=list)
    country: str | None = None  # IRI
    registrations: list[tuple[str, str]] = field(default_factory=list)  # (number, register)
    publisher: str | None = None  # datasets: the publisher's term
    given: str | None = None  # the IRI the contributor used, when it is not ours
    explicit: bool = False  # the contributor named one of our IRIs
    match: Match | None = None
    iri: str | None = None  # final IRI, after reconciliation
    action: str = ""  # created | matched | updated

    def report(self) -> dict[str, Any]:
        data: dict[str, Any] = {"record": self.number, "kind": self.kind, "label": self.label, "iri": self.iri,
                                "action": self.action, **self.where}
        if self.given:
            data["given"] = self.given
        if self.match is not None:
            data["match"] = {"iri": self.match.iri, "basis": self.match.basis, "reason": self.match.reason}
        return data


class Locator:
    """Turns a subject term (and a predicate) into the place a contributor recognises.

    CSV: the row and the column as the header spells it; JSON: a JSON pointer; RDF: the focus node as the
    file wrote it, and the path."""

    def __init__(self, fmt: str) -> None:
        self.fmt = fmt
        self.rows: dict[str, tuple[int, int | None]] = {}  # CSV: record term -> (row, dataset number)
        self.given_columns: dict[str, str] = {}
        self.origin: dict[str, str] = {}  # normalised term -> the term as the file had it
        self.parent: dict[str, tuple[str, str]] = {}  # original term -> (original owner term, predicate IRI)
        self.pointers: dict[str, str] = {}
        self.keys: dict[str, str] = {}

    def column(self, name: str) -> str:
        return self.given_columns.get(name, name)

    def where(self, subject: str, path: str | None = None) -> dict[str, Any]:
        if self.fmt == "csv":
            row, dataset = self.rows.get(root_of(subject), (None, None))
            out: dict[str, Any] = {"row": row}
            name = fields.column_for_path(path, dataset=dataset is not None) if path else None
            if name is not None:
                out["column"] = self.column(f"dataset_{dataset}_{name}" if dataset is not None else name)
            return out
        original = self.origin.get(subject, subject)
        if self.fmt in ("json", "jsonld"):
            return {"pointer": self._pointer(original) + (f"/{self.keys.get(path, path)}" if path else "")}
        out = {"focus_node": _display(original)}
        if path:
            out["path"] = path
        return out

    def _pointer(self, term: str, depth: int = 0) -> str:
        if term in self.pointers:
            return self.pointers[term]
        if term in self.parent and depth < 20:
            owner, predicate = self.parent[term]
            return f"{self._pointer(owner, depth + 1)}/{self.keys.get(predicate, predicate)}"
        return ""

    def place(self, problem: Problem, subject: str, path: str | None = None) -> Problem:
        for key, value in self.where(subject, path).items():
            setattr(problem, key, value)
        return problem


def _display(term: str) -> str:
    return iri_value(term) if kind(term) == "iri" else term


@dataclass
class Draft:
    """Parsed and mapped: the triples (placeholders for new records), the records, every problem so far."""

    format: str
    triples: list[Triple]
    records: list[Record]
    problems: list[Problem]
    locator: Locator


def rename(triples: Iterable[Triple], final: dict[str, str]) -> list[Triple]:
    """Replaces each record term (and the sub-resources under it) by its final IRI term."""
    prefixes = {iri_value(old): iri_value(new) for old, new in final.items() if old != new}
    if not prefixes:
        return list(triples)

    def swap(term: str) -> str:
        if term[0] != "<":
            return term
        root = root_of(term)
        if root == term:
            return final.get(term, term)
        new_root = prefixes.get(iri_value(root))
        return term if new_root is None else f"<{new_root}{iri_value(term)[len(iri_value(root)):]}>"

    return [(swap(s), p, swap(o)) for s, p, o in triples]
