"""Per-client rate limiting: a token bucket per client, answering 429 problem+json with ``Retry-After``.

A client is its IP address, or its IP address and token name when it sends a valid token (so people
behind one address who authenticate get their own budget). Admin tokens are not limited: they are the
operators loading data. Each bucket holds ``rate_limit_burst`` requests and refills at
``rate_limit_per_minute``; 0 turns limiting off. Behind a reverse proxy the client address is the proxy's
unless uvicorn is told to trust its forwarded headers (``--forwarded-allow-ips``).
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from typing import Any

from anyio import to_thread
from starlette.responses import JSONResponse

from api.client_buckets import ClientBuckets
from api.errors import problem

Scope = dict[str, Any]
#: How long a token's verdict (its name, or unknown) is remembered, to keep SQLite off the hot path.
TOKEN_CACHE_SECONDS = 30.0


class RateLimit:
    """Pure ASGI middleware (no per-request Starlette objects: it sits in front of the lookup path)."""

    def __init__(self, app: Any, *, per_minute: int, burst: int, clock: Callable[[], float] = time.monotonic,
                 buckets: ClientBuckets | None = None) -> None:
        """``buckets``: shared with the other instances of the same settings (the fast lane's, api/fast_lane.py;
        with front processes, in shared memory), so a client's requests count once whoever answers them."""
        self.app = app
        self.buckets = buckets if buckets is not None else ClientBuckets(per_minute=per_minute, burst=burst,
                                                                         clock=clock)
        self.rate = self.buckets.rate
        self.burst = self.buckets.burst
        self.clock = clock
        self._tokens: dict[str, tuple[Any, float]] = {}

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or self.rate <= 0:
            await self.app(scope, receive, send)
            return
        key = await self._key(scope)
        wait = 0.0 if key is None else self.take(key)
        if wait <= 0:
            await self.app(scope, receive, send)
            return
        await self.refusal(wait)(scope, receive, send)

    def refusal(self, wait: float) -> JSONResponse:
        """The 429 for a client that must wait ``wait`` seconds."""
        retry = max(1, math.ceil(wait))
        return problem(429, "Too many requests",
                       f"This client may send {round(self.rate * 60)} requests a minute (bursts of "
                       f"{int(self.burst)}); try again in {retry} s.", headers={"Retry-After": str(retry)})

    def take(self, key: Any) -> float:
        """As the middleware does for each request (front processes call it for the requests they answer):
        0, or the seconds until the key's bucket holds a request again."""
        return self.buckets.take(key)

    async def _key(self, scope: Scope) -> Any:
        client = scope.get("client")
        address = client[0] if client else "unknown"
        secret = _bearer(scope)
        if secret is None:
            return address
        record = await self._token(scope, secret)
        if record is None:
            return address  # an unknown token buys nothing; the route answers 401 where it matters
        if record.is_admin:
            return None
        return address, record.name

    async def _token(self, scope: Scope, secret: str) -> Any:
        digest = hashlib.sha256(secret.encode()).hexdigest()
        now = self.clock()
        cached = self._tokens.get(digest)
        if cached is not None and cached[1] > now:
            return cached[0]
        services = getattr(scope["app"].state, "services", None)
        if services is None:
            return None
        record = await to_thread.run_sync(services.tokens.verify, secret)
        if len(self._tokens) > 10_000:
            self._tokens.clear()
        self._tokens[digest] = (record, now + TOKEN_CACHE_SECONDS)
        return record


def _bearer(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            scheme, _, secret = value.decode("latin-1").partition(" ")
            return secret.strip() or None if scheme.lower() == "bearer" else None
    return None
