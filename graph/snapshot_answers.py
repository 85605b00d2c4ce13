"""Small query answers from a read-only checkpoint, computed in the process that received the HTTP request.

The front processes (:mod:`api.front_process`) answer simple SPARQL reads themselves, so that tiny lookups do
not pay for a hop through the serving process. They evaluate and serialize exactly as a reader process does
(:func:`graph.query_worker.run_job`), over the same kind of checkpoint, but keep the result in memory and give up
as soon as it outgrows ``inline_bytes``: such a request is handed to the serving process, which spools it.
"""

from __future__ import annotations

import io
from typing import Any

import pyoxigraph as ox

from graph.capped_results import ResultCaps
from graph.formats import Format, ResultKind
from graph.query_worker import Answer, Job, run_job


class ResultTooLarge(Exception):
    """The result passed the in-memory limit; the caller hands the request on instead."""


class _InMemory(io.RawIOBase):
    """A seekable in-memory sink that refuses to grow past ``limit`` bytes."""

    def __init__(self, limit: int) -> None:
        self._buffer = io.BytesIO()
        self._limit = limit

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        if self._buffer.tell() + len(data) > self._limit:
            raise ResultTooLarge
        return self._buffer.write(data)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._buffer.seek(offset, whence)

    def tell(self) -> int:
        return self._buffer.tell()

    def truncate(self, size: int | None = None) -> int:
        return self._buffer.truncate(size)

    def finish(self) -> tuple[bytes, int]:
        """As :meth:`graph.query_worker._Spool.finish`: the body (always in memory here) and its size."""
        body = self._buffer.getvalue()
        return body, len(body)


class SnapshotAnswers:
    """Answers queries from one open checkpoint at a time (the newest the serving process handed out)."""

    def __init__(self, *, base_iri: str | None, caps: ResultCaps, inline_bytes: int) -> None:
        self._store: ox.Store | None = None
        self._base_iri = base_iri
        self._caps = caps
        self._inline_bytes = inline_bytes
        self.path: str | None = None
        self.version = -1

    def open(self, path: str, version: int) -> None:
        if path != self.path:
            self._store = None  # let go of the old checkpoint first: the serving process may delete it
            self._store = ox.Store.read_only(path)
            self.path = path
        self.version = version

    def answer(self, query: str, formats: dict[ResultKind, Format | None]) -> Answer | None:
        """The answer (a result or an error), or None when the result is larger than ``inline_bytes``."""
        assert self._store is not None and self.path is not None
        job = Job(query=query, default_graph_uris=(), named_graph_uris=(), base_iri=self._base_iri,
                  formats={kind.value: (fmt.name if fmt is not None else None) for kind, fmt in formats.items()},
                  caps=self._caps, snapshot=self.path, spool_path="", inline_bytes=self._inline_bytes)
        sink = _InMemory(self._inline_bytes)
        try:
            return run_job(self._store, job, sink)
        except ResultTooLarge:
            return None
