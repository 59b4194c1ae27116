"""Stash's raw plugin protocol: one JSON object on stdin, exactly one JSON object on stdout.

Imported on the hook path, so it uses the standard library only.
"""

from __future__ import annotations

import json
import sys
from typing import Any, BinaryIO, NamedTuple

HOOK_TYPES = (
    "Scene.Update.Post",
    "Scene.Create.Post",
    "Performer.Update.Post",
    "Studio.Update.Post",
    "Tag.Update.Post",
    "Tag.Merge.Post",
    "Group.Update.Post",
    "Performer.Destroy.Post",
    "Studio.Destroy.Post",
    "Tag.Destroy.Post",
    "Group.Destroy.Post",
)


class UserError(RuntimeError):
    """A failure the user can act on: its one-line message goes to Stash's log and result."""


class ProtocolError(UserError):
    """Stash's input is unusable; the message says why in one line."""


# NamedTuples, not dataclasses: importing dataclasses costs the hook ~15 ms of its budget.
class Connection(NamedTuple):
    scheme: str
    host: str
    port: int
    session_cookie: str | None
    config_dir: str | None
    plugin_dir: str | None

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"

    def to_stash(self) -> dict[str, Any]:
        """The server_connection shape stashapi expects (and the drainer receives on stdin)."""
        cookie = {"Name": "session", "Value": self.session_cookie} if self.session_cookie else None
        return {
            "Scheme": self.scheme, "Host": self.host, "Port": self.port,
            "SessionCookie": cookie, "Dir": self.config_dir, "PluginDir": self.plugin_dir,
        }


class HookEvent(NamedTuple):
    type: str
    id: int | None
    input_fields: tuple[str, ...]


class PluginInput(NamedTuple):
    connection: Connection
    args: dict[str, Any]
    hook: HookEvent | None

    @property
    def mode(self) -> str | None:
        mode = self.args.get("mode")
        return mode if isinstance(mode, str) else None


def _loopback(host: str) -> str:
    # Stash reports its bind address; a wildcard bind is reached on loopback.
    if host in ("", "0.0.0.0"):
        return "127.0.0.1"
    if host in ("::", "[::]"):
        return "::1"
    return host.strip("[]")


def parse_connection(raw: Any) -> Connection:
    if not isinstance(raw, dict):
        raise ProtocolError("server_connection is missing from Stash's input")
    scheme = raw.get("Scheme") or "http"
    if scheme not in ("http", "https"):
        raise ProtocolError(f"server_connection.Scheme {scheme!r} is not http or https")
    try:
        port = int(raw.get("Port") or 9999)
    except (TypeError, ValueError):
        raise ProtocolError("server_connection.Port is not a number") from None
    cookie = raw.get("SessionCookie")
    value = cookie.get("Value") if isinstance(cookie, dict) else None
    return Connection(
        scheme=scheme,
        host=_loopback(str(raw.get("Host") or "")),
        port=port,
        session_cookie=value if isinstance(value, str) and value else None,
        config_dir=raw.get("Dir") if isinstance(raw.get("Dir"), str) else None,
        plugin_dir=raw.get("PluginDir") if isinstance(raw.get("PluginDir"), str) else None,
    )


def parse_hook(raw: Any) -> HookEvent:
    if not isinstance(raw, dict):
        raise ProtocolError("hookContext is not an object")
    hook_type = raw.get("type")
    if hook_type not in HOOK_TYPES:
        raise ProtocolError(f"unsupported hook type {hook_type!r}")
    object_id = raw.get("id")
    if object_id is not None:
        try:
            object_id = int(object_id)
        except (TypeError, ValueError):
            raise ProtocolError(f"hookContext.id {object_id!r} is not a number") from None
    fields = raw.get("inputFields") or []
    return HookEvent(hook_type, object_id, tuple(f for f in fields if isinstance(f, str)))


def decode_input(raw: bytes) -> str:
    """Stash's input as text: UTF-8 (Go's json.Marshal), a byte order mark tolerated."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ProtocolError("stdin is not UTF-8 (PlexSync must be run by Stash)") from None


def parse_input(text: str) -> PluginInput:
    if not text.strip():
        raise ProtocolError("no input on stdin (PlexSync must be run by Stash)")
    try:
        data = json.loads(text)
    except ValueError:
        raise ProtocolError("stdin is not JSON (PlexSync must be run by Stash)") from None
    if not isinstance(data, dict):
        raise ProtocolError("stdin is not a JSON object")
    args = data.get("args") or {}
    if not isinstance(args, dict):
        raise ProtocolError("args is not an object")
    connection = parse_connection(data.get("server_connection"))
    hook = parse_hook(args["hookContext"]) if "hookContext" in args else None
    if hook is None and not isinstance(args.get("mode"), str):
        raise ProtocolError("neither a hook context nor a task mode was given")
    return PluginInput(connection, args, hook)


def reply(output: Any = None, error: str | None = None, stream: BinaryIO | None = None) -> None:
    """Write the one JSON result Stash reads; nothing else may ever reach stdout.

    Bytes, not text: Stash decodes stdout as UTF-8, whatever encoding Python gave the pipe."""
    out = stream or sys.stdout.buffer
    payload: dict[str, Any] = {"output": output}
    if error is not None:
        payload["error"] = error
    out.write(json.dumps(payload).encode("utf-8"))
    out.flush()
