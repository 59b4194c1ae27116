"""The data folder: everything PlexSync keeps between runs and shares between its processes (the
job queue, dead letters, health, the Plex path index, notices, the drainer lock and hand-over,
the package folder); sync_queue/layout.py names every file. Hooks import from here, so the
modules they use load nothing but the standard library."""
