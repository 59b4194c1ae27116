"""When the background worker ends on its own: pure decisions and the code fingerprint."""

from __future__ import annotations

import os
import time
from pathlib import Path

from tests.polling import wait_until
from worker.process import (
    CODE_CHANGED,
    STASH_PATIENCE,
    Lifetime,
    code_fingerprint,
    end_reason,
)


def test_end_reason() -> None:
    assert end_reason(None, False) is None
    assert end_reason(STASH_PATIENCE - 0.1, False) is None
    assert end_reason(STASH_PATIENCE, False) == f"Stash has not answered for {STASH_PATIENCE:.0f}s"
    assert end_reason(None, True) == CODE_CHANGED
    assert end_reason(STASH_PATIENCE + 5, True) == CODE_CHANGED


def _plugin(root: Path) -> Path:
    (root / "worker").mkdir(parents=True)
    (root / "plexsync.py").write_text("print('entry')\n")
    (root / "plexsync.yml").write_text("name: PlexSync\n")
    (root / "worker" / "a.py").write_text("A = 1\n")
    return root


def test_fingerprint_sees_changed_added_and_removed_code_only(tmp_path: Path) -> None:
    root = _plugin(tmp_path / "plexsync")
    first = code_fingerprint(root)
    assert code_fingerprint(root) == first
    # Not code: bytecode caches, a developer's hidden folders, other files.
    for path in (root / "worker" / "__pycache__" / "a.cpython-311.pyc", root / ".venv" / "x.py",
                 root / "notes.txt"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
    assert code_fingerprint(root) == first

    module = root / "worker" / "a.py"
    stat = module.stat()
    os.utime(module, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))  # touched
    touched = code_fingerprint(root)
    assert touched != first
    (root / "worker" / "b.py").write_text("B = 2\n")
    added = code_fingerprint(root)
    assert added != touched
    (root / "worker" / "b.py").unlink()
    assert code_fingerprint(root) == touched
    (root / "plexsync.yml").write_text("name: PlexSync\nversion: 0.2.0\n")
    assert code_fingerprint(root) != touched


def test_lifetime_ends_when_stash_stays_silent_or_the_code_changes(tmp_path: Path) -> None:
    root = _plugin(tmp_path / "plexsync")
    silent_since: list[float | None] = [None]
    lifetime = Lifetime(lambda: silent_since[0], root)
    assert not lifetime.over()
    silent_since[0] = time.monotonic() - STASH_PATIENCE + 60  # silent, not for long
    assert not lifetime.over()
    silent_since[0] = time.monotonic() - STASH_PATIENCE
    assert lifetime.over() and lifetime.reason is not None
    assert lifetime.reason.startswith("Stash has not answered")

    lifetime = Lifetime(lambda: None, root)
    (root / "worker" / "a.py").write_text("A = 2  # an update\n")
    wait_until(lifetime.over, what="the code change seen")  # looked at every CODE_LOOK_EVERY s
    assert lifetime.reason == CODE_CHANGED
