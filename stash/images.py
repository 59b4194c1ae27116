"""Picture downloads from Stash (a scene's cover, once per written scene) through the pool of
the run's Stash session (stash/pooled.py), with what requests would send and keep.

Sent: the session's headers (stashapi's, and the API key when Stash has one) and the cookies
the session's jar holds for the URL, as requests would add them. Kept: a session cookie Stash
sets in its answer (it renews the login on every request it authenticates) replaces the
session's, exactly as the session's own response hook does (stash/transport.py). Without a
pool (a proxy applies, requests older than 2.32), the session's own GET.
"""

from __future__ import annotations

from http.cookiejar import Cookie
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import requests
from requests.cookies import RequestsCookieJar, extract_cookies_to_jar, get_cookie_header

from stash import pooled, transport
from stash.login import Login

_UNSET: Any = object()


class Picture(NamedTuple):
    status: int
    content_type: str
    body: bytes


class Pictures:
    def __init__(self, session: requests.Session, login: Login) -> None:
        self._session = session
        self._login = login
        self._pool: pooled.Pool | None = _UNSET

    def get(self, url: str) -> Picture:
        """GET the URL, redirects not followed; raises what requests raises when it fails."""
        if self._pool is _UNSET:  # the session is complete (TLS, API key) by the first picture
            self._pool = pooled.pool_for(self._session, url)
        if self._pool is None:
            response = self._session.get(url, timeout=transport.TIMEOUT, allow_redirects=False)
            return Picture(response.status_code, response.headers.get("Content-Type", ""),
                           response.content)
        request = requests.Request("GET", url)  # what the cookie jar reads: url and headers
        headers = dict(self._session.headers)
        cookie = cookie_header(self._session.cookies, request)
        if cookie:
            headers["Cookie"] = cookie
        answer, body = pooled.send(self._pool, "GET", _target(url), headers, transport.TIMEOUT)
        if "Set-Cookie" in answer.headers:
            self._keep_cookies(request, answer)
        return Picture(answer.status, answer.headers.get("Content-Type", ""), body)

    def _keep_cookies(self, request: requests.Request, answer: Any) -> None:
        fresh = RequestsCookieJar()
        extract_cookies_to_jar(fresh, request, answer)
        transport.keep_newest(self._session, self._login, fresh)
        for cookie in fresh:  # any other cookie goes to the jar, as requests files them
            if cookie.name != transport.SESSION_COOKIE:
                self._session.cookies.set_cookie(cookie)


def cookie_header(jar: RequestsCookieJar, request: requests.Request) -> str | None:
    """The Cookie header requests would send (get_cookie_header). The jar PlexSync keeps holds
    one session cookie (stash/transport.py keep_newest): for it the header is read off
    directly, without http.cookiejar's policy walk over every domain and path (half the CPU of
    a cover download); any other jar goes the whole way."""
    with jar._cookies_lock:  # type: ignore[attr-defined]
        # domain -> path -> name -> Cookie; a cleared cookie leaves its empty dicts behind
        held = [(domain, cookie) for domain, paths in jar._cookies.items()  # type: ignore[attr-defined]
                for names in paths.values() for cookie in names.values()]
    if len(held) == 1 and _plain(held[0][1], held[0][0], request.url):
        return f"{held[0][1].name}={held[0][1].value}"
    return get_cookie_header(jar, request)


def _plain(cookie: Cookie, domain: str, url: str) -> bool:
    """A cookie the policy sends to this URL as name=value: Netscape-style, for every path of
    this host (or of no host named: the cookie the plugin was handed), unexpired, not secure,
    any port."""
    host = urlsplit(url).hostname
    return (cookie.version == 0 and cookie.value is not None and not cookie.secure
            and not cookie.port_specified and cookie.path == "/" and domain in ("", host)
            and not cookie.is_expired())


def _target(url: str) -> str:
    """Path and query of an absolute URL (what the pool's request line carries)."""
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
