"""What the directory and catalogue sources share: reading their CSVs, describing an organisation on the IRI the
matching index gives, small concept schemes the sources bring, and finding countries in free text.

A record another source already describes (``loaders.matching``) is written on that IRI: the source adds its types,
its spelling of the name as ``skos:altLabel`` (the source that minted the IRI keeps ``skos:prefLabel``, so the union
of graphs has one preferred label) and the rest of its statements, all in its own graph; the IRI it would have
minted stays as an alias carrying the match reason.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, SKOS

from graph.errors import BadRequest
from graph.iris import Iris
from loaders.identify import Identified, identify, identify_all
from loaders.matching import Known, Record
from loaders.resolve import country_iri
from loaders.sources.organisation_common import Mapping, clean, web_iri

FIRST_ROW = 2  # rows are numbered as a spreadsheet shows them: the header is row 1
_MARKDOWN_LINK = re.compile(r"\[([^\]]*)\]\((?:[^()\s]|\([^()\s]*\))*\)")
_EMPHASIS = re.compile(r"(\*\*|__|\*|_)(\S(?:.*?\S)?)\1")


def read_csv(path: Path, required: Iterable[str], what: str) -> list[dict[str, str]]:
    """The CSV's rows; BadRequest when it cannot be read or lacks the columns of ``what``."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in required if c not in (reader.fieldnames or [])]
            if missing:
                raise BadRequest(f"{path.name} is not {what}: missing columns {', '.join(missing)}.")
            return list(reader)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise BadRequest(f"Cannot read {path}: {exc}") from exc


def plain_text(markdown: str) -> str:
    """The list's Markdown as text: ``[Drutopia](https://drutopia.org/)`` -> ``Drutopia``, emphasis marks dropped."""
    text = _MARKDOWN_LINK.sub(r"\1", clean(markdown))
    return re.sub(r"\s+", " ", _EMPHASIS.sub(r"\2", text)).strip()


def markdown_links(markdown: str) -> list[str]:
    return re.findall(r"\]\(([^)\s]+)\)", markdown or "")


@dataclass
class Directory:
    """One source's mapping, with the matching index and the concepts it has already defined."""

    iris: Iris
    known: Known | None
    source: URIRef | None  # dct:source of each record, when the source has one page for all
    m: Mapping = field(init=False)
    _concepts: set[URIRef] = field(default_factory=set, init=False)
    _planned: dict[URIRef, Identified] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        self.m = Mapping(self.iris)

    def plan(self, items: Iterable[tuple[Record, URIRef]]) -> None:
        """Matches a batch of records at once, so that when two match one known resource the stronger match wins
        (see ``loaders.identify.identify_all``); :meth:`identified` then answers from the plan."""
        self._planned.update(identify_all(self.known, items))

    def identified(self, record: Record, own: URIRef) -> Identified:
        planned = self._planned.get(own)
        return planned if planned is not None else identify(self.known, record, own)

    def organisation(self, own: URIRef, record: Record, types: Iterable[URIRef], *, source: URIRef | None = None,
                     name_lang: str | None = None) -> URIRef:
        """Describes one organisation on the IRI it already has (or ``own``) and returns that IRI."""
        found = self.identified(record, own)
        m = self.m
        m.triples.extend(found.triples)
        subject = found.subject
        for rdf_type in types:
            m.add(subject, RDF.type, rdf_type)
        m.text(subject, SKOS.altLabel if found.match else SKOS.prefLabel, record.name, lang=name_lang)
        if found.match is not None:
            m.counts[f"matched by {found.match.reason}"] += 1
        for country in sorted(record.countries):
            m.add(subject, DCTERMS.spatial, URIRef(country))
        if source or self.source:
            m.add(subject, DCTERMS.source, source or self.source)  # type: ignore[arg-type]
        return subject

    def homepage(self, subject: URIRef, value: str, row: int, column: str, prop: URIRef = FOAF.homepage) -> None:
        text = clean(value)
        if not text:
            return
        iri = web_iri(text)
        if iri is None:
            self.m.problem("not a web address; not mapped", row, column, text)
            return
        self.m.add(subject, prop, iri)

    def concept(self, scheme: str, code: str, label: str, scheme_title: str, lang: str = "en") -> URIRef:
        """A concept of a small scheme this source brings (``{base}def/{scheme}/{code}``), defined once per graph."""
        concept = URIRef(self.iris.definition(scheme, code))
        if concept not in self._concepts:
            self._concepts.add(concept)
            scheme_iri = URIRef(self.iris.definition(scheme))
            if scheme_iri not in self._concepts:
                self._concepts.add(scheme_iri)
                self.m.add(scheme_iri, RDF.type, SKOS.ConceptScheme)
                self.m.add(scheme_iri, SKOS.prefLabel, Literal(scheme_title, lang="en"))
                self.m.add(scheme_iri, DCTERMS.title, Literal(scheme_title, lang="en"))
            self.m.add(concept, RDF.type, SKOS.Concept)
            self.m.add(concept, SKOS.inScheme, scheme_iri)
            self.m.add(concept, SKOS.notation, Literal(code))
            self.m.add(concept, SKOS.prefLabel, Literal(label, lang=lang))
        return concept


# ------------------------------------------------------------------ countries in free text
#: Codes and names ISO 3166 and our synonyms do not give, as this kind of list writes them.
EXTRA_COUNTRIES = {"ger": "DE", "can": "CA", "québec": "CA", "quebec": "CA", "qc": "CA", "bc": "CA",
                   "ontario": "CA", "catalonia": "ES", "nrw": "DE"}
#: Two-letter pieces read as countries inside longer text ("Rennes, FR"); others ("Boulder, CO", "Oakland, CA")
#: are as often a US state or Canadian province, so they count only as a state/province, below.
TWO_LETTER_COUNTRIES = {"uk", "us", "nz", "fr"}
_SPLIT = re.compile(r"\s*(?:/|;|\+|,|\(|\)|\band\b|&)\s*")


def _us_and_canadian_divisions() -> dict[str, str]:
    import pycountry

    divisions: dict[str, str] = {}
    for country in ("US", "CA"):
        for sub in pycountry.subdivisions.get(country_code=country) or []:
            divisions[sub.code.split("-", 1)[1].casefold()] = country
            divisions[sub.name.casefold()] = country
    return divisions


_DIVISIONS: dict[str, str] | None = None


def _exact_country(iris: Iris, piece: str) -> str | None:
    """``country_iri`` for a piece that is a country's code, name or synonym; city names ("Leeds") are not looked
    up, so the resolver never runs its fuzzy search (27 ms a miss) on them."""
    from loaders.resolve import _country_index, normalise  # the resolver's own exact table

    key = normalise(piece)
    if key not in _country_index() and key.removeprefix("the ") not in _country_index():
        return None
    return country_iri(iris, piece)[0]


def countries_in_text(iris: Iris, text: str) -> tuple[list[str], list[str]]:
    """Our country IRIs for every country the text names ("Berlin, Germany / Dublin, Ireland" -> de, ie), and the
    text when it names none. A US state or Canadian province counts for its country ("Boulder, CO" -> us)."""
    global _DIVISIONS
    if _DIVISIONS is None:
        _DIVISIONS = _us_and_canadian_divisions()
    pieces = [p for p in _SPLIT.split(clean(text)) if p]
    found: list[tuple[str, str]] = []  # (country IRI, the piece that named it)
    states: list[str] = []
    for piece in pieces:
        key = piece.casefold()
        if key in EXTRA_COUNTRIES:
            found.append((iris.thing("country", EXTRA_COUNTRIES[key].lower()), key))
            continue
        if len(key) == 2 and key not in TWO_LETTER_COUNTRIES and len(pieces) > 1:
            if key in _DIVISIONS:
                states.append(_DIVISIONS[key])
            continue
        iri = _exact_country(iris, piece)
        if iri is not None:
            found.append((iri, key))
        if key in _DIVISIONS:
            states.append(_DIVISIONS[key])
    named = {iri for iri, _ in found}
    # "Western US and Georgia, US": Georgia is the state when its country is named too
    countries = [iri for iri, key in found
                 if not (key in _DIVISIONS and iris.thing("country", _DIVISIONS[key].lower()) in named
                         and iri != iris.thing("country", _DIVISIONS[key].lower()))]
    if not countries:
        countries = [iris.thing("country", code.lower()) for code in states]
    unique = list(dict.fromkeys(countries))
    return unique, ([] if unique else [text])
