"""Whether a process id still names a running process, on POSIX and on Windows.

``os.kill(pid, 0)`` is the POSIX probe, but on Windows signal 0 is CTRL_C_EVENT: the call would
interrupt the process instead of asking about it. Windows is asked through kernel32 instead:
OpenProcess, then GetExitCodeProcess, which answers STILL_ACTIVE while the process runs.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any

PROCESS_QUERY_LIMITED_INFORMATION = 0x1000
STILL_ACTIVE = 259
ERROR_ACCESS_DENIED = 5
WINDOWS = os.name == "nt"


def alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if WINDOWS:
        kernel32, last_error = _kernel32()
        return _alive_windows(pid, kernel32, last_error)
    return _alive_posix(pid)


def _alive_posix(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: it exists
        return True
    return True


def _alive_windows(pid: int, kernel32: Any, last_error: Callable[[], int]) -> bool:
    import ctypes

    handle = kernel32.OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, False, pid)
    if not handle:
        # A process we may not query exists; a pid naming no process is an invalid parameter.
        return last_error() == ERROR_ACCESS_DENIED
    try:
        code = ctypes.c_uint32()
        if not kernel32.GetExitCodeProcess(handle, ctypes.pointer(code)):
            return True  # it exists (we hold a handle) and its state is unknown: assume running
        return code.value == STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)


@functools.lru_cache(maxsize=1)
def _kernel32() -> tuple[Any, Callable[[], int]]:
    import ctypes
    from ctypes import wintypes

    dll = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
    dll.OpenProcess.argtypes = (wintypes.DWORD, wintypes.BOOL, wintypes.DWORD)
    dll.OpenProcess.restype = wintypes.HANDLE  # pointer-sized: the default int would cut it
    dll.GetExitCodeProcess.argtypes = (wintypes.HANDLE, ctypes.POINTER(ctypes.c_uint32))
    dll.GetExitCodeProcess.restype = wintypes.BOOL
    dll.CloseHandle.argtypes = (wintypes.HANDLE,)
    dll.CloseHandle.restype = wintypes.BOOL
    return dll, ctypes.get_last_error  # type: ignore[attr-defined]
