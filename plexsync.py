#!/usr/bin/env python3
"""PlexSync's entry point, run by Stash for every hook event and task (interface: raw).

Stash writes one JSON object to stdin and reads exactly one JSON object from stdout; log lines
go to stderr. ``plexsync.py --drain`` is the detached drainer a hook starts.

Every byte crossing the pipes is UTF-8, whatever Python's own idea of the pipes' encoding: Stash
(Go) writes and reads UTF-8 and sets no PYTHONUTF8, while Python on Windows decodes a pipe with
the ANSI code page.
"""

# No `from __future__ import annotations` here: Python 3.6 refuses it, and this file must parse
# on old Pythons so that _require_python can name the version (PlexSync's modules use 3.10
# syntax and typing, which fail on older ones with a SyntaxError or a TypeError).
import os
import sys


def _require_python() -> None:
    if sys.version_info >= (3, 10):  # noqa: UP036 (this runs on older Pythons too)
        return
    import json

    found = ".".join(str(part) for part in sys.version_info[:3])
    message = (f"PlexSync needs Python 3.10 or newer, but Stash runs it with Python {found} "
               f"({sys.executable}): install a newer Python and enter its path in Settings > "
               "System > Application Paths > Python Executable Path, then reload plugins")
    sys.stderr.write("\x01e\x02" + message + "\n")
    sys.stdout.write(json.dumps({"output": None, "error": message}))
    sys.exit(1)


_require_python()

# Stash runs plugins from its own working directory: make the plugin's packages importable.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from stash import log  # noqa: E402
from stash.protocol import UserError, decode_input, parse_input, reply  # noqa: E402


def _run(raw: bytes) -> object:
    plugin_input = parse_input(decode_input(raw))
    if plugin_input.hook is not None:
        # The hook needs no third-party package: it queues first and only warns about them.
        from tasks.hook import handle_hook

        return handle_hook(plugin_input)
    from tasks.install import ensure_packages

    ensure_packages(plugin_input.connection)
    from tasks.registry import run_task

    return run_task(plugin_input)


def main(argv: list[str]) -> int:
    # Stash parses stdout as the result: nothing but the final reply may reach it, so anything a
    # library prints is sent to the log instead.
    stdout = sys.stdout.buffer
    sys.stdout = sys.stderr
    # What a library prints lands there too: UTF-8 like the log lines (stash/log.py).
    reconfigure = getattr(sys.stderr, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(encoding="utf-8", errors="backslashreplace")
    os.umask(0o077)
    if argv[1:2] == ["--drain"]:
        text = sys.stdin.buffer.read().decode("utf-8-sig", "replace")
        from worker.deps import worker_ready

        if not worker_ready(text):
            return 1
        from worker.process import run_detached

        return run_detached(text)
    try:
        output = _run(sys.stdin.buffer.read())
    except UserError as exc:
        log.error(str(exc))
        reply(error=str(exc), stream=stdout)
        return 1
    except Exception as exc:  # a bug: say so plainly, never a bare traceback
        log.error(f"PlexSync failed unexpectedly ({type(exc).__name__}): {log.redact(str(exc))}")
        import traceback

        log.debug(traceback.format_exc())
        reply(error=f"PlexSync failed unexpectedly: {type(exc).__name__}", stream=stdout)
        return 1
    reply(output=output, stream=stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
