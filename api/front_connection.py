"""A client connection inside a front process (:mod:`api.front_process`): reading request heads, and the states a
connection passes through there (taken in, answered, paused behind its own response, handed on, moved away)."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any

from api.front_http import MAX_HEAD_BYTES, parse_head, simple_query

if TYPE_CHECKING:
    from api.front_process import Front


class FrontConnection(asyncio.Protocol):
    """One client connection in a front: complete request heads are either answered (simple queries) or the
    connection is handed on; see :class:`api.front_process.Front` for both."""

    def __init__(self, front: Front, initial: bytes = b"", *, moved_in: bool = False) -> None:
        self.front = front
        self.buffer = bytearray()
        self.initial = initial  # bytes a sibling had read before it moved the connection here
        self.moved_in = moved_in
        self.busy = False  # its query is the one running (it is not moved to a sibling)
        self.transport: Any = None
        self.gone = False
        self.paused = False  # our responses wait in the transport: no hand-over until they are sent
        self.handoff_waiting = False

    def connection_made(self, transport: Any) -> None:
        self.transport = transport
        self.last_active = time.monotonic()
        transport.set_write_buffer_limits(high=0)
        fd = transport.get_extra_info("socket").fileno()
        with self.front.state_lock:  # from "incoming" to "connections" in one step: the watchdog sees it in one
            self.front.incoming.pop(fd, None)
            moved_away = fd in self.front.moved_away
            self.front.moved_away.discard(fd)
            if not moved_away:
                self.front.connections.add(self)
        if moved_away:  # the watchdog gave it to a sibling while the loop was in a query
            self.gone = True
            transport.abort()
            return
        if self.initial:
            self.data_received(self.initial)

    def connection_lost(self, exc: Exception | None) -> None:
        self.front.connections.discard(self)

    def pause_writing(self) -> None:
        self.paused = True

    def resume_writing(self) -> None:
        self.paused = False
        if self.handoff_waiting:
            self.front.hand_off(self)

    def data_received(self, data: bytes) -> None:
        self.last_active = time.monotonic()
        self.buffer += data
        while self.buffer and not self.gone and not self.handoff_waiting:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(self.buffer) > MAX_HEAD_BYTES:
                    self.front.hand_off(self)
                return
            head = parse_head(bytes(self.buffer[:end]))
            query = simple_query(head) if head is not None else None
            if head is None or query is None:
                self.front.hand_off(self)
                return
            raw = bytes(self.buffer[:end + 4])
            del self.buffer[:end + 4]
            self.front.answer(self, head, query, raw)
