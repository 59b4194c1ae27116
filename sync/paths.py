"""File paths as Stash and Plex report them: prefix mapping and comparison keys.

Stash and Plex often see one file under different prefixes (Docker volumes, network shares,
Windows drive letters), so a Stash path is first mapped to Plex's view and both sides are then
reduced to one comparison key.
"""

from __future__ import annotations

import re
import unicodedata

_DRIVE = re.compile(r"^[A-Za-z]:(?:[\\/]|$)")
_SEPARATORS = re.compile("/+")


def is_windows(path: str) -> bool:
    """A drive-letter or UNC path (either slash direction), whose file system ignores case."""
    return bool(_DRIVE.match(path)) or path.startswith(("\\\\", "//"))


def to_plex(stash_path: str, path_map: list[tuple[str, str]]) -> str:
    """Apply the first (longest) matching Stash prefix; unmapped paths are returned unchanged."""
    for stash_prefix, plex_prefix in path_map:
        rest = _remainder(stash_path, stash_prefix)
        if rest is not None:
            return _join(plex_prefix, rest)
    return stash_path


def normalize(path: str) -> str:
    """The comparison key of a path, equal for every spelling of the same file."""
    if not unicodedata.is_normalized("NFC", path):  # cheap check; indexes hold 100,000s
        path = unicodedata.normalize("NFC", path)
    key = path.replace("\\", "/")
    if key[:8].lower() == "//?/unc/":
        key = "//" + key[8:]
    elif key.startswith("//?/"):
        key = key[4:]
    lead = "//" if key.startswith("//") else "/" if key.startswith("/") else ""
    body = key[len(lead):].lstrip("/").rstrip("/")
    if "//" in body:
        body = _SEPARATORS.sub("/", body)
    key = lead + body if body else lead[:1]
    return key.lower() if lead == "//" or _DRIVE.match(key) else key


def basename(path: str) -> str:
    return _split_last(path)[1]


def folder(path: str) -> str:
    """The containing folder, in the path's own separator style."""
    return _split_last(path)[0]


def stem(path: str) -> str:
    """The file name without its extension, as Plex uses it for a default title."""
    name = basename(path)
    head, dot, _ = name.rpartition(".")
    return head if dot and head else name


def _split_last(path: str) -> tuple[str, str]:
    trimmed = path.rstrip("\\/") if is_windows(path) else path.rstrip("/")
    separators = "\\/" if is_windows(path) else "/"
    cut = max(trimmed.rfind(sep) for sep in separators)
    return (trimmed[:cut], trimmed[cut + 1:]) if cut >= 0 else ("", trimmed)


def _parts(path: str, windows: bool) -> tuple[str, list[str]]:
    """(anchor, components): the anchor tells absolute, UNC and relative paths apart."""
    if windows:
        path = path.replace("\\", "/")
        if path[:8].lower() == "//?/unc/":
            path = "//" + path[8:]
        elif path.startswith("//?/"):
            path = path[4:]
    anchor = "//" if windows and path.startswith("//") else "/" if path.startswith("/") else ""
    return anchor, [part for part in path.split("/") if part]


def _remainder(path: str, prefix: str) -> list[str] | None:
    """Components of `path` after `prefix`, or None when the prefix does not cover the path."""
    windows = is_windows(prefix)
    prefix_anchor, prefix_parts = _parts(prefix, windows)
    path_anchor, path_parts = _parts(path, windows)
    if prefix_anchor != path_anchor or len(path_parts) < len(prefix_parts):
        return None
    key = _windows_key if windows else _posix_key
    head = path_parts[: len(prefix_parts)]
    if any(key(a) != key(b) for a, b in zip(head, prefix_parts, strict=True)):
        return None
    return path_parts[len(prefix_parts):]


def _windows_key(part: str) -> str:
    return unicodedata.normalize("NFC", part).casefold()


def _posix_key(part: str) -> str:
    return unicodedata.normalize("NFC", part)


def _join(prefix: str, rest: list[str]) -> str:
    uses_backslash = "\\" in prefix or _DRIVE.match(prefix) is not None
    separator = "\\" if uses_backslash and "/" not in prefix else "/"
    if not rest:
        return prefix
    return prefix.rstrip("\\/") + separator + separator.join(rest)
