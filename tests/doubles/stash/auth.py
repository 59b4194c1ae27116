"""Who may use the double: Stash's authentication decision as a pure function.

Stash checks an API key first (header `ApiKey` or query parameter `apikey`): a key that is
sent must be right, even when a valid session cookie comes with it. Without a key it looks at
the `session` cookie. Only when credentials (a username and password) are configured is an
anonymous caller refused, with 401 on /graphql and a redirect to the login page everywhere
else (stashapp/stash pkg/session/session.go Authenticate, internal/api/authentication.go).
An API key exists only with credentials; credentials need no API key.
"""

from __future__ import annotations

from enum import Enum

GRAPHQL_PATH = "/graphql"


class Verdict(Enum):
    ALLOW_BY_KEY = "allow_by_key"
    ALLOW_BY_SESSION = "allow_by_session"
    ALLOW_ANONYMOUS = "allow_anonymous"
    UNAUTHORIZED = "unauthorized"
    LOGIN_REDIRECT = "login_redirect"

    @property
    def allowed(self) -> bool:
        return self.name.startswith("ALLOW")


def authorize(configured_key: str | None, sent_key: str | None, session_valid: bool,
              path: str, credentials: bool) -> Verdict:
    if sent_key:
        return Verdict.ALLOW_BY_KEY if sent_key == configured_key else Verdict.UNAUTHORIZED
    if session_valid:
        return Verdict.ALLOW_BY_SESSION
    if not credentials:
        return Verdict.ALLOW_ANONYMOUS
    return Verdict.UNAUTHORIZED if path == GRAPHQL_PATH else Verdict.LOGIN_REDIRECT
