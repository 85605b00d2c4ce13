"""``/api/v1/{organisations,datasets,licences,legal-forms,countries}`` and ``/api/v1/{collection}/{id}``: JSON-LD.

Lists and resources are compacted with our published context (``/api/v1/context.jsonld``, named in the body
and in a ``Link`` header) and framed to one stable shape per kind (:mod:`api.framing`). Every GET carries a
weak ``ETag`` (over the body) and ``Last-Modified``, and answers 304 to a matching ``If-None-Match``.
A resource asked for as HTML or another RDF syntax is sent (303) to its ``/doc/`` page, which negotiates.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import Response

from api import api_examples
from api.api_listing import catalogue_for, list_page, resource
from api.api_params import DESCRIPTIONS, MAX_PER_PAGE, parse_list_request
from api.deps import Services, ServicesDep
from api.http_cache import etag_for, is_not_modified, not_modified, validator_headers
from api.negotiation import choose
from api.response_cache import Rendered, ResponseCache, render
from graph.api_documents import OverBudget
from graph.catalogue import Catalogue, Snapshot
from graph.catalogue_terms import KINDS, Kind
from graph.errors import NotAcceptable

router = APIRouter(tags=["JSON-LD API"])

JSONLD = "application/ld+json"
JSON = "application/json"
CONTEXT_PATH = "/api/v1/context.jsonld"
CONTEXT_REL = "http://www.w3.org/ns/json-ld#context"
#: Other representations of a resource live at /doc/ (303 there).
ELSEWHERE = ("text/html", "application/xhtml+xml", "text/turtle", "application/n-triples", "application/rdf+xml")
CACHE_CONTROL = "public, no-cache"  # store, but revalidate: the ETag makes that cheap
#: A resource of at most this many statements (an organisation has 20-60) is framed on the event loop: about 2 ms
#: at most; a larger one goes to a thread.
INLINE_STATEMENTS = 250

T = TypeVar("T")


async def in_worker(services: Services, work: Callable[[], T]) -> T:
    """Store work runs in the query threads, never on the event loop."""
    return await asyncio.get_running_loop().run_in_executor(services.query_executor, work)


def context_url(request: Request) -> str:
    return str(request.base_url).rstrip("/") + CONTEXT_PATH


def _media_type(request: Request, offered: tuple[str, ...]) -> str:
    chosen = choose(offered, request.headers.get("accept"))
    if chosen is None:
        raise NotAcceptable(f"This resource is JSON-LD; cannot send any of: {request.headers.get('accept')}.",
                            available=[JSONLD, JSON])
    return chosen


def respond(request: Request, rendered: Rendered) -> Response:
    """The body with validators (304 when the client's copy matches), the context link and paging links."""
    link = [f'<{context_url(request)}>; rel="{CONTEXT_REL}"; type="{JSONLD}"']
    rels = {"first": "first", "previous": "prev", "next": "next", "last": "last"}
    link += [f'<{url}>; rel="{rels[name]}"' for name, url in rendered.links.items() if name in rels]
    headers = {"Link": ", ".join(link), "Vary": "Accept", "Cache-Control": CACHE_CONTROL,
               **validator_headers(rendered.etag, rendered.last_modified), **rendered.extra}
    if is_not_modified(request, rendered.etag, rendered.last_modified):
        return not_modified(headers)
    return Response(rendered.data, media_type=rendered.media_type, headers=headers)


def json_response(request: Request, body: Any, media_type: str) -> Response:
    return respond(request, render(body, media_type))


def response_cache(request: Request) -> ResponseCache:
    cache: ResponseCache | None = getattr(request.app.state, "api_response_cache", None)
    if cache is None:
        cache = request.app.state.api_response_cache = ResponseCache()
    return cache


async def cached(request: Request, services: Services, catalogue: Catalogue, media_type: str,
                 compute: Callable[[], Rendered], inline: Callable[[Snapshot], Rendered] | None = None) -> Response:
    """Answers from the response cache when the store and snapshot are those the entry was made from.

    A hit needs no worker thread. A miss is computed by ``inline`` on the event loop when the catalogue snapshot is
    current (building one takes seconds) and ``inline`` finishes within its budget (:class:`OverBudget`: the
    document is large, and goes to a thread like every other miss). For a lookup by IRI that saves the hop to a
    thread and back, and the two threads' contention for the GIL: 5-10% of the CPU of a cold organisation
    document, and a lower p99 at 16 connections (benchmarks/RESULTS.md, issue 4; ENGINE.md, design choice 2)."""
    cache = response_cache(request)
    url = str(request.url)
    current = catalogue.current()
    if current is not None:
        key = (current.token, current.version, url, media_type)
        hit = cache.get(key)
        if hit is not None:
            return respond(request, hit)
        if inline is not None:
            try:
                return respond(request, cache.get_or_render(key, lambda: inline(current)))
            except OverBudget:
                pass

    def work() -> Rendered:
        snapshot = catalogue.snapshot()
        key = (snapshot.token, catalogue.store.version(), url, media_type)
        return cache.get_or_render(key, compute)

    return respond(request, await in_worker(services, work))


def _list_endpoint(kind: Kind) -> Callable[..., Any]:
    async def endpoint(request: Request, services: ServicesDep, **_filters: Any) -> Response:
        media_type = _media_type(request, (JSONLD, JSON))
        parsed = parse_list_request(request.query_params, sorted(kind.filters))
        catalogue = catalogue_for(request.app.state, services.store, services.iris)

        def compute() -> Rendered:
            result = list_page(catalogue, kind.collection, parsed, request.url, context_url(request))
            return render(result.body, media_type, links=result.links, last_modified=result.last_modified,
                          extra={"X-Total-Count": str(result.total)})

        return await cached(request, services, catalogue, media_type, compute)

    parameters = [
        inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Request),
        inspect.Parameter("services", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=ServicesDep),
    ]
    for name in sorted(kind.filters) + ["page", "per_page", "cursor"]:
        if name in ("page", "per_page"):
            low, high = (1, None) if name == "page" else (1, MAX_PER_PAGE)
            annotation: Any = Annotated[int | None, Query(description=DESCRIPTIONS[name], ge=low, le=high)]
        elif name in ("q", "modified_since", "cursor"):
            annotation = Annotated[str | None, Query(description=DESCRIPTIONS[name],
                                                     examples=[api_examples.PARAMETER_EXAMPLES[name]])]
        else:
            annotation = Annotated[list[str] | None, Query(description=DESCRIPTIONS[name],
                                                           examples=[api_examples.PARAMETER_EXAMPLES[name]])]
        parameters.append(inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation,
                                            default=None))
    endpoint.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    endpoint.__name__ = f"list_{kind.collection.replace('-', '_')}"
    return endpoint


def _resource_endpoint(kind: Kind) -> Callable[..., Any]:
    async def endpoint(request: Request, services: ServicesDep, **path: str) -> Response:
        ident = path["id"]
        media_type = _media_type(request, (JSONLD, JSON, *ELSEWHERE))
        if media_type in ELSEWHERE:
            location = f"{str(request.base_url).rstrip('/')}/doc/{kind.thing}/{ident}"
            return Response(status_code=303, headers={"Location": location, "Vary": "Accept"})
        catalogue = catalogue_for(request.app.state, services.store, services.iris)

        def compute() -> Rendered:
            document, modified = resource(catalogue, kind.collection, ident, context_url(request))
            return render(document, media_type, last_modified=modified)

        def inline(snapshot: Snapshot) -> Rendered:
            document, modified = resource(catalogue, kind.collection, ident, context_url(request),
                                          snapshot=snapshot, budget=INLINE_STATEMENTS)
            return render(document, media_type, last_modified=modified)

        return await cached(request, services, catalogue, media_type, compute, inline)

    description = f"The last segment of the {kind.thing} IRI ({{base}}id/{kind.thing}/{{id}})"
    endpoint.__signature__ = inspect.Signature([  # type: ignore[attr-defined]
        inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Request),
        inspect.Parameter("services", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=ServicesDep),
        inspect.Parameter("id", inspect.Parameter.KEYWORD_ONLY,
                          annotation=Annotated[str, Path(description=description)]),
    ])
    endpoint.__name__ = f"get_{kind.thing.replace('-', '_')}"
    return endpoint


def get_and_head(path: str, endpoint: Callable[..., Any], **documented: Any) -> None:
    """GET as documented, and HEAD answered by the same code (kept out of the schema: one operation per route)."""
    router.add_api_route(path, endpoint, methods=["GET"], response_class=Response, **documented)
    router.add_api_route(path, endpoint, methods=["HEAD"], response_class=Response, include_in_schema=False)


#: The endpoint of one resource, by collection: the fast lane calls them directly (api/fast_lane.py).
RESOURCE_ENDPOINTS: dict[str, Callable[..., Any]] = {}


def _register() -> None:
    for kind in KINDS.values():
        get_and_head(f"/api/v1/{kind.collection}", _list_endpoint(kind),
                     summary=f"{kind.label}: a filtered, paged JSON-LD list",
                     description=api_examples.list_description(kind), responses=api_examples.list_responses(kind))
        RESOURCE_ENDPOINTS[kind.collection] = one = _resource_endpoint(kind)
        get_and_head(f"/api/v1/{kind.collection}/{{id}}", one,
                     summary=f"One {kind.thing.replace('-', ' ')} as framed JSON-LD",
                     description=api_examples.resource_description(kind),
                     responses=api_examples.resource_responses(kind))


def jsonld_context(request: Request) -> Response:
    """Our published ``@context`` (``ontology/context.jsonld``), cached for a day."""
    from ontology import CONTEXT_FILE

    data = CONTEXT_FILE.read_bytes()
    etag = etag_for(data)
    headers = {"Cache-Control": "public, max-age=86400", **validator_headers(etag, None)}
    if is_not_modified(request, etag, None):
        return not_modified(headers)
    return Response(data, media_type=JSONLD, headers=headers)


_register()
get_and_head(CONTEXT_PATH, jsonld_context, summary="The JSON-LD context every API document is compacted with",
             responses=api_examples.CONTEXT_RESPONSES)
