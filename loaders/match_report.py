"""What ``ourdata report`` says about one record per organisation: matches, near-misses and conflicts.

- **matches**: every record a source described on a resource another source had already described, with the
  reason and the shared key (the ``od:matchReason``/``od:matchKey`` of the source's alias IRI, see
  ``loaders/matching.py``);
- **near-misses**: different resources of different sources with the same normalised name that were *not* merged,
  and why: a different country, a different website, no country to compare (a name alone never merges), or the
  same name and country where a rule stood in the way (an ambiguous key, or the resource went to a stronger match);
- **conflicts**: one resource about which two source graphs state different facts: a country, or a homepage (both
  stated, none in common).

All three are computed from the store as it is, so imports and contributions show up alike.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from graph.store import GraphStore
from loaders.matching import Entry, Known

MATCHES = """
PREFIX od: <https://ourdata.coop/def/>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
SELECT ?graph ?alias ?resource ?reason ?key WHERE {
  GRAPH ?graph { ?alias owl:sameAs ?resource ; od:matchReason ?reason ; od:matchKey ?key }
} ORDER BY ?graph ?reason ?resource
"""


@dataclass
class MatchRow:
    resource: str  # the one record's IRI
    graph: str  # the source graph that matched it
    alias: str  # the IRI that source would have minted
    reason: str
    key: str


@dataclass
class NearMiss:
    name: str  # the normalised name the records share
    why: str  # different country | different website | no country to compare | same name and country, not merged
    records: list[dict[str, object]] = field(default_factory=list)  # resource, graphs, countries, websites


@dataclass
class Conflict:
    resource: str
    fact: str  # country | homepage
    values: dict[str, list[str]] = field(default_factory=dict)  # graph -> what it states


def matches(store: GraphStore) -> list[MatchRow]:
    return [MatchRow(str(r["resource"]), str(r["graph"]), str(r["alias"]), str(r["reason"]), str(r["key"]))
            for r in store.select(MATCHES)]


def _why(a: Entry, b: Entry) -> str:
    if a.countries and b.countries and not a.countries & b.countries:
        return "different country"
    if a.websites and b.websites and not a.websites & b.websites:
        return "different website"
    if not a.countries or not b.countries:
        return "no country to compare"
    return "same name and country, not merged"


def near_misses(known: Known) -> list[NearMiss]:
    """Organisations of different graphs sharing a normalised name but not merged, grouped by name and reason."""
    by_name: dict[str, list[Entry]] = defaultdict(list)
    for entry in known.resources("organisation"):
        for name in entry.names:
            by_name[name].append(entry)
    found: list[NearMiss] = []
    for name in sorted(by_name):
        entries = sorted(by_name[name], key=lambda e: e.iri)
        reasons: dict[str, set[str]] = defaultdict(set)
        for i, a in enumerate(entries):
            for b in entries[i + 1:]:
                if a.graphs & b.graphs:  # one source's own records: not ours to merge
                    continue
                why = _why(a, b)
                reasons[why] |= {a.iri, b.iri}
        for why, iris in sorted(reasons.items()):
            records = [{"resource": e.iri, "graphs": sorted(e.graphs), "countries": sorted(e.countries),
                        "websites": sorted(e.websites)} for e in entries if e.iri in iris]
            found.append(NearMiss(name, why, records))
    return found


def conflicts(known: Known) -> list[Conflict]:
    """Resources two source graphs describe with different countries or homepages."""
    found: list[Conflict] = []
    for entry in known.resources():
        if len(entry.graphs) < 2:
            continue
        per_graph = known.by_graph(entry.iri)
        for fact, attribute in (("country", "countries"), ("homepage", "websites")):
            stated = {g: sorted(getattr(e, attribute)) for g, e in per_graph.items() if getattr(e, attribute)}
            values = list(stated.values())
            if any(not set(x) & set(y) for i, x in enumerate(values) for y in values[i + 1:]):
                found.append(Conflict(entry.iri, fact, stated))
    return found


def match_report(store: GraphStore) -> tuple[list[MatchRow], list[NearMiss], list[Conflict]]:
    known = Known.from_store(store)
    return matches(store), near_misses(known), conflicts(known)
