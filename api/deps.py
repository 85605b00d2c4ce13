"""What routes receive: the app's services, the caller's token, the request body within limits."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import parse_qsl

from fastapi import Depends, Request

from api.tokens import TokenRecord, TokenStore
from graph.errors import BadRequest, Forbidden, PayloadTooLarge, Unauthorized, UnsupportedMediaType
from graph.iris import Iris
from graph.settings import Settings
from graph.store import GraphStore


@dataclass
class Services:
    """Everything a request may need, built once by :func:`api.app.create_app`."""

    settings: Settings
    store: GraphStore
    iris: Iris
    tokens: TokenStore
    query_executor: ThreadPoolExecutor


async def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise Unauthorized("Use 'Authorization: Bearer <token>'.")
    return value.strip()


def caller(request: Request, services: ServicesDep) -> TokenRecord | None:
    """The token record of the caller, None when anonymous; 401 for a token we do not know."""
    secret = bearer_token(request)
    if secret is None:
        return None
    record = services.tokens.verify(secret)
    if record is None:
        raise Unauthorized("The token is not valid (unknown or revoked).")
    return record


CallerDep = Annotated[TokenRecord | None, Depends(caller)]


def require_admin(record: CallerDep) -> TokenRecord:
    if record is None:
        raise Unauthorized(
            "This operation changes data: it needs an admin token ('ourdata token create --role admin')."
        )
    if not record.is_admin:
        raise Forbidden(f"The token '{record.name}' has the role '{record.role}'; this operation needs 'admin'.")
    return record


def require_contributor(record: CallerDep) -> TokenRecord:
    if record is None:
        raise Unauthorized("This operation needs a contributor or admin token.")
    return record


AdminDep = Annotated[TokenRecord, Depends(require_admin)]
ContributorDep = Annotated[TokenRecord, Depends(require_contributor)]


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refusing (413) anything over ``limit`` bytes without reading it all."""
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            if int(declared) > limit:
                raise PayloadTooLarge(f"The body is {int(declared):,} bytes; the limit is {limit:,}.")
        except ValueError as exc:
            raise BadRequest("Content-Length is not a number.") from exc
    chunks = bytearray()
    async for chunk in request.stream():
        chunks += chunk
        if len(chunks) > limit:
            raise PayloadTooLarge(f"The body exceeds the limit of {limit:,} bytes.")
    return bytes(chunks)


_UTF8_CHARSETS = ("utf-8", "utf8", "us-ascii", "ascii")


def body_media_type(request: Request) -> str:
    """The body's media type, lower-case, without parameters ('' when absent).

    The SPARQL protocol allows UTF-8 only, so a declared ``charset`` other than UTF-8 (or its subset
    US-ASCII) is refused with 415 rather than decoded wrongly.
    """
    header = request.headers.get("content-type", "")
    media_type, *params = (part.strip() for part in header.split(";"))
    for param in params:
        name, _, value = param.partition("=")
        charset = value.strip().strip('"').lower()
        if name.strip().lower() == "charset" and charset not in _UTF8_CHARSETS:
            raise UnsupportedMediaType(f"The body must be UTF-8, not '{value.strip()}'.")
    return media_type.lower()


def parse_form(data: bytes, what: str = "form body") -> dict[str, list[str]]:
    """An ``application/x-www-form-urlencoded`` body (or URL query string) as lists of values per name.

    Percent-encoded bytes that are not UTF-8 are a 400, never silently replaced by U+FFFD."""
    text = decode_utf8(data, what)
    try:
        pairs = parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        raise BadRequest(f"The {what} holds a percent-encoded value that is not UTF-8 ({exc.reason}).") from exc
    grouped: dict[str, list[str]] = {}
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    return grouped


def url_params(request: Request) -> dict[str, list[str]]:
    """The URL's query parameters, decoded as strictly as :func:`parse_form` decodes a body.

    Starlette has already parsed an ASCII query string the same way (latin-1 = ASCII there) except that it
    replaces bad UTF-8 with U+FFFD; reuse its parse unless a U+FFFD shows up, then decode strictly."""
    raw = request.scope.get("query_string", b"")
    if raw.isascii():
        items = request.query_params.multi_items()
        if not any("\ufffd" in key or "\ufffd" in value for key, value in items):
            grouped: dict[str, list[str]] = {}
            for key, value in items:
                grouped.setdefault(key, []).append(value)
            return grouped
    return parse_form(raw, "URL query string")


def decode_utf8(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadRequest(f"The {what} is not valid UTF-8 (byte {exc.start}).") from exc
