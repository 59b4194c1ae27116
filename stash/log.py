"""Stash's plugin log protocol on stderr: one line per message, ``\\x01<level>\\x02text``.

Stash reads stderr with a 64 KiB line limit and stops reading after a longer line, so every
message is folded onto one line and capped. Lines are written as UTF-8 bytes, which is what Stash
reads (pkg/logger/plugin.go), whatever encoding Python chose for the stream: on Windows that is
the ANSI code page, which cannot even encode most scripts. Registered secrets are masked in every
line, as a last line of defence behind code that never logs them in the first place.
"""

from __future__ import annotations

import sys
from typing import TextIO

_MAX_LINE = 16_000
_secrets: set[str] = set()


def register_secret(value: str | None) -> None:
    if value and len(value) >= 4:
        _secrets.add(value)


def redact(text: str) -> str:
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, "***")
    return text


def _emit(level: str, message: object) -> None:
    text = redact(str(message)).replace("\r", " ").replace("\n", " | ")
    if len(text) > _MAX_LINE:
        text = text[:_MAX_LINE] + "…"
    _write(sys.stderr, f"\x01{level}\x02{text}\n")


def _write(stream: TextIO, line: str) -> None:
    binary = getattr(stream, "buffer", None)
    try:
        if binary is None:  # an in-memory text stream
            stream.write(line)
            stream.flush()
            return
        stream.flush()  # whatever a library printed to the text layer goes first
        # backslashreplace: a lone surrogate (an undecodable file name) must not lose the line
        binary.write(line.encode("utf-8", "backslashreplace"))
        binary.flush()
    except (BrokenPipeError, ValueError, OSError):
        # Stash closed the pipe (the hook's parent exited): logging must never crash the work.
        return


def debug(message: object) -> None:
    _emit("d", message)


def info(message: object) -> None:
    _emit("i", message)


def warning(message: object) -> None:
    _emit("w", message)


def error(message: object) -> None:
    _emit("e", message)


def progress(fraction: float) -> None:
    _emit("p", f"{min(1.0, max(0.0, fraction)):.3f}")
