"""Token buckets by client: in one process, or shared by the serving process and its front processes.

Why shared: with front processes one client's requests land in several processes (whichever front accepted the
connection, and the serving process for everything handed over), and a bucket per process would give it
``front_processes + 1`` times its budget. The shared table is made in shared memory before the fronts start:
fixed slots addressed by a stable hash of the client key, under a lock held for a few microseconds per request.
A slot whose bucket has refilled completely is free for another client (it holds nothing a fresh bucket would
not); when all probed slots are busy the least recently used one is taken over, which can only be lenient.

>>> now = [0.0]
>>> buckets = ClientBuckets(per_minute=120, burst=2, clock=lambda: now[0])
>>> buckets.take("a"), buckets.take("a"), buckets.take("a")
(0.0, 0.0, 0.5)
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from typing import Any

#: Slots of a shared table (three arrays of this many 8-byte values: 1.5 MB).
SLOTS = 1 << 16
#: A lock held longer than this belongs to a process that died inside :meth:`ClientBuckets.take` (the only
#: holder, for microseconds): the waiting process stops sharing rather than wait forever.
LOCK_SECONDS = 0.5
_PROBES = 8
_MAX_LOCAL = 100_000
log = logging.getLogger("ourdata.api")


class SharedTable:
    """The shared memory of the buckets; passed to front processes when they start."""

    def __init__(self, context: Any) -> None:
        self.keys = context.RawArray("Q", SLOTS)
        self.tokens = context.RawArray("d", SLOTS)
        self.last = context.RawArray("d", SLOTS)
        self.lock = context.Lock()


def stable_hash(key: Any) -> int:
    """The same number for the same key in every process (``hash()`` of a string is salted per process)."""
    return int.from_bytes(hashlib.blake2b(repr(key).encode(), digest_size=8).digest(), "little") or 1


class ClientBuckets:
    """Each bucket holds ``burst`` requests and refills at ``per_minute``; 0 turns limiting off."""

    def __init__(self, *, per_minute: int, burst: int, clock: Callable[[], float] = time.monotonic,
                 table: SharedTable | None = None) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(max(burst, 1))
        self.clock = clock
        self._local: dict[Any, tuple[float, float]] = {}
        self._table = table

    def share(self, context: Any) -> SharedTable:
        """From now on the buckets live in shared memory (made with ``context``); returns it for the children."""
        if self._table is None:
            self._table = SharedTable(context)
            self._local.clear()
        return self._table

    def take(self, key: Any) -> float:
        """Takes one request from the key's bucket; returns 0, or the seconds until one is available."""
        if self.rate <= 0:
            return 0.0
        now = self.clock()
        if self._table is None:
            return self._take_local(key, now)
        table = self._table
        hashed = stable_hash(key)
        if not table.lock.acquire(timeout=LOCK_SECONDS):
            log.warning("The shared rate-limit lock is stuck (a process died holding it): this process counts "
                        "requests on its own from now on.")
            self._table = None
            return self._take_local(key, now)
        try:
            slot = self._slot(table, hashed, now)
            tokens = min(self.burst, table.tokens[slot] + (now - table.last[slot]) * self.rate)
            table.last[slot] = now
            if tokens < 1:
                table.tokens[slot] = tokens
                return (1 - tokens) / self.rate
            table.tokens[slot] = tokens - 1
            return 0.0
        finally:
            table.lock.release()

    def _slot(self, table: SharedTable, hashed: int, now: float) -> int:
        full = self.burst / self.rate
        start = hashed % SLOTS
        oldest = start
        for probe in range(_PROBES):
            slot = (start + probe) % SLOTS
            held = table.keys[slot]
            if held == hashed:
                return slot
            if held == 0 or now - table.last[slot] >= full:
                break
            if table.last[slot] < table.last[oldest]:
                oldest = slot
        else:
            slot = oldest
        table.keys[slot] = hashed
        table.tokens[slot] = self.burst
        table.last[slot] = now
        return slot

    def _take_local(self, key: Any, now: float) -> float:
        tokens, last = self._local.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        if tokens < 1:
            self._local[key] = (tokens, now)
            return (1 - tokens) / self.rate
        if len(self._local) >= _MAX_LOCAL and key not in self._local:
            full = self.burst / self.rate
            self._local = {k: v for k, v in self._local.items() if now - v[1] < full}
        self._local[key] = (tokens - 1, now)
        return 0.0
