"""Turn an exception from the Plex or Stash side into a Failure, by type and status code."""

from __future__ import annotations

import re
from xml.etree.ElementTree import ParseError

import requests
from plexapi.exceptions import BadRequest, NotFound, Unauthorized

from stash import log
from stash.errors import StashError, StashLoginRejected
from worker.retry import Failure, Kind

_STATUS = re.compile(r"^\((\d{3})\)")


class FieldRejected(RuntimeError):
    """Plex refused one field's value; the rest of the scene was written."""


def _status(exc: BaseException) -> int | None:
    match = _STATUS.match(str(exc))
    return int(match.group(1)) if match else None


def classify(exc: BaseException) -> Failure:
    message = log.redact(f"{type(exc).__name__}: {exc}")[:500]
    if isinstance(exc, Unauthorized):  # before BadRequest: it is a subclass
        return Failure(Kind.UNAUTHORIZED, "Plex rejected the token (401)", 401)
    if isinstance(exc, NotFound):
        return Failure(Kind.ITEM_GONE, message, 404)
    if isinstance(exc, BadRequest):
        status = _status(exc)
        if status is not None and (status >= 500 or status == 429):
            return Failure(Kind.TRANSIENT, message, status)
        if status == 400:
            return Failure(Kind.BAD_DATA, message, status)
        return Failure(Kind.ERROR, message, status)
    if isinstance(exc, (requests.ConnectionError, requests.Timeout)):
        return Failure(Kind.TRANSIENT, message)
    if isinstance(exc, StashLoginRejected):
        return Failure(Kind.STASH_LOGIN, str(exc), 401)
    if isinstance(exc, StashError):  # its message says what failed, in Stash's words
        return Failure(Kind.STASH, log.redact(str(exc))[:500])
    if isinstance(exc, ParseError):
        return Failure(Kind.ERROR, "Plex answered something that is not XML "
                       "(does plex_url point at Plex?)")
    return Failure(Kind.ERROR, message)
