"""The ``/def/`` pages as data: what a person reads (HTML context dicts) and what a machine gets (rdflib graphs).

Everything comes from the store through :class:`ontology.lookup.Definitions`; nothing is pasted in.
"""

from __future__ import annotations

from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from ontology import load_context
from ontology.lookup import PAGE_SIZE, Definitions, best_label, classes_and_properties, definition
from ontology.vocab import INSTITUTION_KIND_SCHEME, ONTOLOGY

VANN_PREFIX = URIRef("http://purl.org/vocab/vann/preferredNamespacePrefix")
MATCHES = (("exact match", SKOS.exactMatch), ("close match", SKOS.closeMatch), ("related match", SKOS.relatedMatch),
           ("broad match", SKOS.broadMatch), ("narrow match", SKOS.narrowMatch))


def prefixes() -> list[tuple[str, str]]:
    """The prefixes of the published JSON-LD context, longest namespace first (for compact names)."""
    context = load_context()["@context"]
    found = [(k, v) for k, v in context.items() if isinstance(v, str) and v.endswith(("#", "/"))]
    found.append(("sh", "http://www.w3.org/ns/shacl#"))
    found.append(("vann", "http://purl.org/vocab/vann/"))
    return sorted(found, key=lambda kv: -len(kv[1]))


_PREFIXES = prefixes()


def curie(iri: str) -> str:
    for prefix, namespace in _PREFIXES:
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def bind_prefixes(graph: Graph) -> Graph:
    for prefix, namespace in _PREFIXES:
        graph.bind(prefix, namespace, override=True, replace=True)
    graph.bind("ik", str(INSTITUTION_KIND_SCHEME) + "/", override=True, replace=True)
    return graph


class DefinitionViews:
    def __init__(self, definitions: Definitions) -> None:
        self.defs = definitions

    # -- values
    def value(self, term: object, labels: dict[str, str] | None = None) -> dict[str, Any]:
        """A value as a template shows it: text, a link when it is an IRI, the language of a literal."""
        if isinstance(term, URIRef):
            iri = str(term)
            text = (labels or {}).get(iri) or curie(iri)
            return {"text": text, "href": self.defs.path(iri) or iri, "iri": iri}
        if isinstance(term, Literal):
            return {"text": str(term), "lang": term.language,
                    "datatype": curie(str(term.datatype)) if term.datatype else None}
        return {"text": str(term)}

    def statements(self, graph: Graph, subject: URIRef, skip: tuple[URIRef, ...] = ()) -> list[dict[str, Any]]:
        """Every (predicate, values) about ``subject``, for the "all statements" table."""
        objects = [o for p, o in graph.predicate_objects(subject) if p not in skip]
        labels = self.defs.labels(str(o) for o in objects if isinstance(o, URIRef))
        rows: dict[str, list[dict[str, Any]]] = {}
        for predicate, obj in sorted(graph.predicate_objects(subject), key=lambda po: (str(po[0]), str(po[1]))):
            if predicate not in skip:
                rows.setdefault(str(predicate), []).append(self.value(obj, labels))
        return [{"predicate": self.value(URIRef(p)), "objects": values} for p, values in rows.items()]

    def links(self, graph: Graph, subject: URIRef, predicate: URIRef, labelled: bool = True) -> list[dict[str, Any]]:
        """The objects of (subject, predicate), shown by label, or by compact name (``labelled=False``)."""
        objects = sorted(graph.objects(subject, predicate), key=str)
        labels = self.defs.labels(str(o) for o in objects if isinstance(o, URIRef)) if labelled else None
        return [self.value(o, labels) for o in objects]

    # -- the index
    def index_graph(self) -> Graph:
        graph = self.defs.ontology()
        for scheme in self.defs.schemes():
            iri = URIRef(scheme.iri)
            graph.add((iri, RDF.type, SKOS.ConceptScheme))
            if scheme.label:
                graph.add((iri, SKOS.prefLabel, Literal(scheme.label)))
        return bind_prefixes(graph)

    def index(self) -> dict[str, Any]:
        graph = self.defs.ontology()
        classes, properties = classes_and_properties(graph)
        return {
            "ontology": self._ontology_header(graph),
            "classes": [self._term_summary(graph, c) for c in classes if str(c).startswith(str(ONTOLOGY))],
            "properties": [self._term_summary(graph, p) for p in properties if str(p).startswith(str(ONTOLOGY))],
            "kinds": self._concept_rows(graph, INSTITUTION_KIND_SCHEME),
            "kind_scheme": self.value(INSTITUTION_KIND_SCHEME),
            "schemes": self.defs.schemes(),
            "credits": self.defs.credits(),
            "curie": curie,
        }

    def _ontology_header(self, graph: Graph) -> dict[str, Any]:
        return {
            "iri": str(ONTOLOGY),
            "title": best_label(graph.objects(ONTOLOGY, DCTERMS.title)) or "ourdata ontology",
            "description": best_label(graph.objects(ONTOLOGY, DCTERMS.description)),
            "version": best_label(graph.objects(ONTOLOGY, OWL.versionInfo)),
            "prefix": best_label(graph.objects(ONTOLOGY, VANN_PREFIX)),
            "licence": self.links(graph, ONTOLOGY, DCTERMS.license),
            "loaded": (ONTOLOGY, RDF.type, OWL.Ontology) in graph,
        }

    def _term_summary(self, graph: Graph, term: URIRef) -> dict[str, Any]:
        return {
            "iri": str(term),
            "curie": curie(str(term)),
            "href": self.defs.path(str(term)),
            "label": best_label(graph.objects(term, RDFS.label)),
            "definition": definition(graph, term),
            "comment": best_label(graph.objects(term, RDFS.comment)),
            "superclasses": self.links(graph, term, RDFS.subClassOf, labelled=False),
            "domain": self.links(graph, term, RDFS.domain, labelled=False),
            "range": self.links(graph, term, RDFS.range, labelled=False),
            "examples": sorted(str(e) for e in graph.objects(term, SKOS.example)),
        }

    def _concept_rows(self, graph: Graph, scheme: URIRef, code_paths: bool = False) -> list[dict[str, Any]]:
        concepts = sorted(set(graph.subjects(SKOS.inScheme, scheme)),
                          key=lambda c: (min((str(n) for n in graph.objects(c, SKOS.notation)), default=""), str(c)))
        scheme_path = self.defs.path(str(scheme))
        rows = []
        for concept in concepts:
            notations = sorted(str(n) for n in graph.objects(concept, SKOS.notation))
            href = self.defs.path(str(concept))
            if code_paths and scheme_path and notations and not (href or "").startswith("/def/"):
                href = f"{scheme_path}/{notations[0]}"
            rows.append({
                "iri": str(concept),
                "href": href or str(concept),
                "notation": ", ".join(notations),
                "label": best_label(graph.objects(concept, SKOS.prefLabel)) or curie(str(concept)),
                "definition": definition(graph, concept),
                "broader": [self.value(b, {str(b): best_label(graph.objects(b, SKOS.prefLabel)) or curie(str(b))})
                            for b in sorted(graph.objects(concept, SKOS.broader), key=str)],
                "deprecated": any(v.toPython() is True for v in graph.objects(concept, OWL.deprecated)
                                  if isinstance(v, Literal)),
            })
        return rows

    # -- a scheme
    def scheme_graph(self, scheme: URIRef, page: int) -> Graph:
        return bind_prefixes(self.defs.scheme_page(scheme, page))

    def scheme(self, scheme: URIRef, page: int, total: int) -> dict[str, Any]:
        graph = self.defs.scheme_page(scheme, page)
        pages = max(1, -(-total // PAGE_SIZE))
        return {
            "iri": str(scheme),
            "label": best_label([*graph.objects(scheme, SKOS.prefLabel), *graph.objects(scheme, DCTERMS.title)])
            or curie(str(scheme)),
            "definition": definition(graph, scheme),
            "concepts": self._concept_rows(graph, scheme, code_paths=True),
            "page": page, "pages": pages, "total": total, "page_size": PAGE_SIZE,
            "statements": self.statements(graph, scheme, skip=(SKOS.hasTopConcept,)),
        }

    # -- a concept
    def concept(self, concept: URIRef) -> dict[str, Any]:
        graph = self.defs.describe(concept)
        count, uses = self.defs.references_to(concept)
        return {
            "iri": str(concept),
            "label": best_label(graph.objects(concept, SKOS.prefLabel)) or curie(str(concept)),
            "notations": sorted(str(n) for n in graph.objects(concept, SKOS.notation)),
            "definition": definition(graph, concept),
            "alt_labels": sorted(str(a) for a in graph.objects(concept, SKOS.altLabel)),
            "scope_notes": sorted(str(a) for a in graph.objects(concept, SKOS.scopeNote)),
            "schemes": self.links(graph, concept, SKOS.inScheme),
            "broader": self.links(graph, concept, SKOS.broader),
            "matches": [(name, self.links(graph, concept, p)) for name, p in MATCHES
                        if (concept, p, None) in graph],
            "deprecated": any(v.toPython() is True for v in graph.objects(concept, OWL.deprecated)
                              if isinstance(v, Literal)),
            "uses": [{**self.value(URIRef(u.subject), {u.subject: u.label} if u.label else None),
                      "predicate": curie(u.predicate or "")} for u in uses],
            "use_count": count,
            "statements": self.statements(graph, concept),
        }

    # -- a term (class, property, or anything else we define)
    def term(self, term: URIRef) -> dict[str, Any]:
        graph = self.defs.describe(term)
        types = set(graph.objects(term, RDF.type))
        is_class = bool(types & {OWL.Class, RDFS.Class})
        count, uses = self.defs.instances_of(term) if is_class else self.defs.uses_of_property(term)
        summary = self._term_summary(graph, term)
        return {
            **summary,
            "kind": "class" if is_class else "property" if types & {
                RDF.Property, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty} else "term",
            "types": self.links(graph, term, RDF.type, labelled=False),
            "uses": [{"subject": self.value(URIRef(u.subject)), "value": u.value} for u in uses],
            "use_count": count,
            "statements": self.statements(graph, term),
        }

    def describe_graph(self, iri: URIRef) -> Graph:
        return bind_prefixes(self.defs.describe(iri))
