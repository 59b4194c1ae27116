"""Stash's `session` cookie: what the double hands plugins, accepts, and sends back.

Two modes. By default one fixed value, valid until expire() (enough for most tests). With a
max age, the real thing (stashapp/stash pkg/session/session.go and plugin.go, gorilla/sessions
with securecookie): every plugin run gets a newly issued cookie (MakePluginCookie); a cookie is
valid for max_session_age seconds after it was issued (internal/manager/config/config.go:
DefaultMaxSessionAge 3600); each request it authenticates is answered with a Set-Cookie holding
a newly issued value (GetSessionUserID saves the session again), while the old value keeps only
its own remaining time. Ages are counted on the double's clock, so a test expires sessions by
advancing it (or at once with expire()), never by waiting.
"""

from __future__ import annotations

import itertools
import secrets
import threading
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from typing import Any

from .clock import StashClock

COOKIE = "session"
DEFAULT_MAX_AGE = 3600


def first_cookie(header: str | None, name: str) -> str | None:
    """The first cookie of that name: Go's Request.Cookie, which gorilla/sessions uses, returns
    the first match when a client sends two."""
    for part in (header or "").split(";"):
        key, sep, value = part.strip().partition("=")
        if sep and key == name:
            return value.strip('"')
    return None


class Sessions:
    def __init__(self, clock: StashClock, value: str | None, max_age: int | None) -> None:
        self._clock = clock
        self._fixed = value
        self.max_age = max_age or DEFAULT_MAX_AGE
        self._real = max_age is not None
        self._issued: dict[str, float] = {}  # value -> when issued (double's clock)
        self._serial = itertools.count(1)
        self._expired = False
        self._lock = threading.Lock()

    def _now(self) -> float:
        return self._clock.now().timestamp()

    def issue(self) -> str | None:
        """A cookie value for a plugin run (or for a Set-Cookie)."""
        if not self._real:
            return self._fixed
        value = f"{self._fixed or 'session'}-{next(self._serial)}-{secrets.token_hex(8)}"
        with self._lock:
            self._issued[value] = self._now()
        return value

    def valid(self, value: str | None) -> bool:
        if value is None:
            return False
        if not self._real:
            return value == self._fixed and not self._expired
        with self._lock:
            issued = self._issued.get(value)
        return issued is not None and self._now() - issued < self.max_age

    def refreshed(self, value: str) -> str:
        """The value a Set-Cookie carries after a request `value` authenticated."""
        return (self.issue() or value) if self._real else value

    def expire(self) -> None:
        """Every cookie issued so far is refused from now on, as after max_session_age."""
        with self._lock:
            self._expired = True
            self._issued.clear()

    def set_cookie(self, value: str) -> str:
        """The Set-Cookie header, as Go's http.Cookie writes what gorilla/sessions saves."""
        if not self._real:
            return f"{COOKIE}={value}; Path=/; Max-Age={self.max_age}"
        expires = format_datetime(self._expires(), usegmt=True)
        return (f"{COOKIE}={value}; Path=/; Expires={expires}; Max-Age={self.max_age}; "
                "SameSite=Lax")

    def _expires(self) -> datetime:
        return self._clock.now().astimezone(timezone.utc) + timedelta(seconds=self.max_age)

    def connection_cookie(self) -> dict[str, Any] | None:
        """server_connection's SessionCookie: a Go http.Cookie serialised without JSON tags."""
        value = self.issue()
        if value is None:
            return None
        return {"Name": COOKIE, "Value": value, "Quoted": False, "Path": "/", "Domain": "",
                "Expires": self._expires().strftime("%Y-%m-%dT%H:%M:%SZ"), "RawExpires": "",
                "MaxAge": self.max_age, "Secure": False, "HttpOnly": False,
                "SameSite": 2 if self._real else 0, "Partitioned": False, "Raw": "",
                "Unparsed": None}
