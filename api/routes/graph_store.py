"""``/store``: the SPARQL 1.1 Graph Store HTTP Protocol. Reads are public; writes need an admin token.

``?default`` is the store's own default graph (what updates without GRAPH write to); the query default
graph is the union of all graphs. ``?graph=IRI`` names a graph; with neither, GET and POST act on the
whole dataset (TriG / N-Quads), as Oxigraph server does.
"""

from __future__ import annotations

import os
import tempfile
from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.responses import FileResponse, Response

from api.deps import AdminDep, Services, ServicesDep, read_body
from api.rdf_response import negotiate_rdf
from graph.errors import BadRequest, NotFound, UnsupportedMediaType
from graph.formats import RDF_FORMATS, Format, rdf_format_for_media_type
from graph.sparql_text import checked_iri

router = APIRouter(tags=["Graph Store"])

_DATASET_FORMATS = tuple(f for f in RDF_FORMATS if f.supports_datasets)
DefaultParam = Annotated[str | None, Query(alias="default", description="Act on the default graph")]
GraphParam = Annotated[str | None, Query(alias="graph", description="IRI of the named graph")]


def _target(default: str | None, graph: str | None) -> tuple[bool, str | None]:
    """(whole dataset?, graph IRI or None for the default graph)."""
    if default is not None and graph is not None:
        raise BadRequest("Give either ?default or ?graph=, not both.")
    if graph is not None:
        if not graph.strip():
            raise BadRequest("?graph= needs an IRI.")
        checked_iri(graph)  # an invalid IRI is the client's error (400), on every method
        return False, graph
    if default is not None:
        return False, None
    return True, None


def _body_format(request: Request, *, whole: bool) -> Format:
    content_type = request.headers.get("content-type", "")
    fmt = rdf_format_for_media_type(content_type) if content_type else None
    if fmt is None:
        raise UnsupportedMediaType(f"Cannot read RDF from '{content_type or 'no Content-Type'}'.")
    if whole and not fmt.supports_datasets:
        raise UnsupportedMediaType("Writing the whole dataset needs TriG, N-Quads or JSON-LD.")
    return fmt


def _exists(services: Services, graph: str | None) -> bool:
    return graph is None or services.store.graph_exists(graph)


@router.get("/store", summary="Get a graph, or the whole dataset")
async def get_graph(request: Request, services: ServicesDep, default: DefaultParam = None,
                    graph: GraphParam = None) -> Response:
    whole, iri = _target(default, graph)
    fmt = negotiate_rdf(request.headers.get("accept"), _DATASET_FORMATS if whole else RDF_FORMATS)
    if not whole and not await run_in_threadpool(_exists, services, iri):
        raise NotFound(f"There is no graph <{iri}>.")
    spool = tempfile.NamedTemporaryFile(prefix="ourdata-gsp-", suffix="." + fmt.name, delete=False)  # noqa: SIM115
    await run_in_threadpool(lambda: services.store.serialize(spool, fmt, graph=iri, whole=whole))
    spool.close()
    return FileResponse(spool.name, media_type=fmt.content_type, headers={"Vary": "Accept"},
                        background=BackgroundTask(os.unlink, spool.name))


@router.head("/store", include_in_schema=False)
async def head_graph(request: Request, services: ServicesDep, default: DefaultParam = None,
                     graph: GraphParam = None) -> Response:
    whole, iri = _target(default, graph)
    fmt = negotiate_rdf(request.headers.get("accept"), _DATASET_FORMATS if whole else RDF_FORMATS)
    if not whole and not await run_in_threadpool(_exists, services, iri):
        raise NotFound(f"There is no graph <{iri}>.")
    response = Response(headers={"Vary": "Accept", "Content-Type": fmt.content_type})
    del response.headers["content-length"]  # unknown without serializing; "0" would claim an empty graph
    return response


@router.put("/store", summary="Replace a graph (admin token)")
async def put_graph(request: Request, services: ServicesDep, _admin: AdminDep, default: DefaultParam = None,
                    graph: GraphParam = None) -> Response:
    whole, iri = _target(default, graph)
    if whole:
        raise BadRequest("PUT needs ?default or ?graph=IRI.")
    fmt = _body_format(request, whole=False)
    body = await read_body(request, services.settings.max_body_bytes)
    result = await run_in_threadpool(
        lambda: services.store.replace_graph(body, fmt, graph=iri, base_iri=iri or services.iris.base)
    )
    return Response(status_code=201 if result.created else 204)


@router.post("/store", summary="Add to a graph, or to the dataset (admin token)")
async def post_graph(request: Request, services: ServicesDep, _admin: AdminDep, default: DefaultParam = None,
                     graph: GraphParam = None) -> Response:
    whole, iri = _target(default, graph)
    fmt = _body_format(request, whole=whole)
    body = await read_body(request, services.settings.max_body_bytes)
    existed = await run_in_threadpool(_exists, services, iri)
    await run_in_threadpool(
        lambda: services.store.load(body, fmt, graph=iri, base_iri=iri or services.iris.base,
                                    allow_named_graphs=whole)
    )
    return Response(status_code=204 if existed or whole else 201)


@router.delete("/store", status_code=204, summary="Delete a graph (admin token)")
async def delete_graph(services: ServicesDep, _admin: AdminDep, default: DefaultParam = None,
                       graph: GraphParam = None) -> Response:
    whole, iri = _target(default, graph)
    if whole:
        raise BadRequest("DELETE needs ?default or ?graph=IRI.")
    existed = await run_in_threadpool(services.store.drop_graph, iri)
    if not existed and iri is not None:
        raise NotFound(f"There is no graph <{iri}>.")
    return Response(status_code=204)
