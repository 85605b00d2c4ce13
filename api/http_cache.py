"""HTTP validators for read routes: weak ``ETag`` from content, ``Last-Modified``, and the 304 decision.

ETags hash what a response says (its bytes, or a fingerprint of the data it is built from), so they
survive restarts and differ whenever the content does. They are weak (``W/``) because the same entity
may be sent gzipped or not.

>>> etag_for(b"abc") == etag_for(b"abc") != etag_for(b"abd")
True
>>> matches_etag('W/"x", "y"', 'W/"y"')
True
>>> http_date(datetime(2024, 3, 1, 10, 0, tzinfo=UTC))
'Fri, 01 Mar 2024 10:00:00 GMT'
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

from starlette.requests import Request
from starlette.responses import Response


def etag_for(*parts: bytes | str) -> str:
    """A weak ETag over the given parts (order matters)."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return f'W/"{digest.hexdigest()[:32]}"'


def http_date(moment: datetime) -> str:
    """RFC 9110 IMF-fixdate, whole seconds, GMT."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return format_datetime(moment.astimezone(UTC).replace(microsecond=0), usegmt=True)


def _opaque(tag: str) -> str:
    tag = tag.strip()
    return tag[2:] if tag.startswith("W/") else tag


def matches_etag(if_none_match: str, etag: str) -> bool:
    """Weak comparison (RFC 9110 13.1.2), as If-None-Match requires; ``*`` matches anything."""
    if if_none_match.strip() == "*":
        return True
    wanted = _opaque(etag)
    return any(_opaque(candidate) == wanted for candidate in if_none_match.split(","))


def is_not_modified(request: Request, etag: str | None, last_modified: datetime | None) -> bool:
    """True when the client's copy is current: If-None-Match decides when present, else If-Modified-Since."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        return etag is not None and matches_etag(if_none_match, etag)
    since = request.headers.get("if-modified-since")
    if since and last_modified is not None:
        try:
            client = parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
        if client.tzinfo is None:
            client = client.replace(tzinfo=UTC)
        return last_modified.replace(microsecond=0) <= client
    return False


def validator_headers(etag: str | None, last_modified: datetime | None) -> dict[str, str]:
    headers: dict[str, str] = {}
    if etag is not None:
        headers["ETag"] = etag
    if last_modified is not None:
        headers["Last-Modified"] = http_date(last_modified)
    return headers


def not_modified(headers: dict[str, str]) -> Response:
    """A 304 keeping the validators and caching headers (RFC 9110 15.4.5), without a body."""
    kept = {k: v for k, v in headers.items() if k.lower() in ("etag", "last-modified", "vary", "cache-control",
                                                                "content-location", "link")}
    return Response(status_code=304, headers=kept)
