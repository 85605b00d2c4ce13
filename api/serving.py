"""Running the app under uvicorn, with front processes sharing the public port when the store allows them.

Without fronts (``front_processes = 0``, an in-memory store, or queries in process) this is plain
``uvicorn.Server``. With them, the serving process binds the port, lets the fronts accept on it
(:mod:`api.front_door`) and serves only the connections they hand over.
"""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import uvicorn

from api.app import EXPOSED_HEADERS
from api.front_channel import FrontConfig
from api.front_door import FrontDoor
from graph.query_pool import SLOW_AFTER_SECONDS
from graph.settings import Settings


def front_config(settings: Settings) -> FrontConfig:
    return FrontConfig(
        name="front", base_iri=settings.base_iri, timeout=settings.query_timeout, slow_after=SLOW_AFTER_SECONDS,
        inline_bytes=settings.stream_buffer_bytes, max_rows=settings.query_max_rows,
        max_bytes=settings.query_max_result_bytes, memory_mb=settings.query_memory_mb,
        rate_per_minute=settings.rate_limit_per_minute, rate_burst=settings.rate_limit_burst,
        cors_origins=tuple(settings.cors_origins), expose_headers=", ".join(EXPOSED_HEADERS),
        access_log=settings.access_log)


def listening_socket(host: str, port: int) -> socket.socket:
    """The public socket, bound before anything starts (a port in use fails here, plainly)."""
    family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
    return socket.create_server((host, port), family=family, backlog=2048)


class FrontedServer(uvicorn.Server):
    """uvicorn, with the listening socket given to front processes once the app (and its readers) started."""

    def __init__(self, config: uvicorn.Config, *, listener: socket.socket, settings: Settings, app: Any,
                 store: Any) -> None:
        super().__init__(config)
        self._listener = listener
        self._settings = settings
        self._app = app
        self._store = store
        self.front_door: FrontDoor | None = None

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=[])
        if self.should_exit:
            return
        config = self.config

        def create_protocol(_loop: asyncio.AbstractEventLoop | None = None) -> asyncio.Protocol:
            return config.http_protocol_class(  # type: ignore[call-arg]
                config=config, server_state=self.server_state, app_state=self.lifespan.state, _loop=_loop)

        loop = asyncio.get_running_loop()
        pool = getattr(self._store, "readers", None)
        if pool is None:  # no checkpoints to read from: serve every connection here
            self.servers.append(await loop.create_server(create_protocol, sock=self._listener,
                                                         backlog=config.backlog))
            return
        settings = self._settings
        self.front_door = FrontDoor(listener=self._listener, pool=pool, store=self._store,
                                    config=front_config(settings), count=settings.front_processes,
                                    max_count=settings.front_processes + settings.query_workers_max,
                                    buckets=getattr(self._app.state, "rate_buckets", None))
        self._app.state.front_door = self.front_door
        self.front_door.start(loop, create_protocol)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        if self.front_door is not None:
            self.front_door.stop()
        await super().shutdown(sockets=sockets)


def run(app: Any, settings: Settings, store: Any) -> None:
    """Serves until interrupted."""
    config = uvicorn.Config(app, host=settings.host, port=settings.port, log_level="info",
                            access_log=settings.access_log, timeout_graceful_shutdown=5)
    fronts = (settings.front_processes > 0 and settings.query_workers > 0 and settings.store_path is not None
              and hasattr(store, "start_readers"))
    if not fronts:
        server = uvicorn.Server(config)
        listener = None
    else:
        listener = listening_socket(settings.host, settings.port)
        server = FrontedServer(config, listener=listener, settings=settings, app=app, store=store)
    try:
        server.run(sockets=[] if listener is not None else None)
    except KeyboardInterrupt:  # uvicorn re-raises the SIGINT it handled; a clean stop exits 0 (as uvicorn.run)
        pass
    finally:
        if listener is not None:
            listener.close()
