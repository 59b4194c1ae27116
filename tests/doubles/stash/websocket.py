"""The server side of RFC 6455 websockets, on the double's own HTTP connection.

Stash answers websockets on `/graphql` of its one HTTP port, so the double upgrades a request of
its ThreadingHTTPServer in place; a library that owns its own listening socket would not fit
there. Only what a GraphQL websocket needs: text messages (fragmented or not), ping, pong and
close. Frames from the client are masked; the server's are not.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import struct
import threading
from typing import BinaryIO

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
TEXT, BINARY, CLOSE, PING, PONG, CONTINUATION = 0x1, 0x2, 0x8, 0x9, 0xA, 0x0
MAX_MESSAGE = 16 * 1024 * 1024


def accept_key(client_key: str) -> str:
    """Sec-WebSocket-Accept for a handshake's Sec-WebSocket-Key."""
    digest = hashlib.sha1((client_key + GUID).encode()).digest()  # RFC 6455 fixes SHA-1 here
    return base64.b64encode(digest).decode()


class ConnectionClosed(Exception):
    pass


class WebSocket:
    def __init__(self, reader: BinaryIO, writer: BinaryIO) -> None:
        self._reader = reader
        self._writer = writer
        self._write_lock = threading.Lock()
        self.closed = False

    def receive(self) -> str:
        """The next text message; ConnectionClosed once the peer closed or went away."""
        parts: list[bytes] = []
        while True:
            fin, opcode, payload = self._frame()
            if opcode == PING:
                self._send_frame(PONG, payload)
            elif opcode == PONG:
                continue
            elif opcode == CLOSE:
                self.close(_close_code(payload))
                raise ConnectionClosed()
            else:
                parts.append(payload)
                if sum(len(p) for p in parts) > MAX_MESSAGE:
                    self.close(1009, "message too big")
                    raise ConnectionClosed()
                if fin:
                    return b"".join(parts).decode("utf-8", errors="replace")

    def send(self, text: str) -> None:
        self._send_frame(TEXT, text.encode())

    def close(self, code: int = 1000, reason: str = "") -> None:
        if self.closed:
            return
        with contextlib.suppress(ConnectionClosed, OSError):
            self._send_frame(CLOSE, struct.pack(">H", code) + reason.encode()[:120])
        self.closed = True

    def _frame(self) -> tuple[bool, int, bytes]:
        first, second = self._read(2)
        length = second & 0x7F
        if length == 126:
            (length,) = struct.unpack(">H", self._read(2))
        elif length == 127:
            (length,) = struct.unpack(">Q", self._read(8))
        if length > MAX_MESSAGE:
            self.close(1009, "message too big")
            raise ConnectionClosed()
        mask = self._read(4) if second & 0x80 else b"\0\0\0\0"
        data = self._read(length)
        return bool(first & 0x80), first & 0x0F, _unmask(data, mask)

    def _read(self, size: int) -> bytes:
        try:
            data = self._reader.read(size) if size else b""
        except OSError:
            data = b""
        if len(data) < size:
            self.closed = True
            raise ConnectionClosed()
        return data

    def _send_frame(self, opcode: int, payload: bytes) -> None:
        length = len(payload)
        if length < 126:
            header = struct.pack(">BB", 0x80 | opcode, length)
        elif length < 1 << 16:
            header = struct.pack(">BBH", 0x80 | opcode, 126, length)
        else:
            header = struct.pack(">BBQ", 0x80 | opcode, 127, length)
        with self._write_lock:
            if self.closed:
                raise ConnectionClosed()
            try:
                self._writer.write(header + payload)
                self._writer.flush()
            except OSError:
                self.closed = True
                raise ConnectionClosed() from None


def _unmask(data: bytes, mask: bytes) -> bytes:
    if not data:
        return data
    key = (mask * (len(data) // 4 + 1))[:len(data)]
    return (int.from_bytes(data, "big") ^ int.from_bytes(key, "big")).to_bytes(len(data), "big")


def _close_code(payload: bytes) -> int:
    return struct.unpack(">H", payload[:2])[0] if len(payload) >= 2 else 1000
