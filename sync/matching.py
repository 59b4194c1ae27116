"""Which Plex items hold a Stash scene's files: exact mapped paths first, then near misses.

In the manner of beets' autotagger, a match carries a recommendation (HIGH, LOW, NONE) and the
scored candidates behind it; the caller applies its policy through `decide`. And as beets
downgrades a match whose runner-up is too close (its gap rule), near misses tied at the closest
distance for one file are ambiguous: which item holds the file is a guess, so it is never
written without a person's look, whatever strict_matching says.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Literal, NamedTuple, Protocol

from sync.paths import folder, normalize, to_plex
from validation.scene import SceneFile

EXACT = "exact path"
SAME_NAME_AND_SIZE = "same name and size in another folder"
# A near miss is never as good as an exact path; folder likeness only orders near misses.
_NEAR_MISS_BASE = 0.5


class IndexEntry(NamedTuple):
    """One Media/Part of a Plex item; a tuple so that 100,000 of them stay cheap."""

    rating_key: str
    section_id: int
    file: str
    size: int | None


def name_key(path: str) -> str:
    """The file-name key of the name-and-size lookup."""
    return key_name(normalize(path))


def key_name(key: str) -> str:
    """The file-name key of a path already reduced to its comparison key."""
    return key.rpartition("/")[2].lower()


class Lookups(Protocol):
    """The Plex path index as matching asks it (sync_queue/index_cache.py keeps it)."""

    def by_path(self, normalized: str) -> list[IndexEntry]:
        """The parts at a path's comparison key (sync/paths.py normalize)."""

    def by_name_size(self, basename_lower: str, size: int | None) -> list[IndexEntry]:
        """The parts of that file name and size in any folder; none without a size."""

    def stack(self, rating_key: str) -> list[IndexEntry]:
        """Every part of an item that has several; empty for an item of one file."""


class Recommendation(Enum):
    HIGH = "high"
    LOW = "low"
    NONE = "none"


@dataclass(frozen=True)
class Candidate:
    entry: IndexEntry
    distance: float  # 0.0 is an exact path; larger is worse
    reason: str


@dataclass(frozen=True)
class Match:
    recommendation: Recommendation
    items: list[IndexEntry]
    candidates: list[Candidate]
    ambiguous: bool = False  # near misses tied at the closest distance for one file


def match(files: list[SceneFile], path_map: list[tuple[str, str]], index: Lookups) -> Match:
    mapped = [(to_plex(file.path, path_map), file.size) for file in files]
    exact = _best([
        Candidate(entry, 0.0, EXACT)
        for path, _ in mapped
        for entry in index.by_path(normalize(path))
    ])
    if exact:
        return Match(Recommendation.HIGH, [c.entry for c in exact], exact)
    per_file = [_best([
        Candidate(entry, _near_distance(path, entry.file), SAME_NAME_AND_SIZE)
        for entry in index.by_name_size(name_key(path), size)
    ]) for path, size in mapped]
    near = _best([candidate for found in per_file for candidate in found])
    if not near:
        return Match(Recommendation.NONE, [], [])
    closest = near[0].distance
    tied = any(len(found) > 1 and found[0].distance == found[1].distance for found in per_file)
    return Match(Recommendation.LOW, [c.entry for c in near if c.distance == closest], near,
                 ambiguous=tied)


def decide(found: Match, strict: bool) -> Literal["sync", "review", "not_found"]:
    """Policy: a near miss is synced only when strict matching is off and it is not ambiguous."""
    if found.recommendation is Recommendation.HIGH:
        return "sync"
    if found.recommendation is Recommendation.LOW:
        return "review" if strict or found.ambiguous else "sync"
    return "not_found"


def _best(candidates: list[Candidate]) -> list[Candidate]:
    """One candidate per Plex item (its closest), closest first."""
    best: dict[str, Candidate] = {}
    for candidate in candidates:
        known = best.get(candidate.entry.rating_key)
        if known is None or candidate.distance < known.distance:
            best[candidate.entry.rating_key] = candidate
    return sorted(best.values(), key=lambda c: c.distance)


def _near_distance(expected: str, found: str) -> float:
    """Closer when more of the nearest parent folders agree (a wrong prefix mapping, say)."""
    wanted = _folders(expected)
    have = _folders(found)
    longest = max(len(wanted), len(have)) or 1
    shared = 0
    for a, b in zip(reversed(wanted), reversed(have), strict=False):
        if a != b:
            break
        shared += 1
    return round(_NEAR_MISS_BASE + (1 - _NEAR_MISS_BASE) * (1 - shared / longest), 6)


def _folders(path: str) -> list[str]:
    # Compared without case: the two sides may sit on different file systems.
    return [part.lower() for part in normalize(folder(path)).split("/") if part]
