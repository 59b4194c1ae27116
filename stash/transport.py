"""The requests session PlexSync reaches Stash with.

What it sets: stashapi's headers (the client Stash has always seen from PlexSync), the session
cookie Stash gave the plugin, a timeout on every request, no environment proxy for a Stash on
this machine, Stash's own TLS (stash/tls.py), and one session cookie, the newest, whose renewals
the Login records (stash/login.py). The API key, when Stash has one, is added by the client once
its start query has read it (stash/client.py).
"""

from __future__ import annotations

import functools
import re
import ssl
import time
import warnings
from collections.abc import Iterable
from http.cookiejar import Cookie
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import InsecureRequestWarning

from stash import log, tls
from stash.login import Login
from stash.protocol import Connection

TIMEOUT = 30.0
SESSION_COOKIE = "session"
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class _StashTLS(HTTPAdapter):
    """Every HTTPS connection of the session uses the context made for Stash's certificate."""

    def __init__(self, context: ssl.SSLContext) -> None:
        self._context = context  # before HTTPAdapter.__init__, which builds the pool manager
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs.update(ssl_context=self._context, assert_hostname=False)
        super().init_poolmanager(*args, **kwargs)


# stashapi's (stashapi/classes.py GQLWrapper), which PlexSync used before it built its own
HEADERS = {"Accept-Encoding": "gzip, deflate", "Content-Type": "application/json",
           "Accept": "application/json", "Connection": "keep-alive", "DNT": "1"}


def session(connection: Connection, login: Login) -> requests.Session:
    """A session for Stash; sends nothing yet."""
    http = requests.Session()
    http.headers.update(HEADERS)
    if connection.session_cookie:
        http.cookies.set(SESSION_COOKIE, connection.session_cookie)
    prepare(http, connection, login)
    return http


def prepare(session: requests.Session, connection: Connection, login: Login) -> None:
    session.request = functools.partial(session.request, timeout=TIMEOUT)  # type: ignore[method-assign]
    session.hooks["response"].append(functools.partial(_one_session_cookie, session, login))
    # Stash runs the plugin on its own machine: no environment proxy in between (and requests'
    # proxy lookup costs a millisecond per request, per cover).
    session.trust_env = connection.host not in _LOOPBACK
    if connection.scheme == "https":
        _use_stash_tls(session, connection)


def _one_session_cookie(session: requests.Session, login: Login, response: requests.Response,
                        *_args: Any, **_kwargs: Any) -> requests.Response:
    """Keep exactly one session cookie: the one Stash just set.

    Stash answers every request its session cookie authenticates with a Set-Cookie holding a
    renewed value (pkg/session/session.go GetSessionUserID). requests files that one under
    Stash's host name, next to the cookie the plugin was handed (no domain), and then sends both,
    the original first; Go reads the first (net/http Request.Cookie), so the login lapsed an
    hour after it was handed over, however busy PlexSync kept it.
    """
    keep_newest(session, login, response.cookies)
    return response


def keep_newest(session: requests.Session, login: Login, cookies: Iterable[Cookie]) -> None:
    """The session cookie among `cookies` (one answer's) replaces the session's."""
    fresh = [cookie for cookie in cookies if cookie.name == SESSION_COOKIE]
    if not fresh:
        return
    jar = session.cookies
    # http.cookiejar's own (reentrant) lock: cover downloads use the jar from several threads.
    with jar._cookies_lock:  # type: ignore[attr-defined]
        for old in [cookie for cookie in jar if cookie.name == SESSION_COOKIE]:
            jar.clear(old.domain, old.path, old.name)
        jar.set_cookie(fresh[-1])
    login.renewed(fresh[-1].expires, time.time())


def _use_stash_tls(session: requests.Session, connection: Connection) -> None:
    cafile = tls.certificate_file(connection.config_dir)
    session.mount("https://", _StashTLS(tls.client_context(cafile)))
    # requests hands `verify` to urllib3, which loads it into the context: it must be Stash's
    # certificate (True would add the public authorities, with no host name check).
    session.verify = str(cafile) if cafile else False
    if cafile is None:  # deliberately unverified, as the README says: no warning per request
        host = re.escape(connection.host)
        warnings.filterwarnings("ignore", category=InsecureRequestWarning,
                                message=f"Unverified HTTPS request is being made to host '{host}'")


def describe(exc: BaseException, connection: Connection) -> str:
    """A failed request in one line: the certificate problem when there is one."""
    verification = _verification_error(exc)
    explained = verification and tls.explain(verification,
                                              tls.certificate_file(connection.config_dir))
    return explained or log.redact(str(exc))


def _verification_error(exc: BaseException) -> ssl.SSLCertVerificationError | None:
    # requests wraps urllib3's MaxRetryError (in args), whose reason wraps urllib3's SSLError
    # (in args), which wraps the ssl module's error.
    for _ in range(8):
        if isinstance(exc, ssl.SSLCertVerificationError):
            return exc
        inner = getattr(exc, "reason", None) or next(
            (a for a in exc.args if isinstance(a, BaseException)), None)
        if not isinstance(inner, BaseException):
            return None
        exc = inner
    return None
