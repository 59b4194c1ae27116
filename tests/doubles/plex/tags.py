"""How an edit changes one item's list of taggings of one type (pure)."""

from __future__ import annotations

from typing import NamedTuple


class Tagging(NamedTuple):
    """An item's link to a tag; `role` is an actor's character name, None elsewhere."""

    tag: str
    role: str | None = None


def merge_taggings(
    current: list[Tagging],
    added: list[Tagging],
    removed: list[str],
    *,
    replace: bool,
    clear: bool,
) -> list[Tagging]:
    """The new list: `replace` drops current taggings when `added` is non-empty, `clear` always.

    Names compare case-insensitively; removals apply after additions.
    """
    base = [] if clear or (replace and added) else list(current)
    position = {t.tag.lower(): i for i, t in enumerate(base)}
    for tagging in added:
        key = tagging.tag.lower()
        if key not in position:
            position[key] = len(base)
            base.append(tagging)
        elif tagging.role is not None:
            base[position[key]] = base[position[key]]._replace(role=tagging.role)
    gone = {name.lower() for name in removed}
    return [t for t in base if t.tag.lower() not in gone]
