"""The double's library: sections, items, pending files and scans, guarded by one lock.

Callers that read several objects (rendering a page) hold `store.lock` themselves; every
method here takes it too, and the lock is re-entrant.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .edits import TAG_TYPES, EditError, EditPlan, parse_edit
from .item import Item, Part, apply_plan, record_upload, snapshot
from .tags import Tagging

LEGACY_AGENT = "com.plexapp.agents.none"
# scanner and language PMS shows for each agent of a personal-media library
_AGENT_DEFAULTS = {
    LEGACY_AGENT: ("Plex Video Files Scanner", "xn"),
    "tv.plex.agents.none": ("Plex Video Files", "en-US"),
    "tv.plex.agents.music": ("Plex Music", "en-US"),
}


@dataclass
class Section:
    key: int
    title: str
    type: str
    agent: str
    locations: list[str]
    created_at: int
    uuid: str = field(default_factory=lambda: str(uuid.uuid4()))
    scanned_at: int = 0
    rating_keys: list[str] = field(default_factory=list)

    @property
    def scanner(self) -> str:
        return _AGENT_DEFAULTS.get(self.agent, ("Plex Video Files", ""))[0]

    @property
    def language(self) -> str:
        return _AGENT_DEFAULTS.get(self.agent, ("", "en-US"))[1]


@dataclass
class Pending:
    """A file on disk that PMS has not scanned yet."""

    section_id: int
    file: str
    size: int
    delay: float
    options: dict[str, Any]
    due: float | None = None


def under(file: str, folder: str) -> bool:
    """Whether a file lies in a folder (either path separator)."""
    root = folder.rstrip("/\\")
    return file == root or (file.startswith(root) and file[len(root) : len(root) + 1] in "/\\")


class Store:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.sections: dict[int, Section] = {}
        self.items: dict[str, Item] = {}
        self.people: dict[str, str] = {}
        self.scans: list[tuple[int, str | None]] = []
        self._pending: list[Pending] = []
        self._tag_ids: dict[tuple[str, str], int] = {}
        # rendered tag elements, keyed by (kind, name, role, thumb); see render._tag
        self.fragments: dict[tuple[str, str, str | None, str | None], str] = {}
        self._counter = {"section": 0, "item": 0, "part": 0}
        self._stamp = 0

    def _next(self, kind: str) -> int:
        self._counter[kind] += 1
        return self._counter[kind]

    def add_section(self, title: str, locations: list[str], agent: str, type: str) -> int:
        with self.lock:
            key = self._next("section")
            self.sections[key] = Section(key, title, type, agent, list(locations), int(time.time()))
            return key

    def add_item(
        self,
        section_id: int,
        file: str,
        size: int = 0,
        title: str | None = None,
        *,
        tags: dict[str, list[str]] | None = None,
        actors: list[dict[str, str | None]] | None = None,
        locked: Iterable[str] = (),
        **fields: Any,
    ) -> str:
        """Add a scanned item; `fields` are item fields (studio=..., year=...)."""
        with self.lock:
            section = self._movie_section(section_id)
            rk = str(self._next("item"))
            now = int(time.time())
            item = Item(rk, section_id, [Part(self._next("part"), file, size)], now, updated_at=now)
            item.fields["title"] = title if title is not None else item.default_title()
            for name, value in fields.items():
                if name not in item.fields:
                    raise ValueError(f"unknown field {name}")
                item.fields[name] = value
            item.tags.update(_taggings(tags or {}, actors or []))
            self.people.update(
                {a["tag"].lower(): a["thumb"] for a in actors or [] if a.get("thumb")}
            )
            item.locked.update(locked)
            self.items[rk] = item
            section.rating_keys.append(rk)
            return rk

    def _movie_section(self, section_id: int) -> Section:
        section = self.sections[section_id]
        if section.type != "movie":
            raise ValueError("the double only holds items in movie-type sections")
        return section

    def add_part(self, rk: str, file: str, size: int) -> None:
        """Stack another file onto an item, as Plex does with part1/cd1 names."""
        with self.lock:
            self.items[rk].parts.append(Part(self._next("part"), file, size))

    def remove_item(self, rk: str) -> None:
        with self.lock:
            item = self.items.pop(rk)
            self.sections[item.section_id].rating_keys.remove(rk)

    def add_pending(self, section_id: int, file: str, size: int, delay: float, **opts: Any) -> None:
        with self.lock:
            self._movie_section(section_id)
            self._pending.append(Pending(section_id, file, size, delay, opts))

    def scan(self, section_id: int, path: str | None, now: float) -> None:
        """Record a scan; pending files it covers appear `delay` seconds later."""
        with self.lock:
            self.scans.append((section_id, path))
            for pending in self._pending:
                covered = path is None or under(pending.file, path)
                if pending.section_id == section_id and covered and pending.due is None:
                    pending.due = now + pending.delay

    def scanning(self, section_id: int) -> bool:
        with self.lock:
            return any(p.section_id == section_id and p.due is not None for p in self._pending)

    def reveal_due(self, now: float) -> None:
        """Turn pending files whose scan has finished into items."""
        if not self._pending:
            return
        with self.lock:
            for pending in [p for p in self._pending if p.due is not None and p.due <= now]:
                self._pending.remove(pending)
                self.add_item(pending.section_id, pending.file, pending.size, **pending.options)
                self.sections[pending.section_id].scanned_at = int(time.time())

    def page(
        self, section_id: int, start: int, size: int | None, title: str | None
    ) -> tuple[int, list[Item]]:
        """Total matching items and one page of them, in the order they were added."""
        keys = self.sections[section_id].rating_keys
        if title:
            needle = title.lower()
            keys = [k for k in keys if needle in (self.items[k].fields["title"] or "").lower()]
        end = len(keys) if size is None else start + size
        return len(keys), [self.items[k] for k in keys[start:end]]

    def edit(self, section_id: int, ids: list[str] | None, plan: EditPlan, replace: bool) -> None:
        """Apply a PUT to the listed items, or to every item of the section when ids is None."""
        with self.lock:
            section = self.sections[section_id]
            keys = (
                section.rating_keys
                if ids is None
                else [
                    rk for rk in ids if rk in self.items and self.items[rk].section_id == section_id
                ]
            )
            if ids is not None and not keys:
                raise EditError(404, "no such item in this section")
            now = int(time.time())
            for rk in keys:
                apply_plan(self.items[rk], plan, replace=replace, people=self.people)
                self.items[rk].updated_at = now

    def rate(self, rk: str, rating: float) -> None:
        with self.lock:
            self.items[rk].fields["userRating"] = None if rating == -1 else rating
            self.items[rk].updated_at = int(time.time())

    def upload(self, rk: str, kind: str, data: bytes | None, url: str | None) -> None:
        with self.lock:
            # Every upload gets a fresh thumb URL, even two within one second.
            self._stamp = max(int(time.time()), self._stamp + 1)
            record_upload(self.items[rk], kind, data, url, self._stamp)
            self.items[rk].updated_at = self._stamp

    def tag_id(self, kind: str, name: str) -> int:
        key = (kind, name.lower())
        with self.lock:
            return self._tag_ids.setdefault(key, len(self._tag_ids) + 1)

    def snapshot(self, rk: str) -> dict[str, Any]:
        with self.lock:
            return snapshot(self.items[rk], self.people)

    def set_values(self, rk: str, pairs: list[tuple[str, str]]) -> None:
        """Edit one item as a person in Plex would; pairs follow the PUT grammar."""
        with self.lock:
            item = self.items[rk]
            apply_plan(item, parse_edit(pairs), replace=True, people=self.people)
            item.updated_at = int(time.time())


def _taggings(tags: dict[str, list[str]], actors: list[dict[str, str | None]]) -> dict[str, Any]:
    unknown = set(tags) - set(TAG_TYPES) | ({"actor"} & set(tags))
    if unknown:
        raise ValueError(f"unknown tag types {sorted(unknown)}; pass actors=[...] for actors")
    result = {kind: [Tagging(n) for n in names] for kind, names in tags.items()}
    if actors:
        result["actor"] = [Tagging(str(a["tag"]), a.get("role")) for a in actors]
    return result
