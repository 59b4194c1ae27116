"""Plex's writes (edit and rating PUTs, image uploads, scan requests) sent as plexapi's
PlexServer.query sends them, without its requests Session call per write.

Measured per edit PUT (bench.costs): 800-950 µs of CPU through PlexServer.query and
requests.Session, 240-360 µs through the pool of the same session's adapter (stash/pooled.py).
The headers are plexapi's (its BASE_HEADERS and the token, as a header: never in a URL) merged
over the session's, once per client. The answer is judged as plexapi judges it: a status other
than 200/201/204 raises Unauthorized (401), NotFound (404) or BadRequest with plexapi's message,
"(status) codename; url text"; a body must be XML (ParseError otherwise). Where the session's
pool cannot be used (a proxy applies, requests older than 2.32, plexapi configured to show the
token in URLs), each write goes through PlexServer.query as before.
"""

from __future__ import annotations

from typing import Any

import requests
from plexapi.exceptions import BadRequest, NotFound, Unauthorized
from plexapi.utils import parseXMLString
from requests.sessions import merge_setting
from requests.status_codes import _codes as codes
from requests.structures import CaseInsensitiveDict
from requests.utils import get_encoding_from_headers

from stash import pooled


class PlexWrites:
    def __init__(self, server: Any, session: requests.Session) -> None:
        self._server = server
        self._session = session
        self._base: str = server._baseurl
        self._timeout: float = server._timeout
        headers = merge_setting(server._headers(), session.headers,
                                dict_class=CaseInsensitiveDict)
        self._headers: dict[str, str] = dict(headers)
        # What requests adds for a PUT or POST without a body.
        self._empty_body = {**self._headers, "Content-Length": "0"}
        self._pool = None if server._showSecrets else pooled.pool_for(session, self._base)

    def send(self, path: str, method: str = "put", data: bytes | None = None) -> None:
        if self._pool is None:
            self._server.query(path, method=getattr(self._session, method), data=data)
            return
        verb = method.upper()
        if data is not None:
            headers = {**self._headers, "Content-Length": str(len(data))}
        else:
            headers = self._headers if verb in ("GET", "HEAD") else self._empty_body
        answer, body = pooled.send(self._pool, verb, path, headers, self._timeout, data)
        if answer.status not in (200, 201, 204):
            raise self._refused(path, answer, body)
        if body.strip():  # plexapi parses any answer it gets, and raises on a broken one
            parseXMLString(_text(answer, body))

    def _refused(self, path: str, answer: Any, body: bytes) -> BadRequest:
        status = answer.status
        codename = codes.get(status)[0]  # as plexapi: an unknown status is a TypeError there
        request = requests.PreparedRequest()
        request.prepare_url(self._base + path, None)
        text = _text(answer, body).replace("\n", " ")
        message = f"({status}) {codename}; {request.url} {text}"
        if status == 401:
            return Unauthorized(message)
        if status == 404:
            return NotFound(message)
        return BadRequest(message)


def _text(answer: Any, body: bytes) -> str:
    """The body as requests' Response.text decodes it (charset, else its guesses)."""
    response = requests.Response()
    response._content = body
    response.status_code = answer.status
    response.headers = CaseInsensitiveDict(answer.headers)
    response.encoding = get_encoding_from_headers(response.headers)
    return response.text
