"""Which Plex items hold a batch's scenes: matched against the index, and for the scenes not
found at once, Plex asked as little as will find them.

In order, each step only for the scenes still not matched by their exact path: every section
asked what it added (worker/index.py refresh, once per pass); the items the scenes' records
name, whose files may have been renamed or moved on the same item; and for scenes about to be
parked as not found, the sections holding their files listed in full (at most hourly).
"""

from __future__ import annotations

from typing import NamedTuple

from sync.matching import Match, Recommendation, match
from sync.paths import to_plex
from validation.scene import Scene
from worker.index import Index


class Wanted(NamedTuple):
    scene: Scene
    recorded: list[str]  # the Plex items its record names (written to, or held back from)
    last: bool  # not found now, it is parked as not found


def find(wanted: list[Wanted], index: Index, path_map: list[tuple[str, str]]) -> list[Match]:
    found = [match(w.scene.files, path_map, index.current()) for w in wanted]

    def missed() -> list[int]:
        return [i for i, m in enumerate(found) if m.recommendation is not Recommendation.HIGH]

    def again(which: list[int]) -> None:
        for i in which:
            found[i] = match(wanted[i].scene.files, path_map, index.current())

    if missed() and index.refresh() is not None:
        again(missed())
    keys = sorted({key for i in missed() for key in wanted[i].recorded})
    if keys:
        index.look_up(keys)
        again(missed())
    last = [i for i in missed()
            if found[i].recommendation is Recommendation.NONE and wanted[i].last]
    paths = [to_plex(f.path, path_map) for i in last for f in wanted[i].scene.files]
    if paths and index.last_look(paths):
        again(last)
    return found
