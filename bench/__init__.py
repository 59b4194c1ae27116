"""PlexSync's benchmark: the real plexsync.py, run as Stash runs it, against the two doubles.

`python -m bench --help` describes the scenarios, what is measured and the targets.
"""
