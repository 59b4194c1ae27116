"""Stash's picture URLs: the route they name, another address for them, their cache-buster.

Stash builds every picture URL from the address the request came in on, or from its
`external_host` setting when one is set (stashapp/stash internal/api/server.go,
BaseURLMiddleware), then appends the route (internal/api/urlbuilders/scene.go and
performer.go: `/scene/<id>/screenshot?t=…`, `/performer/<id>/image?t=…[&default=true]`). `t` is
the object's updated_at in Unix seconds, so it changes on every edit of the object, whatever
was edited.

Standard library only: the field plan imports it.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# The picture routes Stash mounts (internal/api/server.go): /<kind>/<id>/<leaf>.
_ROUTE = re.compile(r"/(?:scene|performer|studio|group|movie|tag|image|gallery)/[^/]+/[^/]+$")


def route(url: str) -> str:
    """Path and query from Stash's route on: what every address of the same Stash serves.

    An `external_host` with a path (a proxy serving Stash under /stash) puts a prefix in front
    that Stash itself does not serve; it is dropped."""
    parts = urlsplit(url)
    found = _ROUTE.search(parts.path)
    path = found.group(0) if found else parts.path
    return path + (f"?{parts.query}" if parts.query else "")


def rebase(url: str, base: str) -> str:
    """The same picture at another address of Stash (`base`: scheme, host, port, any path)."""
    return base.rstrip("/") + route(url)


def without_cache_buster(url: str) -> str:
    """The URL without `t`: the same picture of the same object, whenever it was edited."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "t"]
    return urlunsplit(parts._replace(query=urlencode(query)))


def seen_by(url: str | None, base: str) -> str:
    """A picture at the address another machine reaches Stash by (`base`); without one, as
    Stash gave it (for the plugin that is loopback: only the same machine can use it)."""
    if not url:
        return ""
    return rebase(url, base) if base else url


def same_picture(url: str, *others: str | None) -> bool:
    """Whether one of `others` names the same picture, whatever its cache-buster."""
    return without_cache_buster(url) in {without_cache_buster(o) for o in others if o}
