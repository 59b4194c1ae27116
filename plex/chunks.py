"""One scene's edit as few PUTs as fit a conservative request size, and as single-purpose parts.

Every value travels in the URL of the edit PUT (plexapi's encoding, plex/params.py). A scene with
80 tags and performers and their removals makes a URL of 10 KB and more, while proxies in front
of Plex refuse a request line over 8 KB: nginx answers 414 past one of its
large_client_header_buffers (default 4 8k, nginx.org/en/docs/http/ngx_http_core_module.html),
Apache 414 past LimitRequestLine (8190), aiohttp 400 past 8190 (CSCfi/swift-browser-ui#504).
Plex's own limit is not documented. So an edit whose request target exceeds MAX_TARGET is sent
as several PUTs, each under it.

What may be split is bounded by Plex's tag semantics (plex-api.md §5: an indexed list may replace
the item's list): one kind's complete list always travels in one PUT, so a later PUT cannot
replace it with a part. Removals (`kind[].tag.tag-=`) only remove, so they split freely; a long
actor list repeats the names in each PUT and spreads the photos over them. A part still over
the limit is sent alone; if refused, it is skipped with a warning like any refused value.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import TypeVar

from plex.params import edit_query
from sync.edit import Edit

# Bytes of path and query per request: 2 KB under the smallest common limit (8190), for the
# request line's method and version and a proxy's path prefix.
MAX_TARGET = 6144
T = TypeVar("T")


def target(edit: Edit) -> str:
    """The request target (path and query) of the edit's PUT."""
    return f"/library/sections/{edit.section_id}/all?{edit_query(edit)}"


def fits(edit: Edit, limit: int = MAX_TARGET) -> bool:
    return len(target(edit)) <= limit


def _empty(edit: Edit) -> Edit:
    return dataclasses.replace(edit, fields={}, tags={}, remove={}, actors=None, locks={},
                               images=[])


def parts(edit: Edit) -> Iterator[tuple[str, Edit]]:
    """The edit as single-purpose edits: each scalar field, each tag type, the actors, the
    remaining locks. Named by what a refusal would skip."""
    empty = _empty(edit)
    for name, value in edit.fields.items():
        lock = {name: edit.locks[name]} if name in edit.locks else {}
        yield name, dataclasses.replace(empty, fields={name: value}, locks=lock)
    for kind in sorted(set(edit.tags) | set(edit.remove) - {"actor"}):
        lock = {kind: edit.locks[kind]} if kind in edit.locks else {}
        yield kind, dataclasses.replace(empty, tags={kind: edit.tags.get(kind, [])},
                                        remove={kind: edit.remove.get(kind, [])}, locks=lock)
    if edit.actors is not None or edit.remove.get("actor"):
        lock = {"actor": edit.locks["actor"]} if "actor" in edit.locks else {}
        remove = {"actor": edit.remove["actor"]} if edit.remove.get("actor") else {}
        yield "actor", dataclasses.replace(empty, actors=edit.actors, remove=remove, locks=lock)
    handled = set(edit.fields) | set(edit.tags) | set(edit.remove) | {"actor"}
    rest = {k: v for k, v in edit.locks.items() if k not in handled}
    if rest:
        yield "locks", dataclasses.replace(empty, locks=rest)


def _smaller(name: str, part: Edit, limit: int) -> list[tuple[str, Edit]]:
    """A part over the limit as several that fit, where the semantics allow."""
    pieces = [(name, piece) for kind, names in part.remove.items()  # removals split freely
              for piece in _spread(names, _removal(part, kind), limit)]
    keep = dataclasses.replace(part, remove={})
    if keep.actors and not fits(keep, limit):
        pieces += [(name, piece) for piece in _actor_photos(keep, limit)]
    elif keep.fields or keep.tags or keep.actors is not None or keep.locks:
        pieces.append((name, keep))
    return pieces


def _removal(part: Edit, kind: str) -> Callable[[list[str]], Edit]:
    return lambda names: dataclasses.replace(_empty(part), remove={kind: names})


def _spread(items: list[T], make: Callable[[list[T]], Edit], limit: int) -> list[Edit]:
    """As few edits as hold every item, each within the limit when one item alone fits."""
    built: list[Edit] = []
    current: list[T] = []
    for item in items:
        if current and not fits(make([*current, item]), limit):
            built.append(make(current))
            current = []
        current.append(item)
    if current:
        built.append(make(current))
    return built


def _actor_photos(part: Edit, limit: int) -> list[Edit]:
    """Every PUT names all actors (a later one may replace the list); the photos are spread."""
    actors = part.actors or []
    bare = [dataclasses.replace(a, thumb="") for a in actors]
    with_photo = [i for i, a in enumerate(actors) if a.thumb]

    def make(indexes: list[int]) -> Edit:
        chosen = set(indexes)
        listed = [actors[i] if i in chosen else bare[i] for i in range(len(actors))]
        return dataclasses.replace(part, actors=listed)

    pieces = _spread(with_photo, make, limit) or [make([])]
    # The lock goes with the first PUT only; each PUT names every actor anyway.
    return [pieces[0], *(dataclasses.replace(p, locks={}) for p in pieces[1:])]


def merge(base: Edit, pieces: list[Edit]) -> Edit:
    merged = _empty(base)
    for piece in pieces:
        remove = dict(merged.remove)
        for kind, names in piece.remove.items():
            if names:
                remove[kind] = [*remove.get(kind, []), *names]
        merged = dataclasses.replace(
            merged, fields={**merged.fields, **piece.fields}, tags={**merged.tags, **piece.tags},
            remove=remove, locks={**merged.locks, **piece.locks},
            actors=piece.actors if piece.actors is not None else merged.actors)
    return merged


def chunks(edit: Edit, limit: int = MAX_TARGET) -> list[list[tuple[str, Edit]]]:
    """The named parts of the edit packed into PUTs of at most `limit` (the edit itself when
    it fits). Never two actor lists in one PUT: each is complete."""
    if fits(edit, limit):
        return [list(parts(edit))]
    pieces = [small for name, part in parts(edit)
              for small in ([(name, part)] if fits(part, limit) else _smaller(name, part, limit))]
    packed: list[list[tuple[str, Edit]]] = []
    for name, piece in pieces:
        current = packed[-1] if packed else None
        if current is not None and not (piece.actors is not None and any(
                p.actors is not None for _, p in current)) and fits(
                merge(edit, [p for _, p in current] + [piece]), limit):
            current.append((name, piece))
        else:
            packed.append([(name, piece)])
    return packed
