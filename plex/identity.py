"""Is what answers at plex_url Plex Media Server? Decided from its answer to `GET /identity`.

PMS answers /identity without a token: `<MediaContainer size="0" claimed="1"
machineIdentifier="<40 hex>" version="..."/>` (pkkid/python-plexapi: plexapi/server.py, class
Identity, the object PlexServer builds from that answer). Something else at that address answers
a web page, JSON, a 404 or nothing at all. Pure: the caller makes the request.
"""

from __future__ import annotations

from xml.etree.ElementTree import ParseError

from plex import xml
from plex.errors import not_plex

# Statuses that say nothing about what answered: a busy Plex (5xx, 429) is an outage, and a
# token-protected /identity would still be Plex (the token is checked on the next request).
INCONCLUSIVE = frozenset({401, 403, 429})
PATH = "/identity"


def identify(url: str, status: int, content_type: str, body: bytes) -> str | None:
    """Plex's machineIdentifier, or None when the answer is inconclusive (INCONCLUSIVE, 5xx).

    Raises PlexSettingError naming plex_url when something other than Plex answered."""
    if status in INCONCLUSIVE or status >= 500:
        return None
    if status != 200:
        raise not_plex(url, PATH, f"HTTP {status} (a web server, but not Plex)")
    text = body.strip()
    if not text:
        raise not_plex(url, PATH, "an empty page")
    kind = content_type.split(";")[0].strip().lower()
    if kind == "text/html" or text[:14].lower().startswith((b"<!doctype html", b"<html")):
        raise not_plex(url, PATH, "a web page (HTML)")
    if kind.endswith("json") or text[:1] in (b"{", b"["):
        raise not_plex(url, PATH, "JSON, as other services do")
    try:
        root, machine = xml.identity(text)
    except ParseError:
        raise not_plex(url, PATH, "XML that is cut off or not well-formed") from None
    if not machine:
        raise not_plex(url, PATH, f"XML without Plex's machineIdentifier (<{root}>)")
    return machine
