"""Rendered API answers kept while the data they come from is unchanged (ENGINE.md, design choice 7).

Keys carry the store's version and the catalogue snapshot's token, so a write (or a rebuilt snapshot) makes
every earlier entry unreachable; least recently used entries go first once the entry or byte budget is spent.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import datetime

import orjson

from api.http_cache import etag_for


@dataclass(frozen=True)
class Rendered:
    """A JSON body as bytes with what its response headers need."""

    data: bytes
    media_type: str
    etag: str
    last_modified: datetime | None = None
    links: dict[str, str] = field(default_factory=dict)
    extra: dict[str, str] = field(default_factory=dict)


def render(body: object, media_type: str, *, last_modified: datetime | None = None,
           links: dict[str, str] | None = None, extra: dict[str, str] | None = None) -> Rendered:
    data = orjson.dumps(body)
    return Rendered(data, media_type, etag_for(data, media_type), last_modified, links or {}, extra or {})


class ResponseCache:
    """Thread-safe LRU of rendered answers, bounded by entries and bytes."""

    def __init__(self, max_entries: int = 2048, max_bytes: int = 64 * 1024 * 1024) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Hashable, Rendered] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> Rendered | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                self.hits += 1
            return found

    def get_or_render(self, key: Hashable, compute: Callable[[], Rendered]) -> Rendered:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                self.hits += 1
                return found
            self.misses += 1
        rendered = compute()
        if len(rendered.data) <= self.max_bytes // 8:
            with self._lock:
                if key not in self._entries:
                    self._entries[key] = rendered
                    self._bytes += len(rendered.data)
                while self._entries and (len(self._entries) > self.max_entries or self._bytes > self.max_bytes):
                    _key, dropped = self._entries.popitem(last=False)
                    self._bytes -= len(dropped.data)
        return rendered
