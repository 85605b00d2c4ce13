"""Which IRI a source describes a record with: the known resource it matches (with the alias statements that record
the match), or the source's own IRI. The rules and the index are :mod:`loaders.matching`'s; this is the decision a
source makes with them, one record at a time or a whole source at once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import Literal, URIRef
from rdflib.namespace import OWL

from graph.store import Triple
from loaders.matching import Known, Match, Record
from ontology.vocab import OD


@dataclass(frozen=True)
class Identified:
    """Where a source writes a record's statements, and the alias triples that record the match."""

    subject: URIRef
    match: Match | None = None
    triples: tuple[Triple, ...] = ()


def alias_triples(alias: URIRef, match: Match) -> tuple[Triple, ...]:
    """The statements that record a match on the source's own (alias) IRI."""
    return ((alias, OWL.sameAs, URIRef(match.iri)), (alias, OD.matchReason, Literal(match.reason)),
            (alias, OD.matchKey, Literal(match.key)))


#: Rules by strength, for deciding which of a source's records gets a known resource they both match.
STRENGTH = {"registration": 0, "wikidata": 1, "website": 2, "name-and-country": 3}


def identify(known: Known | None, record: Record, own: URIRef) -> Identified:
    """The subject to describe ``record`` with: the known resource it matches, or ``own`` (the source's IRI).

    A known resource goes to one record of a source only: once a record has it, a later record that matches it
    keeps its own IRI (``ourdata report`` shows the pair as a near-miss). :func:`identify_all` gives it to the
    record with the strongest match instead of the first."""
    found = known.match(record) if known is not None else None
    if known is None or found is None or found.iri == str(own):
        return Identified(own)
    claimed = known.claims.setdefault(found.iri, str(own))
    if claimed != str(own):
        return Identified(own)
    return Identified(URIRef(found.iri), found, alias_triples(own, found))


def identify_all(known: Known | None, items: Iterable[tuple[Record, URIRef]]) -> dict[URIRef, Identified]:
    """:func:`identify` for a whole source at once, own IRI -> where to describe it: when several records match the
    same known resource, the strongest match (then the first record) gets it; the others keep their own IRIs."""
    pairs = list(items)
    if known is None:
        return {own: Identified(own) for _, own in pairs}
    matches = [(known.match(record), own) for record, own in pairs]
    order = sorted(range(len(matches)), key=lambda i: (STRENGTH[m.reason] if (m := matches[i][0]) else 9, i))
    result: dict[URIRef, Identified] = {}
    for i in order:
        found, own = matches[i]
        if found is None or found.iri == str(own) or known.claims.setdefault(found.iri, str(own)) != str(own):
            result.setdefault(own, Identified(own))
        else:
            result[own] = Identified(URIRef(found.iri), found, alias_triples(own, found))
    return result
