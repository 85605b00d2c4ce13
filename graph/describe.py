"""What we say about one resource, where each statement came from, and readable names for IRIs.

Shared by ``/doc/`` (HTML and RDF) and the JSON-LD API. A resource's description is every triple whose
subject is the resource or one of its skolem children (IRIs under ``{iri}/``: sites, addresses,
registrations, policies) reachable from it, plus the closure over blank nodes (and skolem IRIs under
``/.well-known/genid/``) should any exist. Children
are found by following links, not by scanning subjects by prefix, so a lookup costs a handful of index
reads whatever the store's size. Values reach the engine as bindings or validated IRIs, never as text.

>>> from graph.embedded import EmbeddedStore
>>> from graph.formats import RDF_BY_NAME
>>> store = EmbeddedStore.open(None)
>>> _ = store.load(b'''<https://ex.org/id/o/a> <http://www.w3.org/2004/02/skos/core#prefLabel> "A"@en ;
...     <http://www.w3.org/ns/org#hasSite> <https://ex.org/id/o/a/site/1> .
... <https://ex.org/id/o/a/site/1> <http://www.w3.org/2003/01/geo/wgs84_pos#lat> "51.5" .''',
...     RDF_BY_NAME["turtle"], graph="https://ex.org/graph/source/s")
>>> len(describe(store, "https://ex.org/id/o/a"))
3
>>> labels(store, ["https://ex.org/id/o/a"])
{'https://ex.org/id/o/a': 'A'}
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import NamedTuple

from rdflib.term import BNode, Literal, URIRef

from graph.errors import BadRequest
from graph.iris import Iris
from graph.sparql_text import checked_iri
from graph.store import GraphStore, Node, Triple

SKOS = "http://www.w3.org/2004/02/skos/core#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
DCT = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
PROV = "http://www.w3.org/ns/prov#"

#: Skolem IRIs (RDF 1.1) stand for blank nodes of third-party files; they belong to whoever links to them.
GENID = "/.well-known/genid/"
#: Label properties, most preferred first.
LABEL_PROPERTIES = (SKOS + "prefLabel", RDFS + "label", DCT + "title", FOAF + "name")

#: Links from our resources to the same thing elsewhere (an SPDX licence, a GLEIF legal form, ...).
EQUIVALENCE_PROPERTIES = (SKOS + "exactMatch", "http://www.w3.org/2002/07/owl#sameAs")
#: Children deeper than this are not followed (skolem trees are 2-3 levels deep; this bounds a bad cycle).
MAX_DEPTH = 6
#: How many IRIs one label query asks about.
LABEL_BATCH = 200

_OUT = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
_GRAPHS_OF = "SELECT DISTINCT ?s ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
_STATEMENTS_IN = "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"


class StatementSource(NamedTuple):
    """One statement and the graph that holds it, with that graph's provenance from the meta graph."""

    s: Node
    p: Node
    o: Node
    graph: str
    title: str | None
    licence: str | None
    modified: datetime | None
    attribution: str | None


class GraphProvenance(NamedTuple):
    graph: str
    title: str | None
    licence: str | None
    modified: datetime | None
    attribution: str | None
    source: str | None


def _is_child(node: Node, prefix: str) -> bool:
    """A node described as part of the resource: under its IRI, a blank node, or a skolem IRI standing for one."""
    if isinstance(node, BNode):
        return True
    return isinstance(node, URIRef) and (str(node).startswith(prefix) or GENID in str(node))


def described_subjects(store: GraphStore, iri: str) -> dict[Node, list[Triple]]:
    """The resource and its children, each with its outgoing triples (deduplicated, in store order)."""
    prefix = iri.rstrip("/") + "/"
    found: dict[Node, list[Triple]] = {}
    frontier: list[Node] = [URIRef(iri)]
    for _depth in range(MAX_DEPTH):
        following: list[Node] = []
        for subject in frontier:
            if subject in found:
                continue
            rows = store.select(_OUT, bindings={"s": subject})
            triples = list(dict.fromkeys((subject, row["p"], row["o"]) for row in rows))
            found[subject] = triples
            following.extend(o for _, _, o in triples if _is_child(o, prefix) and o not in found)
        if not following:
            break
        frontier = list(dict.fromkeys(following))
    return {subject: triples for subject, triples in found.items() if triples}


def describe(store: GraphStore, iri: str) -> list[Triple]:
    """Every triple about ``iri`` or its children, from the union of all graphs; empty when we hold nothing."""
    return [t for triples in described_subjects(store, iri).values() for t in triples]


def _best_literal(values: Iterable[Node]) -> str | None:
    literals = [v for v in values if isinstance(v, Literal)]
    if not literals:
        return None
    return str(min(literals, key=lambda lit: (_language_rank(lit), str(lit))))


def _language_rank(literal: Literal, preferred: str = "en") -> int:
    lang = (literal.language or "").lower()
    if lang == preferred or lang.startswith(preferred + "-"):
        return 0
    return 1 if not lang else 2


def _parse_time(value: Node | None) -> datetime | None:
    if not isinstance(value, Literal):
        return None
    text = str(value).strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def graph_provenance(store: GraphStore, graph: str, meta_graph: str) -> GraphProvenance:
    """What the meta graph says about one named graph: title, licence, last change, attribution, source."""
    query = f"SELECT ?p ?o WHERE {{ GRAPH {checked_iri(meta_graph)} {{ {checked_iri(graph)} ?p ?o }} }}"
    facts: dict[str, list[Node]] = {}
    for row in store.select(query):
        facts.setdefault(str(row["p"]), []).append(row["o"])
    times = [t for t in (_parse_time(v) for key in (DCT + "modified", PROV + "generatedAtTime")
                         for v in facts.get(key, [])) if t is not None]
    licence = next((str(v) for v in facts.get(DCT + "license", []) if isinstance(v, URIRef)), None)
    attribution = (_best_literal(facts.get(RDFS + "comment", []))
                   or next((str(v) for v in facts.get(PROV + "wasAttributedTo", [])), None)
                   or _best_literal(facts.get(DCT + "publisher", [])))
    source = next((str(v) for key in (DCT + "source", PROV + "wasDerivedFrom") for v in facts.get(key, [])
                   if isinstance(v, URIRef)), None)
    return GraphProvenance(graph, _best_literal(facts.get(DCT + "title", [])), licence,
                           max(times) if times else None, attribution, source)


def _meta_graph(store: GraphStore, iri: str, meta_graph: str | None) -> str:
    if meta_graph is not None:
        return meta_graph
    base = iri.split("/id/", 1)[0] + "/" if "/id/" in iri else iri
    return Iris(base).meta_graph


def statement_sources(store: GraphStore, iri: str, *, meta_graph: str | None = None) -> list[StatementSource]:
    """Each statement of ``describe(iri)`` once per named graph holding it, with that graph's provenance.

    ``meta_graph`` defaults to ``{base}graph/meta`` of the base the IRI lies under (``…/id/…``).
    """
    meta = _meta_graph(store, iri, meta_graph)
    out: list[StatementSource] = []
    provenance: dict[str, GraphProvenance] = {}
    for subject in described_subjects(store, iri):
        rows = store.select(_STATEMENTS_IN, bindings={"s": subject})
        for row in rows:
            graph = str(row["g"])
            if graph not in provenance:
                provenance[graph] = graph_provenance(store, graph, meta)
            info = provenance[graph]
            out.append(StatementSource(subject, row["p"], row["o"], graph, info.title, info.licence,
                                       info.modified, info.attribution))
    return out


def graphs_holding(store: GraphStore, iri: str) -> list[str]:
    """The named graphs that hold statements about ``iri`` or its children."""
    graphs: dict[str, None] = {}
    for subject in described_subjects(store, iri):
        for row in store.select(_GRAPHS_OF, bindings={"s": subject}):
            graphs[str(row["g"])] = None
    return list(graphs)


def last_modified(store: GraphStore, iri: str, *, meta_graph: str | None = None) -> datetime | None:
    """The latest ``dct:modified``/``prov:generatedAtTime`` of the graphs holding the resource, if recorded."""
    meta = _meta_graph(store, iri, meta_graph)
    times = [p.modified for g in graphs_holding(store, iri) if (p := graph_provenance(store, g, meta)).modified]
    return max(t for t in times if t is not None) if times else None


def labels(store: GraphStore, iris: Iterable[str | URIRef], *, language: str = "en") -> dict[str, str]:
    """A human label for each IRI that has one (skos:prefLabel, rdfs:label, dct:title, foaf:name).

    Prefers ``language``, then literals without a language, then any; then the property order above.
    IRIs without a label are left out of the result.
    """
    wanted = [str(i) for i in dict.fromkeys(iris) if str(i).startswith(("http://", "https://", "urn:"))]
    best: dict[str, tuple[tuple[int, int, str], str]] = {}
    # VALUES on the subject only: a second VALUES on the property made the planner scan (70x slower, measured)
    properties = ", ".join(f"<{p}>" for p in LABEL_PROPERTIES)
    for chunk in _checked_chunks(wanted):
        query = (f"SELECT ?x ?p ?l WHERE {{ VALUES ?x {{ {' '.join(chunk)} }} ?x ?p ?l "
                 f"FILTER(?p IN ({properties}) && isLiteral(?l)) }}")
        for row in store.select(query):
            literal = row["l"]
            assert isinstance(literal, Literal)
            key = (_language_rank(literal, language), LABEL_PROPERTIES.index(str(row["p"])), str(literal))
            subject = str(row["x"])
            if subject not in best or key < best[subject][0]:
                best[subject] = (key, str(literal))
    return {iri: best[iri][1] for iri in wanted if iri in best}


def label_of(store: GraphStore, iri: str, *, language: str = "en") -> str | None:
    """One IRI's label, or None."""
    return labels(store, [iri], language=language).get(iri)


def referrers(store: GraphStore, iri: str, *, limit: int = 100) -> list[tuple[Node, Node]]:
    """Up to ``limit`` (subject, predicate) pairs of other resources that link to ``iri`` (for browsing)."""
    rows = store.select(f"SELECT ?s ?p ?o WHERE {{ ?s ?p ?o }} LIMIT {int(limit) * 2}", bindings={"o": URIRef(iri)})
    prefix = iri.rstrip("/") + "/"
    pairs = [(row["s"], row["p"]) for row in rows
             if isinstance(row["s"], URIRef) and not str(row["s"]).startswith(prefix) and str(row["s"]) != iri]
    return list(dict.fromkeys(pairs))[:limit]


def _checked_chunks(values: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(values), LABEL_BATCH):
        chunk = []
        for value in values[start : start + LABEL_BATCH]:
            try:
                chunk.append(checked_iri(value))
            except BadRequest:  # an IRI the engine refuses has no equivalent either
                continue
        if chunk:
            yield chunk


def equivalents(store: GraphStore, iris: Iterable[str | URIRef], *, under: str) -> dict[str, str]:
    """For external IRIs, the resource of ours (IRI starting with ``under``) that is the same thing, if any.

    Sources often name a licence by its SPDX IRI; our licence concept says ``skos:exactMatch`` to it, so a
    page can show our label and link to our description instead of a bare IRI.
    """
    wanted = [str(i) for i in dict.fromkeys(iris) if not str(i).startswith(under)]
    # one branch per property: with the property fixed the engine looks (p, o) up; "?ours ?p ?x FILTER(?p IN ...)"
    # scanned every statement whose object is ?x (a class IRI has thousands): 80 ms against 1 ms, measured
    branches = " UNION ".join(f"{{ ?ours <{p}> ?x }}" for p in EQUIVALENCE_PROPERTIES)
    found: dict[str, str] = {}
    for chunk in _checked_chunks(wanted):
        query = f"SELECT ?x ?ours WHERE {{ VALUES ?x {{ {' '.join(chunk)} }} {branches} FILTER(isIRI(?ours)) }}"
        for row in store.select(query):
            ours = str(row["ours"])
            if ours.startswith(under) and str(row["x"]) not in found:
                found[str(row["x"])] = ours
    return found
