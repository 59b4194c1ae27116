"""The oldest Stash PlexSync works with, and the check against the version Stash reports.

Facts from stashapp/stash (graphql/schema/): `Scene.groups` arrived in v0.27.0 (#5017, "Add
group graphql interfaces"); `findScenes(ids:)` in v0.25.0 (#4563); `configuration.plugins` and
`configurePlugin`, and the manifest's `settings`, in v0.24.0. Every document PlexSync sends
validates against v0.27.0's schema and fails on v0.26.2's. `version { version }` answers what
`git describe --tags` said at build time ("v0.30.1", or "v0.30.1-12-gcf3489ef" for a development
build), or an empty string for a build without it (internal/build/version.go, Makefile).

Imported on the hook path: standard library only.
"""

from __future__ import annotations

import re

MINIMUM = (0, 27, 0)
MINIMUM_TEXT = "v0.27.0"
_VERSION = re.compile(r"^\s*v?(\d+)\.(\d+)\.(\d+)")


def parse(text: str | None) -> tuple[int, int, int] | None:
    """(major, minor, patch), or None when Stash does not say (a build without a version)."""
    match = _VERSION.match(text or "")
    if match is None:
        return None
    major, minor, patch = (int(part) for part in match.groups())
    return major, minor, patch


def too_old(text: str | None) -> str | None:
    """The one message for a Stash older than PlexSync needs; None when new enough or unknown
    (an unknown version gets the benefit of the doubt: a query Stash refuses still says why)."""
    version = parse(text)
    if version is None or version >= MINIMUM:
        return None
    return (f"Stash {text.strip() if text else ''} is too old for PlexSync, which needs Stash "
            f"{MINIMUM_TEXT} or newer: update Stash")
