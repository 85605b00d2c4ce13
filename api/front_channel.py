"""What the serving process and its front processes share: the front's settings, the messages on the channel
between them (a SOCK_SEQPACKET pair, one message per send), passing a connection with the bytes read from it, and
closing a connection whose socket another process may still hold."""

from __future__ import annotations

import contextlib
import os
import socket
import time
from dataclasses import dataclass
from typing import Any

_TRACE = os.environ.get("OURDATA_FRONT_TRACE")


def trace(event: str, fd: int = -1) -> None:
    """Debugging aid: one line per connection event when OURDATA_FRONT_TRACE names a file."""
    if not _TRACE:
        return
    peer = ""
    with contextlib.suppress(Exception), socket.socket(fileno=os.dup(fd)) as sock:
        peer = str(sock.getpeername()[1])
    with open(_TRACE, "a") as out:
        out.write(f"{time.time():.3f} {os.getpid()} {event} {peer}\n")


#: Messages on the channel to the serving process (a SOCK_SEQPACKET pair: one message per send).
#: Front -> serving process: SNAPSHOT (which checkpoint?), HANDOFF (answer this connection), MOVE (an evacuated
#: connection: give it to another front), EVACUATED (start a replacement), READY (accepting).
#: Serving process -> front: REPLY (to SNAPSHOT), ADOPT (a connection moved from an evacuated sibling).
#: HANDOFF, MOVE and ADOPT carry a descriptor and the length of the bytes read from it, which follow in chunks.
SNAPSHOT, HANDOFF, MOVE, EVACUATED, READY, REPLY, ADOPT = b"S", b"H", b"M", b"E", b"Y", b"R", b"A"
CHUNK = 32 * 1024


@dataclass(frozen=True)
class FrontConfig:
    name: str
    base_iri: str
    timeout: float
    slow_after: float
    inline_bytes: int
    max_rows: int
    max_bytes: int
    memory_mb: int
    rate_per_minute: int
    rate_burst: int
    cors_origins: tuple[str, ...]
    expose_headers: str
    access_log: bool


def send_connection(channel: socket.socket, kind: bytes, fd: int, data: bytes) -> None:
    """The connection ``fd`` and what was read from it, as one message and its data chunks (the caller holds
    the channel's send lock, so nothing comes between them)."""
    trace(f"send-{kind.decode()} {len(data)}", fd)
    socket.send_fds(channel, [kind + len(data).to_bytes(8, "big")], [fd])
    for start in range(0, len(data), CHUNK):
        channel.send(data[start:start + CHUNK])


def receive_connection(channel: socket.socket, header: bytes, fd: int) -> bytes | None:
    """The bytes that follow a connection message (None when the channel closed meanwhile)."""
    size = int.from_bytes(header[1:9], "big")
    data = bytearray()
    while len(data) < size:
        chunk = channel.recv(65536)
        if not chunk:
            os.close(fd)
            return None
        data += chunk
    return bytes(data)


def close_shared(transport: Any) -> None:
    """Closes a connection whose socket another process may still hold (a front that passed it on keeps its
    descriptor until its query ends): the FIN goes out after our last bytes whatever other descriptors exist."""
    with contextlib.suppress(OSError, RuntimeError):
        if transport.can_write_eof():
            transport.write_eof()
    transport.close()
