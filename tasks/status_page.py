"""The PlexSync page in Stash's web UI: Queue Status's report (tasks/status.py collect), with
the dead letters listed by reason and the scenes named, so a person can act on them there."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from stash.protocol import PluginInput
from sync_queue.dead_letters import DeadLetter
from tasks.status import collect, headline
from worker.outage import reason_label
from worker.ports import StashPort
from worker.services import open_services

SHOWN = 100  # scenes listed per list; the counts say how many there are in all
_LETTERS = 10_000

Answer = dict[str, Any]


def status_page(plugin_input: PluginInput) -> Answer:
    services = open_services(plugin_input.connection)
    try:
        report = collect(services)
        report["headline"] = headline(report)
        letters = services.stores.dead.list(limit=_LETTERS)
        report["review_count"] = len(report["review"])
        report["not_found_count"] = len(report["not_found"])
        report["review"] = report["review"][:SHOWN]
        report["not_found"] = report["not_found"][:SHOWN]
        groups = group_letters(letters, report["dead_letters"]["by_reason"])
        shown = [e["scene_id"] for e in report["review"] + report["not_found"]
                 + report["retrying"]] + [x["scene_id"] for g in groups for x in g["letters"]]
        titles = scene_titles(services.stash, shown)
    finally:
        services.close()
    for entry in report["review"] + report["not_found"] + report["retrying"]:
        entry["title"] = titles.get(entry["scene_id"])
    for group in groups:
        for letter in group["letters"]:
            letter["title"] = titles.get(letter["scene_id"])
    report["dead_letters"]["groups"] = groups
    return report


def group_letters(letters: Iterable[DeadLetter], counts: dict[str, int]) -> list[Answer]:
    """Dead letters by reason (the failure's class), most frequent reason first."""
    by_reason: dict[str, list[Answer]] = {}
    for letter in letters:
        by_reason.setdefault(letter.error_class, []).append({
            "scene_id": letter.scene_id, "message": letter.message,
            "attempts": letter.attempts + 1, "failed_at": letter.failed_at})
    order = sorted(counts, key=lambda reason: (-counts[reason], reason))
    return [{"reason": reason, "label": reason_label(reason), "count": counts[reason],
             "letters": by_reason.get(reason, [])[:SHOWN]} for reason in order]


def scene_titles(stash: StashPort, scene_ids: list[int]) -> dict[int, str]:
    """Each scene's title as Stash lists it (its file's name when it has no title)."""
    wanted = list(dict.fromkeys(scene_ids))
    if not wanted:
        return {}
    found = stash.scenes_by_id(wanted).found
    return {scene_id: raw.get("title") or (raw.get("files") or [{}])[0].get("basename") or ""
            for scene_id, raw in found.items()}
