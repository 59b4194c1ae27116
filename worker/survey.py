"""Compare every Stash scene with its Plex items without trusting timestamps.

Renaming a performer, studio or tag changes no scene's updated_at, and a person may edit Plex
directly: only planning each scene against the item's current state tells what differs. Reads
only: Reconcile queues what differs, Preview reports it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from stash import log
from sync.edit import UNSET, Edit
from sync.item import PlexItem
from sync.matching import PathIndex, Recommendation
from sync.plan import plan
from validation.scene import Scene
from worker.context import Context

PAGE = 1000


@dataclass
class Finding:
    scene: Scene
    recommendation: Recommendation
    edits: list[Edit] = field(default_factory=list)

    @property
    def differs(self) -> bool:
        return any(_changes(edit) for edit in self.edits)


def _changes(edit: Edit) -> list[str]:
    """What an edit would change, by field group (images only when the cover URL changed)."""
    names = list(edit.fields) + sorted(set(edit.tags) | set(edit.remove))
    if edit.actors is not None:
        names.append("actors")
    if edit.rating is not UNSET:
        names.append("userRating")
    names += [image.kind for image in edit.images]
    if not names and edit.locks:
        names.append("locks")
    return names


def changes(finding: Finding) -> list[str]:
    seen: list[str] = []
    for edit in finding.edits:
        seen += [name for name in _changes(edit) if name not in seen]
    return seen


def survey(ctx: Context, on_progress: Callable[[int], None] | None = None) -> Iterator[Finding]:
    ctx.plex.check()  # a wrong setting or an outage stops here, before a page is compared
    index = ctx.plex.index(force=True)
    done = 0
    page: list[Scene] = []
    for raw in ctx.stash.iter_scenes(PAGE):
        try:
            page.append(Scene.from_stash(raw))
        except ValueError as exc:
            log.warning(f"skipping a scene Stash returned without a usable id: {exc}")
        if len(page) >= PAGE:
            yield from _page(ctx, page, index)
            done += len(page)
            page = []
            if on_progress:
                on_progress(done)
    if page:
        yield from _page(ctx, page, index)
        if on_progress:
            on_progress(done + len(page))


def _page(ctx: Context, scenes: list[Scene], index: PathIndex) -> Iterator[Finding]:
    records = ctx.state.get_many([s.id for s in scenes])
    matches = {s.id: ctx.match(s, index) for s in scenes}
    keys = sorted({e.rating_key for m in matches.values()
                   if m.recommendation is Recommendation.HIGH for e in m.items})
    items = ctx.plex.fetch_items(keys) if keys else {}
    for scene in scenes:
        found = matches[scene.id]
        finding = Finding(scene, found.recommendation)
        if found.recommendation is Recommendation.HIGH:
            record = records.get(scene.id)
            written = record.written if record else {}
            for entry in found.items:
                item = items.get(entry.rating_key)
                if isinstance(item, PlexItem):  # not gone, not unreadable
                    finding.edits.append(plan(scene, item, ctx.config,
                                              written.get(entry.rating_key)))
        yield finding
