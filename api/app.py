"""The application factory: ``create_app(settings)`` builds everything; nothing is opened at import time."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware

from api import errors
from api.client_buckets import ClientBuckets
from api.deps import Services
from api.fast_lane import FastLane
from api.front_http import Cors
from api.rate_limit import RateLimit
from api.routes import (
    admin,
    api_docs,
    collections,
    contributions,
    definitions,
    graph_store,
    health,
    linked_data,
    sparql,
    stats,
    update,
    web,
)
from api.tokens import TokenStore
from graph.iris import Iris
from graph.settings import Settings
from graph.store import GraphStore, open_store

log = logging.getLogger("ourdata.api")

EXPOSED_HEADERS = ["ETag", "Last-Modified", "Link", "Location", "Content-Type", "Content-Length",
                   "X-Total-Count", "Retry-After", "Vary", "Ourdata-Result-Capped"]


def _warm_in_background(app: FastAPI, store: GraphStore) -> None:
    """Builds the catalogue (filters, text index), the home page's landscape and the contributions' reference
    index off the request path: 2-8 s on the bundled data."""
    from api.api_listing import catalogue_for
    from graph.catalogue_stats import compute
    from graph.landscape import landscape_for
    from loaders.contributions.references import references

    def warm() -> None:
        try:
            snapshot = catalogue_for(app.state, store, app.state.services.iris).snapshot()
            landscape = landscape_for(store, snapshot)
            compute(landscape.snapshot, store)
            landscape.stated_legal_forms()
            if not store.read_only:  # the first contribution after a start would otherwise pay 1-4 s for it
                references(store)
        except Exception:  # logged; the first request builds it instead
            if getattr(app.state, "stopping", False):  # stopped during the warm-up: its readers are gone
                log.info("warming the catalogue stopped: the server is shutting down")
                return
            log.exception("warming the catalogue failed")

    threading.Thread(target=warm, name="ourdata-warm", daemon=True).start()


def _start_readers(store: GraphStore, settings: Settings) -> bool:
    """Public queries run in killable reader processes when the store can checkpoint (on disk, writable)."""
    start = getattr(store, "start_readers", None)
    if start is None or settings.query_workers < 1:
        return False
    preload = ("api.front_process",) if settings.front_processes > 0 else ()  # fronts fork from the same server
    started: bool = start(workers=settings.query_workers, max_workers=settings.query_workers_max,
                          inline_bytes=settings.stream_buffer_bytes, memory_mb=settings.query_memory_mb,
                          preload=preload)
    return started


def _middleware(settings: Settings) -> list[tuple[type, dict[str, Any]]]:
    """The app's middleware, innermost first; the fast lane is wrapped in the same (one rate-limit budget)."""
    return [
        (errors.UnexpectedErrors, {}),
        (RateLimit, {"per_minute": settings.rate_limit_per_minute, "burst": settings.rate_limit_burst,
                     "buckets": ClientBuckets(per_minute=settings.rate_limit_per_minute,
                                              burst=settings.rate_limit_burst)}),
        (GZipMiddleware, {"minimum_size": 4096}),
        (CORSMiddleware, {"allow_origins": settings.cors_origins,
                          "allow_methods": ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"],
                          "allow_headers": ["*"], "expose_headers": EXPOSED_HEADERS, "max_age": 86400}),
    ]


def _fast_lane(settings: Settings, layers: list[tuple[type, dict[str, Any]]]) -> FastLane:
    """The lane counts requests in the app's rate-limit buckets and streams through its GZip and CORS."""
    rate_options = next(options for cls, options in layers if cls is RateLimit)

    def wrap(inner: Any) -> Any:
        for cls, options in layers:
            if cls in (GZipMiddleware, CORSMiddleware):
                inner = cls(inner, **options)
        return inner

    return FastLane(rate=RateLimit(None, **rate_options),
                    cors=Cors(origins=tuple(settings.cors_origins), expose=", ".join(EXPOSED_HEADERS)),
                    wrap=wrap)


class OurdataApp(FastAPI):
    """FastAPI, with the hottest simple reads taking the fast lane past routing (api/fast_lane.py)."""

    fast_lane: FastLane | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        lane = self.fast_lane
        if lane is not None and lane.takes(scope):
            scope["app"] = self
            await lane(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def create_app(settings: Settings, *, store: GraphStore | None = None) -> OurdataApp:
    """Builds the app. Pass ``store`` to share an already-open store (tests, ``serve`` after the first load);
    otherwise the lifespan opens the one the settings name and closes it on shutdown."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own_store = store is None
        opened = store if store is not None else open_store(settings)
        readers = _start_readers(opened, settings)
        # a thread waits on each reader, and small queries must still find a thread while slow ones hold theirs
        threads = max(settings.query_threads, settings.query_workers_max + 4 if readers else 0)
        executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="ourdata-query")
        app.state.services = Services(
            settings=settings,
            store=opened,
            iris=Iris(settings.base_iri),
            tokens=TokenStore(settings.token_path),
            query_executor=executor,
        )
        if settings.warm_caches:
            _warm_in_background(app, opened)
        try:
            yield
        finally:
            app.state.stopping = True
            executor.shutdown(wait=False, cancel_futures=True)
            if own_store:
                opened.close()
            elif readers:
                opened.stop_readers()  # type: ignore[attr-defined]

    app = OurdataApp(
        title="ourdata",
        summary="A linked-data knowledge graph of the data-ownership landscape.",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,  # api/routes/api_docs.py serves /docs from the installed Swagger UI (no CDN)
    )
    errors.install(app)
    layers = _middleware(settings)
    for cls, options in layers:
        app.add_middleware(cls, **options)
    app.fast_lane = _fast_lane(settings, layers)
    app.state.rate_buckets = app.fast_lane.rate.buckets  # the middleware's too; front processes share them
    # routes are tried in order: the hottest paths (SPARQL, then the JSON-LD API) first; none of them overlap
    for module in (sparql, collections, update, graph_store, health, definitions, linked_data, stats, contributions,
                   admin, api_docs, web):
        app.include_router(module.router)
    return app
