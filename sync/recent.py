"""The 'updated in the last N hours' filter, in Stash's own timestamp format.

Stash compares updated_at as raw strings against its stored RFC 3339 text in the server's local
zone, so the bound must be written in that same zone and format: PlexSync learns the zone from
the newest scene's own updated_at, and overlaps the window a little.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

OVERLAP = timedelta(minutes=2)
_OFFSET = re.compile(r"(Z|[+-]\d{2}:\d{2})$")


def zone_of(stash_time: str) -> timezone | None:
    match = _OFFSET.search(stash_time.strip())
    if not match:
        return None
    text = match.group(1)
    if text == "Z":
        return timezone.utc
    sign = 1 if text[0] == "+" else -1
    return timezone(sign * timedelta(hours=int(text[1:3]), minutes=int(text[4:6])))


def since_text(now: datetime, hours: float, sample: str) -> str:
    """now minus the window, formatted like the sample Stash timestamp."""
    zone = zone_of(sample) or timezone.utc
    since = (now - timedelta(hours=hours) - OVERLAP).astimezone(zone)
    text = since.replace(microsecond=0).isoformat()
    return text.replace("+00:00", "Z") if sample.strip().endswith("Z") else text


def recent_filter(latest: str | None, hours: float, now: datetime | None = None) -> dict | None:
    """latest: the newest updated_at in Stash (None when Stash has no scenes)."""
    if not latest:
        return None
    since = since_text(now or datetime.now(timezone.utc), hours, latest)
    # created_at <= updated_at, so scenes created in the window are updated in it too.
    return {"updated_at": {"value": since, "modifier": "GREATER_THAN"}}
