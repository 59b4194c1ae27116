"""Backend of the double's test plugin: one mode per behaviour a test needs."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

HOLD_LIMIT = 120.0  # seconds a held task waits for its release file before giving up


def log(level: str, text: str) -> None:
    sys.stderr.write(f"\x01{level}\x02{text}\n")
    sys.stderr.flush()


def hold(release: str) -> str:
    log("p", "0.5")
    deadline = time.monotonic() + HOLD_LIMIT
    while not Path(release).exists():
        if time.monotonic() >= deadline:
            raise SystemExit(4)
        time.sleep(0.02)
    log("p", "1")
    return "released"


def main() -> int:
    data = json.loads(sys.stdin.read())
    args = data.get("args") or {}
    connection = dict(data.get("server_connection") or {})
    mode = args.get("mode")
    log("i", f"uitest mode {mode}")
    if mode == "echo":
        connection.pop("SessionCookie", None)
        output = {"args": args, "server_connection": connection}
    elif mode == "hold":
        output = hold(str(args["release"]))
    elif mode == "fail":
        log("e", "failing on purpose")
        print(json.dumps({"error": "uitest failed on purpose"}))
        return 0
    elif mode == "text":
        print("plain text, not JSON")
        return 0
    elif mode == "exit":
        sys.stderr.write("an unprefixed line\n")
        return 3
    else:
        print(json.dumps({"error": f"unknown mode {mode!r}"}))
        return 1
    print(json.dumps({"output": output}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
