"""RDF parsing and term printing by the engine, for the loaders (so pyoxigraph stays inside ``graph/``).

The engine's parsers have no document loader: a JSON-LD remote ``@context`` fails instead of being fetched,
and RDF/XML external entities are not read. Terms print in canonical N-Triples, the form the store keeps.

>>> nt_iri("https://ourdata.coop/id/x")
'<https://ourdata.coop/id/x>'
>>> nt_literal("Küche", lang="DE")
'"Küche"@de'
>>> parse_term_strings(b'<http://a> <http://b> "c" .', "ntriples")
[('<http://a>', '<http://b>', '"c"')]
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from graph.errors import RdfSyntaxError
from graph.store import Triple
from graph.terms import XSD_STRING, to_rdflib

_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
}

TermStrings = tuple[str, str, str]

_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))", re.DOTALL)
_SIMPLE_ESCAPES = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def unescape(body: str) -> str:
    r"""The text of a quoted N-Triples/Turtle string body: ``\n``, ``\"``, ``\uXXXX`` ... decoded.

    >>> unescape(r'say \"hi\"\n\u00e9')
    'say "hi"\né'
    """
    return _ESCAPE.sub(_unescape, body) if "\\" in body else body


def _unescape(match: re.Match[str]) -> str:
    if match.group(1) or match.group(2):
        return chr(int(match.group(1) or match.group(2), 16))
    return _SIMPLE_ESCAPES.get(match.group(3), match.group(3))


def _parsed(data: bytes | str | None, fmt: str, path: Path | None, base_iri: str | None) -> Any:
    """Raises SyntaxError with the engine's message (line and column) when the document does not parse."""
    if path is not None:
        return ox.parse(path=str(path), format=_FORMATS[fmt], base_iri=base_iri, without_named_graphs=True)
    return ox.parse(data, _FORMATS[fmt], base_iri=base_iri, without_named_graphs=True)


def parse_term_strings(data: bytes | str, fmt: str, *, base_iri: str | None = None) -> list[TermStrings]:
    """A one-graph document (turtle, ntriples, rdfxml, jsonld) as canonical N-Triples term strings;
    a document naming graphs is refused (SyntaxError)."""
    return [(str(q.subject), str(q.predicate), str(q.object)) for q in _parsed(data, fmt, None, base_iri)]


def parse_triples(data: bytes | str | None = None, fmt: str = "turtle", *, path: Path | None = None,
                  base_iri: str | None = None) -> list[Triple]:
    """A one-graph document as rdflib triples (lexical forms kept as written)."""
    return [(to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object))
            for q in _parsed(data, fmt, path, base_iri)]


def parse_quads(data: bytes | IO[bytes], engine_format: Any, name: str, target: Any, base_iri: str | None,
                allow_named_graphs: bool = False) -> list[ox.Quad]:
    """A document's quads for a store write, those in no graph put in ``target``; a syntax error is the client's."""
    try:
        parsed = ox.parse(data, engine_format, base_iri=base_iri, without_named_graphs=not allow_named_graphs)
        return [q if not isinstance(q.graph_name, ox.DefaultGraph) else
                ox.Quad(q.subject, q.predicate, q.object, target) for q in parsed]
    except SyntaxError as exc:
        raise RdfSyntaxError(f"The {name} document does not parse: {exc}") from exc
    except (OSError, ValueError) as exc:
        raise RdfSyntaxError(f"The {name} document could not be read: {exc}") from exc


def nt_iri(value: str) -> str:
    """``<value>`` after checking it is an absolute IRI; raises ValueError otherwise."""
    return str(ox.NamedNode(value))


def nt_literal(value: str, datatype_iri: str | None = None, *, lang: str | None = None) -> str:
    """A literal in canonical N-Triples form (language tags lower-cased); raises ValueError when invalid."""
    if lang:
        return str(ox.Literal(value, language=lang))
    if datatype_iri and datatype_iri != XSD_STRING:
        return str(ox.Literal(value, datatype=ox.NamedNode(datatype_iri)))
    return str(ox.Literal(value))
