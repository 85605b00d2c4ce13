"""``/sparql``: the SPARQL 1.1 Query Protocol, exactly (GET, POST form, POST direct, HEAD)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from fastapi import APIRouter, Request
from starlette.responses import Response, StreamingResponse

from api.deps import ServicesDep, body_media_type, caller, decode_utf8, parse_form, read_body, url_params
from api.negotiation import choose_format, prefers_html
from api.pages import render
from api.query_stream import QueryExecution
from api.rdf_response import negotiate_rdf, rdf_response
from api.service_description import service_description
from graph.capped_results import CapReport
from graph.errors import BadRequest, Forbidden, NotAcceptable, UnsupportedMediaType
from graph.formats import (
    RDF_BY_NAME,
    RESULTS_BY_NAME,
    Format,
    ResultKind,
    formats_for,
    rdf_format_for_media_type,
    result_format_for_media_type,
)
from graph.store import QueryLimits, QueryRequest

router = APIRouter(tags=["SPARQL"])

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
#: Parameters the protocol gives to other operations: sending them here is a malformed request.
_FOREIGN = ("update", "using-graph-uri", "using-named-graph-uri")
#: Short names accepted in ``format``/``output`` (a convenience many clients, SPARQLWrapper among them, send).
_SHORT = {"json": ("json", "jsonld"), "xml": ("xml", "rdfxml"), "csv": ("csv", None), "tsv": ("tsv", None),
          "turtle": (None, "turtle"), "ttl": (None, "turtle"), "n3": (None, "turtle"),
          "ntriples": (None, "ntriples"), "nt": (None, "ntriples"), "jsonld": (None, "jsonld"),
          "json-ld": (None, "jsonld"), "rdfxml": (None, "rdfxml"), "rdf": (None, "rdfxml"),
          "trig": (None, "trig"), "nquads": (None, "nquads"), "nq": (None, "nquads"), "rdf+xml": (None, "rdfxml"),
          "tab-separated-values": ("tsv", None)}

_HEADERS = {"Vary": "Accept"}
#: Sent when a result was cut to the configured limits: the reason (max-rows, max-bytes) and the rows kept.
CAPPED_HEADER = "Ourdata-Result-Capped"


def _one_query(params: Mapping[str, list[str]]) -> str | None:
    queries = params.get("query", [])
    if len(queries) > 1:
        raise BadRequest("The request carries more than one 'query' parameter.")
    return queries[0] if queries else None


def _check_foreign(params: Mapping[str, list[str]]) -> None:
    for name in _FOREIGN:
        if name in params:
            raise BadRequest(f"'{name}' belongs to the update operation; send updates to /update.")


def _format_override(params: Mapping[str, list[str]]) -> dict[ResultKind, Format] | None:
    values = params.get("format", []) + params.get("output", [])
    if not values:
        return None
    value = values[0].strip().lower()
    if value in _SHORT:
        results, rdf = _SHORT[value]
        override: dict[ResultKind, Format] = {}
        if results:
            override[ResultKind.SOLUTIONS] = override[ResultKind.BOOLEAN] = RESULTS_BY_NAME[results]
        if rdf:
            override[ResultKind.GRAPH] = RDF_BY_NAME[rdf]
        return override
    by_media_type = {kind: fmt for kind, fmt in ((ResultKind.SOLUTIONS, result_format_for_media_type(value)),
                                                 (ResultKind.BOOLEAN, result_format_for_media_type(value)),
                                                 (ResultKind.GRAPH, rdf_format_for_media_type(value))) if fmt}
    if by_media_type:  # e.g. format=application/sparql-results+json, as Virtuoso clients send
        return by_media_type
    raise NotAcceptable(f"Unknown format '{values[0]}'.", available=sorted(_SHORT))


def query_request(query: str, params: Mapping[str, list[str]], base_iri: str) -> QueryRequest:
    if not query.strip():
        raise BadRequest("The 'query' parameter is empty.")
    return QueryRequest(
        query=query,
        default_graph_uris=tuple(params.get("default-graph-uri", [])),
        named_graph_uris=tuple(params.get("named-graph-uri", [])),
        base_iri=base_iri,
    )


def _chooser(accept: str | None, override: dict[ResultKind, Format] | None):  # type: ignore[no-untyped-def]
    def choose(kind: ResultKind) -> Format:
        if override is not None and kind in override:
            return override[kind]
        if override is not None:
            raise NotAcceptable(f"The requested format cannot hold a {kind.value} result.",
                                available=[f.media_type for f in formats_for(kind)])
        return choose_format(kind, accept)

    return choose


def _limits(request: Request, services: ServicesDep, params: Mapping[str, list[str]]) -> QueryLimits:
    """The time limit and result caps of this query. ``timeout`` (seconds) may shorten the limit; only an admin
    token may lengthen it, up to ``query_timeout_max``."""
    settings = services.settings
    timeout = settings.query_timeout
    values = params.get("timeout", [])
    if values:
        try:
            asked = float(values[0])
        except ValueError:
            raise BadRequest(f"'timeout' must be a number of seconds, not '{values[0]}'.") from None
        if not asked > 0 or asked != asked:
            raise BadRequest("'timeout' must be a positive number of seconds.")
        if asked > settings.query_timeout:
            record = caller(request, services)
            if record is None or not record.is_admin:
                raise Forbidden(f"A time limit above {settings.query_timeout:g} s needs an admin token.")
            if asked > settings.query_timeout_max:
                raise BadRequest(f"The longest time limit is {settings.query_timeout_max:g} s.")
        timeout = asked
    return QueryLimits(timeout=timeout, max_rows=settings.query_max_rows, max_bytes=settings.query_max_result_bytes)


def result_headers(fmt: Format, cap: CapReport | None) -> dict[str, str]:
    """The headers of a result (front processes send the same, api/front_process.py)."""
    headers = {**_HEADERS, "Content-Type": fmt.content_type}
    if cap is not None and cap.capped:
        headers[CAPPED_HEADER] = f"{cap.reason}; rows={cap.rows}"
    return headers


async def answer(request: Request, services: ServicesDep, to_run: QueryRequest,
                 params: Mapping[str, list[str]], *, head_only: bool = False) -> Response:
    """The response to a query (its protocol errors raised): the GET, POST and HEAD routes and the fast lane
    (api/fast_lane.py) all answer here."""
    accept = request.headers.get("accept")
    chooser = _chooser(accept, _format_override(params))
    limits = _limits(request, services, params)
    store = services.store
    if head_only:
        loop = asyncio.get_running_loop()
        fmt = await loop.run_in_executor(services.query_executor, store.run_query, to_run, chooser, None)
        return _head_response(fmt.content_type)
    execution = QueryExecution(asyncio.get_running_loop(), buffer_bytes=services.settings.stream_buffer_bytes)
    # reader processes enforce the limit themselves, before any byte; in process the route stops waiting at the
    # limit and the worker stops at its next write
    in_process = getattr(store, "readers", None) is None
    head = await execution.start(services.query_executor,
                                 lambda sink: store.run_query(to_run, chooser, sink, limits),
                                 timeout=limits.timeout if in_process else None)
    if head.error is not None:
        raise head.error
    assert head.fmt is not None  # set whenever there is no error
    if head.body is not None:
        return Response(head.body, headers=result_headers(head.fmt, head.cap))
    return StreamingResponse(execution.stream(), headers=result_headers(head.fmt, head.cap))


def _head_response(content_type: str) -> Response:
    """HEAD: the GET's headers without its body. The body's length is not known without producing it, so
    no Content-Length is sent (a ``0`` would claim an empty result)."""
    response = Response(headers={**_HEADERS, "Content-Type": content_type})
    del response.headers["content-length"]
    return response


def _endpoint(request: Request) -> str:
    return str(request.url.replace(query="", fragment="")).rstrip("?")


async def _describe(request: Request, services: ServicesDep, head_only: bool = False) -> Response:
    accept = request.headers.get("accept")
    if prefers_html(accept):
        if head_only:
            return _head_response("text/html; charset=utf-8")
        return render(request, "query.html", {"endpoint": _endpoint(request)}, headers=_HEADERS)
    fmt = negotiate_rdf(accept)
    if head_only:
        return _head_response(fmt.content_type)
    endpoint = _endpoint(request)
    base = str(request.base_url)
    loop = asyncio.get_running_loop()
    graph = await loop.run_in_executor(
        services.query_executor,
        lambda: service_description(endpoint, services.store, update_endpoint=base + "update",
                                    void_iri=base + ".well-known/void"),
    )
    return rdf_response(graph, fmt)


@router.get("/sparql", summary="Run a SPARQL query (GET), or get the service description / query page")
async def sparql_get(request: Request, services: ServicesDep) -> Response:
    """``?query=`` runs the query. Without it: the query page for browsers, the service description otherwise."""
    params = url_params(request)
    _check_foreign(params)
    query = _one_query(params)
    if query is None:
        return await _describe(request, services)
    return await answer(request, services, query_request(query, params, services.iris.base), params)


@router.head("/sparql", include_in_schema=False)
async def sparql_head(request: Request, services: ServicesDep) -> Response:
    params = url_params(request)
    _check_foreign(params)
    query = _one_query(params)
    if query is None:
        return await _describe(request, services, head_only=True)
    return await answer(request, services, query_request(query, params, services.iris.base), params, head_only=True)


@router.post("/sparql", summary="Run a SPARQL query (POST form or application/sparql-query)")
async def sparql_post(request: Request, services: ServicesDep) -> Response:
    """Body ``application/x-www-form-urlencoded`` with ``query=``, or ``application/sparql-query``."""
    content_type = body_media_type(request)
    in_url = url_params(request)
    _check_foreign(in_url)
    if content_type == FORM:
        form = parse_form(await read_body(request, services.settings.max_body_bytes))
        _check_foreign(form)
        if "query" in in_url:
            raise BadRequest("The query is given both in the URL and in the body.")
        query = _one_query(form)
        if query is None:
            raise BadRequest("The form body has no 'query' parameter.")
        params = {**in_url}
        for key, values in form.items():
            params.setdefault(key, []).extend(values)
        return await answer(request, services, query_request(query, params, services.iris.base), params)
    if content_type == SPARQL_QUERY:
        if "query" in in_url:
            raise BadRequest("The query is given both in the URL and in the body.")
        query = decode_utf8(await read_body(request, services.settings.max_body_bytes), "query")
        return await answer(request, services, query_request(query, in_url, services.iris.base), in_url)
    raise UnsupportedMediaType(
        f"A query POST must be '{FORM}' or '{SPARQL_QUERY}', not '{content_type or 'none'}'."
    )
