"""Grammar of the metadata edit PUT (`/library/sections/{id}/all?...`), parsed into a plan.

Pure: turns decoded query pairs into an `EditPlan` or raises `EditError` carrying the status
code PMS answers with (400 unknown parameter, 500 bad field data).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from urllib.parse import unquote

FIELDS = (
    "title",
    "titleSort",
    "studio",
    "summary",
    "tagline",
    "contentRating",
    "originallyAvailableAt",
    "year",
    "userRating",
)
TAG_TYPES = ("genre", "collection", "label", "director", "actor")
LOCKABLE = frozenset(FIELDS + TAG_TYPES + ("thumb", "art"))
# Selection and transport parameters that are not edits.
_IGNORED = frozenset({"type", "id", "X-Plex-Token"})

_VALUE = re.compile(r"^(\w+)\.value$")
_LOCK = re.compile(r"^(\w+)\.locked$")
_INDEXED = re.compile(r"^(\w+)\[(\d+)\]\.(tag\.tag|tag\.thumb|tag\.tagKey|tag\.id|tagging\.text)$")
_REMOVE = re.compile(r"^(\w+)\[\]\.tag\.tag-$")
_CLEAR = re.compile(r"^(\w+)\[\]\.tag$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class EditError(Exception):
    """An edit PMS would refuse; `status` is the HTTP code it answers with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class TagEntry:
    """One indexed tag of a PUT; role and thumb only matter for actors."""

    tag: str
    role: str | None = None
    thumb: str | None = None


@dataclass
class EditPlan:
    """Everything one PUT asks for, validated."""

    values: dict[str, str | int | float | None] = field(default_factory=dict)
    locks: dict[str, bool] = field(default_factory=dict)
    tags: dict[str, list[TagEntry]] = field(default_factory=dict)
    removals: dict[str, list[str]] = field(default_factory=dict)
    clears: set[str] = field(default_factory=set)


def parse_edit(pairs: list[tuple[str, str]]) -> EditPlan:
    """Parse decoded query pairs of an edit PUT into a plan."""
    plan = EditPlan()
    indexed: dict[str, dict[int, dict[str, str]]] = {}
    for key, value in pairs:
        if key in _IGNORED:
            continue
        if m := _VALUE.match(key):
            plan.values[_known(m[1], FIELDS)] = _field_value(m[1], value)
        elif m := _LOCK.match(key):
            plan.locks[_known(m[1], LOCKABLE)] = value not in ("0", "")
        elif m := _INDEXED.match(key):
            slots = indexed.setdefault(_known(m[1], TAG_TYPES), {})
            slots.setdefault(int(m[2]), {})[m[3]] = value
        elif m := _REMOVE.match(key):
            plan.removals.setdefault(_known(m[1], TAG_TYPES), []).extend(removal_names(value))
        elif m := _CLEAR.match(key):
            plan.clears.add(_known(m[1], TAG_TYPES))
        else:
            raise EditError(400, f"unknown parameter {key}")
    plan.tags = {kind: _entries(slots) for kind, slots in indexed.items()}
    return plan


def removal_names(value: str) -> list[str]:
    """Names in a `-=` value: plexapi quotes each name, then joins them with commas."""
    return [unquote(part) for part in value.split(",") if part]


def _known(name: str, allowed: tuple[str, ...] | frozenset[str]) -> str:
    if name not in allowed:
        raise EditError(400, f"unknown field {name}")
    return name


def _field_value(name: str, raw: str) -> str | int | float | None:
    if raw == "":
        return None
    try:
        if name == "year":
            return int(raw)
        if name == "userRating":
            return float(raw)
        if name == "originallyAvailableAt":
            if not _DATE.match(raw):
                raise ValueError(raw)
            datetime.date.fromisoformat(raw)
    except ValueError:
        raise EditError(500, "Field data is not valid") from None
    return raw


def _entries(slots: dict[int, dict[str, str]]) -> list[TagEntry]:
    entries = []
    for index in sorted(slots):
        slot = slots[index]
        if not slot.get("tag.tag"):
            raise EditError(400, f"tag [{index}] has no tag.tag")
        entries.append(TagEntry(slot["tag.tag"], slot.get("tagging.text"), slot.get("tag.thumb")))
    return entries
