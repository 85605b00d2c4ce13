"""Small RDF documents (service descriptions, resource pages) serialized by content negotiation."""

from __future__ import annotations

from rdflib import Dataset, Graph
from starlette.responses import Response

from api.negotiation import choose
from graph.errors import NotAcceptable
from graph.formats import RDF_FORMATS, Format

_RDFLIB_NAMES = {"turtle": "turtle", "ntriples": "nt", "jsonld": "json-ld", "rdfxml": "xml",
                 "trig": "trig", "nquads": "nquads"}


def negotiate_rdf(accept: str | None, formats: tuple[Format, ...] = RDF_FORMATS) -> Format:
    offered = [mt for f in formats for mt in f.media_types]
    media_type = choose(offered, accept)
    if media_type is None:
        raise NotAcceptable(f"Cannot send this as any of: {accept}.", available=[f.media_type for f in formats])
    return next(f for f in formats if media_type in f.media_types)


def serialize_graph(graph: Graph, fmt: Format) -> bytes:
    """Serializes a plain graph; for dataset formats (TriG, N-Quads) its triples go in the default graph
    (rdflib would otherwise fail on N-Quads, or invent a blank-node graph name in TriG)."""
    if fmt.name in ("trig", "nquads") and not isinstance(graph, Dataset):
        dataset = Dataset()
        for prefix, namespace in graph.namespaces():
            dataset.bind(prefix, namespace)
        default = dataset.default_context
        for triple in graph:
            default.add(triple)
        graph = dataset
    return graph.serialize(format=_RDFLIB_NAMES[fmt.name], encoding="utf-8")


def rdf_response(graph: Graph, fmt: Format, *, headers: dict[str, str] | None = None) -> Response:
    merged = {"Vary": "Accept"}
    merged.update(headers or {})
    return Response(serialize_graph(graph, fmt), media_type=fmt.content_type, headers=merged)
