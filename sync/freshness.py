"""Is this Stash version already in Plex? One rule, for the worker and for the tasks that queue.

A complete write stamps the scene's record with the scene's content hash and the fingerprint of
the settings that shape what is written (PlexSyncConfig.plan_fingerprint: the same scene must be
written again when such a setting changes), beside Stash's updated_at of that version. A written
scene still waiting for its cover, or whose cover failed, gets no stamp: it is not current.
"""

from __future__ import annotations

from sync.state import SYNCED, Recorded


def stamp(content_hash: str, settings: str) -> str:
    return f"{content_hash}:{settings}"


def in_plex(record: Recorded | None, *, settings: str, content: str | None = None,
            updated_at: str | None = None) -> bool:
    """Whether the last complete write, under these settings, wrote this version.

    The version is its content where the scene is at hand (the worker fetched it fresh, so an
    edit that changed nothing Plex shows costs nothing), else its updated_at (a task that only
    listed (id, updated_at) to decide what to queue)."""
    if record is None or record.status != SYNCED or not record.stamp:
        return False
    written, separator, written_settings = record.stamp.rpartition(":")
    if not separator or written_settings != settings:
        return False
    if content is not None:
        return written == content
    return record.updated_at == updated_at
