"""Evaluating a protocol query on a pyoxigraph store and serializing its result: the one code path that both the
in-process store (:mod:`graph.embedded`) and the reader processes (:mod:`graph.query_worker`) use, so a query
means the same thing wherever it runs. No rdflib here: reader processes import this and must start fast."""

from __future__ import annotations

from typing import Any, BinaryIO

import pyoxigraph as ox

from graph.csv_results import TsvToCsv
from graph.errors import BadRequest, QuerySyntaxError, StoreError
from graph.formats import ResultKind
from graph.sparql_text import has_dataset_clause

RESULT_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
RDF_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
}


def ox_format(name: str) -> Any:
    return RESULT_FORMATS.get(name) or RDF_FORMATS[name]


def named(iri: str) -> ox.NamedNode:
    try:
        return ox.NamedNode(iri)
    except ValueError as exc:
        raise BadRequest(f"'{iri}' is not a valid IRI: {exc}") from exc


def evaluate(store: ox.Store, query: str, *, default_graph_uris: tuple[str, ...] = (),
             named_graph_uris: tuple[str, ...] = (), base_iri: str | None = None,
             substitutions: dict[Any, Any] | None = None) -> Any:
    """Starts a query over the dataset the protocol describes (see :class:`graph.store.QueryRequest`).

    Evaluation is lazy: this parses and plans; rows are computed as the result is iterated or serialized.
    """
    kwargs: dict[str, Any] = {}
    if default_graph_uris or named_graph_uris:
        # the protocol's dataset replaces any FROM / FROM NAMED, exactly: what is not listed is not there
        kwargs["default_graph"] = [named(g) for g in default_graph_uris]
        kwargs["named_graphs"] = [named(g) for g in named_graph_uris]
    elif not ("from" in query.lower() and has_dataset_clause(query)):
        kwargs["use_default_graph_as_union"] = True  # our contract; a query's own FROM wins over it
    if base_iri:
        kwargs["base_iri"] = base_iri
    if substitutions:
        kwargs["substitutions"] = substitutions
    try:
        return store.query(query, **kwargs)
    except SyntaxError as exc:
        failure: Exception = QuerySyntaxError(f"The query does not parse: {exc.msg if hasattr(exc, 'msg') else exc}")
    except RuntimeError as exc:  # e.g. a substituted variable that is not projected
        failure = QuerySyntaxError(str(exc))
    except OSError as exc:
        failure = StoreError(f"The query failed: {exc}")
    # the error's traceback holds this frame: it must not keep the engine (and its directory lock) alive
    del store
    raise failure


def result_kind(result: Any) -> ResultKind:
    if isinstance(result, ox.QuerySolutions):
        return ResultKind.SOLUTIONS
    if isinstance(result, ox.QueryBoolean):
        return ResultKind.BOOLEAN
    return ResultKind.GRAPH


def serialize_result(result: Any, kind: ResultKind, fmt_name: str, output: BinaryIO) -> None:
    """Writes the whole result natively (the engine's serializer, no Python object per row)."""
    try:
        if kind is ResultKind.SOLUTIONS and fmt_name == "csv":
            # the engine's CSV leaves IRIs unquoted (a comma in an IRI splits the row): go through TSV
            transcoder = TsvToCsv(output)
            result.serialize(transcoder, ox.QueryResultsFormat.TSV)
            transcoder.close()
        else:
            result.serialize(output, ox_format(fmt_name))
    except OSError as exc:
        raise StoreError(f"The query failed while producing results: {exc}") from exc
