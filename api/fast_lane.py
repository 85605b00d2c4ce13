"""The fast lane: the two hottest simple reads, answered without FastAPI's routing and dependency injection.

Why: a tiny SPARQL lookup costs the engine about a tenth of a millisecond and a cached-catalogue organisation
document about one, and in one process the web stack around them cost up to three quarters of the event loop's
time (routing through every route, dependency solving, the query-string parse, each middleware's send wrapper).
The lane takes only requests that need none of that, with no credentials and no body:

- ``GET /sparql`` whose whole query string is one ``query=`` parameter, answered by
  :func:`api.routes.sparql.answer`;
- ``GET /api/v1/{collection}/{id}`` with no query string, answered by that route's own endpoint function.

It adds what the app's middleware would: the rate limit (sharing the app's buckets), and GZip and CORS headers as
:func:`api.front_http.finish_headers` words them for front processes too. A streamed result goes out through the
app's own middleware classes. Every other request, and anything the lane cannot decode strictly, takes the full
stack, which also answers the malformed ones.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from api.errors import internal_error, problem_for
from api.front_http import Cors, finish_headers, form_value
from api.rate_limit import RateLimit
from api.routes import sparql
from api.routes.collections import RESOURCE_ENDPOINTS
from graph.errors import OurdataError

log = logging.getLogger("ourdata.api")
Scope = dict[str, Any]
ASGIApp = Callable[..., Any]
#: Request headers that make a request more than a simple read: a body, credentials, a protocol switch.
_NOT_SIMPLE = frozenset((b"authorization", b"content-length", b"transfer-encoding", b"expect", b"upgrade"))
_PREFIX = b"query="
_API = "/api/v1/"
_RESPONSE = "ourdata.response"
_WORK = "ourdata.lane"


def _plain(scope: Scope) -> bool:
    return scope["type"] == "http" and scope["method"] == "GET" and \
        not any(name in _NOT_SIMPLE for name, _value in scope["headers"])


def simple_query(scope: Scope) -> str | None:
    """The query of a SPARQL request the lane takes, or None."""
    if scope["path"] != "/sparql" or not _plain(scope):
        return None
    raw: bytes = scope["query_string"]
    if not raw.startswith(_PREFIX) or b"&" in raw or b";" in raw or not raw.isascii():
        return None
    return form_value(raw[len(_PREFIX):].decode("ascii"))


def simple_resource(scope: Scope) -> tuple[Callable[..., Awaitable[Response]], str] | None:
    """The endpoint and id of an API resource request the lane takes, or None."""
    path: str = scope["path"]
    if not path.startswith(_API) or scope["query_string"] or not _plain(scope):
        return None
    collection, _slash, ident = path[len(_API):].partition("/")
    endpoint = RESOURCE_ENDPOINTS.get(collection)
    if endpoint is None or not ident or "/" in ident:
        return None
    return endpoint, ident


async def _send_prepared(scope: Scope, receive: Any, send: Any) -> None:
    await scope[_RESPONSE](scope, receive, send)


async def _sparql(request: Request, services: Any, query: str) -> Response:
    params = {"query": [query]}
    return await sparql.answer(request, services, sparql.query_request(query, params, services.iris.base), params)


async def _resource(request: Request, services: Any, work: tuple[Callable[..., Awaitable[Response]], str]) -> Response:
    endpoint, ident = work
    return await endpoint(request, services, id=ident)


class FastLane:
    """Built by :func:`api.app.create_app`: ``wrap`` puts an app inside the app's GZip and CORS middleware."""

    def __init__(self, *, rate: RateLimit, cors: Cors, wrap: Callable[[ASGIApp], ASGIApp]) -> None:
        self.rate = rate
        self.cors = cors
        self.through_middleware = wrap(_send_prepared)
        self.answered = 0  # requests the lane took (tests show with it that the lane, not the stack, answered)

    def takes(self, scope: Scope) -> bool:
        if scope["type"] != "http":
            return False
        query = simple_query(scope)
        if query is not None:
            scope[_WORK] = (_sparql, query)
            return True
        resource = simple_resource(scope)
        if resource is not None:
            scope[_WORK] = (_resource, resource)
            return True
        return False

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        self.answered += 1
        client = scope.get("client")
        wait = self.rate.take(client[0] if client else "unknown")
        if wait > 0:
            await self._send(self.rate.refusal(wait), scope, receive, send)
            return
        request = Request(scope, receive)
        answer, work = scope[_WORK]
        try:
            response = await answer(request, scope["app"].state.services, work)
        except OurdataError as exc:
            response = problem_for(exc)
        except Exception:
            log.exception("unexpected error")
            response = internal_error()
        await self._send(response, scope, receive, send, request)

    async def _send(self, response: Response, scope: Scope, receive: Any, send: Any,
                    request: Request | None = None) -> None:
        if isinstance(response, StreamingResponse):
            scope[_RESPONSE] = response
            await self.through_middleware(scope, receive, send)
            return
        request_headers = (request or Request(scope, receive)).headers
        headers, body = finish_headers(
            [(name.decode("latin-1"), value.decode("latin-1")) for name, value in response.raw_headers],
            bytes(response.body), accept_encoding=request_headers.get("accept-encoding", ""),
            origin=request_headers.get("origin"), cors=self.cors, status=response.status_code)
        await send({"type": "http.response.start", "status": response.status_code,
                    "headers": [(name.encode("latin-1"), value.encode("latin-1")) for name, value in headers]})
        await send({"type": "http.response.body", "body": body})
