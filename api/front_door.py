"""The serving process's side of the front processes (:mod:`api.front_process`): starts and replaces them, hands
them checkpoints, and adopts the connections they pass on into uvicorn.

The serving process owns the store (the only writer) and the public listening socket, which it shares with the
fronts; it does not accept on it itself while fronts are running. Each front has a channel (a SOCK_SEQPACKET
pair) over which it asks for the newest checkpoint, says it is busy with a slow query (a replacement starts at
once), and sends the connections it does not answer, file descriptor and all. If fronts cannot be kept running,
the serving process accepts on the socket again, so the port never goes deaf.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import multiprocessing
import multiprocessing.connection
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from api.client_buckets import ClientBuckets
from api.front_channel import (
    ADOPT,
    EVACUATED,
    HANDOFF,
    MOVE,
    READY,
    REPLY,
    SNAPSHOT,
    FrontConfig,
    close_shared,
    receive_connection,
    send_connection,
)
from api.front_process import SHARE_AFTER, main

log = logging.getLogger("ourdata.front")

#: Fronts that die before they are ready this many times in a row stop the restarts (and the serving process
#: accepts connections itself).
_QUICK_DEATHS = 3


@dataclass
class _Front:
    name: str
    process: Any
    channel: socket.socket
    busy_since: Any  # shared with the front: when its running query started, 0.0 when idle
    started: float = field(default_factory=time.monotonic)
    evacuated: bool = False
    ready: bool = False  # has opened a checkpoint and accepts connections
    send_lock: threading.Lock = field(default_factory=threading.Lock)  # our threads for several fronts write here


class _SharedSocketTransport:
    """The transport uvicorn gets for a connection a front handed over: as the real one, except that closing sends
    the FIN even while the front still holds a descriptor of the socket (see ``close_shared``)."""

    def __init__(self, transport: Any) -> None:
        self._transport = transport

    def close(self) -> None:
        close_shared(self._transport)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class FrontDoor:
    """Keeps ``count`` fronts answering (plus fronts finishing a slow query, up to ``max_count`` in all)."""

    def __init__(self, *, listener: socket.socket, pool: Any, store: Any, config: FrontConfig, count: int,
                 max_count: int, buckets: ClientBuckets | None = None) -> None:
        """``buckets``: the app's rate-limit buckets, moved to shared memory here so fronts count in them too."""
        self._listener = listener
        self._pool = pool
        self._config = config
        self._count = count
        self._max_count = max(max_count, count)
        self._context = multiprocessing.get_context("forkserver")
        self._version = self._context.RawValue("q", store.version())
        self._rate_table = buckets.share(self._context) if buckets is not None and buckets.rate > 0 else None
        store.on_version(self._publish)
        self._lock = threading.Lock()
        self._fronts: dict[str, _Front] = {}
        self._names = itertools.count(1)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._adopt_protocol: Callable[[], asyncio.Protocol] | None = None
        self._closed = False
        self._quick_deaths = 0
        self._accepting: Any = None  # the serving process's own server on the listener, when fronts failed
        self.stats = {"handed_over": 0, "moved": 0, "replaced": 0, "evacuated": 0}
        self._moved_to: dict[str, int] = {}

    def _publish(self, version: int) -> None:
        self._version.value = version

    # ------------------------------------------------------------- lifecycle
    def start(self, loop: asyncio.AbstractEventLoop, create_protocol: Callable[[], asyncio.Protocol]) -> None:
        self._loop = loop
        self._adopt_protocol = create_protocol
        for _ in range(self._count):
            self._spawn()
        threading.Thread(target=self._supervise, name="ourdata-front-supervisor", daemon=True).start()

    def _spawn(self) -> None:
        name = f"{self._config.name}-{next(self._names)}"
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        config = FrontConfig(**{**self._config.__dict__, "name": name})
        busy_since = self._context.RawValue("d", 0.0)
        process = self._context.Process(target=main, args=(self._listener, theirs, self._version, busy_since, config,
                                                                   self._rate_table),
                                        name=f"ourdata-front-{name}", daemon=True)
        process.start()
        theirs.close()
        front = _Front(name=name, process=process, channel=ours, busy_since=busy_since)
        with self._lock:
            self._fronts[name] = front
        threading.Thread(target=self._serve_channel, args=(front,), name=f"ourdata-front-{name}",
                         daemon=True).start()

    def _answering(self) -> int:
        with self._lock:
            return sum(1 for f in self._fronts.values() if not f.evacuated and f.process.is_alive())

    def _top_up(self) -> None:
        """Starts fronts until ``count`` answer, within ``max_count`` processes."""
        while not self._closed:
            with self._lock:
                total = len(self._fronts)
            if self._answering() >= self._count or total >= self._max_count:
                return
            self._spawn()
            self.stats["replaced"] += 1

    def _supervise(self) -> None:
        while not self._closed:
            with self._lock:
                fronts = list(self._fronts.values())
            sentinels = {f.process.sentinel: f for f in fronts}
            ready = multiprocessing.connection.wait(list(sentinels), timeout=0.5)
            for sentinel in ready:
                front = sentinels[sentinel]  # type: ignore[index]
                self._forget(front)
                if not front.evacuated and not self._closed:
                    self._quick_deaths = 0 if front.ready else self._quick_deaths + 1
                    log.warning("front process %s exited (code %s)", front.name, front.process.exitcode)
            if self._quick_deaths >= _QUICK_DEATHS:
                log.error("front processes keep dying at start; the serving process accepts connections itself")
                self._accept_here()
                return
            self._top_up()

    def _forget(self, front: _Front) -> None:
        with self._lock:
            self._fronts.pop(front.name, None)
        front.process.join(timeout=1)
        with contextlib.suppress(OSError):
            front.channel.close()
        self._pool.release(front.name)

    def _accept_here(self) -> None:
        async def accept() -> None:
            assert self._adopt_protocol is not None and self._loop is not None
            self._accepting = await self._loop.create_server(self._adopt_protocol, sock=self._listener)

        if self._loop is not None and not self._closed:
            asyncio.run_coroutine_threadsafe(accept(), self._loop)

    def stop(self) -> None:
        self._closed = True
        with self._lock:
            fronts = list(self._fronts.values())
        for front in fronts:
            with contextlib.suppress(OSError, ValueError):
                front.process.terminate()
        for front in fronts:
            front.process.join(timeout=5)
            if front.process.is_alive():
                front.process.kill()
            self._forget(front)

    def status(self) -> dict[str, Any]:
        with self._lock:
            alive = [f for f in self._fronts.values() if f.process.is_alive()]
        return {"fronts": sum(1 for f in alive if not f.evacuated),
                "fronts_finishing_slow_queries": sum(1 for f in alive if f.evacuated),
                "serving_process_accepts": self._accepting is not None, **self.stats}

    # --------------------------------------------------------------- channel
    def _serve_channel(self, front: _Front) -> None:
        channel = front.channel
        while True:
            try:
                message, fds, _flags, _address = socket.recv_fds(channel, 65536, 1)
            except OSError:
                return
            if not message:
                return
            kind = message[:1]
            if kind == SNAPSHOT:
                try:
                    path, version = self._pool.snapshot_for(front.name)
                    with front.send_lock:
                        channel.send(REPLY + json.dumps({"path": path, "version": version}).encode())
                except OSError:
                    log.exception("could not give front %s a checkpoint", front.name)
                    return
            elif kind in (HANDOFF, MOVE) and fds:
                data = receive_connection(channel, message, fds[0])
                if data is None:
                    return
                if kind == HANDOFF or not self._move(front, fds[0], data):
                    self._adopt(fds[0], data)
            elif kind == READY:
                front.ready = True
            elif kind == EVACUATED:
                front.evacuated = True
                self.stats["evacuated"] += 1
                self._top_up()
            for fd in fds[1:]:
                os.close(fd)

    def _move(self, sender: _Front, fd: int, data: bytes) -> bool:
        """Gives a connection an evacuated front let go of to another front that is answering (the serving
        process would answer its lookups at a fraction of a front's rate); False when there is none."""
        with self._lock:
            targets = [f for f in self._fronts.values() if f is not sender and not f.evacuated]
        now = time.monotonic()

        def preference(front: _Front) -> tuple[bool, bool, int]:  # ready, then not in a query, then fewest moved
            since = front.busy_since.value
            return not front.ready, bool(since) and now - since > SHARE_AFTER, self._moved_to.get(front.name, 0)

        for target in sorted(targets, key=preference):
            try:
                with target.send_lock:
                    send_connection(target.channel, ADOPT, fd, data)
            except OSError:
                continue
            self._moved_to[target.name] = self._moved_to.get(target.name, 0) + 1
            self.stats["moved"] += 1
            os.close(fd)  # the target has its own descriptor now
            return True
        return False

    def _adopt(self, fd: int, data: bytes) -> None:
        """Gives the connection to uvicorn in the serving process, with what the front had read of it."""
        loop, create = self._loop, self._adopt_protocol
        if loop is None or create is None or self._closed:
            os.close(fd)
            return
        self.stats["handed_over"] += 1

        def protocol() -> asyncio.Protocol:
            adopted = create()
            connection_made = adopted.connection_made

            def made(transport: Any) -> None:  # the bytes the front read come first, before any read here
                connection_made(_SharedSocketTransport(transport))
                if data:
                    adopted.data_received(data)  # type: ignore[attr-defined]

            adopted.connection_made = made  # type: ignore[method-assign]
            return adopted

        async def adopt() -> None:
            sock = socket.socket(fileno=fd)
            sock.setblocking(False)
            try:
                await loop.connect_accepted_socket(protocol, sock)
            except OSError:
                sock.close()

        asyncio.run_coroutine_threadsafe(adopt(), loop)
