"""FileLock: exclusion between holders, timeouts, and release when a holder is SIGKILLed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from sync_queue.lock import FileLock

REPO = Path(__file__).resolve().parent.parent

HOLD = """
import sys
from sync_queue.lock import FileLock
lock = FileLock(sys.argv[1])
assert lock.acquire(timeout=None)
print("locked", flush=True)
sys.stdin.readline()
lock.release()
print("released", flush=True)
sys.stdin.readline()
"""


def hold_in_child(path: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path)], cwd=REPO, text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    assert proc.stdout and proc.stdout.readline().strip() == "locked"
    return proc


def finish(proc: subprocess.Popen[str]) -> None:
    proc.kill()
    proc.communicate(timeout=60)


def test_only_one_holder_at_a_time(tmp_path: Path) -> None:
    first, second = FileLock(tmp_path / "l"), FileLock(tmp_path / "l")
    assert first.acquire() and first.held
    assert second.acquire() is False and not second.held
    assert first.acquire() is True  # already holding it
    first.release()
    assert not first.held
    assert second.acquire() and second.held
    second.release()
    second.release()  # releasing twice is harmless


def test_acquire_gives_up_after_the_timeout(tmp_path: Path) -> None:
    holder = FileLock(tmp_path / "l")
    assert holder.acquire()
    started = time.monotonic()
    assert FileLock(tmp_path / "l").acquire(timeout=0.2) is False
    assert time.monotonic() - started >= 0.2
    holder.release()


def test_the_context_manager_holds_the_lock_inside_only(tmp_path: Path) -> None:
    with FileLock(tmp_path / "l") as lock:
        assert lock.held
        assert FileLock(tmp_path / "l").acquire() is False
    assert not lock.held
    other = FileLock(tmp_path / "l")
    assert other.acquire()
    other.release()


def test_a_waiter_gets_the_lock_when_another_process_releases_it(tmp_path: Path) -> None:
    child = hold_in_child(tmp_path / "l")
    waiter = FileLock(tmp_path / "l")
    results: list[bool] = []
    thread = threading.Thread(target=lambda: results.append(waiter.acquire(timeout=30)))
    thread.start()
    assert thread.is_alive() and not waiter.held  # waiting while the child holds it
    assert child.stdin and child.stdout
    child.stdin.write("release\n")
    child.stdin.flush()
    assert child.stdout.readline().strip() == "released"
    thread.join(timeout=30)
    assert results == [True] and waiter.held
    waiter.release()
    finish(child)


@pytest.mark.skipif(os.name == "nt", reason="uses SIGKILL")
def test_the_lock_is_free_once_its_holder_is_sigkilled(tmp_path: Path) -> None:
    child = hold_in_child(tmp_path / "l")
    lock = FileLock(tmp_path / "l")
    assert lock.acquire() is False
    child.send_signal(signal.SIGKILL)
    child.communicate(timeout=60)
    assert child.returncode == -signal.SIGKILL
    assert lock.acquire() is True
    lock.release()
