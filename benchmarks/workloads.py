"""The benchmark's queries: one tiny lookup, one medium join, one 10k-row list, one 1M-row dump.

Each workload is a list of query texts the load generator cycles through (different organisations for the
lookup, different themes for the join), so no server can answer from a single cached plan or page.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

PREFIXES = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX odrl: <http://www.w3.org/ns/odrl/2/>
PREFIX cc: <http://creativecommons.org/ns#>
"""
JSON = "application/sparql-results+json"

LOOKUP = PREFIXES + "SELECT ?name ?country WHERE {{ <{org}> skos:prefLabel ?name ; dct:spatial ?country }}"

#: Data co-operatives in the EU stewarding datasets of one theme under a licence that permits commercial use
#: (analyst question 1 of MODEL.md, on generated data).
JOIN = PREFIXES + """SELECT ?org ?name ?dataset ?licence WHERE {{
  ?org org:classification <{base}def/institution-kind/data-cooperative> ;
       dct:spatial/skos:broader <{base}id/region/eu> ; skos:prefLabel ?name .
  ?dataset dct:publisher ?org ; dcat:theme <http://publications.europa.eu/resource/authority/data-theme/{theme}> ;
           dct:license ?licence .
  FILTER NOT EXISTS {{ ?licence odrl:hasPolicy/odrl:prohibition/odrl:action cc:CommercialUse }}
}}"""

ROWS_10K = PREFIXES + """SELECT ?org ?name ?homepage WHERE {
  ?org skos:prefLabel ?name ; foaf:homepage ?homepage .
} LIMIT 10000"""

ROWS_1M = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 1000000"

#: A runaway: the count of a three-way cartesian product of every label (about 10^12 combinations at 1M triples,
#: hours of work) through a filter that must look at each. Counting keeps its memory flat (an ORDER BY over
#: the same product would hold every row it has seen: gigabytes within the seconds before the time limit).
RUNAWAY = PREFIXES + """SELECT (COUNT(*) AS ?n) WHERE {{
  ?a skos:prefLabel ?x . ?b skos:prefLabel ?y . ?c skos:prefLabel ?z
  FILTER(STRLEN(CONCAT(?x, ?y, ?z)) > {threshold})
}}"""


def runaways() -> list[str]:
    """A few variants of :data:`RUNAWAY`, so no server sees one text over and over."""
    return [RUNAWAY.format(threshold=t) for t in (10, 20, 30, 40)]


@dataclass(frozen=True)
class Workload:
    name: str
    queries: list[str]
    connections: int
    expected_rows: int | None  # checked on both servers before timing (None: only compared)


def workloads(base: str, organisations: int, seed: int) -> list[Workload]:
    rng = random.Random(seed)
    orgs = [f"{base}id/organisation/bench-{rng.randrange(organisations):07d}" for _ in range(500)]
    themes = ["HEAL", "ENVI", "ENER", "TRAN", "ECON", "AGRI", "SOCI", "EDUC"]
    return [
        Workload("lookup", [LOOKUP.format(org=o) for o in orgs], 16, 1),
        Workload("join", [JOIN.format(base=base, theme=t) for t in themes], 2, None),
        Workload("rows-10k", [ROWS_10K], 2, min(10_000, organisations)),
    ]
