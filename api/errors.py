"""The one place errors become HTTP: every failure is ``application/problem+json`` of one shape.

Shape: ``type``, ``title``, ``status``, ``detail`` and ``errors`` (each with a ``message`` and where
the problem is). FastAPI's own validation errors and Starlette's HTTP errors get the same shape.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse
from starlette.routing import Match

from graph import errors as e

log = logging.getLogger("ourdata.api")

PROBLEM = "application/problem+json"
PROBLEM_TYPE_BASE = "https://ourdata.coop/problems/"

STATUS: dict[type[e.OurdataError], int] = {
    e.BadRequest: 400,
    e.Unauthorized: 401,
    e.Forbidden: 403,
    e.QueryRejected: 403,
    e.NotFound: 404,
    e.MethodNotAllowed: 405,
    e.NotAcceptable: 406,
    e.Conflict: 409,
    e.PayloadTooLarge: 413,
    e.UnsupportedMediaType: 415,
    e.ValidationFailed: 422,
    e.StoreError: 500,
    e.StoreLocked: 503,
    e.ServiceUnavailable: 503,
}


def status_for(exc: e.OurdataError) -> int:
    """Walks the class hierarchy (as Starlette does) so a subclass inherits its parent's status."""
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 500


def problem(status: int, title: str, detail: str, *, errors: list[dict[str, Any]] | None = None,
            headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    slug = title.lower().replace(" ", "-")
    body = {"type": PROBLEM_TYPE_BASE + slug, "title": title, "status": status, "detail": detail,
            "errors": errors or []}
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def problem_for(exc: e.OurdataError) -> JSONResponse:
    status = status_for(exc)
    headers: dict[str, str] = {}
    extra: dict[str, Any] = {}
    if isinstance(exc, e.Unauthorized):
        headers["WWW-Authenticate"] = 'Bearer realm="ourdata"'
    if isinstance(exc, e.NotAcceptable):
        extra["available"] = exc.available
    if isinstance(exc, e.Busy):
        headers["Retry-After"] = "1"
    if isinstance(exc, e.QueryTimeout):
        extra["timeout_seconds"] = exc.limit
    if isinstance(exc, e.QueryTimeout):
        log.info("%s: %s", exc.title, exc.detail)
    elif status >= 500:
        log.error("%s: %s", exc.title, exc.detail)
    return problem(status, exc.title, exc.detail, errors=exc.errors, headers=headers or None, **extra)


_METHODS = ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at this path (for the ``Allow`` header of a 405), found by asking
    the router, which also sees routes of included routers."""
    allowed = []
    for method in _METHODS:
        if method == request.method:
            continue  # this one was refused (possibly on purpose, by a route that only says no)
        scope = {**request.scope, "method": method}
        if any(route.matches(scope)[0] is Match.FULL for route in request.app.router.routes):
            allowed.append(method)
    return allowed


class UnexpectedErrors:
    """Answers an unexpected exception with the 500 problem document from inside the middleware stack, so the
    response still passes through CORS (Starlette's own last-resort handler sits outside every middleware)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Any) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            if started:  # the status line is gone: only aborting the connection is honest
                raise
            log.exception("unexpected error")
            await internal_error()(scope, receive, send)


def internal_error() -> JSONResponse:
    """The 500 problem document (the exception itself is logged, never shown)."""
    return problem(500, "Internal error", "Something went wrong on our side; it has been logged.")


def install(app: FastAPI) -> None:
    """Registers the handlers on an app (api/app.py adds :class:`UnexpectedErrors` as the innermost middleware)."""
    @app.exception_handler(e.OurdataError)
    async def _ours(request: Request, exc: e.OurdataError) -> JSONResponse:
        response = problem_for(exc)
        if isinstance(exc, e.MethodNotAllowed):
            response.headers["Allow"] = ", ".join(allowed_methods(request))
        return response

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"message": err.get("msg", "invalid"), "field": ".".join(str(p) for p in err.get("loc", ()))}
            for err in exc.errors()
        ]
        return problem(400, "Bad request", "The request parameters are not valid.", errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        titles = {404: "Not found", 405: "Method not allowed", 401: "Unauthorized", 403: "Forbidden"}
        headers = dict(exc.headers or {})
        if exc.status_code == 405:  # Starlette names only the first matching route's methods
            headers["Allow"] = ", ".join(allowed_methods(request))
        return problem(exc.status_code, titles.get(exc.status_code, "Error"), str(exc.detail), headers=headers)

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error")
        return internal_error()
