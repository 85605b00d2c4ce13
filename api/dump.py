"""``/dump.nq.gz``: every quad, N-Quads, gzip, compressed while it is sent.

One worker thread serializes the store into a gzip writer whose output feeds the response through the
bounded queue of :class:`api.query_stream.QueryExecution`, so memory stays flat whatever the store's
size, and a client that goes away stops the work. Small stores fit the first buffer and are sent whole.
"""

from __future__ import annotations

import asyncio
import gzip
from datetime import datetime

from starlette.responses import Response, StreamingResponse

from api.deps import Services
from api.query_stream import QueryExecution
from api.void import DUMP_PATH, dataset_facts
from graph.formats import RDF_BY_NAME, Format, ResultKind
from graph.iris import Iris
from graph.store import GraphStore

PATH = "/" + DUMP_PATH
MEDIA_TYPE = "application/gzip"
HEADERS = {"Content-Disposition": 'attachment; filename="ourdata.nq.gz"'}
NQUADS = RDF_BY_NAME["nquads"]


def validators(store: GraphStore, iris: Iris) -> tuple[str, datetime]:
    """ETag and Last-Modified of the dump, from the dataset's fingerprint (no need to produce the dump)."""
    facts = dataset_facts(store, iris)
    return facts.fingerprint, facts.modified


def write_dump(store: GraphStore, sink: QueryExecution) -> Format:
    """Runs in the worker: N-Quads of the whole store through gzip into the sink."""
    sink.begin(NQUADS, ResultKind.GRAPH)
    # mtime=0: the same data gives the same bytes
    with gzip.GzipFile(fileobj=sink, mode="wb", compresslevel=6, mtime=0) as compressed:  # type: ignore[arg-type]
        store.serialize(compressed, NQUADS, whole=True)
    return NQUADS


async def respond(services: Services, headers: dict[str, str]) -> Response:
    execution = QueryExecution(asyncio.get_running_loop(), buffer_bytes=services.settings.stream_buffer_bytes)
    head = await execution.start(services.query_executor, lambda sink: write_dump(services.store, sink))
    if head.error is not None:
        raise head.error
    headers = {**headers, "Content-Type": MEDIA_TYPE}
    if head.body is not None:
        return Response(head.body, headers=headers)
    return StreamingResponse(execution.stream(), headers=headers)
