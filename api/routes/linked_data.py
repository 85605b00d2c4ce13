"""Dereferenceable IRIs and the dataset's own description: ``/id/``, ``/doc/``, ``/.well-known/void``, the dump.

``GET /id/{kind}/{slug}`` answers 303 to ``/doc/{kind}/{slug}`` (httpRange-14: the thing is not the
document). ``/doc/`` negotiates HTML / Turtle / JSON-LD / N-Triples / RDF/XML, or takes a suffix. Paths
map onto the configured base, so any host describes the base's IRIs. Every GET carries ETag and
Last-Modified and answers 304 to a matching conditional request.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from fastapi import APIRouter, Request
from starlette.responses import Response, StreamingResponse

from api import dump, void
from api.api_listing import catalogue_for
from api.deps import Services, ServicesDep
from api.http_cache import is_not_modified, not_modified, validator_headers
from api.resource_docs import HTML, SUFFIXES, Representation, is_held, negotiate, represent, resolve, thing_iri
from graph.errors import NotFound
from graph.formats import RDF_BY_NAME

router = APIRouter(tags=["Linked data"])

T = TypeVar("T")


async def _in_worker(services: Services, work: Callable[[], T]) -> T:
    """Store work runs in the query threads (never on the event loop)."""
    return await asyncio.get_running_loop().run_in_executor(services.query_executor, work)


def _alternates(root: str, path: str) -> str:
    """``Link`` header naming every representation of the document."""
    links = []
    for suffix, name in SUFFIXES.items():
        media_type = "text/html" if name == HTML else RDF_BY_NAME[name].media_type
        links.append(f'<{root}{path}{suffix}>; rel="alternate"; type="{media_type}"')
    return ", ".join(links)


@router.api_route("/id/{kind}/{rest:path}", methods=["GET", "HEAD"], summary="A thing: 303 to its document",
                  status_code=303, response_class=Response)
async def thing(kind: str, rest: str, request: Request, services: ServicesDep) -> Response:
    """Redirects (303 See Other) to ``/doc/{kind}/{slug}``; 404 when we hold nothing about the thing."""
    iri = thing_iri(services.iris, kind, rest)
    if not await _in_worker(services, lambda: is_held(services.store, iri)):
        raise NotFound(f"We hold nothing about <{iri}>.")
    location = f"{request.base_url}doc/{iri[len(services.iris.base + 'id/'):]}"
    return Response(status_code=303, headers={"Location": location})


@router.api_route("/doc/{kind}/{rest:path}", methods=["GET", "HEAD"], response_class=Response,
                  summary="The document about a thing (HTML, Turtle, JSON-LD, N-Triples, RDF/XML)")
async def document(kind: str, rest: str, request: Request, services: ServicesDep) -> Response:
    """Negotiated by ``Accept`` or chosen by suffix (``.html .ttl .jsonld .nt .rdf``); 404 if unknown, 406 if
    no acceptable format."""
    accept = request.headers.get("accept")
    root = str(request.base_url)
    store, iris = services.store, services.iris

    catalogue = catalogue_for(request.app.state, store, iris)  # the web pages' additions (licence terms ...)

    def work() -> tuple[str, str | None, str, Representation]:
        iri, suffix = resolve(store, iris, kind, rest)
        rep = negotiate(accept, suffix)
        return iri, suffix, rep, represent(store, iris, iri, rep, root=root, catalogue=catalogue)

    iri, suffix, rep, built = await _in_worker(services, work)
    doc_path = "doc/" + iri[len(iris.base + "id/"):]
    headers = {"Vary": "Accept", "Link": _alternates(root, doc_path)}
    headers.update(validator_headers(built.etag, built.last_modified))
    if suffix is None:  # say which variant was chosen, so caches and people can name it
        headers["Content-Location"] = root + doc_path + next(s for s, n in SUFFIXES.items() if n == rep)
    if is_not_modified(request, built.etag, built.last_modified):
        return not_modified(headers)
    headers["Content-Type"] = built.content_type
    return Response(built.body, headers=headers)


@router.api_route("/.well-known/void", methods=["GET", "HEAD"], response_class=Response,
                  summary="VoID + DCAT description of the dataset")
async def void_description(request: Request, services: ServicesDep) -> Response:
    """Named graphs with triple counts, licences and sources; the SPARQL endpoint; the dump. Turtle by default,
    JSON-LD, N-Triples, RDF/XML or HTML by negotiation."""
    accept = request.headers.get("accept")
    root = str(request.base_url)
    built = await _in_worker(services, lambda: void.represent(services.store, services.iris, accept, root=root))
    headers = {"Vary": "Accept"}
    headers.update(validator_headers(built.etag, built.last_modified))
    if is_not_modified(request, built.etag, built.last_modified):
        return not_modified(headers)
    headers["Content-Type"] = built.content_type
    return Response(built.body, headers=headers)


@router.api_route(dump.PATH, methods=["GET", "HEAD"], response_class=StreamingResponse,
                  summary="The whole dataset as gzipped N-Quads (streamed)")
async def dataset_dump(request: Request, services: ServicesDep) -> Response:
    """Every quad of every graph, N-Quads, gzip; produced while it is sent, so memory stays flat."""
    etag, modified = await _in_worker(services, lambda: dump.validators(services.store, services.iris))
    headers = {**validator_headers(etag, modified), **dump.HEADERS}
    if is_not_modified(request, etag, modified):
        return not_modified(headers)
    if request.method == "HEAD":
        return Response(headers={**headers, "Content-Type": dump.MEDIA_TYPE})
    return await dump.respond(services, headers)
