"""What PlexSync keeps in its data folder: the name of every file and folder in it.

Where the folder is, and how its files are kept private, is sync_queue/datadir.py. Every module
that reads or writes the folder, and the tests that watch it, take the names from here.
Standard library only, and nothing but names: the hook imports it.

| name | what it holds | written by |
|---|---|---|
| queue.db | the jobs: PlexSync's schedule of every job, persist-queue's table of those waiting for another attempt | sync_queue/schedule.py, sync_queue/jobs.py |
| dead_letters.db | jobs that failed for good | sync_queue/dead_letters.py |
| plexsync.db | what was written to Plex (sync_state, scene_objects), health, the Plex path index | sync/state.py, sync_queue/health.py, sync_queue/index_cache.py |
| drainer.lock | held by the one process that drains the queue | sync_queue/lock.py |
| drainer.pid | the pid of the last background worker | worker/process.py |
| drainer.log, drainer.log.1 | the background worker's log (stderr), and the one before | worker/spawn.py |
| handover | the pid of a task asking the background worker to hand over | sync_queue/handover.py |
| notices.jsonl | messages from the background worker for the next hook or task to log | sync_queue/notices.py |
| client_id | PlexSync's identifier towards Plex (one device in Plex's list) | plex/session.py |
| plexapi.ini | plexapi's configuration path (kept empty: a user's own stays out) | plex/session.py |
| packages/ | Python packages installed for Stash's Python | sync_queue/packages.py, tasks/install.py |
| packages.lock | held while a task installs them | tasks/install.py |
| workers/ | one empty file per background worker, to find unreaped ones | worker/defunct.py |
"""  # noqa: E501 (a table)

from __future__ import annotations

QUEUE_DB = "queue.db"
DEAD_LETTERS_DB = "dead_letters.db"
STATE_DB = "plexsync.db"
DRAINER_LOCK = "drainer.lock"
DRAINER_PID = "drainer.pid"
DRAINER_LOG = "drainer.log"
DRAINER_LOG_BEFORE = "drainer.log.1"
HANDOVER = "handover"
NOTICES = "notices.jsonl"
CLIENT_ID = "client_id"
PLEXAPI_INI = "plexapi.ini"
PACKAGES = "packages"
PACKAGES_LOCK = "packages.lock"
WORKERS = "workers"
# While a relay reads the notices it renames them NOTICES + "." + its pid; while pip installs,
# the packages go to PACKAGES/<python>-<platform> + PARTIAL until pip has succeeded.
PARTIAL = ".partial"
