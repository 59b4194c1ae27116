"""The double's library: sections, items, pending files and scans, guarded by one lock.

Callers that read several objects (rendering a page) hold `store.lock` themselves; every
method here takes it too, and the lock is re-entrant.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .edits import TAG_TYPES, EditError, EditPlan, parse_edit
from .item import Item, Part, apply_plan, record_upload, snapshot
from .listing import DateFilter, sort_key
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
        # Plex's clock runs this many seconds off the machine's (a server elsewhere, a wrong
        # time zone setting): every stamp the double makes (addedAt, updatedAt, scannedAt).
        self.clock_offset = 0.0
        # A Plex that does not know the date filters answers the whole section (listing.py).
        self.ignores_date_filters = False
        # What listings handed out: items, and requests by what they asked for (full, delta:
        # filtered by date, count: X-Plex-Container-Size=0).
        self.listed_items = 0
        self.listings: dict[str, int] = {"full": 0, "delta": 0, "count": 0}

    def now(self) -> int:
        """Plex's clock: Unix seconds, clock_offset off the machine's."""
        return int(time.time() + self.clock_offset)

    def _next(self, kind: str) -> int:
        self._counter[kind] += 1
        return self._counter[kind]

    def add_section(self, title: str, locations: list[str], agent: str, type: str) -> int:
        with self.lock:
            key = self._next("section")
            self.sections[key] = Section(key, title, type, agent, list(locations), self.now())
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
            now = self.now()
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

    def remove_item(self, rk: str, scanned: bool = False) -> None:
        """scanned: as Plex removes an item, in a scan that found its file gone (with the
        trash emptied after each scan), which moves the section's scannedAt."""
        with self.lock:
            item = self.items.pop(rk)
            section = self.sections[item.section_id]
            section.rating_keys.remove(rk)
            if scanned:
                section.scanned_at = self.now()

    def move_part(self, rk: str, new_file: str, old_file: str | None = None) -> None:
        """A file renamed or moved that a scan picked up on the same item ("Part rename
        detected": ZeroQI/Absolute-Series-Scanner#441): the item keeps its ratingKey, addedAt
        and updatedAt (files do not change updatedAt: RemiRigal/Plex-Auto-Languages#77), the
        section's scannedAt moves."""
        with self.lock:
            item = self.items[rk]
            part = next(p for p in item.parts if old_file is None or p.file == old_file)
            part.file = new_file
            self.sections[item.section_id].scanned_at = self.now()

    def set_added_at(self, rk: str, added_at: int) -> None:
        """An item's addedAt edited (a user or a tool can: e.g. RicherTunes/
        plex-added-date-manager), which moves nothing else."""
        with self.lock:
            self.items[rk].added_at = int(added_at)

    def age(self, span: int) -> None:
        """A library grown over the last `span` seconds rather than in the last minute: the
        items' addedAt spread evenly over it, in the order they were added, the newest one
        span/n seconds ago."""
        with self.lock:
            start, count = self.now() - int(span), len(self.items)
            for i, item in enumerate(sorted(self.items.values(),
                                            key=lambda it: int(it.rating_key))):
                item.added_at = start + span * i // count

    def add_pending(self, section_id: int, file: str, size: int, delay: float, **opts: Any) -> None:
        with self.lock:
            self._movie_section(section_id)
            self._pending.append(Pending(section_id, file, size, delay, opts))

    def scan(self, section_id: int, path: str | None, now: float) -> None:
        """Record a scan; pending files it covers appear `delay` seconds later, and the section's
        scannedAt moves then. A scan that covers none finishes at once and moves scannedAt
        too: Plex stamps every scan, PlexSync's partial ones included (issue 15)."""
        with self.lock:
            self.scans.append((section_id, path))
            found = False
            for pending in self._pending:
                covered = path is None or under(pending.file, path)
                if pending.section_id == section_id and covered and pending.due is None:
                    pending.due = now + pending.delay
                    found = True
            if not found:
                self.sections[section_id].scanned_at = self.now()

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
                self.sections[pending.section_id].scanned_at = self.now()

    def page(
        self, section_id: int, start: int, size: int | None, title: str | None,
        filters: Sequence[DateFilter] = (), sort: str | None = None,
    ) -> tuple[int, list[Item]]:
        """Total matching items and one page of them, in the order they were added (or by a
        date: listing.py); counts what it hands out."""
        with self.lock:
            items = [self.items[k] for k in self.sections[section_id].rating_keys]
            if title:
                needle = title.lower()
                items = [i for i in items if needle in (i.fields["title"] or "").lower()]
            if filters and not self.ignores_date_filters:
                items = [i for i in items if all(f.keeps(i) for f in filters)]
            if (order := sort_key(sort)) is not None:
                # Stable: items of the same stamp stay in the order they were added.
                key, descending = order
                items.sort(key=key, reverse=descending)
            end = len(items) if size is None else start + size
            shown = items[start:end]
            kind = "count" if size == 0 else "delta" if filters else "full"
            self.listings[kind] += 1
            self.listed_items += len(shown)
            return len(items), shown

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
            now = self.now()
            for rk in keys:
                apply_plan(self.items[rk], plan, replace=replace, people=self.people)
                self.items[rk].updated_at = now

    def rate(self, rk: str, rating: float) -> None:
        with self.lock:
            self.items[rk].fields["userRating"] = None if rating == -1 else rating
            self.items[rk].updated_at = self.now()

    def upload(self, rk: str, kind: str, data: bytes | None, url: str | None) -> None:
        with self.lock:
            # Every upload gets a fresh thumb URL, even two within one second.
            self._stamp = max(self.now(), self._stamp + 1)
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
            item.updated_at = self.now()


def _taggings(tags: dict[str, list[str]], actors: list[dict[str, str | None]]) -> dict[str, Any]:
    unknown = set(tags) - set(TAG_TYPES) | ({"actor"} & set(tags))
    if unknown:
        raise ValueError(f"unknown tag types {sorted(unknown)}; pass actors=[...] for actors")
    result = {kind: [Tagging(n) for n in names] for kind, names in tags.items()}
    if actors:
        result["actor"] = [Tagging(str(a["tag"]), a.get("role")) for a in actors]
    return result
