"""``/update``: the SPARQL 1.1 Update Protocol (POST form or ``application/sparql-update``); admin only."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from api.deps import AdminDep, ServicesDep, body_media_type, decode_utf8, parse_form, read_body, url_params
from graph.errors import BadRequest, MethodNotAllowed, UnsupportedMediaType
from graph.store import UpdateRequest

router = APIRouter(tags=["SPARQL"])

FORM = "application/x-www-form-urlencoded"
SPARQL_UPDATE = "application/sparql-update"
_FOREIGN = ("query", "default-graph-uri", "named-graph-uri")


@router.post("/update", status_code=204, summary="Run a SPARQL update (admin token)")
async def update(request: Request, services: ServicesDep, _admin: AdminDep) -> Response:
    """Atomic: every operation of the request applies, or none does."""
    content_type = body_media_type(request)
    in_url = url_params(request)
    body = await read_body(request, services.settings.max_body_bytes)
    if content_type == FORM:
        params = parse_form(body)
        if "update" in in_url:
            raise BadRequest("The update is given both in the URL and in the body.")
        updates = params.get("update", [])
        if len(updates) != 1:
            raise BadRequest("The form body must carry exactly one 'update' parameter.")
        text = updates[0]
        for key, values in in_url.items():
            params.setdefault(key, []).extend(values)
    elif content_type == SPARQL_UPDATE:
        if "update" in in_url:
            raise BadRequest("The update is given both in the URL and in the body.")
        text, params = decode_utf8(body, "update"), in_url
    else:
        raise UnsupportedMediaType(
            f"An update POST must be '{FORM}' or '{SPARQL_UPDATE}', not '{content_type or 'none'}'."
        )
    for name in _FOREIGN:
        if name in params:
            raise BadRequest(f"'{name}' belongs to the query operation; send queries to /sparql.")
    if not text.strip():
        raise BadRequest("The update is empty.")
    update_request = UpdateRequest(
        update=text,
        using_graph_uris=tuple(params.get("using-graph-uri", [])),
        using_named_graph_uris=tuple(params.get("using-named-graph-uri", [])),
        base_iri=services.iris.base,
    )
    await run_in_threadpool(services.store.update, update_request)
    return Response(status_code=204)


@router.get("/update", include_in_schema=False)
async def update_get() -> Response:
    raise MethodNotAllowed("Updates are sent with POST (SPARQL 1.1 Update Protocol), never GET.")
