"""The serialization formats we speak, named by media type, independent of any engine.

Query results (SELECT/ASK) and RDF graphs (CONSTRUCT/DESCRIBE, dumps, uploads) have separate tables.
The first media type of each entry is the one we answer with; the others are accepted aliases.

>>> rdf_format_for_media_type("text/turtle; charset=utf-8").name
'turtle'
>>> rdf_format_for_extension("data.nq").name
'nquads'
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class ResultKind(Enum):
    """What a query produces: the format table to negotiate against."""

    SOLUTIONS = "solutions"  # SELECT
    BOOLEAN = "boolean"  # ASK
    GRAPH = "graph"  # CONSTRUCT, DESCRIBE


@dataclass(frozen=True)
class Format:
    name: str
    media_types: tuple[str, ...]
    extensions: tuple[str, ...]
    supports_datasets: bool = False  # named graphs (TriG, N-Quads, JSON-LD)

    @property
    def media_type(self) -> str:
        return self.media_types[0]

    @property
    def content_type(self) -> str:
        """Content-Type header value: text formats declare UTF-8."""
        mt = self.media_type
        textual = mt.startswith("text/") or mt.endswith(("+json", "+xml")) or mt in _TEXT_APPLICATION
        return f"{mt}; charset=utf-8" if textual else mt


_TEXT_APPLICATION = {"application/n-triples", "application/n-quads", "application/trig", "application/json"}

RESULT_FORMATS: tuple[Format, ...] = (
    Format("json", ("application/sparql-results+json", "application/json"), (".srj", ".json")),
    Format("xml", ("application/sparql-results+xml", "application/xml", "text/xml"), (".srx", ".xml")),
    Format("csv", ("text/csv",), (".csv",)),
    Format("tsv", ("text/tab-separated-values",), (".tsv",)),
)

RDF_FORMATS: tuple[Format, ...] = (
    Format("turtle", ("text/turtle", "application/x-turtle"), (".ttl",)),
    Format("ntriples", ("application/n-triples", "text/plain"), (".nt",)),
    Format("jsonld", ("application/ld+json", "application/json"), (".jsonld", ".json"), True),
    Format("rdfxml", ("application/rdf+xml", "application/xml", "text/xml"), (".rdf", ".owl", ".xml")),
    Format("trig", ("application/trig", "application/x-trig"), (".trig",), True),
    Format("nquads", ("application/n-quads", "text/x-nquads"), (".nq",), True),
)

RDF_BY_NAME = {f.name: f for f in RDF_FORMATS}
RESULTS_BY_NAME = {f.name: f for f in RESULT_FORMATS}


def _bare(media_type: str) -> str:
    return media_type.split(";", 1)[0].strip().lower()


def rdf_format_for_media_type(media_type: str) -> Format | None:
    bare = _bare(media_type)
    return next((f for f in RDF_FORMATS if bare in f.media_types), None)


def result_format_for_media_type(media_type: str) -> Format | None:
    bare = _bare(media_type)
    return next((f for f in RESULT_FORMATS if bare in f.media_types), None)


def rdf_format_for_extension(filename: str) -> Format | None:
    lower = filename.lower()
    return next((f for f in RDF_FORMATS if lower.endswith(f.extensions)), None)


def formats_for(kind: ResultKind) -> tuple[Format, ...]:
    """The formats a result of this kind can be written in, preferred first."""
    return RDF_FORMATS if kind is ResultKind.GRAPH else RESULT_FORMATS
