"""SceneFilterType evaluation: does one scene match a filter, as Stash's SQL would decide.

Pure functions over records. Timestamps are deliberately compared as text, because Stash
compiles `updated_at > ?` to a raw SQL string comparison against its stored RFC 3339 text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from .records import Scene

Criterion = Mapping[str, Any]


class UnsupportedFilter(ValueError):
    """The filter uses something the double does not implement; fail loudly, never guess."""


def scene_matches(scene: Scene, scene_filter: Criterion | None,
                  studio_parents: Mapping[int, int | None]) -> bool:
    if not scene_filter:
        return True
    own = all(
        _CRITERIA[key](scene, criterion, studio_parents)
        for key, criterion in scene_filter.items()
        if key not in ("AND", "OR", "NOT") and criterion is not None
    )
    if scene_filter.get("AND") is not None:
        own = own and scene_matches(scene, scene_filter["AND"], studio_parents)
    if scene_filter.get("OR") is not None:
        own = own or scene_matches(scene, scene_filter["OR"], studio_parents)
    if scene_filter.get("NOT") is not None:
        own = own and not scene_matches(scene, scene_filter["NOT"], studio_parents)
    return own


def ordered_matches(actual: Any, criterion: Criterion) -> bool:
    """EQUALS/NOT_EQUALS/GREATER_THAN/LESS_THAN/BETWEEN/NOT_BETWEEN/IS_NULL/NOT_NULL over
    ints or strings; for strings this is plain text ordering."""
    modifier, value, value2 = criterion["modifier"], criterion["value"], criterion.get("value2")
    if modifier == "IS_NULL":
        return actual is None
    if modifier == "NOT_NULL":
        return actual is not None
    if actual is None:
        return False
    if modifier in ("BETWEEN", "NOT_BETWEEN"):
        if value2 is None:
            raise UnsupportedFilter(f"{modifier} needs value2")
        inside = value <= actual <= value2
        return inside if modifier == "BETWEEN" else not inside
    if modifier not in _COMPARISONS:
        raise UnsupportedFilter(f"modifier {modifier} does not apply to this criterion")
    return _COMPARISONS[modifier](actual, value)


_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "EQUALS": lambda a, b: a == b,
    "NOT_EQUALS": lambda a, b: a != b,
    "GREATER_THAN": lambda a, b: a > b,
    "LESS_THAN": lambda a, b: a < b,
}


def path_matches(paths: list[str], criterion: Criterion) -> bool:
    """Stash matches a path with SQL LIKE (ASCII case-insensitive) against any of the
    scene's files, or with a regular expression."""
    modifier, value = criterion["modifier"], criterion["value"]
    if modifier == "IS_NULL":
        return not paths
    if modifier == "NOT_NULL":
        return bool(paths)
    folded = [p.casefold() for p in paths]
    wanted = value.casefold()
    tests: dict[str, Callable[[], bool]] = {
        "EQUALS": lambda: wanted in folded,
        "NOT_EQUALS": lambda: wanted not in folded,
        "INCLUDES": lambda: any(wanted in p for p in folded),
        "EXCLUDES": lambda: not any(wanted in p for p in folded),
        "MATCHES_REGEX": lambda: any(re.search(value, p) for p in paths),
        "NOT_MATCHES_REGEX": lambda: not any(re.search(value, p) for p in paths),
    }
    if modifier not in tests:
        raise UnsupportedFilter(f"modifier {modifier} does not apply to path")
    return tests[modifier]()


def multi_matches(actual: set[int], criterion: Criterion,
                  expand: Callable[[set[int]], set[int]] = lambda ids: ids) -> bool:
    """Multi-valued criteria (performers, tags, studios); `expand` adds child objects when
    the criterion asks for depth."""
    modifier = criterion["modifier"]
    wanted = expand({int(i) for i in criterion.get("value") or ()})
    excluded = expand({int(i) for i in criterion.get("excludes") or ()})
    if actual & excluded:
        return False
    tests: dict[str, Callable[[], bool]] = {
        "INCLUDES": lambda: not wanted or bool(actual & wanted),
        "INCLUDES_ALL": lambda: wanted <= actual,
        "EXCLUDES": lambda: not actual & wanted,
        "EQUALS": lambda: actual == wanted,
        "IS_NULL": lambda: not actual,
        "NOT_NULL": lambda: bool(actual),
    }
    if modifier not in tests:
        raise UnsupportedFilter(f"modifier {modifier} does not apply to a list criterion")
    return tests[modifier]()


def studio_descendants(roots: set[int], depth: int | None,
                       studio_parents: Mapping[int, int | None]) -> set[int]:
    """`roots` plus child studios `depth` levels down (-1: all levels, None or 0: none)."""
    found, frontier, level = set(roots), set(roots), 0
    while frontier and depth and (depth < 0 or level < depth):
        frontier = {s for s, parent in studio_parents.items()
                    if parent in frontier and s not in found}
        found |= frontier
        level += 1
    return found


def _studios(scene: Scene, criterion: Criterion, parents: Mapping[int, int | None]) -> bool:
    actual = {scene.studio} if scene.studio is not None else set()
    depth = criterion.get("depth")
    return multi_matches(actual, criterion, lambda ids: studio_descendants(ids, depth, parents))


_CRITERIA: dict[str, Callable[[Scene, Criterion, Mapping[int, int | None]], bool]] = {
    "id": lambda scene, c, _: ordered_matches(scene.id, c),
    "created_at": lambda scene, c, _: ordered_matches(scene.created_at, c),
    "updated_at": lambda scene, c, _: ordered_matches(scene.updated_at, c),
    "path": lambda scene, c, _: path_matches([f.path for f in scene.files], c),
    "performers": lambda scene, c, _: multi_matches(set(scene.performers), c),
    # The double has no tag or group hierarchy, so their criteria's depth changes nothing.
    "tags": lambda scene, c, _: multi_matches(set(scene.tags), c),
    "groups": lambda scene, c, _: multi_matches({g for g, _index in scene.groups}, c),
    "studios": _studios,
}
