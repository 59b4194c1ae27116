"""Plex library sections (read by plex/xml.py): which ones PlexSync syncs into."""

from __future__ import annotations

from dataclasses import dataclass

from sync.paths import normalize


@dataclass(frozen=True)
class Section:
    key: int
    title: str
    type: str
    locations: tuple[str, ...]
    scanned_at: str

    def holds(self, plex_path: str) -> bool:
        """Whether one of the section's folders holds the path (whole folder names only)."""
        key = normalize(plex_path)
        return any(key == normalize(loc) or key.startswith(normalize(loc).rstrip("/") + "/")
                   for loc in self.locations)


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


def holding(sections: list[Section], plex_path: str) -> Section | None:
    """The first section whose folders hold the path."""
    return next((s for s in sections if s.holds(plex_path)), None)
