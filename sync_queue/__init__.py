"""PlexSync's persistent state shared between processes: the job queue, the dead letters,
the data directory and cross-process locks. Hooks import from here, so nothing heavy."""
