"""Reading the statements about given subjects (and the links to given objects) as plain terms, for hot paths.

The JSON-LD API's documents (:mod:`graph.api_documents`) need a handful of such reads per resource. On the
embedded store they go straight to the engine's indexes (``quads_for_pattern``): through SPARQL each read cost a
parse, a plan and an rdflib term per value, most of a cold organisation document's cost; with index reads (and
plain terms) the document costs about a third of the CPU it did (benchmarks/RESULTS.md, issue 4). Any other store
is read through SPARQL.

Both give what SPARQL over our default graph (the union of every graph) gives: one triple per graph that holds
it, grouped by subject in the order asked, each group in the engine's order. The index reads keep every lexical
form exactly as stored; the SPARQL reads go through rdflib terms, which collapse the whitespace of
``xsd:token`` and ``xsd:normalizedString`` values.

>>> from graph.embedded import EmbeddedStore
>>> from graph.formats import RDF_BY_NAME
>>> store = EmbeddedStore.open(None)
>>> _ = store.load(b'<https://ex.org/a> <https://ex.org/p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .',
...                RDF_BY_NAME["ntriples"], graph="https://ex.org/g")
>>> reads_for(store).about(["https://ex.org/a"]) == SparqlReads(store).about(["https://ex.org/a"])
True
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol

import pyoxigraph as ox
from rdflib.term import BNode

from graph.plain_terms import Blank, Lit, PlainTriple, Subject, Term, plain
from graph.sparql_text import checked_iri
from graph.store import GraphStore, Row

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
#: IRIs per VALUES block of a SPARQL read.
BATCH = 200


class StatementReads(Protocol):
    def about(self, subjects: Sequence[Subject]) -> list[PlainTriple]:
        """Every statement whose subject is one of ``subjects`` (no repeats), grouped by subject in their order."""
        ...

    def about_with(self, subjects: Sequence[str], predicates: Sequence[str], *, literals_only: bool = False
                   ) -> list[PlainTriple]:
        """The statements of ``subjects`` through ``predicates`` (with literal objects only, if asked), grouped
        by subject in their order, then by predicate in theirs."""
        ...

    def linking(self, objects: Sequence[str], predicate: str) -> list[PlainTriple]:
        """Every ``?s <predicate> ?o`` with ``?o`` in ``objects`` and ``?s`` an IRI, grouped by object in their
        order."""
        ...


def reads_for(store: GraphStore) -> StatementReads:
    """Index reads for the embedded store; SPARQL for any other."""
    from graph.embedded import EmbeddedStore

    return IndexReads(store.engine) if isinstance(store, EmbeddedStore) else SparqlReads(store)


def _term(term: Any) -> Term:
    """A pyoxigraph term as a plain term (what :func:`graph.terms.to_rdflib` then :func:`plain` would give, without
    rdflib's rewriting of some lexical forms)."""
    kind = type(term)
    if kind is ox.NamedNode:
        return str(term.value)
    if kind is ox.Literal:
        language = term.language
        if language:
            return Lit(term.value, "", language)
        datatype = term.datatype.value
        return Lit(term.value, "" if datatype == XSD_STRING else datatype, "")
    if kind is ox.BlankNode:
        return Blank(term.value)
    raise TypeError(f"unsupported term {term!r}")


class IndexReads:
    """Reads on a pyoxigraph store through its indexes: one lookup per subject (or object), no query text."""

    def __init__(self, engine: ox.Store) -> None:
        self.engine = engine

    @staticmethod
    def _node(subject: Subject) -> Any:
        return ox.NamedNode(subject) if type(subject) is str else ox.BlankNode(subject[0])

    def about(self, subjects: Sequence[Subject]) -> list[PlainTriple]:
        out: list[PlainTriple] = []
        for subject in subjects:
            for quad in self.engine.quads_for_pattern(self._node(subject), None, None, None):
                out.append((subject, quad.predicate.value, _term(quad.object)))
        return out

    def about_with(self, subjects: Sequence[str], predicates: Sequence[str], *, literals_only: bool = False
                   ) -> list[PlainTriple]:
        # one lookup per subject and predicate: the other values of a subject (a dataset's long descriptions) are
        # never decoded
        through = [(predicate, ox.NamedNode(predicate)) for predicate in predicates]
        out: list[PlainTriple] = []
        for subject in subjects:
            node = ox.NamedNode(subject)
            for predicate, engine_predicate in through:
                for quad in self.engine.quads_for_pattern(node, engine_predicate, None, None):
                    value = _term(quad.object)
                    if not literals_only or type(value) is Lit:
                        out.append((subject, predicate, value))
        return out

    def linking(self, objects: Sequence[str], predicate: str) -> list[PlainTriple]:
        through = ox.NamedNode(predicate)
        out: list[PlainTriple] = []
        for obj in objects:
            for quad in self.engine.quads_for_pattern(None, through, ox.NamedNode(obj), None):
                if type(quad.subject) is ox.NamedNode:
                    out.append((quad.subject.value, predicate, obj))
        return out


_OUT = "SELECT ?s ?p ?o WHERE {{ VALUES ?s {{ {values} }} ?s ?p ?o }}"
_OUT_ONE = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
_FILTERED = "SELECT ?s ?p ?o WHERE {{ VALUES ?s {{ {values} }} ?s ?p ?o FILTER(?p IN ({properties}){literal}) }}"
_INCOMING = "SELECT ?s ?o WHERE {{ VALUES ?o {{ {values} }} ?s {predicate} ?o FILTER(isIRI(?s)) }}"


class SparqlReads:
    """The same reads as SPARQL SELECTs (VALUES over validated IRIs; a blank node as a binding)."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store

    def _rows(self, template: str, iris: Sequence[str], **fields: str) -> list[Row]:
        rows: list[Row] = []
        for start in range(0, len(iris), BATCH):
            values = " ".join(checked_iri(i) for i in iris[start : start + BATCH])
            rows.extend(self.store.select(template.format(values=values, **fields)))
        return rows

    @staticmethod
    def _triples(rows: Iterable[Row]) -> list[PlainTriple]:
        return [(plain(row["s"]), plain(row["p"]), plain(row["o"])) for row in rows]  # type: ignore[misc]

    def about(self, subjects: Sequence[Subject]) -> list[PlainTriple]:
        iris = [s for s in subjects if type(s) is str]
        found = self._triples(self._rows(_OUT, iris)) if iris else []  # type: ignore[arg-type]
        for subject in subjects:
            if type(subject) is Blank:
                found += self._triples(self.store.select(_OUT_ONE, bindings={"s": BNode(subject.id)}))
        return _in_order(found, subjects, 0)

    def about_with(self, subjects: Sequence[str], predicates: Sequence[str], *, literals_only: bool = False
                   ) -> list[PlainTriple]:
        rows = self._rows(_FILTERED, subjects, properties=", ".join(checked_iri(p) for p in predicates),
                          literal=" && isLiteral(?o)" if literals_only else "")
        rank = {predicate: n for n, predicate in enumerate(predicates)}
        by_predicate = sorted(self._triples(rows), key=lambda t: rank[t[1]])  # stable: engine order within
        return _in_order(by_predicate, subjects, 0)

    def linking(self, objects: Sequence[str], predicate: str) -> list[PlainTriple]:
        rows = self._rows(_INCOMING, objects, predicate=checked_iri(predicate))
        found: list[PlainTriple] = [(str(plain(row["s"])), predicate, str(plain(row["o"]))) for row in rows]
        return _in_order(found, objects, 2)


def _in_order(triples: list[PlainTriple], keys: Sequence[Term], position: int) -> list[PlainTriple]:
    """Grouped by the term at ``position``, in the order of ``keys`` (as the index reads give them), each group
    in the engine's order."""
    groups: dict[Term, list[PlainTriple]] = {key: [] for key in keys}
    for triple in triples:
        groups[triple[position]].append(triple)
    return [t for group in groups.values() for t in group]
