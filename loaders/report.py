"""The data-quality report: what the store holds about organisations and datasets, and where it is thin.

Everything is computed with SPARQL on the store as it is (bundled sources, imports and contributions alike):
counts by source graph, country, legal form and kind; organisations without a legal form or a country;
datasets without a licence; and likely duplicates across sources (same normalised name and country in
two graphs). Names are normalised in Python because SPARQL has no accent folding.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from graph.store import GraphStore, Row
from loaders.match_keys import name_key
from loaders.match_report import Conflict, MatchRow, NearMiss, match_report

PREFIXES = """
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rov: <http://www.w3.org/ns/regorg#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX od: <https://ourdata.coop/def/>
"""
#: An organisation typed in a graph of data (a source or a contribution), whichever ORG class it chose; the
#: publishers that vocabulary files describe (DCAT's W3C, say) are not part of the landscape.
ORGANISATION = """VALUES ?type { org:FormalOrganization org:Organization org:OrganizationalCollaboration }
  GRAPH ?graph { ?org a ?type }
  FILTER NOT EXISTS { ?graph od:sourceFamily ?family FILTER (?family IN ("ontology", "vocabulary", "reference")) }"""
ORGANISATIONS = f"{{ SELECT DISTINCT ?org WHERE {{ {ORGANISATION} }} }}"
KIND_NAMESPACE = "https://ourdata.coop/def/institution-kind/"

BY_SOURCE = PREFIXES + f"""
SELECT ?graph (SAMPLE(?t) AS ?title) (COUNT(DISTINCT ?org) AS ?n) WHERE {{
  {ORGANISATION}
  OPTIONAL {{ ?graph dct:title ?t }}
}} GROUP BY ?graph ORDER BY DESC(?n) ?graph
"""
TOTAL = PREFIXES + f"SELECT (COUNT(DISTINCT ?org) AS ?n) WHERE {{ {ORGANISATION} }}"
BY_COUNTRY = PREFIXES + f"""
SELECT ?key (SAMPLE(?l) AS ?label) (COUNT(DISTINCT ?org) AS ?n) WHERE {{
  {ORGANISATIONS}
  ?org dct:spatial ?key .
  OPTIONAL {{ ?key skos:prefLabel ?l FILTER(LANGMATCHES(LANG(?l), "en")) }}
}} GROUP BY ?key ORDER BY DESC(?n) ?key
"""
BY_LEGAL_FORM = PREFIXES + f"""
SELECT ?key (SAMPLE(?l) AS ?label) (SAMPLE(?c) AS ?code) (COUNT(DISTINCT ?org) AS ?n) WHERE {{
  {ORGANISATIONS}
  ?org rov:orgType ?key .
  OPTIONAL {{ ?key skos:prefLabel ?l FILTER(LANGMATCHES(LANG(?l), "en")) }}
  OPTIONAL {{ ?key skos:notation ?c }}
}} GROUP BY ?key ORDER BY DESC(?n) ?key
"""
BY_LEGAL_FORM_TEXT = PREFIXES + f"""
SELECT ?key (COUNT(DISTINCT ?org) AS ?n) WHERE {{
  {ORGANISATIONS}
  ?org od:legalFormText ?text . BIND(STR(?text) AS ?key)
}} GROUP BY ?key ORDER BY DESC(?n) ?key
"""
BY_KIND = PREFIXES + f"""
SELECT ?key (SAMPLE(?l) AS ?label) (COUNT(DISTINCT ?org) AS ?n) WHERE {{
  {ORGANISATIONS}
  ?org org:classification ?key . FILTER(STRSTARTS(STR(?key), "{KIND_NAMESPACE}"))
  OPTIONAL {{ ?key skos:prefLabel ?l FILTER(LANGMATCHES(LANG(?l), "en")) }}
}} GROUP BY ?key ORDER BY DESC(?n) ?key
"""
MISSING = PREFIXES + f"""
SELECT ?graph (COUNT(DISTINCT ?org) AS ?n) WHERE {{
  {ORGANISATION}
  FILTER NOT EXISTS {{ ?org %s ?value }}
}} GROUP BY ?graph ORDER BY ?graph
"""
MISSING_TOTAL = PREFIXES + f"""
SELECT (COUNT(DISTINCT ?org) AS ?n) WHERE {{ {ORGANISATIONS} FILTER NOT EXISTS {{ ?org %s ?value }} }}
"""
DATASETS_WITHOUT_LICENCE = PREFIXES + """
SELECT ?graph ?dataset (SAMPLE(?t) AS ?title) WHERE {
  GRAPH ?graph { ?dataset a dcat:Dataset }
  FILTER NOT EXISTS { ?dataset dct:license ?licence }
  FILTER NOT EXISTS { ?dataset dcat:distribution/dct:license ?distributionLicence }
  OPTIONAL { ?dataset dct:title ?t }
} GROUP BY ?graph ?dataset ORDER BY ?graph ?dataset
"""
DATASETS = PREFIXES + "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a dcat:Dataset }"
NAMES = PREFIXES + f"""
SELECT DISTINCT ?graph ?org ?name ?country WHERE {{
  {ORGANISATION}
  GRAPH ?graph {{ ?org skos:prefLabel ?name }}
  ?org dct:spatial ?country .
}}
"""



@dataclass
class Count:
    key: str  # an IRI, or the literal text for coarse legal forms
    n: int
    label: str | None = None
    code: str | None = None


@dataclass
class Duplicate:
    name: str  # the normalised name the records share
    country: str
    organisations: list[dict[str, str]]  # {"organisation": IRI, "graph": IRI, "name": as written}


@dataclass
class QualityReport:
    organisations: int
    datasets: int
    by_source: list[Count] = field(default_factory=list)
    by_country: list[Count] = field(default_factory=list)
    by_legal_form: list[Count] = field(default_factory=list)
    by_legal_form_text: list[Count] = field(default_factory=list)
    by_kind: list[Count] = field(default_factory=list)
    missing_legal_form_total: int = 0  # organisations without rov:orgType
    missing_country_total: int = 0  # organisations without dct:spatial
    missing_legal_form: list[Count] = field(default_factory=list)  # the same, per graph
    missing_country: list[Count] = field(default_factory=list)
    datasets_without_licence: list[dict[str, str]] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    # one record per organisation (loaders/match_report.py): records matched across sources, same-name records
    # left apart and why, and facts two sources state differently about one record
    matches: list[MatchRow] = field(default_factory=list)
    near_misses: list[NearMiss] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def normalise_name(name: str) -> str:
    """A key for "the same name": case, accents, punctuation, "the" and legal suffixes ignored.

    >>> normalise_name("The Unicorn Grocery Co-operative Ltd.")
    'unicorn grocery cooperative'
    >>> normalise_name("Café Rösti & Co")
    'cafe rosti and co'
    """
    return name_key(name)


def _counts(rows: list[Row]) -> list[Count]:
    return [Count(key=str(r["key"]), n=int(r["n"].toPython()), label=str(r["label"]) if "label" in r else None,
                  code=str(r["code"]) if "code" in r else None) for r in rows]


def _per_graph(rows: list[Row]) -> list[Count]:
    return [Count(key=str(r["graph"]), n=int(r["n"].toPython()), label=str(r["title"]) if "title" in r else None)
            for r in rows]


def _number(store: GraphStore, query: str) -> int:
    rows = store.select(query)
    return int(rows[0]["n"].toPython()) if rows and "n" in rows[0] else 0


def duplicates(store: GraphStore) -> list[Duplicate]:
    """Organisations of different graphs that share a normalised name and a country."""
    groups: dict[tuple[str, str], dict[str, tuple[str, str]]] = defaultdict(dict)
    for row in store.select(NAMES):
        key = (normalise_name(str(row["name"])), str(row["country"]))
        if key[0]:
            groups[key].setdefault(str(row["org"]), (str(row["graph"]), str(row["name"])))
    found = []
    for (name, country), members in sorted(groups.items()):
        if len({graph for graph, _ in members.values()}) > 1:
            found.append(Duplicate(name, country, [{"organisation": org, "graph": graph, "name": written}
                                                   for org, (graph, written) in sorted(members.items())]))
    return found


def quality_report(store: GraphStore) -> QualityReport:
    """Computes the whole report (a few aggregate queries, and the matching index: a few seconds at 12,000
    organisations)."""
    matched, near, conflicting = match_report(store)
    return QualityReport(
        matches=matched,
        near_misses=near,
        conflicts=conflicting,
        organisations=_number(store, TOTAL),
        datasets=_number(store, DATASETS),
        missing_legal_form_total=_number(store, MISSING_TOTAL % "rov:orgType"),
        missing_country_total=_number(store, MISSING_TOTAL % "dct:spatial"),
        by_source=_per_graph(store.select(BY_SOURCE)),
        by_country=_counts(store.select(BY_COUNTRY)),
        by_legal_form=_counts(store.select(BY_LEGAL_FORM)),
        by_legal_form_text=_counts(store.select(BY_LEGAL_FORM_TEXT)),
        by_kind=_counts(store.select(BY_KIND)),
        missing_legal_form=_per_graph(store.select(MISSING % "rov:orgType")),
        missing_country=_per_graph(store.select(MISSING % "dct:spatial")),
        datasets_without_licence=[{"graph": str(r["graph"]), "dataset": str(r["dataset"]),
                                   "title": str(r.get("title", ""))} for r in store.select(DATASETS_WITHOUT_LICENCE)],
        duplicates=duplicates(store),
    )
