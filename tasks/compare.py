"""Reconcile and Preview: whole-library comparisons between Stash and Plex.

Every Stash scene is compared with its Plex items without trusting timestamps: renaming a
performer, studio or tag changes no scene's updated_at, and a person may edit Plex directly, so
only planning each scene against the item's current state tells what differs. Reconcile queues
what differs, Preview reports it.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from stash import log
from stash.protocol import PluginInput
from sync.edit import UNSET, Edit
from sync.item import PlexItem
from sync.matching import Lookups, Recommendation, match
from sync.plan import plan
from sync.state import SyncState
from sync_queue.job import RECHECK
from tasks.sync import plex_trouble, run_draining
from validation.config import PlexSyncConfig
from validation.scene import Scene
from worker.index import Index
from worker.ports import PlexPort
from worker.services import Services, open_services

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


def survey(services: Services, on_progress: Callable[[int], None] | None = None
           ) -> Iterator[Finding]:
    plex, state, config = services.plex, services.stores.state, services.config
    plex.check()  # a wrong setting or an outage stops here, before a page is compared
    index = Index(plex, services.stores.index_cache).relist()
    done = 0
    page: list[Scene] = []
    for raw in services.stash.iter_scenes(PAGE):
        try:
            page.append(Scene.from_stash(raw))
        except ValueError as exc:
            log.warning(f"skipping a scene Stash returned without a usable id: {exc}")
        if len(page) >= PAGE:
            yield from _page(page, index, config, state, plex)
            done += len(page)
            page = []
            if on_progress:
                on_progress(done)
    if page:
        yield from _page(page, index, config, state, plex)
        if on_progress:
            on_progress(done + len(page))


def _page(scenes: list[Scene], index: Lookups, config: PlexSyncConfig, state: SyncState,
          plex: PlexPort) -> Iterator[Finding]:
    records = state.get_many([s.id for s in scenes])
    matches = {s.id: match(s.files, config.path_map, index) for s in scenes}
    keys = sorted({e.rating_key for m in matches.values()
                   if m.recommendation is Recommendation.HIGH for e in m.items})
    items = plex.fetch_items(keys) if keys else {}
    for scene in scenes:
        found = matches[scene.id]
        finding = Finding(scene, found.recommendation)
        if found.recommendation is Recommendation.HIGH:
            record = records.get(scene.id)
            for entry in found.items:
                item = items.get(entry.rating_key)
                if isinstance(item, PlexItem):  # not gone, not unreadable
                    last = record.owned(entry.rating_key) if record else None
                    finding.edits.append(plan(scene, item, config, last))
        yield finding


EXAMPLES = 3


def _progress(label: str) -> Callable[[int], None]:
    def report(done: int) -> None:
        log.info(f"{label}: compared {done} scenes")
    return report


def reconcile(plugin_input: PluginInput) -> str:
    """Queue every scene whose Plex items differ from what Stash says, then write them."""

    def enqueue(services: Services) -> str:
        differing: list[tuple[int, str | None]] = []
        missing: list[Finding] = []
        for finding in survey(services, _progress("reconcile")):
            if finding.recommendation is Recommendation.NONE:
                missing.append(finding)
            elif finding.differs or finding.recommendation is Recommendation.LOW:
                differing.append((finding.scene.id, finding.scene.updated_at))
        for finding in missing[:20]:
            files = [f.path for f in finding.scene.files[:1]]
            log.info(f"scene {finding.scene.id} has no Plex item: {files}")
        # Recheck: a person's edit in Plex or a rename in Stash leaves the scene hash unchanged.
        services.stores.queue.enqueue_many(differing, RECHECK)
        return (f"reconcile: {len(differing)} scene(s) differ from Plex and were queued; "
                f"{len(missing)} have no Plex item")

    return run_draining(plugin_input, enqueue)


def preview(plugin_input: PluginInput) -> dict:
    """A dry run of Sync All: what would change, per field, with a few examples. Writes nothing."""
    started = time.time()
    services = open_services(plugin_input.connection)
    try:
        per_field: Counter[str] = Counter()
        examples: dict[str, list[str]] = {}
        totals: Counter[str] = Counter()
        for finding in survey(services, _progress("preview")):
            totals[finding.recommendation.name.lower()] += 1
            names = changes(finding)
            if names:
                totals["would_change"] += 1
            for name in names:
                per_field[name] += 1
                if len(examples.setdefault(name, [])) < EXAMPLES:
                    examples[name].append(_example(finding, name))
    except Exception as exc:
        trouble = plex_trouble(services.stores.queue, exc)
        if trouble is None:
            raise
        raise trouble from None
    finally:
        services.close()
    lines = [f"  {name}: {count} item(s), e.g. {'; '.join(examples[name])}"
             for name, count in per_field.most_common()]
    # Last, as every task's log ends with its one-line summary.
    lines.append(f"Preview (nothing written): {totals['would_change']} of "
                 f"{sum(totals[k] for k in ('high', 'low', 'none'))} scenes would change; "
                 f"{totals['none']} have no Plex item, {totals['low']} only a low-confidence "
                 "match")
    for line in lines:
        log.info(line)
    return {"would_change": totals["would_change"], "by_field": dict(per_field),
            "examples": examples, "matches": {k: totals[k] for k in ("high", "low", "none")},
            "seconds": round(time.time() - started, 1), "summary": lines}


def _example(finding: Finding, name: str) -> str:
    for edit in finding.edits:
        if name in edit.fields:
            return f"scene {finding.scene.id}: {name} -> {edit.fields[name][:60]!r}"
        if name in edit.tags or name in edit.remove:
            return (f"scene {finding.scene.id}: {name} -> {edit.tags.get(name, [])[:5]}"
                    f" (removing {edit.remove.get(name, [])[:5]})")
        if name == "actors" and edit.actors is not None:
            return f"scene {finding.scene.id}: actors -> {[a.tag for a in edit.actors][:5]}"
    return f"scene {finding.scene.id}"
