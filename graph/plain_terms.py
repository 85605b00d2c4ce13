"""Plain RDF terms for hot paths (the JSON-LD API's documents): an IRI is a ``str``, a literal a :class:`Lit`, a
blank node a :class:`Blank`.

rdflib terms hash and compare in Python (``Identifier.__hash__``, ``Literal.__eq__``) and their ``datatype`` and
``language`` are properties; these are tuples and strings, which hash, compare and sort in C. Equality is RDF term
equality (exact lexical form, datatype and language), as rdflib's is. Built once from the rows a store returns.

>>> from rdflib import BNode, Literal, URIRef
>>> plain(URIRef("https://ex.org/a")), plain(Literal("1", datatype=URIRef(XSD + "integer"))).datatype
('https://ex.org/a', 'http://www.w3.org/2001/XMLSchema#integer')
>>> plain(Literal("Küche", lang="de")) == Lit("Küche", "", "de"), plain(BNode("x")) == Blank("x")
(True, True)
"""

from __future__ import annotations

from typing import NamedTuple

from rdflib.term import BNode, Literal, URIRef

XSD = "http://www.w3.org/2001/XMLSchema#"


class Lit(NamedTuple):
    """A literal: its lexical form, datatype IRI ("" for a plain ``xsd:string``) and language tag ("" if none)."""

    value: str
    datatype: str
    language: str


class Blank(NamedTuple):
    """A blank node, by the store's identifier."""

    id: str


Term = str | Lit | Blank
Subject = str | Blank
PlainTriple = tuple[Subject, str, Term]


def plain(term: URIRef | BNode | Literal) -> Term:
    """The plain form of an rdflib term as :func:`graph.terms.to_rdflib` makes them."""
    kind = type(term)
    if kind is URIRef:
        return str(term)
    if kind is Literal:
        datatype = term.datatype  # type: ignore[union-attr]
        return Lit(str(term), "" if datatype is None else str(datatype), term.language or "")  # type: ignore[union-attr]
    if kind is BNode:
        return Blank(str(term))
    if isinstance(term, URIRef):  # a subclass (another store implementation's terms)
        return str(term)
    if isinstance(term, Literal):
        return Lit(str(term), "" if term.datatype is None else str(term.datatype), term.language or "")
    if isinstance(term, BNode):
        return Blank(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def text(term: Term) -> str:
    """The IRI, lexical form or blank node identifier."""
    if type(term) is str:
        return term
    return term[0]
