"""The HTML page of a resource as plain data: facts grouped by property, readable names, links, sources.

Every IRI shown is replaced by a label (from the store, else a readable fallback) and linked: our own
IRIs to their ``/doc/`` page on the host the reader used, others to themselves. Each value carries the
numbers of the sources (named graphs) that state it; the page lists those sources with their licence,
date and attribution.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote

from rdflib.term import BNode, Literal, URIRef

from api.predicate_labels import SHOW_ADDRESS, humanise, is_vocabulary_term, local_name, term_label
from graph.describe import (
    LABEL_PROPERTIES,
    StatementSource,
    described_subjects,
    equivalents,
    graph_provenance,
    labels,
    referrers,
)
from graph.iris import Iris
from graph.store import GraphStore, Node

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
NOTATION = "http://www.w3.org/2004/02/skos/core#notation"
#: Properties shown first, in this order; the rest follow alphabetically by label.
LEADING = ("http://www.w3.org/1999/02/22-rdf-syntax-ns#type", "http://www.w3.org/2004/02/skos/core#prefLabel",
           "http://www.w3.org/ns/regorg#legalName", "http://purl.org/dc/terms/title",
           "http://purl.org/dc/terms/description")


@dataclass
class SourceView:
    number: int
    graph: str
    graph_href: str
    title: str
    source_href: str | None
    licence: str | None
    licence_label: str | None
    licence_href: str | None
    modified: str | None
    attribution: str | None


@dataclass
class ValueView:
    text: str
    href: str | None = None
    iri: str | None = None
    note: str | None = None  # language tag or datatype
    sources: list[int] = field(default_factory=list)


@dataclass
class FactView:
    label: str
    predicate: str
    href: str
    values: list[ValueView]


@dataclass
class SectionView:
    anchor: str
    heading: str
    iri: str | None
    facts: list[FactView]


@dataclass
class ReferrerView:
    text: str
    href: str
    relation: str


@dataclass
class PageView:
    iri: str
    title: str
    types: list[str]
    sections: list[SectionView]
    sources: list[SourceView]
    referrers: list[ReferrerView]
    more_referrers: bool
    referrers_query_href: str


class LinkMapper:
    """Where a link to an IRI goes for a reader on ``root`` (the request's base URL, ending in '/')."""

    def __init__(self, iris: Iris, root: str) -> None:
        self.iris = iris
        self.root = root

    def __call__(self, iri: str) -> str:
        base = self.iris.base
        if not iri.startswith(base):
            return iri
        local = iri[len(base):]
        if local.startswith("id/"):
            return self.root + "doc/" + local[3:]
        if local.startswith("graph/"):
            return f"{self.root}store?graph={quote(iri, safe='')}"
        return self.root + local


def _anchor(iri_or_node: Node, resource: str) -> str:
    text = str(iri_or_node)
    tail = text[len(resource):].strip("/") if text.startswith(resource) else text.rsplit("/", 1)[-1]
    return "part-" + (re.sub(r"[^A-Za-z0-9]+", "-", tail).strip("-") or "node")


def _own_names(statements: list[StatementSource], subjects: list[Node]) -> dict[Node, str]:
    """Names the description itself gives its parts (blank nodes included): a label, else a code."""
    ranked: dict[Node, tuple[tuple[int, int, str], str]] = {}
    properties = (*LABEL_PROPERTIES, NOTATION)
    for st in statements:
        if st.s in subjects and str(st.p) in properties and isinstance(st.o, Literal):
            lang = (st.o.language or "").lower()
            key = (properties.index(str(st.p)), 0 if lang.startswith("en") else 1 if not lang else 2, str(st.o))
            if st.s not in ranked or key < ranked[st.s][0]:
                ranked[st.s] = (key, str(st.o))
    return {node: text for node, (_, text) in ranked.items()}


def _date(value: object) -> str | None:
    return value.date().isoformat() if hasattr(value, "date") else None  # type: ignore[union-attr]


def _fallback_text(iri: str, iris: Iris) -> str:
    """Readable text for an IRI without a label: a vocabulary term's words, else its last segment (the full
    IRI stays in the link and its title)."""
    if is_vocabulary_term(iri) and not iri.startswith(iris.base):
        return humanise(local_name(iri))
    return local_name(iri) or iri


def build_page(store: GraphStore, iris: Iris, iri: str, statements: list[StatementSource],
               link: Callable[[str], str], *, sparql_href: str, referrer_limit: int = 100) -> PageView:
    """The whole view model; ``statements`` come from :func:`graph.describe.statement_sources`."""
    subjects = list(described_subjects(store, iri))
    pointing: dict[Node, tuple[Node, Node]] = {}
    for s, p, o, *_ in statements:
        if o in subjects and o not in pointing and o != URIRef(iri):
            pointing[o] = (s, p)
    incoming = referrers(store, iri, limit=referrer_limit + 1)
    wanted = {iri} | {str(x) for st in statements for x in (st.p, st.o) if isinstance(x, URIRef)}
    wanted |= {str(s) for s, _ in incoming} | {str(p) for _, p in incoming}

    meta = iris.meta_graph
    provenance = {g: graph_provenance(store, g, meta) for g in dict.fromkeys(st.graph for st in statements)}
    # sources numbered by title, so the numbering is stable whatever order the store returns
    ordered = sorted(provenance, key=lambda g: ((provenance[g].title or g).lower(), g))
    numbers = {g: n for n, g in enumerate(ordered, start=1)}
    wanted |= {p.licence for p in provenance.values() if p.licence}
    same = equivalents(store, [w for w in wanted if not w.startswith(iris.base)], under=iris.base + "id/")
    names = labels(store, wanted | set(same.values()))
    own_names = _own_names(statements, subjects)

    def text_of(node: Node, predicate: str = "") -> str:
        iri = str(node)
        if iri in names:
            return names[iri]
        if iri in same:
            return names.get(same[iri]) or local_name(same[iri])
        return iri if predicate in SHOW_ADDRESS else _fallback_text(iri, iris)

    def href_of(iri: str) -> str:
        return link(same.get(iri, iri))

    sources = [SourceView(n, g, link(g), provenance[g].title or local_name(g), provenance[g].source,
                          provenance[g].licence, text_of(URIRef(provenance[g].licence)) if provenance[g].licence
                          else None, href_of(provenance[g].licence) if provenance[g].licence else None,
                          _date(provenance[g].modified), provenance[g].attribution)
               for g, n in sorted(numbers.items(), key=lambda item: item[1])]

    grouped: dict[Node, dict[str, dict[Node, list[int]]]] = {}
    for st in statements:
        by_predicate = grouped.setdefault(st.s, {}).setdefault(str(st.p), {})
        by_predicate.setdefault(st.o, [])
        if numbers[st.graph] not in by_predicate[st.o]:
            by_predicate[st.o].append(numbers[st.graph])

    def value_view(node: Node, source_numbers: list[int], predicate: str) -> ValueView:
        if isinstance(node, Literal):
            note = node.language or (local_name(str(node.datatype)) if node.datatype else None)
            return ValueView(str(node), note=note, sources=sorted(source_numbers))
        if node in subjects:
            return ValueView(own_names.get(node) or _section_heading(node), href="#" + _anchor(node, iri),
                             iri=str(node) if isinstance(node, URIRef) else None, sources=sorted(source_numbers))
        if isinstance(node, BNode):
            return ValueView("(anonymous)", sources=sorted(source_numbers))
        return ValueView(text_of(node, predicate), href=href_of(str(node)), iri=str(node),
                         sources=sorted(source_numbers))

    def _section_heading(node: Node) -> str:
        via = pointing.get(node)
        relation = term_label(str(via[1]), names) if via is not None else None
        own = own_names.get(node)
        if relation and own:
            return f"{relation}: {own}"
        return relation or own or humanise(local_name(str(node)))

    sections = []
    for subject in subjects:
        facts = []
        predicates = grouped.get(subject, {})
        order = sorted(predicates, key=lambda p: (LEADING.index(p) if p in LEADING else len(LEADING),
                                                  term_label(p, names).lower()))
        for predicate in order:
            values = [value_view(o, nums, predicate) for o, nums in predicates[predicate].items()]
            values.sort(key=lambda v: v.text.lower())
            facts.append(FactView(term_label(predicate, names), predicate, link(predicate), values))
        is_main = subject == URIRef(iri)
        sections.append(SectionView("about" if is_main else _anchor(subject, iri),
                                    "About" if is_main else _section_heading(subject),
                                    str(subject) if isinstance(subject, URIRef) else None, facts))

    types = sorted(text_of(o) for o in grouped.get(URIRef(iri), {}).get(RDF_TYPE, {}))
    referrer_views = [ReferrerView(text_of(s), link(str(s)), term_label(str(p), names))
                      for s, p in incoming[:referrer_limit]]
    referrer_views.sort(key=lambda r: (r.relation.lower(), r.text.lower()))
    return PageView(iri=iri, title=names.get(iri) or local_name(iri), types=types, sections=sections,
                    sources=sources, referrers=referrer_views, more_referrers=len(incoming) > referrer_limit,
                    referrers_query_href=sparql_href)
