"""RDF terms of a contribution as canonical N-Triples strings, and the RDF parsers that produce them.

Why strings: a contribution can hold a million triples and must load at 100,000 triples/s or more. A
canonical N-Triples string is hashable, compares exactly, and joins straight into the N-Quads document that
:meth:`graph.store.GraphStore.apply` writes, with no Python object per term; rdflib terms are made only for
the few triples pyshacl sees. The strings are made by the engine's own serializer (through graph/rdf_io.py,
so pyoxigraph stays inside graph/).

>>> iri("https://ourdata.coop/id/organisation/x")
'<https://ourdata.coop/id/organisation/x>'
>>> literal('say "hi"', lang="EN")
'"say \\\\"hi\\\\""@en'
>>> lexical(literal("line\\nnext")), datatype(literal("4", XSD + "integer")) == XSD + "integer"
('line\\nnext', True)
>>> kind("_:b1"), kind('"x"'), kind("<urn:x>")
('bnode', 'literal', 'iri')
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from rdflib import Graph

from graph.rdf_io import nt_iri, nt_literal, parse_term_strings, parse_triples, unescape

Triple = tuple[str, str, str]

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDF_TYPE = f"<{RDF}type>"
XSD_STRING = XSD + "string"
LANG_STRING = RDF + "langString"



class TermError(ValueError):
    """A value that cannot be an RDF term (e.g. an IRI with a space): the message says why."""


@lru_cache(maxsize=65536)
def iri(value: str) -> str:
    """``<value>`` after checking it is an absolute IRI; raises TermError otherwise."""
    try:
        return nt_iri(value)
    except ValueError as exc:
        raise TermError(f"'{value}' is not a valid IRI ({exc})") from exc


def literal(value: str, datatype_iri: str | None = None, *, lang: str | None = None) -> str:
    """A literal in canonical N-Triples form (language tags lower-cased, escapes as the engine writes them)."""
    try:
        return nt_literal(value, datatype_iri, lang=lang)
    except ValueError as exc:
        raise TermError(f"'{value}' cannot be a literal ({exc})") from exc


def kind(term: str) -> str:
    """``iri``, ``bnode`` or ``literal``."""
    first = term[0]
    return "iri" if first == "<" else "literal" if first == '"' else "bnode"


def iri_value(term: str) -> str:
    return term[1:-1]


def _split(term: str) -> tuple[str, str]:
    end = term.rindex('"')
    return term[1:end], term[end + 1 :]


def lexical(term: str) -> str:
    """The lexical form of a literal, unescaped."""
    raw, _ = _split(term)
    return unescape(raw)


def language(term: str) -> str | None:
    _, suffix = _split(term)
    return suffix[1:] if suffix.startswith("@") else None


def datatype(term: str) -> str:
    """The datatype IRI of a literal (rdf:langString for a tagged one, xsd:string for a plain one)."""
    _, suffix = _split(term)
    if suffix.startswith("^^"):
        return suffix[3:-1]
    return LANG_STRING if suffix.startswith("@") else XSD_STRING


def text(term: str) -> str:
    """What a person would call the value: the IRI, the lexical form, or the blank node's label."""
    k = kind(term)
    return iri_value(term) if k == "iri" else lexical(term) if k == "literal" else term


def local_name(iri_text: str) -> str:
    """``http://purl.org/dc/terms/title`` -> ``title``."""
    return re.split(r"[/#]", iri_text.rstrip("/#"))[-1]


# ----------------------------------------------------------------------------------------------------- parsing
def parse_rdf(data: bytes | str, fmt: str, *, base_iri: str | None = None) -> list[Triple]:
    """Parses a one-graph document (``turtle``, ``ntriples``, ``rdfxml``, ``jsonld``) into term strings.

    Raises SyntaxError with the engine's message (it carries the line and column) when it does not parse.
    Named graphs are refused by the engine (``without_named_graphs``). Remote JSON-LD contexts are never
    fetched: the engine has no loader for them and fails."""
    return parse_term_strings(data, fmt, base_iri=base_iri)


def syntax_position(exc: SyntaxError) -> tuple[int | None, int | None]:
    """The (line, column) a parser error names, when it names one."""
    line = getattr(exc, "lineno", None)
    column = getattr(exc, "offset", None)
    if line is None:
        match = re.search(r"line (\d+)(?:[^\d]+(\d+))?", str(exc))
        if match:
            line = int(match.group(1))
            column = int(match.group(2)) if match.group(2) else None
    return line, column


def nquads(triples: Iterable[Triple], graph: str) -> bytes:
    """An N-Quads document of ``triples`` in the named graph ``graph`` (an IRI)."""
    g = iri(graph)
    return "".join(f"{s} {p} {o} {g} .\n" for s, p, o in triples).encode("utf-8")


def to_graph(triples: Iterable[Triple]) -> Graph:
    """An rdflib graph of the triples (for pyshacl): parsed by the engine, converted term by term."""
    graph = Graph()
    document = "".join(f"{s} {p} {o} .\n" for s, p, o in triples)
    for triple in parse_triples(document.encode("utf-8"), "ntriples"):
        graph.add(triple)
    return graph


def from_rdflib(term: object) -> str:
    """An rdflib term (from the store's query results) as a canonical term string."""
    from rdflib.term import BNode, Literal, URIRef

    if isinstance(term, URIRef):
        return iri(str(term))
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal):
        return literal(str(term), str(term.datatype) if term.datatype else None, lang=term.language)
    raise TypeError(f"not an RDF term: {term!r}")
