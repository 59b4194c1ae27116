"""Health Check reports background workers left as zombies, as in Stash's Docker image.

There Stash is PID 1 without an init and never reaps the workers it inherits. Here the test
process plays that parent: it starts a real `plexsync.py --drain` and does not wait for it, so
once the worker exits it is a real zombie (Linux /proc).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sync_queue import layout
from sync_queue.lock import FileLock
from tests.doubles.stash import StashDouble
from tests.harness import Harness
from tests.plugin_run import ENTRY, plugin_env
from worker import defunct

pytestmark = pytest.mark.skipif(not defunct.available(), reason="needs Linux /proc")


def _state(pid: int) -> str:
    return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]


def _checks(run) -> dict[str, tuple[bool, str]]:  # type: ignore[no-untyped-def]
    return {c["check"]: (c["ok"], c["detail"]) for c in run.result["output"]["checks"]}


def test_condition_of_a_recorded_worker() -> None:
    assert defunct.condition(None, "123") == defunct.GONE
    assert defunct.condition(("S", "999"), "123") == defunct.GONE  # the pid was reused
    assert defunct.condition(("Z", "123"), "123") == defunct.ZOMBIE
    assert defunct.condition(("S", "123"), "123") == defunct.RUNNING


def test_health_check_names_unreaped_workers_and_the_fix(harness: Harness,
                                                         stash: StashDouble) -> None:
    harness.build_sample(2)
    harness.data_dir.mkdir()
    lock = FileLock(harness.data_dir / layout.DRAINER_LOCK)
    assert lock.acquire(0)  # the worker finds another at work and ends at once
    payload = {"server_connection": stash.server_connection(), "data_dir": str(harness.data_dir)}
    worker = subprocess.Popen([sys.executable, str(ENTRY), "--drain"], stdin=subprocess.PIPE,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env=plugin_env())
    try:
        assert worker.stdin is not None
        worker.stdin.write(json.dumps(payload).encode())
        worker.stdin.close()
        harness.wait_until(lambda: _state(worker.pid) == "Z", what="the worker a zombie")
        lock.release()

        run = harness.task("health_check")
        ok, detail = _checks(run)["workers"]
        assert not ok and run.result["output"]["ok"] is False
        assert f"1 finished background worker(s) linger as defunct processes (pids {worker.pid})" \
            in detail
        assert "init: true" in detail and "--init" in detail
        assert any(detail in line for line in run.messages("error"))
    finally:
        worker.wait()  # reaped, as an init would

    run = harness.task("health_check")
    assert _checks(run)["workers"] == (True, "no finished background worker was left unreaped")
    assert list((harness.data_dir / layout.WORKERS).iterdir()) == []  # its record is dropped
