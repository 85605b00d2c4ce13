"""The meta-graph record of a contribution (PROV-O), and reading it back.

``{base}graph/contribution/{id}`` is both the named graph and the contribution: in ``{base}graph/meta`` it is
a ``prov:Entity`` attributed to the contributor's agent ``{base}id/agent/{slug}`` (named after the token,
never holding a secret), generated at a time by an activity that used the file (its name, media type, size
and SHA-256 checksum), under a licence, about the records it holds (``dct:subject``). A later contribution
by the same agent about the same records is ``prov:wasRevisionOf`` the earlier one, and what it superseded
stays in the meta graph as N-Triples text (``{new}/superseded/{n}``); a withdrawal adds
``prov:invalidatedAtTime``. Nothing is ever deleted from the history.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from rdflib import URIRef

from graph.iris import Iris
from graph.store import GraphStore
from loaders.contributions.terms import RDF_TYPE, XSD, Triple, iri, literal

PROV = "http://www.w3.org/ns/prov#"
DCT = "http://purl.org/dc/terms/"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
SPDX = "http://spdx.org/rdf/terms#"
SOURCE_FAMILY = "https://ourdata.coop/def/sourceFamily"
RDF_VALUE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#value"


def now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def agent_iri(iris: Iris, name: str) -> str:
    """``{base}id/agent/{slug}``; a name that does not slugify to itself gets a short hash, so two token names
    never share an agent."""
    slug = Iris.slugify(name, 60)
    if slug != name:
        slug = f"{slug}-{hashlib.sha256(name.encode('utf-8')).hexdigest()[:6]}"
    return iris.thing("agent", slug)


@dataclass
class FileInfo:
    name: str | None
    media_type: str
    size: int
    checksum: str


def _q(s: str, p: str, o: str) -> Triple:
    return (iri(s), iri(p), o)


def description(iris: Iris, graph: str, *, agent: str, agent_name: str, file: FileInfo, licence: str,
                title: str, started: str, triples: int, subjects: list[str]) -> list[Triple]:
    """The meta triples of a new contribution (to be written into the meta graph)."""
    ended = now()
    dt = XSD + "dateTime"
    activity, source, checksum = f"{graph}/activity", f"{graph}/file", f"{graph}/file/checksum"
    out = [
        _q(graph, RDF_TYPE[1:-1], iri(PROV + "Entity")), _q(graph, RDF_TYPE[1:-1], iri(VOID + "Dataset")),
        _q(graph, SOURCE_FAMILY, literal("contribution")),
        _q(graph, DCT + "title", literal(title)),
        _q(graph, PROV + "wasAttributedTo", iri(agent)),
        _q(graph, PROV + "generatedAtTime", literal(ended, dt)),
        _q(graph, DCT + "modified", literal(ended, dt)),
        _q(graph, PROV + "wasGeneratedBy", iri(activity)),
        _q(graph, PROV + "wasDerivedFrom", iri(source)),
        _q(graph, DCT + "license", iri(licence)),
        _q(graph, VOID + "triples", literal(str(triples), XSD + "integer")),
        _q(agent, RDF_TYPE[1:-1], iri(PROV + "Agent")),
        _q(agent, RDFS + "label", literal(agent_name)),
        _q(activity, RDF_TYPE[1:-1], iri(PROV + "Activity")),
        _q(activity, PROV + "wasAssociatedWith", iri(agent)),
        _q(activity, PROV + "used", iri(source)),
        _q(activity, PROV + "startedAtTime", literal(started, dt)),
        _q(activity, PROV + "endedAtTime", literal(ended, dt)),
        _q(source, RDF_TYPE[1:-1], iri(PROV + "Entity")),
        _q(source, DCT + "format", literal(file.media_type)),
        _q(source, DCAT + "byteSize", literal(str(file.size), XSD + "integer")),
        _q(source, SPDX + "checksum", iri(checksum)),
        _q(checksum, RDF_TYPE[1:-1], iri(SPDX + "Checksum")),
        _q(checksum, SPDX + "algorithm", iri(SPDX + "checksumAlgorithm_sha256")),
        _q(checksum, SPDX + "checksumValue", literal(file.checksum, XSD + "hexBinary")),
    ]
    if file.name:
        out.append(_q(source, DCT + "title", literal(file.name)))
    out += [_q(graph, DCT + "subject", iri(s)) for s in subjects]
    return out


def supersession(graph: str, earlier: str, number: int, subject: str, removed: list[Triple]) -> list[Triple]:
    """The record of statements about ``subject`` that ``graph`` took over from ``earlier``."""
    node = f"{graph}/superseded/{number}"
    text = "".join(f"{s} {p} {o} .\n" for s, p, o in sorted(removed))
    return [
        _q(graph, PROV + "wasRevisionOf", iri(earlier)),
        _q(node, RDF_TYPE[1:-1], iri(PROV + "Entity")),
        _q(node, DCT + "isPartOf", iri(earlier)),
        _q(node, DCT + "subject", iri(subject)),
        _q(node, PROV + "wasInvalidatedBy", iri(f"{graph}/activity")),
        _q(node, VOID + "triples", literal(str(len(removed)), XSD + "integer")),
        _q(node, RDF_VALUE, literal(text)),
    ]


def withdrawal(graph: str, agent: str, agent_name: str) -> list[Triple]:
    when = now()
    activity = f"{graph}/withdrawal"
    return [
        _q(graph, PROV + "invalidatedAtTime", literal(when, XSD + "dateTime")),
        _q(graph, PROV + "wasInvalidatedBy", iri(activity)),
        _q(activity, RDF_TYPE[1:-1], iri(PROV + "Activity")),
        _q(activity, PROV + "wasAssociatedWith", iri(agent)),
        _q(activity, PROV + "endedAtTime", literal(when, XSD + "dateTime")),
        _q(agent, RDF_TYPE[1:-1], iri(PROV + "Agent")),
        _q(agent, RDFS + "label", literal(agent_name)),
    ]


# ------------------------------------------------------------------------------------------------ reading
_PREFIXES = """PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX void: <http://rdfs.org/ns/void#>
PREFIX spdx: <http://spdx.org/rdf/terms#>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
"""


def same_file(store: GraphStore, iris: Iris, agent: str, checksum: str) -> str | None:
    """The agent's contribution of a file with this checksum that still stands, if any."""
    rows = store.select(_PREFIXES + """SELECT ?g ?v ?meta ?agent WHERE { GRAPH ?meta {
        ?g prov:wasAttributedTo ?agent ; prov:wasDerivedFrom/spdx:checksum/spdx:checksumValue ?value .
        FILTER NOT EXISTS { ?g prov:invalidatedAtTime ?t } BIND(STR(?value) AS ?v) } }""",
                        bindings={"meta": URIRef(iris.meta_graph), "agent": URIRef(agent)})
    return next((str(r["g"]) for r in rows if str(r["v"]) == checksum), None)


def earlier_about(store: GraphStore, iris: Iris, agent: str) -> dict[str, set[str]]:
    """The agent's standing contributions and the records each is about."""
    rows = store.select(_PREFIXES + """SELECT ?g ?k ?meta ?agent WHERE { GRAPH ?meta {
        ?g prov:wasAttributedTo ?agent ; dct:subject ?k . FILTER NOT EXISTS { ?g prov:invalidatedAtTime ?t } } }""",
                        bindings={"meta": URIRef(iris.meta_graph), "agent": URIRef(agent)})
    out: dict[str, set[str]] = {}
    for row in rows:
        out.setdefault(str(row["g"]), set()).add(str(row["k"]))
    return out


def contributions(store: GraphStore, iris: Iris, graph: str | None = None) -> list[dict[str, Any]]:
    """Contribution records from the meta graph (one, or all, newest first)."""
    query = _PREFIXES + """SELECT ?meta ?g ?title ?agent ?agentName ?when ?licence ?triples ?file ?format ?size
        ?checksum ?withdrawn WHERE { GRAPH ?meta {
        ?g <https://ourdata.coop/def/sourceFamily> "contribution" ; prov:wasAttributedTo ?agent ;
           prov:generatedAtTime ?when ; prov:wasDerivedFrom ?source .
        OPTIONAL { ?g dct:title ?title } OPTIONAL { ?agent rdfs:label ?agentName }
        OPTIONAL { ?g dct:license ?licence } OPTIONAL { ?g void:triples ?triples }
        OPTIONAL { ?source dct:title ?file } OPTIONAL { ?source dct:format ?format }
        OPTIONAL { ?source dcat:byteSize ?size }
        OPTIONAL { ?source spdx:checksum/spdx:checksumValue ?checksum }
        OPTIONAL { ?g prov:invalidatedAtTime ?withdrawn } } } ORDER BY DESC(?when) DESC(?g)"""
    bindings: dict[str, Any] = {"meta": URIRef(iris.meta_graph)}
    if graph is not None:
        bindings["g"] = URIRef(graph)
    out, seen = [], set()
    for row in store.select(query, bindings=bindings):
        g = str(row["g"])
        if g in seen:
            continue
        seen.add(g)
        out.append({
            "id": g.rsplit("/", 1)[-1], "iri": g, "title": _str(row.get("title")),
            "contributor": {"iri": str(row["agent"]), "name": _str(row.get("agentName"))},
            "generated": _str(row.get("when")), "licence": _str(row.get("licence")),
            "triples": _int(row.get("triples")),
            "file": {"name": _str(row.get("file")), "media_type": _str(row.get("format")),
                     "bytes": _int(row.get("size")), "sha256": _str(row.get("checksum"))},
            "status": "withdrawn" if row.get("withdrawn") is not None else "active",
            "withdrawn": _str(row.get("withdrawn")),
        })
    return out


def history(store: GraphStore, iris: Iris, graph: str) -> dict[str, Any]:
    """What a contribution is about, what it revised, and what later contributions superseded of it."""
    meta = URIRef(iris.meta_graph)
    g = URIRef(graph)
    subjects = [str(r["k"]) for r in store.select(
        _PREFIXES + "SELECT ?k ?meta ?g WHERE { GRAPH ?meta { ?g dct:subject ?k } } ORDER BY ?k",
        bindings={"meta": meta, "g": g})]
    revises = [str(r["e"]) for r in store.select(_PREFIXES + "SELECT DISTINCT ?e ?meta ?g WHERE { GRAPH ?meta { "
                                                 "?g prov:wasRevisionOf ?e } } ORDER BY ?e",
                                                 bindings={"meta": meta, "g": g})]
    superseded = [
        {"by": str(r["by"]), "subject": str(r["k"]), "triples": _int(r.get("n"))}
        for r in store.select(_PREFIXES + """SELECT ?by ?k ?n ?meta ?g WHERE { GRAPH ?meta {
            ?node dct:isPartOf ?g ; dct:subject ?k ; void:triples ?n . ?by prov:wasRevisionOf ?g .
            FILTER(STRSTARTS(STR(?node), STR(?by))) } } ORDER BY ?by ?k""", bindings={"meta": meta, "g": g})
    ]
    return {"records": subjects, "revises": revises, "superseded": superseded}


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def _int(value: Any) -> int | None:
    return None if value is None else int(str(value))
