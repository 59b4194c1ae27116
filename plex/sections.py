"""Plex library sections: which ones PlexSync syncs into."""

from __future__ import annotations

from dataclasses import dataclass
from xml.etree.ElementTree import Element


@dataclass(frozen=True)
class Section:
    key: int
    title: str
    type: str
    locations: tuple[str, ...]
    scanned_at: str

    @property
    def signature(self) -> str:
        """Changes when Plex scans the section: a cached index of it is then stale."""
        return f"{self.key}:{self.scanned_at}"


def parse_sections(container: Element) -> list[Section]:
    sections = []
    for directory in container.findall("Directory"):
        key = directory.get("key", "")
        if not key.isdigit():
            continue
        sections.append(Section(
            key=int(key),
            title=directory.get("title", ""),
            type=directory.get("type", ""),
            locations=tuple(loc.get("path", "") for loc in directory.findall("Location")),
            scanned_at=directory.get("scannedAt") or directory.get("updatedAt") or "",
        ))
    return sections


def choose_sections(sections: list[Section], names: list[str]) -> tuple[list[Section], list[str]]:
    """Movie-type sections named in plex_library (all of them when it is empty), and the
    configured names that match none."""
    movies = [s for s in sections if s.type == "movie"]
    if not names:
        return movies, []
    wanted = {name.strip().lower() for name in names}
    chosen = [s for s in movies if s.title.strip().lower() in wanted]
    found = {s.title.strip().lower() for s in chosen}
    return chosen, [name for name in names if name.strip().lower() not in found]
