"""Plex's health during a drain: failures classified, the circuit breaker's transitions
persisted, and the looks and probes that decide whether Plex is there.

An exception from the Plex or Stash side becomes a Failure by its type and status code, never by
guessing from text, so a bug in PlexSync is not mistaken for Plex being down. The breaker
(sync/breaker.py) is persisted so a new worker does not forget an ongoing outage, and so Queue
Status can report it.
"""

from __future__ import annotations

import re
import ssl
import time
from collections.abc import Iterator
from urllib.parse import urlsplit
from xml.etree.ElementTree import ParseError

import requests
from plexapi.exceptions import BadRequest, NotFound, Unauthorized

from plex.errors import TOKEN_REJECTED, PlexSettingError, UnreadableAnswer
from stash import log
from stash.errors import StashError, StashLoginRejected
from sync.breaker import Breaker
from sync.failure import Failure, Kind
from sync_queue.health import HealthStore
from worker.ports import Notify, PlexPort

_STATUS = re.compile(r"^\((\d{3})\)")
_ERRNO = re.compile(r"\[Errno -?\d+\] ([^'\")\]]+)")
_SAID = re.compile(r'<Response [^>]*status="([^"]+)"')
_URL = re.compile(r"\bhttps?://\S+")

UNTRUSTED_CERTIFICATE = (
    "Plex's HTTPS certificate was not accepted ({reason}): set plex_certificate to the "
    "certificate's PEM file to trust it, or to 'any' to accept any certificate (needed for "
    "https://<address>:32400, whose certificate is made out to *.plex.direct); or use Plex's "
    "http:// address in plex_url")
PLAIN_HTTP = ("plex_url starts with https:// but the server there answers plain HTTP: use "
              "http:// in plex_url")
FORBIDDEN = ("Plex refused access (403): plex_token may not use this server or library; set "
             "plex_token to the server owner's token")


def _status(exc: BaseException) -> int | None:
    match = _STATUS.match(str(exc))
    return int(match.group(1)) if match else None


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """The exception and everything wrapped in it (requests wraps urllib3 wraps ssl)."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        current = todo.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        linked = [*current.args, getattr(current, "reason", None), current.__cause__,
                  current.__context__]
        todo.extend(e for e in linked if isinstance(e, BaseException))


def _tls(exc: requests.exceptions.SSLError) -> Failure:
    for cause in _causes(exc):
        if isinstance(cause, ssl.SSLCertVerificationError):
            reason = cause.verify_message or "certificate verify failed"
            return Failure(Kind.CONFIG, UNTRUSTED_CERTIFICATE.format(reason=reason))
    if "WRONG_VERSION_NUMBER" in str(exc):
        return Failure(Kind.CONFIG, PLAIN_HTTP)
    # A handshake cut short: Plex restarting, say.
    return Failure(Kind.TRANSIENT, "Plex is unreachable (the HTTPS handshake failed)")


def _unreachable(exc: BaseException) -> Failure:
    if isinstance(exc, requests.Timeout):
        return Failure(Kind.TRANSIENT, "Plex did not answer within plex_timeout")
    errors = [c.strerror for c in _causes(exc) if isinstance(c, OSError) and c.strerror]
    found = _ERRNO.search(str(exc))
    reason = errors[0] if errors else found.group(1).strip() if found else "connection failed"
    return Failure(Kind.TRANSIENT, f"Plex is unreachable ({reason.rstrip('.')})")


# --- what a person reads about one scene's failure ---------------------------------------------
# A scene's failure names the request Plex refused and what to do, in one sentence: never the
# URL (it holds the token's place and Plex's address), Plex's HTML error page or the exception's
# type. The request is told by its path; the failure's kind still comes from type and status.
_REQUESTS = (
    (re.compile(r"^/library/metadata/[^/]+/posters$"), "the poster upload"),
    (re.compile(r"^/library/metadata/[^/]+/arts$"), "the background picture upload"),
    (re.compile(r"^/:/rate$"), "the rating"),
    (re.compile(r"^/library/sections/[^/]+/all$"), "the metadata edit"),
    (re.compile(r"^/library/sections/[^/]+/refresh$"), "the library scan"),
    (re.compile(r"^/library/metadata/"), "the request for the item's details"),
)
_UPLOADS = ("the poster upload", "the background picture upload")
RETRY = "then retry the scene"
PLEX_LOG = ("retry the scene, and if Plex refuses it again look in Plex's own log (Plex Web: "
            "Settings > Troubleshooting)")


def _request(exc: BaseException) -> str:
    """Which request failed, as a person would name it."""
    response = getattr(exc, "response", None)
    url = getattr(getattr(response, "request", None), "url", None)
    if url is None:
        found = _URL.search(str(exc))  # plexapi: "(400) bad_request; <url> <body>"
        url = found.group(0) if found else None
    path = urlsplit(url).path if url else ""
    return next((name for pattern, name in _REQUESTS if pattern.match(path)), "a request")


def _refused(what: str, status: int) -> str:
    if status == 400 and what in _UPLOADS:
        return (f"Plex refused {what} (HTTP 400): it could not use the scene's cover from "
                f"Stash; replace the cover in Stash, {RETRY}")
    if status == 400:
        return (f"Plex refused {what} (HTTP 400): it would not store one of the scene's values; "
                f"check the scene's fields in Stash, {RETRY}")
    return f"Plex refused {what} (HTTP {status}); {PLEX_LOG}"


def _gone(what: str) -> str:
    return (f"Plex no longer has the scene's item ({what} answered HTTP 404): it was removed "
            f"or re-added in Plex; scan the library in Plex, {RETRY}")


def _unexpected(exc: BaseException) -> str:
    text = _URL.sub("…", str(exc).split("\n", 1)[0]).strip()
    detail = log.redact(f"{type(exc).__name__}: {text}" if text else type(exc).__name__)
    return (f"PlexSync failed unexpectedly on this scene ({detail[:200]}); retry the scene, "
            "and if it fails again report it with Stash's log")


def _http(status: int | None, exc: BaseException) -> Failure:
    if status is not None and (status >= 500 or status == 429):
        # PMS says why in its body: <Response code="503" status="...database migrations."/>
        said = _SAID.search(str(exc))
        why = f": {log.redact(said.group(1))[:200]}" if said else ""
        return Failure(Kind.TRANSIENT, f"Plex is unavailable (HTTP {status}{why})", status)
    if status == 403:
        return Failure(Kind.CONFIG, FORBIDDEN, status)
    if status is None:
        return Failure(Kind.ERROR, _unexpected(exc))
    kind = Kind.BAD_DATA if status == 400 else Kind.ERROR
    return Failure(kind, _refused(_request(exc), status), status)


def classify(exc: BaseException) -> Failure:
    if isinstance(exc, PlexSettingError):
        return Failure(Kind.CONFIG, str(exc))
    if isinstance(exc, Unauthorized):  # before BadRequest: it is a subclass
        return Failure(Kind.CONFIG, TOKEN_REJECTED, 401)
    if isinstance(exc, NotFound):
        return Failure(Kind.ITEM_GONE, _gone(_request(exc)), 404)
    if isinstance(exc, BadRequest):
        return _http(_status(exc), exc)
    if isinstance(exc, requests.HTTPError) and exc.response is not None:
        return _http(exc.response.status_code, exc)
    if isinstance(exc, UnreadableAnswer):
        # Plex identified itself at the start of the run, so this is no setting's fault: the
        # items' scenes own it (retried, then dead letters); a listing owns no scene, so it is
        # waited out like an outage.
        return Failure(Kind.ERROR if exc.scoped else Kind.TRANSIENT, str(exc))
    if isinstance(exc, requests.exceptions.SSLError):  # before ConnectionError: a subclass
        return _tls(exc)
    if isinstance(exc, (requests.ConnectionError, requests.Timeout,
                        requests.exceptions.ChunkedEncodingError)):
        return _unreachable(exc)
    if isinstance(exc, StashLoginRejected):
        return Failure(Kind.STASH_LOGIN, str(exc), 401)
    if isinstance(exc, StashError):  # its message says what failed, in Stash's words
        return Failure(Kind.STASH, log.redact(str(exc))[:500])
    if isinstance(exc, ParseError):
        return Failure(Kind.ERROR, "Plex answered something that is not XML")
    return Failure(Kind.ERROR, _unexpected(exc))


# --- dead letters grouped by reason (Failure.error_class), as the pages name the groups --------
_GROUPS = {
    "bad_data": "Plex refused a value",
    "item_gone": "Item no longer in Plex",
    "error": "Plex refused a request",
}


def reason_label(error_class: str) -> str:
    """A dead-letter group's name for people: "bad_data:400" reads "Plex refused a value
    (HTTP 400)"; a reason without a status, "Other failures"."""
    kind, _, status = error_class.partition(":")
    if not status:
        return "Other failures" if kind == Kind.ERROR.value else kind.replace("_", " ").capitalize()
    return f"{_GROUPS.get(kind, kind.replace('_', ' ').capitalize())} (HTTP {status})"


class StopDrain(RuntimeError):
    """A wrong setting (Kind.CONFIG) or Stash refusing this run's login (Kind.STASH_LOGIN):
    stop, keep every job, tell the user once. The message names what to fix."""

    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.message)
        self.failure = failure

    @property
    def stash_login(self) -> bool:
        return self.failure.kind is Kind.STASH_LOGIN


class Outage:
    """The breaker one drain keeps, saved at every transition."""

    def __init__(self, health: HealthStore, notify: Notify) -> None:
        self._health = health
        self._notify = notify
        self.breaker: Breaker = health.breaker()

    @property
    def open(self) -> bool:
        return self.breaker.state == "open"

    def success(self) -> None:
        if self.breaker.state != "closed" or self.breaker.failures:
            self.breaker = self.breaker.success()
            self._health.save(self.breaker, None)

    def failure(self, failure: Failure, trip: bool = False) -> None:
        """An outage failure; trip: open the breaker at once (the run's first look at Plex)."""
        was_open = self.open
        now = time.time()
        self.breaker = self.breaker.trip(now) if trip else self.breaker.failure(now)
        self._health.save(self.breaker, failure.message)
        if self.open and not was_open:
            self._notify("warning", f"{failure.message}; pausing the sync until Plex answers "
                         "again. Queued changes are kept.")

    def look(self, plex: PlexPort) -> Failure | None:
        """Plex's check (is it Plex, the token, the libraries). A wrong setting stops the drain
        before any scene is tried; an outage opens the breaker and is returned."""
        try:
            plex.check()
        except Exception as exc:
            failure = classify(exc)
            if failure.kind is Kind.CONFIG:
                raise StopDrain(failure) from None
            if failure.kind is not Kind.TRANSIENT:
                raise
            self.failure(failure, trip=True)
            return failure
        self.success()
        return None

    def probe(self, plex: PlexPort) -> Failure | None:
        """One look decides whether Plex is back (and still Plex, still taking the token); while
        it is not, the breaker backs off further and the outage is returned."""
        self.breaker = self.breaker.probing(time.time())
        failure = self.look(plex)
        if failure is None:
            log.info("Plex answers again; resuming the sync")
        return failure
