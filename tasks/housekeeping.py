"""Queue and dead-letter housekeeping tasks. They need Stash (for the data folder) but not Plex,
so they work while Plex is down or not yet configured."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from stash import log
from stash.protocol import PluginInput, UserError
from sync_queue.datadir import resolve_data_dir
from sync_queue.dead_letters import DeadLetters
from sync_queue.handover import take_over
from sync_queue.jobs import JobQueue
from sync_queue.storage import JobStorage
from worker.services import stash_port
from worker.spawn import ensure_drainer


def data_dir_of(plugin_input: PluginInput) -> Path:
    settings = stash_port(plugin_input.connection).settings_at_start
    return resolve_data_dir(settings.get("data_dir"), plugin_input.connection.config_dir)


def requeue(plugin_input: PluginInput, move: Callable[[DeadLetters, JobStorage], int]
            ) -> tuple[int, int, str]:
    """Dead letters back onto the queue (`move` picks and moves them) and a worker started for
    them: (how many moved, how many are left, the message logged)."""
    data_dir = data_dir_of(plugin_input)
    queue: JobStorage = JobQueue(str(data_dir))
    dead = DeadLetters(str(data_dir))
    try:
        moved = move(dead, queue)
        left = dead.count()
    finally:
        dead.close()
        queue.close()
    if moved:
        ensure_drainer(data_dir, plugin_input.connection)
    message = f"moved {moved} dead letter(s) back onto the queue"
    log.info(message)
    return moved, left, message


def dlq_retry(plugin_input: PluginInput) -> str:
    return requeue(plugin_input, lambda dead, queue: dead.retry_all(queue))[2]


def dlq_purge(plugin_input: PluginInput) -> str:
    raw = plugin_input.args.get("days", "30")
    try:
        days = float(raw)
    except (TypeError, ValueError):
        raise UserError(f"days must be a number, got {raw!r}") from None
    if days < 0:
        raise UserError(f"days must not be negative, got {days:g}")
    dead = DeadLetters(str(data_dir_of(plugin_input)))
    try:
        purged = dead.purge(days)
    finally:
        dead.close()
    message = f"purged {purged} dead letter(s) older than {days:g} day(s)"
    log.info(message)
    return message


def clear_queue(plugin_input: PluginInput) -> str:
    data_dir = data_dir_of(plugin_input)
    # Hold the drainer lock so no drainer is mid-batch with jobs the clear would miss.
    lock = take_over(data_dir, 300.0)
    if lock is None:
        raise UserError("the background PlexSync worker did not stop in time; try again")
    queue = JobQueue(str(data_dir))
    try:
        queue.resume_abandoned()
        cleared = queue.clear()
    finally:
        queue.close()
        lock.release()
    message = f"cleared {cleared} queued change(s); run Sync All Scenes to queue them again"
    log.info(message)
    return message
