"""Kept-alive http.client connections for the hot requests, beside a session's urllib3 pool.

Measured per edit PUT (bench.costs, same double, thread CPU): 240-370 µs through urllib3's
pool, 100-115 µs through http.client on a kept-alive connection. urllib3 parses and re-encodes
the 500-character target, checks every header against its own rules, builds Retry and Timeout
objects and polls the pooled socket before each request; http.client only writes the request
and parses the answer's head.

Only for plain HTTP, only where the pool itself is used (stash/pooled.py: no proxy), and only
while it works: a connection that cannot be made, or that breaks before the whole answer has
arrived (the server closed an idle one, a reset), is dropped and the request is sent again
through the pool, which then fails, if it fails, exactly as it always did. The one failure not
sent again is a timeout waiting for the answer (a hung server: waiting twice would double the
timeout); it is raised as urllib3 and requests raise it, message included. An answer with a
Content-Encoding is decoded by urllib3's HTTPResponse, as through the pool.
"""

from __future__ import annotations

import http.client
import io
import socket
from collections import deque
from typing import Any

from urllib3 import HTTPHeaderDict, HTTPResponse
from urllib3.exceptions import ReadTimeoutError
from urllib3.util.wait import wait_for_read


class _Connection(http.client.HTTPConnection):
    def connect(self) -> None:
        super().connect()
        # As urllib3 does (its default socket options): a request's head and body are two
        # writes, and Nagle's algorithm would hold the second for the first's ACK.
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class Answer:
    """What callers read of an answer, as of urllib3's: status, headers (case-insensitive),
    and the http.client response (requests' cookie extraction reads its headers there)."""

    __slots__ = ("_original_response", "headers", "status")

    def __init__(self, raw: http.client.HTTPResponse) -> None:
        self.status = raw.status
        self.headers = raw.msg
        self._original_response = raw


class Unsent(Exception):
    """The request did not get through on a kept connection: send it through the pool."""


class BodyTimedOut(ReadTimeoutError):
    """The answer's head came, its body stopped coming (requests calls that a ConnectionError,
    where no head at all is a ReadTimeout)."""


class Direct:
    """Idle connections to one host, taken by one request at a time (thread-safe: deque's
    append and pop are atomic)."""

    def __init__(self, pool: Any) -> None:
        self._pool = pool  # urllib3's: its name is in a timeout's message
        self._host, self._port = pool.host, pool.port
        self._idle: deque[_Connection] = deque()

    def send(self, method: str, target: str, headers: dict[str, str], timeout: float,
             body: bytes | None) -> tuple[Any, Any]:
        """The answer (an Answer, or urllib3's HTTPResponse when the body is encoded, to be
        read and decoded) and the body (None when encoded); raises Unsent, or urllib3's
        ReadTimeoutError."""
        conn = self._take(timeout)
        try:
            conn.request(method, target, body=body, headers=headers)
            raw = conn.getresponse()
        except TimeoutError as exc:  # the request went out (it is small), the answer did not
            conn.close()
            raise ReadTimeoutError(self._pool, target,
                                   f"Read timed out. (read timeout={timeout})") from exc
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            raise Unsent from exc
        try:
            data = raw.read()
        except TimeoutError as exc:  # as urllib3 words it for a body that stops coming
            conn.close()
            raise BodyTimedOut(self._pool, None, "Read timed out.") from exc
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            raise Unsent from exc
        if raw.will_close:
            conn.close()
        else:
            self._idle.append(conn)
        if raw.getheader("Content-Encoding"):  # urllib3 decodes it, as through the pool
            return HTTPResponse(
                body=io.BytesIO(data), headers=HTTPHeaderDict(raw.msg.items()),
                status=raw.status, version=raw.version, reason=raw.reason,
                preload_content=False, decode_content=True, original_response=raw,
                pool=self._pool, request_method=method, request_url=target), None
        return Answer(raw), data

    def _take(self, timeout: float) -> _Connection:
        while self._idle:
            conn = self._idle.pop()
            # A kept connection the server has closed meanwhile reads as ready (its EOF).
            if conn.sock is not None and not wait_for_read(conn.sock, timeout=0.0):
                conn.timeout = timeout
                conn.sock.settimeout(timeout)
                return conn
            conn.close()
        conn = _Connection(self._host, self._port, timeout=timeout)
        try:
            conn.connect()
        except OSError as exc:  # refused, unreachable, timed out: the pool says it in its words
            conn.close()
            raise Unsent from exc
        return conn
