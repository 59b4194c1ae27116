"""FindFilterType: free-text search, sorting and paging of scenes, as Stash applies them."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from .filters import UnsupportedFilter
from .records import Scene

DEFAULT_PER_PAGE = 25
# Stash falls back to title order; the id tie-break keeps pages stable between requests.
DEFAULT_SORT = "title"

_SORT_KEYS: dict[str, Callable[[Scene], Any]] = {
    "id": lambda s: s.id,
    "title": lambda s: (s.title or "").casefold(),
    # Scenes without a date sort first ascending, as NULLs do in SQLite.
    "date": lambda s: (s.date is not None, s.date or ""),
    "created_at": lambda s: s.created_at,
    "updated_at": lambda s: s.updated_at,
}


def search_words(q: str | None) -> list[str]:
    """Splits a query into words, keeping "quoted phrases" together."""
    return [quoted or bare for quoted, bare in re.findall(r'"([^"]*)"|(\S+)', q or "")]


def matches_query(scene: Scene, words: list[str]) -> bool:
    """Every word must occur, case-insensitively, in the title, details, code or a path."""
    haystacks = [scene.title, scene.details, scene.code, *(f.path for f in scene.files)]
    folded = [h.casefold() for h in haystacks if h]
    return all(any(w.casefold() in h for h in folded) for w in words)


def sort_scenes(scenes: list[Scene], find_filter: Mapping[str, Any]) -> list[Scene]:
    sort = find_filter.get("sort") or DEFAULT_SORT
    if sort not in _SORT_KEYS:
        raise UnsupportedFilter(f"sort {sort!r} is not supported by the Stash double")
    key = _SORT_KEYS[sort]
    descending = find_filter.get("direction") == "DESC"
    return sorted(scenes, key=lambda s: (key(s), s.id), reverse=descending)


def page(items: list[Scene], find_filter: Mapping[str, Any]) -> list[Scene]:
    per_page = find_filter.get("per_page")
    per_page = DEFAULT_PER_PAGE if per_page is None else per_page
    if per_page < 0:
        return items
    number = max(find_filter.get("page") or 1, 1)
    start = (number - 1) * per_page
    return items[start:start + per_page]


def apply_find_filter(scenes: list[Scene],
                      find_filter: Mapping[str, Any] | None) -> tuple[int, list[Scene]]:
    """Returns (count of all matches, the requested page)."""
    find_filter = find_filter or {}
    words = search_words(find_filter.get("q"))
    matching = [s for s in scenes if matches_query(s, words)] if words else scenes
    return len(matching), page(sort_scenes(matching, find_filter), find_filter)
