"""Sync now (the Plex tab): write one scene at once, in the foreground, and say what happened.

The scene is queued (forced: compared with Plex now, whatever the record says) and written by
the same batch the background worker runs, after the worker hands the queue over, as every
writing task does: only one process ever writes, and a failure is retried or dead-lettered like
any other. Other queued scenes are left to the background worker, restarted afterwards.
"""

from __future__ import annotations

import time
from typing import Any

from stash import log
from stash.protocol import Connection, PluginInput, UserError
from tasks.scene_facts import scene_id_arg, stash_scene
from tasks.scene_status import status_of
from worker.batch import Batch, StopDrain
from worker.context import Context, open_context
from worker.detached import take_over
from worker.drain import _look as look_at_plex
from worker.foreground import HANDOVER_TIMEOUT, kept, summary
from worker.spawn import ensure_drainer
from worker.tally import Tally

REASON = "sync_now"


def scene_sync(plugin_input: PluginInput) -> dict[str, Any]:
    scene_id = scene_id_arg(plugin_input)
    started = time.time()
    ctx = open_context(plugin_input.connection)
    try:
        tally = write_now(ctx, scene_id, plugin_input.connection)
        outcome = {"written": tally.synced > 0, "summary": summary(tally, time.time() - started),
                   "errors": tally.errors[:5],
                   "error": f"{tally.outage.message}: {kept(ctx, tally.outage)}"
                   if tally.outage else None}
        log.info(f"Sync now, scene {scene_id}: {outcome['error'] or outcome['summary']}")
        return {"outcome": outcome, "status": status_of(ctx, scene_id)}
    finally:
        ctx.close()


def write_now(ctx: Context, scene_id: int, connection: Connection) -> Tally:
    scene = stash_scene(ctx, scene_id)
    ctx.queue.enqueue(scene.id, scene.updated_at, reason=REASON, force=True)
    lock = take_over(ctx.data_dir, HANDOVER_TIMEOUT)
    if lock is None:
        raise UserError("the background PlexSync worker did not hand over in time; try again")
    try:
        ctx.queue.resume_abandoned()  # as every holder of the lock does first (worker/drain.py)
        outage = look_at_plex(ctx)  # a wrong setting stops here, before the scene is tried
        tally = Tally(outage=outage) if outage else Batch(ctx).run(ctx.queue.take_scene(scene_id))
    except StopDrain as exc:
        if exc.stash_login:
            raise UserError(f"{exc}; the change is kept: try again") from None
        raise UserError(f"{exc}. {kept(ctx, exc.failure)}") from None
    finally:
        lock.release()
    if ctx.queue.counts()["waiting"]:  # this scene's retry, or other scenes' changes
        ensure_drainer(ctx.data_dir, connection)
    return tally
