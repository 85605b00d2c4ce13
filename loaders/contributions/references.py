"""The reference data contributions point at (countries, legal forms, licences, kinds, themes), read from the store.

One query builds an index of every concept of a scheme and every licence: its types, schemes, country,
codes, labels and ``skos:exactMatch`` links. It is cached per store version, and carried forward across our
own writes (a contribution never changes reference data), so a busy server does not rebuild it per request.
Validation adds the indexed triples of the concepts a contribution names to the data it checks, so SHACL's
``sh:class`` and scheme checks see them.
"""

from __future__ import annotations

import threading
import weakref
from collections import defaultdict
from dataclasses import dataclass, field

from graph.iris import Iris
from graph.store import GraphStore
from loaders.contributions.terms import RDF_TYPE, Triple, from_rdflib, iri, iri_value, kind
from loaders.resolve import normalise

SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
OWL = "http://www.w3.org/2002/07/owl#"
INSTITUTION_KINDS = "https://ourdata.coop/def/institution-kind"
DATA_THEMES = "http://publications.europa.eu/resource/authority/data-theme"

# The concepts first, then their statements: a VALUES list of predicates joined to ``?c ?p ?o`` made the engine
# scan every rdf:type and prefLabel of the store, so the first contribution after a restart took seconds more
# for every 100,000 contributed triples (measured on disk: 8.7 s -> 1.0 s at 450,000 quads; same rows).
_QUERY = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT DISTINCT ?c ?p ?o WHERE {
  { SELECT DISTINCT ?c WHERE { { ?c skos:inScheme ?scheme } UNION { ?c a dct:LicenseDocument }
                               UNION { ?c a skos:ConceptScheme } } }
  ?c ?p ?o .
  FILTER(?p IN (rdf:type, skos:inScheme, dct:spatial, skos:notation, skos:exactMatch, owl:sameAs, owl:deprecated,
                skos:prefLabel, skos:altLabel, skos:broader))
}
"""


@dataclass
class Concept:
    iri: str
    types: set[str] = field(default_factory=set)
    schemes: set[str] = field(default_factory=set)
    spatial: set[str] = field(default_factory=set)
    notations: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    deprecated: bool = False
    triples: list[Triple] = field(default_factory=list)

    preferred: dict[str, str] = field(default_factory=dict)  # language ('' untagged) -> skos:prefLabel

    def label(self) -> str:
        """The English (or untagged) preferred label, else any label, else the code."""
        for lang in ("en", ""):
            if lang in self.preferred:
                return self.preferred[lang]
        if self.preferred:
            return self.preferred[min(self.preferred)]
        return self.labels[0] if self.labels else self.notations[0] if self.notations else self.iri


@dataclass
class References:
    """Every reference concept by IRI, and the outside IRIs (GLEIF, SPDX, EU) that mean one of ours."""

    concepts: dict[str, Concept]
    same: dict[str, str]  # outside IRI -> our concept IRI
    by_scheme: dict[str, list[Concept]]
    _indexes: dict[str, tuple[dict[str, str], dict[str, set[str]]]] = field(default_factory=dict)

    def get(self, iri_text: str) -> Concept | None:
        return self.concepts.get(iri_text)

    def ours(self, iri_text: str) -> str | None:
        """Our concept for an IRI that is ours or that one of ours matches exactly."""
        if iri_text in self.concepts:
            return iri_text
        return self.same.get(iri_text)

    def in_scheme(self, iri_text: str, scheme: str) -> bool:
        concept = self.concepts.get(iri_text)
        return concept is not None and scheme in concept.schemes

    def find(self, scheme: str, text: str) -> tuple[str | None, list[str]]:
        """A concept of ``scheme`` by code (notation or last IRI segment) or label; (iri, candidates)."""
        key = normalise(text)
        if not key:
            return None, []
        codes, labels = self._scheme_index(scheme)
        if key in codes:
            return codes[key], []
        hits = sorted(labels.get(key, ()))
        if len(hits) == 1:
            return hits[0], []
        return None, hits

    def _scheme_index(self, scheme: str) -> tuple[dict[str, str], dict[str, set[str]]]:
        """(code -> concept, label -> concepts) of a scheme, built on first use."""
        if scheme not in self._indexes:
            codes: dict[str, str] = {}
            labels: dict[str, set[str]] = defaultdict(set)
            for concept in self.by_scheme.get(scheme, []):
                for code in [*concept.notations, concept.iri.rsplit("/", 1)[-1]]:
                    codes.setdefault(normalise(code), concept.iri)
                for label in concept.labels:
                    labels[normalise(label)].add(concept.iri)
            self._indexes[scheme] = (codes, dict(labels))
        return self._indexes[scheme]

    def context_for(self, objects: set[str]) -> list[Triple]:
        """The indexed triples of the concepts among ``objects`` (term strings)."""
        out: list[Triple] = []
        for term in objects:
            concept = self.concepts.get(term[1:-1]) if term.startswith("<") else None
            if concept is not None:
                out.extend(concept.triples)
        return out


def build(store: GraphStore) -> References:
    concepts: dict[str, Concept] = {}
    same: dict[str, str] = {}
    for row in store.select(_QUERY):
        c, p, o = str(row["c"]), str(row["p"]), row["o"]
        concept = concepts.get(c) or concepts.setdefault(c, Concept(c))
        term = from_rdflib(o)
        concept.triples.append((iri(c), iri(p), term))
        value = str(o)
        if p == RDF_TYPE[1:-1]:
            concept.types.add(value)
        elif p == SKOS + "inScheme":
            concept.schemes.add(value)
        elif p == DCT + "spatial":
            concept.spatial.add(value)
        elif p == SKOS + "notation":
            concept.notations.append(value)
        elif p in (SKOS + "exactMatch", OWL + "sameAs") and kind(term) == "iri":
            same.setdefault(value, c)
        elif p == OWL + "deprecated":
            concept.deprecated = value.lower() in ("true", "1")
        elif kind(term) == "literal":
            concept.labels.append(value)
            if p == SKOS + "prefLabel":
                concept.preferred[(getattr(o, "language", None) or "").lower()] = value
    by_scheme: dict[str, list[Concept]] = defaultdict(list)
    for concept in concepts.values():
        for scheme in concept.schemes:
            by_scheme[scheme].append(concept)
    return References(concepts, same, dict(by_scheme))


_cache: weakref.WeakKeyDictionary[GraphStore, tuple[int, References]] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def references(store: GraphStore) -> References:
    """The index for the store as it is now (rebuilt when the store changed, except by our own writes)."""
    version = store.version()
    with _lock:
        cached = _cache.get(store)
        if cached is not None and cached[0] == version:
            return cached[1]
    built = build(store)
    with _lock:
        _cache[store] = (version, built)
    return built


def carry_forward(store: GraphStore, before: int) -> None:
    """After a write of ours that left reference data alone: the index built at ``before`` still holds."""
    with _lock:
        cached = _cache.get(store)
        if cached is not None and cached[0] == before:
            _cache[store] = (store.version(), cached[1])


def scheme(iris: Iris, name: str) -> str:
    """Our scheme IRI (``{base}def/{name}``)."""
    return iris.definition(name)


def code_of(iri_text: str) -> str:
    return iri_value(iri_text) if iri_text.startswith("<") else iri_text.rstrip("/").rsplit("/", 1)[-1]
