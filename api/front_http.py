"""HTTP/1.1 as a front process needs it: read a request head strictly, decide whether it is a simple SPARQL read,
and write a response with the headers the serving process's middleware would add (GZip, CORS).

Anything unusual is not an error here: :func:`simple_query` answers None and the connection is handed to the
serving process, whose full stack (uvicorn, FastAPI) answers it, errors included. So this module only has to be
right about what it accepts.
"""

from __future__ import annotations

import codecs
import gzip
import re
import time
from dataclasses import dataclass
from email.utils import formatdate

#: The head of a request larger than this is handed on without being parsed here.
MAX_HEAD_BYTES = 16 * 1024
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
#: Request headers that make a request more than a simple read (a body, credentials, a protocol switch).
_NOT_SIMPLE = ("content-length", "transfer-encoding", "authorization", "expect", "upgrade")
_GZIP_MIN = 4096  # as api/app.py's GZipMiddleware
REASONS = {200: "OK", 400: "Bad Request", 403: "Forbidden", 406: "Not Acceptable", 429: "Too Many Requests",
           500: "Internal Server Error", 503: "Service Unavailable"}


@dataclass(frozen=True)
class RequestHead:
    method: str
    target: str
    headers: dict[str, str]  # lower-case name -> first value (as Starlette's ``headers.get``)

    @property
    def keep_alive(self) -> bool:
        return "close" not in self.headers.get("connection", "").lower()


def parse_head(raw: bytes) -> RequestHead | None:
    """The request line and headers of an HTTP/1.1 request (without the blank line), or None when it is
    anything but plain ASCII in the ordinary form (those go to uvicorn, which also answers malformed ones)."""
    if not raw.isascii():
        return None
    lines = raw.decode("ascii").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or parts[2] != "HTTP/1.1":
        return None
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if not colon or not _TOKEN.fullmatch(name):  # also refuses folded (continuation) lines
            return None
        headers.setdefault(name.lower(), value.strip(" \t"))
    return RequestHead(method=parts[0], target=parts[1], headers=headers)


def simple_query(head: RequestHead) -> str | None:
    """The query of ``GET /sparql?query=...`` with no other parameter, no body and no credentials; None for
    every other request. Queries that mention SERVICE also go on: the federation guard lives in the serving
    process."""
    if head.method != "GET" or not head.target.startswith("/sparql?") or "#" in head.target:
        return None
    if any(name in head.headers for name in _NOT_SIMPLE):
        return None
    connection = head.headers.get("connection", "").lower()
    if connection not in ("", "keep-alive", "close"):
        return None
    encoded = head.target[len("/sparql?query="):]
    if not head.target.startswith("/sparql?query=") or "&" in encoded or ";" in encoded:
        return None
    query = form_value(encoded)
    if query is None or not query.strip() or "service" in query.lower():
        return None
    return query


def form_value(encoded: str) -> str | None:
    r"""A form-encoded value decoded as ``parse_qsl(..., errors="strict")`` would (``+`` is a space), or None when
    it is not well-formed UTF-8. By the C escape decoder: the pure-Python ``unquote`` cost a tenth of a lookup.

    >>> form_value("SELECT+%3Fs+%7B%7D%2B%C3%A9")
    'SELECT ?s {}+é'
    >>> form_value("%ZZ") is None, form_value("%C3") is None, form_value("a%5Cb")
    (True, True, 'a\\b')
    """
    raw = encoded.encode("ascii").replace(b"\\", b"\\\\").replace(b"+", b" ").replace(b"%", b"\\x")
    try:
        return codecs.escape_decode(raw)[0].decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None


class Dates:
    """The ``date`` header, formatted once a second."""

    def __init__(self) -> None:
        self._second = -1
        self._value = ""

    def now(self) -> str:
        second = int(time.time())
        if second != self._second:
            self._second, self._value = second, formatdate(second, usegmt=True)
        return self._value


@dataclass(frozen=True)
class PlainResponse:
    """A whole response as a route would return it (what :func:`encode_response` reads of a Starlette one)."""

    status_code: int
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class Cors:
    """What Starlette's CORSMiddleware adds to a simple (non-preflight) response, as api/app.py configures it."""

    origins: tuple[str, ...]
    expose: str

    def headers(self, origin: str | None, vary: list[str]) -> list[tuple[str, str]]:
        vary.append("Origin")
        if origin is None:
            return []
        allow_all = "*" in self.origins
        added = []
        if allow_all:
            added.append(("access-control-allow-origin", "*"))
        if self.expose:
            added.append(("access-control-expose-headers", self.expose))
        if not allow_all and origin in self.origins:
            added.append(("access-control-allow-origin", origin))
        return added


def finish_headers(headers: list[tuple[str, str]], body: bytes, *, accept_encoding: str, origin: str | None,
                   cors: Cors, status: int = 200) -> tuple[list[tuple[str, str]], bytes]:
    """The headers and body of a whole response as it leaves the app's middleware: ``headers`` are the route's;
    compression (GZip) and CORS are added, and the length. The fast lane of the serving process sends these
    (api/fast_lane.py); a front process adds the framing (:func:`encode_response`)."""
    vary = [value for name, value in headers if name.lower() == "vary"]
    route_headers = [(name.lower(), value) for name, value in headers if name.lower() not in ("vary", "content-length")]
    encoding: list[tuple[str, str]] = []
    if len(body) >= _GZIP_MIN:  # compressed or not, the body depends on Accept-Encoding from this size on
        vary.append("Accept-Encoding")
        if "gzip" in accept_encoding:
            body = gzip.compress(body, compresslevel=9)
            encoding = [("content-encoding", "gzip")]
    cors_headers = cors.headers(origin, vary)
    length = [] if status in (204, 304) else [("content-length", str(len(body)))]  # as Starlette: none on these
    return [("vary", ", ".join(vary)), *route_headers, *length, *encoding, *cors_headers], body


def encode_response(status: int, reason: str, headers: list[tuple[str, str]], body: bytes, *, head: RequestHead,
                    cors: Cors, dates: Dates, close: bool) -> bytes:
    """The bytes of a whole response: :func:`finish_headers` after the status line and uvicorn's two headers."""
    finished, body = finish_headers(headers, body, accept_encoding=head.headers.get("accept-encoding", ""),
                                    origin=head.headers.get("origin"), cors=cors)
    lines = [f"HTTP/1.1 {status} {reason}", f"date: {dates.now()}", "server: uvicorn"]
    lines += [f"{name}: {value}" for name, value in finished]
    if close:
        lines.append("connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
