"""When a session login needs renewing: a pure decision over the times Stash gave.

Stash refuses a session cookie max_session_age (an hour by default) after its last use and
renews it on every request it authenticates (stashapp/stash pkg/session/session.go). A worker
that makes no Stash request for that long (Plex down, retries far off) would lose its login, so
it asks Stash something small once half the cookie's life has passed.
"""

from __future__ import annotations

from dataclasses import dataclass

RETRY_AFTER = 60.0  # seconds between renewals that failed (Stash away)


@dataclass
class Login:
    renewed_at: float | None = None
    expires_at: float | None = None
    tried_at: float = 0.0

    def renewed(self, expires_at: float | None, now: float) -> None:
        self.renewed_at, self.expires_at = now, expires_at

    def due(self, now: float) -> bool:
        if self.renewed_at is None or self.expires_at is None:
            return False  # no session cookie from Stash: an API key, or no login at all
        halfway = self.renewed_at + (self.expires_at - self.renewed_at) / 2
        return now >= halfway and now >= self.tried_at + RETRY_AFTER

    def trying(self, now: float) -> None:
        self.tried_at = now
