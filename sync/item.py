"""A Plex item's current metadata as plain data: the other input of the field plan (read by
plex/xml.py)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    tag: str
    role: str = ""
    thumb: str = ""


@dataclass(frozen=True)
class PlexItem:
    rating_key: str
    section_id: int
    fields: dict[str, str]
    tags: dict[str, list[str]]
    actors: list[Actor]
    locked: frozenset[str]
    files: list[str]
