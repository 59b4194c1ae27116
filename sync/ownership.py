"""What PlexSync wrote to one Plex item: the values it owns there.

The field plan tells PlexSync's own values from values Plex got elsewhere by this record: only
its own are ever cleared, and with preserve_plex_edits a person's edit survives. The plan extends
it (sync/plan.py), the writer completes it with what Plex really got (worker/write.py), and
SyncState keeps it per scene and item as JSON (sync/state.py), in the shape `to_json` gives.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

IMAGE_KINDS = ("poster", "art")
_SLOT = ("url", "hash", "missing")


@dataclass
class Picture:
    """An image slot: the Stash URL of the picture Plex has from PlexSync, and its hash."""

    url: str | None = None
    hash: str | None = None  # sha1 of the bytes uploaded; None: upload whatever comes
    missing: str | None = None  # a URL where Stash had only its placeholder last time

    def to_json(self) -> dict[str, str | None]:
        stored = {"url": self.url, "hash": self.hash}
        return stored if self.missing is None else {**stored, "missing": self.missing}


@dataclass
class Owned:
    fields: dict[str, str] = field(default_factory=dict)  # field name -> value written
    tags: dict[str, list[str]] = field(default_factory=dict)  # tag kind -> names written
    actor_thumbs: dict[str, str] = field(default_factory=dict)  # actor key -> photo URL sent
    images: dict[str, Picture] = field(default_factory=dict)  # image kind -> slot

    @classmethod
    def read(cls, stored: Any) -> Owned:
        """A stored record; malformed parts (an older or damaged row) are ignored."""
        def part(key: str) -> dict[str, Any]:
            value = stored.get(key) if isinstance(stored, dict) else None
            return value if isinstance(value, dict) else {}

        def texts(values: dict[str, Any]) -> dict[str, str]:
            return {k: v for k, v in values.items() if isinstance(v, str)}

        return cls(
            fields=texts(part("fields")),
            tags={k: [n for n in v if isinstance(n, str)]
                  for k, v in part("tags").items() if isinstance(v, list)},
            actor_thumbs=texts(part("actor_thumbs")),
            images={kind: Picture(**{k: v for k, v in texts(slot).items() if k in _SLOT})
                    for kind, slot in part("images").items()
                    if kind in IMAGE_KINDS and isinstance(slot, dict)},
        )

    def to_json(self) -> dict[str, Any]:
        return {"fields": dict(self.fields), "tags": {k: list(v) for k, v in self.tags.items()},
                "actor_thumbs": dict(self.actor_thumbs),
                "images": {kind: slot.to_json() for kind, slot in self.images.items()}}

    def copy(self) -> Owned:
        """A copy to extend; built by hand, as copy.deepcopy costs three times as much (a
        Sync All copies every record three times)."""
        return Owned(dict(self.fields), {kind: list(names) for kind, names in self.tags.items()},
                     dict(self.actor_thumbs), self._pictures())

    def _pictures(self) -> dict[str, Picture]:
        return {kind: replace(slot) for kind, slot in self.images.items()}

    def disown(self, name: str) -> None:
        """Plex refused the value: it is not PlexSync's after all (otherwise preserve_plex_edits
        would later take the old value for a person's edit)."""
        self.fields.pop(name, None)
        self.tags.pop(name, None)

    def claimed(self, planned: Owned) -> Owned:
        """What PlexSync may own once a write of `planned` starts: both records together.

        Saved before writing, so a process killed between Plex's answer and the record still
        knows the names it may have written (an emptied tag list must remove them, not take them
        for names Plex got elsewhere). Image hashes stay as they were: only an upload changes
        them."""
        tags = {kind: list(names) for kind, names in self.tags.items()}
        for kind, names in planned.tags.items():
            tags[kind] = list(dict.fromkeys([*tags.get(kind, []), *names]))
        return Owned(fields={**self.fields, **planned.fields}, tags=tags,
                     actor_thumbs={**self.actor_thumbs, **planned.actor_thumbs},
                     images=self._pictures())
