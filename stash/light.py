"""One GraphQL round trip to Stash with the standard library only.

The hook path must finish in well under 150 ms, and stashapi's client costs three requests at
construction plus the import of requests, so hooks use this instead. It sends the session
cookie Stash gave the plugin, which also keeps Stash's hook loop guard working.
"""

from __future__ import annotations

import http.client
import json
from typing import Any

from stash.errors import StashError
from stash.protocol import Connection

TIMEOUT = 10.0


class StashUnavailable(StashError):
    """Stash did not answer the hook's query."""


def call(conn: Connection, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    body = json.dumps({"query": query, "variables": variables or {}})
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if conn.session_cookie:
        headers["Cookie"] = f"session={conn.session_cookie}"
    factory = http.client.HTTPSConnection if conn.scheme == "https" else http.client.HTTPConnection
    client = factory(conn.host, conn.port, timeout=TIMEOUT)
    try:
        client.request("POST", "/graphql", body=body, headers=headers)
        response = client.getresponse()
        payload = response.read()
    except OSError as exc:
        raise StashUnavailable(f"Stash at {conn.base_url} did not answer: {exc}") from None
    finally:
        client.close()
    if response.status != 200:
        raise StashUnavailable(f"Stash answered HTTP {response.status} to a GraphQL query")
    try:
        data = json.loads(payload)
    except ValueError:
        raise StashUnavailable("Stash answered a GraphQL query with something not JSON") from None
    if data.get("errors"):
        first = data["errors"][0].get("message", "unknown error")
        raise StashUnavailable(f"Stash rejected a GraphQL query: {first}")
    return data.get("data") or {}
