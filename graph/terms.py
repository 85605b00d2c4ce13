"""Conversion between rdflib terms (used above ``graph/``) and pyoxigraph terms (used only inside it).

>>> from rdflib import Literal, URIRef
>>> to_rdflib(to_ox(Literal("Küche", lang="de"))) == Literal("Küche", lang="de")
True
>>> to_ox(URIRef("https://ourdata.coop/id/x"))
<NamedNode value=https://ourdata.coop/id/x>
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
from rdflib.term import BNode, Literal, URIRef

from graph.errors import BadRequest

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def to_ox(term: Any) -> Any:
    """rdflib term → pyoxigraph term. Raises BadRequest for an invalid IRI or language tag."""
    try:
        if isinstance(term, URIRef):
            return ox.NamedNode(str(term))
        if isinstance(term, BNode):
            return ox.BlankNode(str(term))
        if isinstance(term, Literal):
            if term.language:
                return ox.Literal(str(term), language=term.language)
            if term.datatype is not None and str(term.datatype) != XSD_STRING:
                return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
            return ox.Literal(str(term))
    except ValueError as exc:
        raise BadRequest(f"Invalid RDF term {term!r}: {exc}") from exc
    raise TypeError(f"not an RDF term: {term!r}")


def to_ox_graph(graph: str | None) -> Any:
    return ox.DefaultGraph() if graph is None else ox.NamedNode(graph)


def to_rdflib(term: Any) -> Any:
    """pyoxigraph term → rdflib term (lexical forms kept exactly)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == XSD_STRING:
            return Literal(term.value)
        # normalize=False keeps the lexical form as stored (e.g. "01"^^xsd:integer)
        return Literal(term.value, datatype=URIRef(datatype), normalize=False)
    if term is None:
        return None
    raise TypeError(f"unsupported term {term!r}")
