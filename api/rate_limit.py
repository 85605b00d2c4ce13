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

from api.errors import problem

Scope = dict[str, Any]
#: How long a token's verdict (its name, or unknown) is remembered, to keep SQLite off the hot path.
TOKEN_CACHE_SECONDS = 30.0
_MAX_BUCKETS = 100_000


class RateLimit:
    """Pure ASGI middleware (no per-request Starlette objects: it sits in front of the lookup path)."""

    def __init__(self, app: Any, *, per_minute: int, burst: int, clock: Callable[[], float] = time.monotonic,
                 buckets: dict[Any, tuple[float, float]] | None = None) -> None:
        """``buckets``: shared with another instance of the same settings, so a client's requests count once
        whichever stack answers them (api/fast_lane.py)."""
        self.app = app
        self.rate = per_minute / 60.0
        self.burst = float(max(burst, 1))
        self.clock = clock
        self._buckets: dict[Any, tuple[float, float]] = {} if buckets is None else buckets
        self._tokens: dict[str, tuple[Any, float]] = {}

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or self.rate <= 0:
            await self.app(scope, receive, send)
            return
        key = await self._key(scope)
        wait = 0.0 if key is None else self._take(key)
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
        """As the middleware does for each request (front processes call it for the requests they answer)."""
        return self._take(key) if self.rate > 0 else 0.0

    def _take(self, key: Any) -> float:
        """Takes one request from the key's bucket; returns 0, or the seconds until one is available."""
        now = self.clock()
        tokens, last = self._buckets.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        if tokens < 1:
            self._buckets[key] = (tokens, now)
            return (1 - tokens) / self.rate
        if len(self._buckets) >= _MAX_BUCKETS and key not in self._buckets:
            self._prune(now)
        self._buckets[key] = (tokens - 1, now)
        return 0.0

    def _prune(self, now: float) -> None:
        """Forgets buckets that have refilled completely (they hold nothing a fresh bucket would not)."""
        full = self.burst / self.rate
        for key in [k for k, v in self._buckets.items() if now - v[1] >= full]:
            del self._buckets[key]  # in place: another instance may share the dict

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
