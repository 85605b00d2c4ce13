"""What ``/def/`` shows, read from the store: our terms, every concept scheme, concepts, and who we credit.

Every query is fixed text; IRIs, codes and graph names are passed as bindings (never pasted), and page
numbers are Python ints. Results come back as rdflib graphs or small dataclasses, ready for HTML or RDF.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from graph.iris import Iris
from graph.store import GraphStore, Triple
from ontology.vocab import OD_NAMESPACE

PAGE_SIZE = 200

_PREFIXES = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX void: <http://rdfs.org/ns/void#>
PREFIX od: <https://ourdata.coop/def/>
"""

_GRAPH = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"
_ABOUT = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
_IS_SCHEME = _PREFIXES + "ASK { ?s a skos:ConceptScheme }"
_EXISTS = "ASK { ?s ?p ?o }"
_SCHEMES = _PREFIXES + """SELECT ?scheme ?g ?label WHERE {
  GRAPH ?g { ?scheme a skos:ConceptScheme }
  OPTIONAL { ?scheme skos:prefLabel|dct:title|rdfs:label ?label }
}"""
_CONCEPT_COUNTS = _PREFIXES + """SELECT ?scheme (COUNT(DISTINCT ?c) AS ?n)
WHERE { ?c skos:inScheme ?scheme } GROUP BY ?scheme"""
_PAGE = _PREFIXES + """CONSTRUCT { ?c ?p ?o } WHERE {
  { SELECT ?scheme ?c WHERE { ?c skos:inScheme ?scheme OPTIONAL { ?c skos:notation ?n } }
    GROUP BY ?scheme ?c ORDER BY (MIN(STR(?n))) ?c LIMIT %(limit)d OFFSET %(offset)d }
  ?c ?p ?o
}"""
_BY_NOTATION = _PREFIXES + """SELECT ?scheme ?code ?c WHERE {
  ?c skos:inScheme ?scheme ; skos:notation ?n FILTER (STR(?n) = ?code)
} ORDER BY ?c LIMIT 1"""
_BY_LAST_SEGMENT = _PREFIXES + """SELECT ?scheme ?suffix ?c WHERE {
  ?c skos:inScheme ?scheme FILTER (STRENDS(STR(?c), ?suffix))
} ORDER BY ?c LIMIT 1"""
_USE_COUNT = "SELECT ?t (COUNT(*) AS ?n) WHERE { ?s ?t ?o } GROUP BY ?t"
_USES = "SELECT ?t ?s ?o WHERE { ?s ?t ?o } ORDER BY ?s LIMIT 5"
_INSTANCE_COUNT = "SELECT ?t (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?t } GROUP BY ?t"
_INSTANCES = "SELECT ?t ?s WHERE { ?s a ?t } ORDER BY ?s LIMIT 5"
#: Links inside a scheme are structure, not uses of a concept.
_NOT_STRUCTURE = ("FILTER (?p NOT IN (skos:broader, skos:narrower, skos:hasTopConcept, "
                  "skos:topConceptOf, skos:inScheme))")
_REFERENCE_COUNT = _PREFIXES + "SELECT ?c (COUNT(*) AS ?n) WHERE { ?s ?p ?c " + _NOT_STRUCTURE + " } GROUP BY ?c"
_REFERENCES = _PREFIXES + "SELECT ?c ?s ?p (SAMPLE(?l) AS ?label) WHERE { ?s ?p ?c " + _NOT_STRUCTURE + """
  OPTIONAL { ?s skos:prefLabel ?l }
} GROUP BY ?c ?s ?p ORDER BY ?s LIMIT 10"""
_LABELS = _PREFIXES + "SELECT ?s ?l WHERE { ?s skos:prefLabel|rdfs:label|dct:title ?l }"
_CREDITS = _PREFIXES + """SELECT ?meta ?g ?family ?title ?licence ?attribution ?source ?publisher ?triples
       (SAMPLE(?lt) AS ?licenceTitle) WHERE {
  GRAPH ?meta {
    ?g a prov:Entity ; dct:title ?title .
    OPTIONAL { ?g od:sourceFamily ?family }
    OPTIONAL { ?g dct:license ?licence }
    OPTIONAL { ?g rdfs:comment ?attribution }
    OPTIONAL { ?g dct:source ?source }
    OPTIONAL { ?g dct:publisher ?publisher }
    OPTIONAL { ?g void:triples ?triples }
  }
  FILTER (!BOUND(?family) || ?family != "contribution")
  OPTIONAL { ?lic skos:exactMatch ?licence ; dct:title ?lt }
} GROUP BY ?meta ?g ?family ?title ?licence ?attribution ?source ?publisher ?triples ORDER BY ?family ?title"""

FAMILY_ORDER = {"ontology": 0, "vocabulary": 1, "reference": 2, "source": 3}


def best_label(values: Iterable[object], language: str = "en") -> str | None:
    """The label to show: the wanted language, then an untagged one, then any (stable order)."""
    literals = [v for v in values if isinstance(v, Literal) and str(v).strip()]
    for wanted in (language, None):
        for literal in sorted(literals, key=str):
            if literal.language == wanted or (wanted and (literal.language or "").startswith(wanted + "-")):
                return str(literal)
    return str(sorted(literals, key=str)[0]) if literals else None


def to_graph(triples: Iterable[Triple]) -> Graph:
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    return graph


@dataclass
class SchemeSummary:
    iri: str
    label: str | None
    concepts: int
    graphs: list[str] = field(default_factory=list)
    path: str | None = None  # where /def/ serves it, when it is ours


@dataclass
class Credit:
    """A named graph we load, with what must be shown wherever its data is shown."""

    graph: str
    family: str
    title: str
    licence: str | None
    licence_title: str | None
    attribution: str | None
    source: str | None
    publisher: str | None
    triples: int | None


@dataclass
class Use:
    subject: str
    label: str | None
    predicate: str | None = None
    value: str | None = None


class Definitions:
    """Reads definitions from a store for one deployment base."""

    def __init__(self, store: GraphStore, iris: Iris) -> None:
        self.store = store
        self.iris = iris

    # -- IRIs and paths
    def candidates(self, *parts: str) -> list[URIRef]:
        """IRIs a ``/def/...`` path can name: under the deployment base, then under our fixed namespace."""
        local = URIRef(self.iris.definition(*parts))
        fixed = URIRef(OD_NAMESPACE + "/".join(parts))
        return [local] if local == fixed else [local, fixed]

    def path(self, iri: str) -> str | None:
        """The local path that serves ``iri``, or None for an IRI that is not ours."""
        if iri.startswith(OD_NAMESPACE):
            return "/def/" + iri[len(OD_NAMESPACE):]
        if iri.startswith(self.iris.base):
            return "/" + iri[len(self.iris.base):]
        return None

    # -- what exists
    def exists(self, iri: URIRef) -> bool:
        return self.store.ask(_EXISTS, bindings={"s": iri})

    def is_scheme(self, iri: URIRef) -> bool:
        return self.store.ask(_IS_SCHEME, bindings={"s": iri})

    def find(self, *parts: str) -> URIRef | None:
        return next((iri for iri in self.candidates(*parts) if self.exists(iri)), None)

    def concept_by_notation(self, scheme: URIRef, code: str) -> URIRef | None:
        """The concept of ``scheme`` with notation ``code``, else the one whose IRI ends in ``/code`` (so
        ``/def/country/gb`` finds ``{base}id/country/gb``, whose notation is ``GB``)."""
        rows = self.store.select(_BY_NOTATION, bindings={"scheme": scheme, "code": Literal(code)})
        if not rows:
            rows = self.store.select(_BY_LAST_SEGMENT, bindings={"scheme": scheme, "suffix": Literal("/" + code)})
        found = rows[0].get("c") if rows else None
        return found if isinstance(found, URIRef) else None

    # -- graphs
    def ontology(self) -> Graph:
        """Our terms and the institution-kind scheme, as loaded in ``{base}graph/ontology``."""
        return to_graph(self.store.construct(_GRAPH, bindings={"g": URIRef(self.iris.ontology_graph)}))

    def describe(self, iri: URIRef) -> Graph:
        """Every statement about ``iri`` in any graph."""
        return to_graph(self.store.construct(_ABOUT, bindings={"s": iri}))

    def labels(self, iris: Iterable[str], language: str = "en") -> dict[str, str]:
        found: dict[str, str] = {}
        for iri in dict.fromkeys(iris):
            label = best_label((r.get("l") for r in self.store.select(_LABELS, bindings={"s": URIRef(iri)})),
                               language)
            if label:
                found[iri] = label
        return found

    # -- schemes
    def schemes(self) -> list[SchemeSummary]:
        """Every skos:ConceptScheme in the store (ours, reference data and the vocabularies'), with sizes."""
        counts = {str(r["scheme"]): int(r["n"].toPython()) for r in self.store.select(_CONCEPT_COUNTS)
                  if "scheme" in r}
        by_iri: dict[str, tuple[list[object], list[str]]] = {}
        for row in self.store.select(_SCHEMES):
            labels, graphs = by_iri.setdefault(str(row["scheme"]), ([], []))
            labels.append(row.get("label"))
            if str(row["g"]) not in graphs:
                graphs.append(str(row["g"]))
        summaries = [SchemeSummary(iri, best_label(labels), counts.get(iri, 0), graphs, self.path(iri))
                     for iri, (labels, graphs) in by_iri.items()]
        return sorted(summaries, key=lambda s: (s.path is None, (s.label or s.iri).lower()))

    def concept_count(self, scheme: URIRef) -> int:
        rows = [r for r in self.store.select(_CONCEPT_COUNTS) if r.get("scheme") == scheme]
        return int(rows[0]["n"].toPython()) if rows else 0

    def scheme_page(self, scheme: URIRef, page: int, size: int = PAGE_SIZE) -> Graph:
        """The scheme's own statements plus every statement about the concepts on ``page`` (1-based),
        concepts ordered by notation."""
        graph = self.describe(scheme)
        query = _PAGE % {"limit": int(size), "offset": (max(int(page), 1) - 1) * int(size)}
        for triple in self.store.construct(query, bindings={"scheme": scheme}):
            graph.add(triple)
        return graph

    # -- examples of use
    def uses_of_property(self, prop: URIRef) -> tuple[int, list[Use]]:
        count = self._count(_USE_COUNT, "t", prop)
        rows = self.store.select(_USES, bindings={"t": prop})
        return count, [Use(str(r["s"]), None, str(prop), _show(r["o"])) for r in rows]

    def instances_of(self, cls: URIRef) -> tuple[int, list[Use]]:
        count = self._count(_INSTANCE_COUNT, "t", cls)
        rows = self.store.select(_INSTANCES, bindings={"t": cls})
        return count, [Use(str(r["s"]), None) for r in rows]

    def references_to(self, concept: URIRef) -> tuple[int, list[Use]]:
        count = self._count(_REFERENCE_COUNT, "c", concept)
        rows = self.store.select(_REFERENCES, bindings={"c": concept})
        return count, [Use(str(r["s"]), _show(r["label"]) if "label" in r else None, str(r["p"])) for r in rows]

    def _count(self, query: str, var: str, term: URIRef) -> int:
        rows = self.store.select(query, bindings={var: term})
        return int(rows[0]["n"].toPython()) if rows else 0

    # -- attribution
    def credits(self) -> list[Credit]:
        """The graphs described in the meta graph (not contributions), ontology and vocabularies first."""
        rows = self.store.select(_CREDITS, bindings={"meta": URIRef(self.iris.meta_graph)})
        credits = [
            Credit(graph=str(r["g"]), family=str(r.get("family", "")), title=str(r["title"]),
                   licence=_opt(r, "licence"), licence_title=_opt(r, "licenceTitle"),
                   attribution=_opt(r, "attribution"), source=_opt(r, "source"), publisher=_opt(r, "publisher"),
                   triples=int(r["triples"].toPython()) if "triples" in r else None)
            for r in rows
        ]
        return sorted(credits, key=lambda c: (FAMILY_ORDER.get(c.family, 9), c.title.lower()))


def _opt(row: dict[str, object], name: str) -> str | None:
    value = row.get(name)
    return None if value is None else str(value)


def _show(term: object) -> str:
    return str(term) if not isinstance(term, Literal) else str(term)[:200]


def classes_and_properties(graph: Graph) -> tuple[list[URIRef], list[URIRef]]:
    """The classes and properties a graph defines (our ontology's terms, for the /def/ page)."""
    classes = sorted({s for t in (OWL.Class, RDFS.Class) for s in graph.subjects(RDF.type, t)
                      if isinstance(s, URIRef)})
    properties = sorted({s for t in (RDF.Property, OWL.ObjectProperty, OWL.DatatypeProperty,
                                     OWL.AnnotationProperty) for s in graph.subjects(RDF.type, t)
                         if isinstance(s, URIRef)})
    return classes, properties


def definition(graph: Graph, term: URIRef) -> str | None:
    return best_label(list(graph.objects(term, SKOS.definition)) + list(graph.objects(term, DCTERMS.description)))
