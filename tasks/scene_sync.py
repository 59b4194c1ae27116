"""Sync now (the Plex tab): write one scene at once, in the foreground, and say what happened.

The scene is queued (RECHECK: compared with Plex now, whatever the record says) and written by
the same batch the background worker runs, after the worker hands the queue over, as every
writing task does: only one process ever writes, and a failure is retried or dead-lettered like
any other. Other queued scenes are left to the background worker, restarted afterwards.
"""

from __future__ import annotations

import time
from typing import Any

from stash import log
from stash.protocol import Connection, PluginInput
from sync_queue.job import RECHECK
from tasks.scene_facts import scene_id_arg, stash_scene
from tasks.scene_status import status_of
from tasks.sync import holding_the_queue, kept, summary
from worker.loop import Drain
from worker.services import Services, open_services
from worker.spawn import ensure_drainer
from worker.tally import Tally


def scene_sync(plugin_input: PluginInput) -> dict[str, Any]:
    scene_id = scene_id_arg(plugin_input)
    started = time.time()
    services = open_services(plugin_input.connection)
    try:
        tally = write_now(services, scene_id, plugin_input.connection)
        queue = services.stores.queue
        outcome = {"written": tally.synced > 0, "summary": summary(tally, time.time() - started),
                   "errors": tally.errors[:5],
                   "error": f"{tally.outage.message}: {kept(queue, tally.outage)}"
                   if tally.outage else None}
        log.info(f"Sync now, scene {scene_id}: {outcome['error'] or outcome['summary']}")
        return {"outcome": outcome, "status": status_of(services, scene_id)}
    finally:
        services.close()


def write_now(services: Services, scene_id: int, connection: Connection) -> Tally:
    queue = services.stores.queue
    scene = stash_scene(services.stash, scene_id)
    queue.enqueue(scene.id, scene.updated_at, RECHECK)
    with holding_the_queue(services, "try again", "the change is"):
        drain = Drain(services)
        drain.begin()  # as every holder of the lock does first: a dead process's jobs go back
        outage = drain.outage.look(services.plex)  # a wrong setting stops here, before the scene
        tally = Tally(outage=outage) if outage else drain.run(queue.take_scene(scene_id))
    if queue.counts()["waiting"]:  # this scene's retry, or other scenes' changes
        ensure_drainer(services.data_dir, connection)
    return tally
