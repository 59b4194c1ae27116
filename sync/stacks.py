"""One Plex item holding the files of several Stash scenes: pure decisions.

Plex stacks `name - part1.mp4`, `name - part2.mp4` (also cd1, disc1...) in one folder into a
single item with a part per file (support.plex.tv, "Naming and organizing your movie media
files"; newloran2/emplexer#92), and may hold versions of a movie as media of one item. When
Stash has each file as its own scene, both scenes match that item and each sync would overwrite
the other's metadata. Such an item is listed for review instead of written.
"""

from __future__ import annotations

from collections.abc import Iterable

from sync.matching import Lookups, Match, Recommendation
from sync.paths import normalize, to_plex
from validation.scene import SceneFile


def plex_paths(files: Iterable[SceneFile], path_map: list[tuple[str, str]]) -> set[str]:
    """A scene's files as the comparison keys of the paths Plex has for them."""
    return {normalize(to_plex(f.path, path_map)) for f in files}


def partly_held(match: Match, files: Iterable[SceneFile], path_map: list[tuple[str, str]],
                index: Lookups) -> dict[str, list[str]]:
    """Matched items that stack several files of which this scene has only some: rating key ->
    the item's files (as Plex names them). An item whose files all belong to the scene (one
    scene with several files) is not shared."""
    if match.recommendation is not Recommendation.HIGH:
        return {}
    mine = plex_paths(files, path_map)
    partly: dict[str, list[str]] = {}
    for rating_key in dict.fromkeys(entry.rating_key for entry in match.items):
        stack = [entry.file for entry in index.stack(rating_key)]
        if stack and not all(normalize(file) in mine for file in stack):
            partly[rating_key] = stack
    return partly


def holds_part(files: Iterable[SceneFile], path_map: list[tuple[str, str]],
               stack: list[str]) -> bool:
    """Whether a scene has one of the stack's files: it claims the item too."""
    return bool(plex_paths(files, path_map) & {normalize(file) for file in stack})
