"""A front process: accepts HTTP connections on the public port beside its siblings and answers simple SPARQL
reads itself, from a read-only checkpoint; every other request goes, with its connection, to the serving process.

Why: one Python process answers a tiny lookup in about half a millisecond of CPU, nearly all of it the web
stack, and the GIL keeps that on one core. Front processes share the listening socket, so lookups spread over
the cores, and each answers ``GET /sparql?query=`` with a small raw HTTP path (:mod:`api.front_http`) and the
same evaluation and serialization as a reader process. Anything else (other routes, POST, HEAD, tokens, other
parameters, SERVICE, results over ``inline_bytes``, anything unusual) is handed over: the socket itself and the
bytes read so far travel to the serving process (``SCM_RIGHTS``), where uvicorn carries on with it.

A front answers one query at a time: a query running past ``SHARE_AFTER`` makes it move connections with a request
waiting to a sibling front. Time limits hold as in a reader process. A query still running after ``slow_after``
makes the front hand every other connection over, ask for a replacement and lower its priority; it then finishes
that one query (or answers 503 at the limit) and exits, which is what frees the CPU. A checkpoint is reopened before
a query when the serving process has written since (the store version sits in shared memory), so a read after a
write sees it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import queue
import resource
import select
import signal
import socket
import threading
import time
from typing import Any

from api.client_buckets import ClientBuckets, SharedTable
from api.errors import problem_for
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
    trace,
)
from api.front_connection import FrontConnection
from api.front_http import REASONS, Cors, Dates, PlainResponse, RequestHead, encode_response
from api.negotiation import choose_format
from api.rate_limit import RateLimit
from api.routes.sparql import result_headers
from graph.capped_results import ResultCaps
from graph.errors import NotAcceptable, OurdataError, QueryTimeout
from graph.formats import Format, ResultKind
from graph.query_pool import ReaderPool
from graph.query_worker import Answer
from graph.snapshot_answers import SnapshotAnswers

log = logging.getLogger("ourdata.front")
KEEP_ALIVE_SECONDS = 5.0  # uvicorn's default --timeout-keep-alive
HEAD_SECONDS = 30.0
_TICK = 0.02
#: A query running this long makes its front move connections with a request waiting to a sibling front (a front
#: answers one query at a time; two clients of one front should not queue while another front idles).
SHARE_AFTER = 0.02


class Front:
    """One front process's state: its connections, its checkpoint, and the query running now."""

    def __init__(self, listener: socket.socket, channel: socket.socket, version: Any, busy_since: Any,
                 config: FrontConfig, rate_table: SharedTable | None = None) -> None:
        self.listener = listener
        self.channel = channel
        self.version = version
        self.busy_since = busy_since  # shared: when the running query started (0: idle); read by the server
        self.config = config
        self.connections: set[FrontConnection] = set()
        self.answers = SnapshotAnswers(base_iri=config.base_iri, inline_bytes=config.inline_bytes,
                                       caps=ResultCaps(max_rows=config.max_rows, max_bytes=config.max_bytes))
        self.rate = RateLimit(None, per_minute=config.rate_per_minute, burst=config.rate_burst,
                              buckets=ClientBuckets(per_minute=config.rate_per_minute, burst=config.rate_burst,
                                                    table=rate_table))  # one budget with the serving process
        self.cors = Cors(origins=config.cors_origins, expose=config.expose_headers)
        self.dates = Dates()
        self.send_lock = threading.Lock()
        self.state_lock = threading.Lock()
        self.replies: queue.Queue[bytes] = queue.Queue()
        self.current: tuple[FrontConnection, RequestHead, float] | None = None
        self.evacuated = False
        self.released: list[FrontConnection] = []
        self.incoming: dict[int, tuple[socket.socket, bytes]] = {}  # by descriptor; see _take_in
        self.moved_away: set[int] = set()  # descriptors moved from "incoming" while the loop was busy
        self.loop: asyncio.AbstractEventLoop | None = None
        self._negotiated: dict[str | None, tuple[dict[ResultKind, Format | NotAcceptable],
                                                 dict[ResultKind, Format | None]]] = {}

    # ------------------------------------------------------------ channel
    def read_channel(self) -> None:
        """The only reader of the channel: replies go to the queue; end of file means the serving process is
        gone, and a front must not outlive it (it would serve an old checkpoint on the port)."""
        while True:
            try:
                message, fds, _flags, _address = socket.recv_fds(self.channel, 65536, 1)
            except OSError:
                message, fds = b"", []
            if not message:
                os._exit(0)
            if message[:1] == ADOPT and fds:
                data = receive_connection(self.channel, message, fds[0])
                if data is None:
                    os._exit(0)
                sock = socket.socket(fileno=fds[0])
                with self.state_lock:
                    if self.evacuated:  # we are leaving: pass it on to a sibling at once
                        with self.send_lock, contextlib.suppress(OSError):
                            send_connection(self.channel, MOVE, sock.fileno(), data)
                        sock.close()
                        continue
                    self.incoming[sock.fileno()] = (sock, data)
                assert self.loop is not None
                self.loop.call_soon_threadsafe(self._take_in, sock, True)
            elif message[:1] == REPLY:
                self.replies.put(message[1:])

    def refresh_snapshot(self) -> None:
        with self.send_lock:
            self.channel.send(SNAPSHOT)
        reply = json.loads(self.replies.get(timeout=15))
        self.answers.open(reply["path"], reply["version"])

    def _take_in(self, sock: socket.socket, moved_in: bool) -> None:
        """Makes a connection of a socket in ``incoming`` (accepted here, or moved here by a sibling with the
        bytes it had read). Until its protocol exists, an evacuation passes the socket on as it is."""
        assert self.loop is not None
        fd = sock.fileno()
        trace(f"take-in moved={moved_in}", fd)

        def protocol() -> FrontConnection:
            with self.state_lock:
                _sock, data = self.incoming.get(fd, (None, b""))
            return FrontConnection(self, data, moved_in=moved_in)

        sock.setblocking(False)
        self.loop.create_task(self.loop.connect_accepted_socket(protocol, sock))

    def hand_off(self, conn: FrontConnection, *, from_watchdog: bool = False) -> None:
        """Sends the connection and its unread bytes to the serving process, and forgets it here."""
        if conn.gone:
            return
        if conn.paused and not from_watchdog:
            conn.handoff_waiting = True  # after our response has left
            conn.transport.pause_reading()
            return
        sock = conn.transport.get_extra_info("socket")
        with self.send_lock:  # from the watchdog: connections at rest that a sibling front can go on with
            send_connection(self.channel, MOVE if from_watchdog and not conn.busy else HANDOFF, sock.fileno(),
                            bytes(conn.buffer))
        conn.gone = True
        if not from_watchdog:  # the watchdog must not touch the event loop's objects; we exit soon anyway
            conn.transport.abort()  # closes our descriptor only: the serving process holds its own

    # --------------------------------------------------------------- query
    def answer(self, conn: FrontConnection, head: RequestHead, query: str, raw: bytes) -> None:
        peer = conn.transport.get_extra_info("peername")
        wait = self.rate.take(peer[0] if peer else "unknown")
        if wait > 0:
            self.respond(conn, head, self.rate.refusal(wait))
            return
        if self.version.value != self.answers.version:
            try:
                self.refresh_snapshot()
            except (OSError, ValueError, KeyError, queue.Empty):
                log.exception("front %s could not open the newest checkpoint", self.config.name)
                conn.buffer[:0] = raw
                self.hand_off(conn)  # the serving process answers from the live store
                return
        formats, chosen = self._formats(head.headers.get("accept"))
        with self.state_lock:
            self.current = (conn, head, time.monotonic())
            conn.busy = True
            self.busy_since.value = self.current[2]
        try:
            result = self.answers.answer(query, chosen)
        except Exception:  # noqa: BLE001 - answered as the serving process answers the unexpected
            log.exception("front %s: a query failed unexpectedly", self.config.name)
            result = Answer(error=("StoreError", "The query failed unexpectedly; it has been logged."))
        with self.state_lock:
            self.current = None
            conn.busy = False
            self.busy_since.value = 0.0
            for moved in self.released:  # our descriptors of connections a sibling now holds
                moved.transport.abort()
            self.released.clear()
            if self.evacuated:  # the watchdog moved everything else away: finish this one and leave
                self._finish_and_exit(conn, head, raw, result, formats)
        if result is None:  # too large to hold here: the serving process spools it
            conn.buffer[:0] = raw
            self.hand_off(conn)
            return
        self.respond(conn, head, self._response(result, formats))

    def _formats(self, accept: str | None) -> tuple[dict[ResultKind, Format | NotAcceptable],
                                                     dict[ResultKind, Format | None]]:
        """The format (or the refusal) for each kind of result, remembered per Accept header: clients send the
        same few, and negotiating three times per request cost a tenth of a lookup."""
        known = self._negotiated.get(accept)
        if known is None:
            formats: dict[ResultKind, Format | NotAcceptable] = {}
            for kind in ResultKind:
                try:
                    formats[kind] = choose_format(kind, accept)
                except NotAcceptable as refusal:
                    formats[kind] = refusal
            known = formats, {k: f if isinstance(f, Format) else None for k, f in formats.items()}
            if len(self._negotiated) >= 512:
                self._negotiated.clear()
            self._negotiated[accept] = known
        return known

    @staticmethod
    def _response(answer: Answer, formats: dict[ResultKind, Format | NotAcceptable]) -> Any:
        try:
            result = ReaderPool.result_of(answer, formats, "")
        except OurdataError as exc:
            return problem_for(exc)
        return PlainResponse(200, result_headers(result.fmt, result.cap), result.body or b"")

    def _encode(self, head: RequestHead, response: Any, *, close: bool) -> bytes:
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in response.raw_headers] \
            if hasattr(response, "raw_headers") else list(response.headers.items())
        status = response.status_code
        if self.config.access_log:
            log.info('front %s - "GET %s HTTP/1.1" %d', self.config.name, head.target[:200], status)
        return encode_response(status, REASONS.get(status, "Error"), headers, bytes(response.body), head=head,
                               cors=self.cors, dates=self.dates, close=close)

    def respond(self, conn: FrontConnection, head: RequestHead, response: Any) -> None:
        close = not head.keep_alive
        conn.transport.write(self._encode(head, response, close=close))
        if close:
            conn.gone = True
            close_shared(conn.transport)

    # ------------------------------------------------------------ watchdog
    def watch(self) -> None:
        """Evacuates at ``slow_after`` and answers 503 at the limit (then exits, freeing the CPU)."""
        while True:
            time.sleep(_TICK)
            with self.state_lock:
                if self.current is None:
                    continue
                conn, head, started = self.current
                elapsed = time.monotonic() - started
                if not self.evacuated and elapsed >= self.config.slow_after:
                    self._evacuate(conn)
                elif not self.evacuated and elapsed >= SHARE_AFTER:
                    self._share_waiting(conn)
                if elapsed >= self.config.timeout:
                    refusal = QueryTimeout.stopped(self.config.timeout)
                    trace("deadline-503", conn.transport.get_extra_info("socket").fileno())
                    self._send_blocking(conn, self._encode(head, problem_for(refusal), close=True), last=True)
                    trace("exit")
                    os._exit(0)

    def _share_waiting(self, busy: FrontConnection) -> None:
        """Moves connections whose next request is waiting to a sibling front, once per connection (so two busy
        fronts do not pass one back and forth). The event loop is inside the query: it closes them after."""
        for fd, (_sock, data) in list(self.incoming.items()):  # accepted, not yet taken in by the loop
            if data or select.select([fd], [], [], 0)[0]:
                with self.send_lock, contextlib.suppress(OSError):
                    send_connection(self.channel, MOVE, fd, data)
                del self.incoming[fd]
                self.moved_away.add(fd)
        for conn in list(self.connections):
            if conn is busy or conn.gone or conn.moved_in or conn.transport.get_write_buffer_size():
                continue
            fd = conn.transport.get_extra_info("socket").fileno()
            if conn.buffer or select.select([fd], [], [], 0)[0]:
                with contextlib.suppress(OSError):
                    self.hand_off(conn, from_watchdog=True)
                    self.released.append(conn)

    def _evacuate(self, busy: FrontConnection) -> None:
        self.evacuated = True
        with self.send_lock, contextlib.suppress(OSError):
            self.channel.send(EVACUATED)
        for sock, data in list(self.incoming.values()):  # accepted or moved here, not yet taken in
            with self.send_lock, contextlib.suppress(OSError):
                send_connection(self.channel, MOVE, sock.fileno(), data)
        self.incoming.clear()
        for conn in list(self.connections):
            if conn is not busy and not conn.gone and conn.transport.get_write_buffer_size() == 0:
                with contextlib.suppress(OSError):
                    self.hand_off(conn, from_watchdog=True)
        _lower_priority()

    def _finish_and_exit(self, conn: FrontConnection, head: RequestHead, raw: bytes, result: Answer | None,
                         formats: dict[ResultKind, Format | NotAcceptable]) -> None:
        if result is None:
            conn.buffer[:0] = raw
        else:
            self._send_blocking(conn, self._encode(head, self._response(result, formats), close=False))
        with contextlib.suppress(OSError):
            self.hand_off(conn, from_watchdog=True)  # the rest of the connection goes on in a sibling front
        os._exit(0)

    @staticmethod
    def _send_blocking(conn: FrontConnection, data: bytes, *, last: bool = False) -> None:
        """Writes outside the event loop (which is inside a query). ``last``: the connection ends here, closed
        gracefully (our side shut, the client's close awaited briefly) so the client reads the answer rather than a
        reset."""
        sock = conn.transport.get_extra_info("socket")
        with contextlib.suppress(OSError), socket.socket(fileno=os.dup(sock.fileno())) as own:
            own.setblocking(True)
            own.settimeout(10)
            own.sendall(data)
            if last:
                own.shutdown(socket.SHUT_WR)
                own.settimeout(1.0)
                while own.recv(65536):
                    pass

    # ----------------------------------------------------------------- run
    def run(self) -> None:
        try:
            import uvloop

            loop = uvloop.new_event_loop()
        except ImportError:  # pragma: no cover - uvicorn[standard] brings uvloop
            loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self.loop = loop
        threading.Thread(target=self.read_channel, name="ourdata-front-channel", daemon=True).start()
        self.refresh_snapshot()
        with self.send_lock:
            self.channel.send(READY)
        threading.Thread(target=self.watch, name="ourdata-front-watch", daemon=True).start()
        self.listener.setblocking(False)
        loop.add_reader(self.listener.fileno(), self._accept_one, loop)
        loop.call_later(1.0, self._close_idle, loop)
        loop.run_forever()

    def _close_idle(self, loop: asyncio.AbstractEventLoop) -> None:
        """Closes kept-alive connections idle for ``KEEP_ALIVE_SECONDS`` (as uvicorn does) and ones stuck in an
        unfinished request head for ``HEAD_SECONDS``, so idle clients cannot pile up file descriptors."""
        now = time.monotonic()
        for conn in list(self.connections):
            idle = now - conn.last_active
            if conn.gone or conn.transport.get_write_buffer_size():
                continue
            if (not conn.buffer and idle > KEEP_ALIVE_SECONDS) or idle > HEAD_SECONDS:
                conn.gone = True
                close_shared(conn.transport)
        loop.call_later(1.0, self._close_idle, loop)

    def _accept_one(self, loop: asyncio.AbstractEventLoop) -> None:
        """One connection per wake-up (asyncio's server would take the whole queue): every front is woken for
        a new connection and the least busy one gets there first, which spreads bursts of connections."""
        try:
            sock, _address = self.listener.accept()
        except (BlockingIOError, InterruptedError):
            return  # a sibling took it
        except OSError:
            log.exception("accept failed")
            return
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self.state_lock:
            self.incoming[sock.fileno()] = (sock, b"")
        self._take_in(sock, False)


def _lower_priority() -> None:
    """nice 10 for every thread of this process: on Linux a nice value belongs to a thread, and the query runs
    in the main thread while the watchdog asks."""
    for task in os.listdir("/proc/self/task"):
        with contextlib.suppress(OSError, ValueError):
            os.setpriority(os.PRIO_PROCESS, int(task), 10)


def main(listener: socket.socket, channel: socket.socket, version: Any, busy_since: Any, config: FrontConfig,
         rate_table: SharedTable | None = None) -> None:
    """Entry point. The serving process stops fronts itself; Ctrl-C in a terminal must not kill them first."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if config.memory_mb:
        limit = config.memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    logging.basicConfig(level=logging.INFO, format="%(levelname)s:     %(message)s")
    Front(listener, channel, version, busy_since, config, rate_table).run()
