"""Reconcile and Preview: whole-library comparisons between Stash and Plex."""

from __future__ import annotations

import time
from collections import Counter

from stash import log
from stash.protocol import PluginInput
from sync.matching import Recommendation
from sync_queue.job import RECHECK
from worker.context import Context, open_context
from worker.foreground import plex_trouble, run_draining
from worker.survey import Finding, changes, survey

EXAMPLES = 3


def _progress(label: str):  # type: ignore[no-untyped-def]
    def report(done: int) -> None:
        log.info(f"{label}: compared {done} scenes")
    return report


def reconcile(plugin_input: PluginInput) -> str:
    """Queue every scene whose Plex items differ from what Stash says, then write them."""

    def enqueue(ctx: Context) -> str:
        differing: list[tuple[int, str | None]] = []
        missing: list[Finding] = []
        for finding in survey(ctx, _progress("reconcile")):
            if finding.recommendation is Recommendation.NONE:
                missing.append(finding)
            elif finding.differs or finding.recommendation is Recommendation.LOW:
                differing.append((finding.scene.id, finding.scene.updated_at))
        for finding in missing[:20]:
            files = [f.path for f in finding.scene.files[:1]]
            log.info(f"scene {finding.scene.id} has no Plex item: {files}")
        # Forced: a person's edit in Plex or a rename in Stash leaves the scene hash unchanged.
        ctx.queue.enqueue_many(differing, RECHECK)
        return (f"reconcile: {len(differing)} scene(s) differ from Plex and were queued; "
                f"{len(missing)} have no Plex item")

    return run_draining(plugin_input, enqueue)


def preview(plugin_input: PluginInput) -> dict:
    """A dry run of Sync All: what would change, per field, with a few examples. Writes nothing."""
    started = time.time()
    ctx = open_context(plugin_input.connection)
    try:
        per_field: Counter[str] = Counter()
        examples: dict[str, list[str]] = {}
        totals: Counter[str] = Counter()
        for finding in survey(ctx, _progress("preview")):
            totals[finding.recommendation.name.lower()] += 1
            names = changes(finding)
            if names:
                totals["would_change"] += 1
            for name in names:
                per_field[name] += 1
                if len(examples.setdefault(name, [])) < EXAMPLES:
                    examples[name].append(_example(finding, name))
    except Exception as exc:
        trouble = plex_trouble(ctx, exc)
        if trouble is None:
            raise
        raise trouble from None
    finally:
        ctx.close()
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
