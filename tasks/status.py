"""Queue Status: a readable report in Stash's log, and the same facts as the task's output."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from stash import log
from stash.protocol import PluginInput
from sync.state import NOT_FOUND, REVIEW
from sync_queue.health import HealthStore
from worker.outage import classify, reason_label
from worker.ports import PlexPort
from worker.services import Services, open_services
from worker.spawn import drainer_running

EXAMPLES = 5


def _when(timestamp: float | None) -> str | None:
    if not timestamp:
        return None
    return datetime.fromtimestamp(timestamp).astimezone().isoformat(timespec="seconds")


def _plex_health(store: HealthStore, plex: PlexPort) -> dict[str, Any]:
    breaker = store.breaker()
    health: dict[str, Any] = {"circuit": breaker.state, "consecutive_failures": breaker.failures}
    last_error = store.last_error()
    if last_error:
        health["last_error"] = last_error["message"]
        health["last_error_at"] = _when(last_error["at"])
    try:
        plex.check()
        health["reachable"] = True
    except Exception as exc:
        health["reachable"] = False
        health["error"] = classify(exc).message
    return health


def collect(services: Services) -> dict[str, Any]:
    queue, dead, state = services.stores.queue, services.stores.dead, services.stores.state
    now = time.time()
    counts = queue.counts(now)
    retrying = [
        {"scene_id": job.scene_id, "attempts": job.attempts, "looks": job.looks,
         "next_attempt_at": _when(job.next_attempt_at), "last_error": job.last_error}
        for job in queue.waiting() if job.next_attempt_at > now
    ]
    review = [{"scene_id": r.scene_id, "candidates": r.detail.get("candidates", []),
               **({"shared": r.detail["shared"]} if "shared" in r.detail else {})}
              for r in state.with_status(REVIEW)]
    not_found = [{"scene_id": r.scene_id, "files": r.detail.get("files", [])}
                 for r in state.with_status(NOT_FOUND)]
    return {
        "queue": counts,
        "retrying": retrying[:50],
        "dead_letters": {"count": dead.count(), "by_reason": dead.count_by_class()},
        "review": review,
        "not_found": not_found,
        "synced_scenes": state.counts().get("synced", 0),
        "last_successful_sync": _when(state.last_success()),
        "background_worker": "running" if drainer_running(services.data_dir) else "idle",
        "plex": _plex_health(services.stores.health, services.plex),
    }


def render(report: dict[str, Any]) -> list[str]:
    queue, plex = report["queue"], report["plex"]
    lines = [
        # Not queue['retrying']: jobs waiting out an outage never count an attempt.
        f"Queue: {queue['waiting']} pending ({queue['due']} due now, "
        f"{queue['waiting'] - queue['due']} waiting to retry), {queue['taken']} in progress; "
        f"background worker {report['background_worker']}",
        f"Synced scenes: {report['synced_scenes']}; last successful sync: "
        f"{report['last_successful_sync'] or 'never'}",
        f"Plex: {'reachable' if plex['reachable'] else 'NOT reachable: ' + plex.get('error', '')}"
        f"; circuit {plex['circuit']}",
    ]
    for job in report["retrying"][:EXAMPLES]:
        which = (f"attempt {job['attempts']}" if job["attempts"] else f"look {job['looks']}")
        lines.append(f"  retrying scene {job['scene_id']} ({which}) at "
                     f"{job['next_attempt_at']}: {job['last_error']}")
    dead = report["dead_letters"]
    lines.append(f"Dead letters: {dead['count']}")
    for reason, count in sorted(dead["by_reason"].items()):
        lines.append(f"  {count} x {reason_label(reason)}")
    lines.append(f"Needing review (no exact path match, or a Plex item shared by scenes): "
                 f"{len(report['review'])}")
    for item in report["review"][:EXAMPLES]:
        lines.append(f"  scene {item['scene_id']}: {_review_line(item)}")
    lines.append(f"Not in Plex: {len(report['not_found'])}")
    for item in report["not_found"][:EXAMPLES]:
        lines.append(f"  scene {item['scene_id']}: {', '.join(item['files'][:1])}")
    lines.append(headline(report))
    return lines


def _review_line(item: dict[str, Any]) -> str:
    shared = item.get("shared")
    if shared:
        return (f"Plex item {shared['rating_key']} holds the files of scenes "
                f"{', '.join(map(str, shared['scenes']))}: {', '.join(shared['files'][:3])}")
    return f"candidates {', '.join(c['file'] for c in item['candidates'][:3])}"


def headline(report: dict[str, Any]) -> str:
    """The one line that ends the report, as every task's log ends."""
    plex = report["plex"]
    state = "reachable" if plex["reachable"] else "NOT reachable"
    return (f"Queue Status: {report['queue']['waiting']} pending, "
            f"{report['dead_letters']['count']} dead letter(s), {len(report['review'])} "
            f"needing review, {len(report['not_found'])} not in Plex; Plex {state}, "
            f"circuit {plex['circuit']}")


def status_report(plugin_input: PluginInput) -> dict[str, Any]:
    services = open_services(plugin_input.connection)
    try:
        report = collect(services)
    finally:
        services.close()
    lines = render(report)
    for line in lines:
        log.info(line)
    report["summary"] = lines
    return report
