"""Windows-only branches, by simulating the platform: process liveness and files held open.

On Windows `os.kill(pid, 0)` sends CTRL_C_EVENT (signal 0 is that constant there), so the probe
must never call it; kernel32 is replaced by a fake that answers like OpenProcess and
GetExitCodeProcess do. A file another process holds open cannot be renamed on Windows
(PermissionError, a sharing violation): simulated by an os.replace that raises it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sync_queue import handover, layout, liveness
from worker import spawn

ERROR_INVALID_PARAMETER = 87


class FakeKernel32:
    """Processes by pid: their exit code (STILL_ACTIVE while running), or None for a process
    this user may not open."""

    def __init__(self, processes: dict[int, int | None]) -> None:
        self.processes = processes
        self.error = 0
        self.open_handles: set[int] = set()

    def OpenProcess(self, access: int, inherit: bool, pid: int) -> int:  # noqa: N802
        assert access == liveness.PROCESS_QUERY_LIMITED_INFORMATION and not inherit
        if pid not in self.processes:
            self.error = ERROR_INVALID_PARAMETER
            return 0
        if self.processes[pid] is None:
            self.error = liveness.ERROR_ACCESS_DENIED
            return 0
        handle = 1000 + pid
        self.open_handles.add(handle)
        return handle

    def GetExitCodeProcess(self, handle: int, code: Any) -> int:  # noqa: N802
        code.contents.value = self.processes[handle - 1000]
        return 1

    def CloseHandle(self, handle: int) -> int:  # noqa: N802
        self.open_handles.remove(handle)
        return 1


@pytest.fixture
def windows(monkeypatch: pytest.MonkeyPatch) -> FakeKernel32:
    kernel32 = FakeKernel32({})
    monkeypatch.setattr(liveness, "WINDOWS", True)  # os.name itself would change pathlib too
    monkeypatch.setattr(liveness, "_kernel32", lambda: (kernel32, lambda: kernel32.error))

    def no_signal(pid: int, sig: int) -> None:
        raise AssertionError(f"os.kill({pid}, {sig}) on Windows sends CTRL_C_EVENT")

    monkeypatch.setattr(os, "kill", no_signal)
    return kernel32


def test_windows_running_exited_missing_and_foreign_processes(windows: FakeKernel32) -> None:
    windows.processes.update({10: liveness.STILL_ACTIVE, 11: 0, 12: None})
    assert liveness.alive(10) is True
    assert liveness.alive(11) is False  # exited, but a handle somewhere keeps its record
    assert liveness.alive(12) is True   # exists, belongs to someone we may not query
    assert liveness.alive(13) is False  # no such process
    assert not windows.open_handles


def test_windows_handover_request_of_a_dead_task_is_ignored(windows: FakeKernel32,
                                                           tmp_path: Path) -> None:
    (tmp_path / layout.HANDOVER).write_text("4242")
    assert handover.handover_requested(tmp_path) is False
    windows.processes[4242] = liveness.STILL_ACTIVE
    assert handover.handover_requested(tmp_path) is True


@pytest.mark.skipif(os.name == "nt", reason="the POSIX probe")
def test_posix_running_and_reaped_processes() -> None:
    assert liveness.alive(os.getpid())
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    assert not liveness.alive(child.pid)
    assert not liveness.alive(0) and not liveness.alive(-1)


def test_log_rotation_waits_while_windows_holds_the_log_open(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / layout.DRAINER_LOG
    log.write_bytes(b"x" * (spawn._LOG_LIMIT + 1))

    def sharing_violation(src: object, dst: object) -> None:
        raise PermissionError(32, "The process cannot access the file because it is being "
                                  "used by another process")

    monkeypatch.setattr(os, "replace", sharing_violation)
    fd = spawn._log_file(tmp_path)
    try:
        os.write(fd, b"more")
    finally:
        os.close(fd)
    assert log.stat().st_size == spawn._LOG_LIMIT + 1 + 4


def test_notices_wait_while_windows_holds_them_open(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from sync_queue import notices

    notices.post(tmp_path, "error", "kept for the next relay")

    def sharing_violation(src: object, dst: object) -> None:
        raise PermissionError(32, "being used by another process")

    with monkeypatch.context() as patched:
        patched.setattr(os, "replace", sharing_violation)
        assert notices.relay(tmp_path) == 0
    assert notices.relay(tmp_path) == 1
