"""One GraphQL round trip to Stash over a plain socket, for the hook path.

The hook must finish in well under 150 ms: stashapi costs three requests at construction plus
the import of requests, and even http.client pulls in the email package (about 30 ms). An
HTTP/1.0 request needs neither: the server answers without chunking and closes the connection
when done. It sends the session cookie Stash gave the plugin, which also keeps Stash's hook
loop guard working.
"""

from __future__ import annotations

import json
import socket
from typing import Any

from stash.errors import StashError
from stash.protocol import Connection

TIMEOUT = 10.0
_MAX_RESPONSE = 64 * 1024 * 1024


class StashUnavailable(StashError):
    """Stash did not answer the hook's query."""


def _request(conn: Connection, body: bytes) -> bytes:
    host = f"[{conn.host}]" if ":" in conn.host else conn.host
    lines = [
        "POST /graphql HTTP/1.0",
        f"Host: {host}:{conn.port}",
        "Content-Type: application/json",
        "Accept: application/json",
        f"Content-Length: {len(body)}",
    ]
    if conn.session_cookie:
        lines.append(f"Cookie: session={conn.session_cookie}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def _secure(conn: Connection, sock: socket.socket) -> socket.socket:
    from stash import tls  # the ssl module costs milliseconds: only for a Stash on HTTPS

    cafile = tls.certificate_file(conn.config_dir)
    try:
        return tls.client_context(cafile).wrap_socket(sock, server_hostname=conn.host)
    except OSError as exc:
        raise StashUnavailable(tls.explain(exc, cafile) or
                               f"Stash at {conn.base_url} did not answer: {exc}") from None


def _exchange(conn: Connection, request: bytes) -> bytes:
    sock = socket.create_connection((conn.host, conn.port), timeout=TIMEOUT)
    try:
        if conn.scheme == "https":
            sock = _secure(conn, sock)
        sock.sendall(request)
        chunks, size = [], 0
        while chunk := sock.recv(65536):
            chunks.append(chunk)
            size += len(chunk)
            if size > _MAX_RESPONSE:
                raise StashUnavailable("Stash's answer to a GraphQL query is implausibly large")
        return b"".join(chunks)
    finally:
        sock.close()


def call(conn: Connection, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    body = json.dumps({"query": query, "variables": variables or {}}).encode("utf-8")
    try:
        raw = _exchange(conn, _request(conn, body))
    except StashUnavailable:
        raise
    except OSError as exc:
        raise StashUnavailable(f"Stash at {conn.base_url} did not answer: {exc}") from None
    head, _, payload = raw.partition(b"\r\n\r\n")
    status_line = head.split(b"\r\n", 1)[0].split()
    status = int(status_line[1]) if len(status_line) > 1 and status_line[1].isdigit() else 0
    if status != 200:
        raise StashUnavailable(f"Stash answered HTTP {status or '?'} to a GraphQL query")
    try:
        data = json.loads(payload)
    except ValueError:
        raise StashUnavailable("Stash answered a GraphQL query with something not JSON") from None
    if data.get("errors"):
        first = data["errors"][0].get("message", "unknown error")
        raise StashUnavailable(f"Stash rejected a GraphQL query: {first}")
    return data.get("data") or {}
