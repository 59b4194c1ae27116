"""FileLock: a cross-process lock that the operating system drops when its holder dies.

Stash SIGKILLs plugin processes, so a lock that needs its holder to clean up (a PID file, a
"cooldown" file) would stay taken forever. ``flock`` (POSIX) and ``msvcrt.locking`` (Windows)
are released by the kernel when the process ends, however it ends. The lock file itself is
never deleted: deleting it while another process waits on it would let two holders in.
"""

from __future__ import annotations

import os
import time
from types import TracebackType

from sync_queue.datadir import FILE_MODE

if os.name == "nt":
    import msvcrt

    def _try_lock(fd: int) -> bool:
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


_FIRST_PAUSE = 0.005
_LONGEST_PAUSE = 0.1


class FileLock:
    """An exclusive lock on ``path``; each instance is one would-be holder.

    Two instances in the same process exclude each other too, which is what tests need.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self, timeout: float | None = 0) -> bool:
        """Take the lock: 0 tries once, None waits for ever, otherwise waits up to ``timeout``."""
        if self._fd is not None:
            return True
        deadline = None if timeout is None else time.monotonic() + timeout
        pause = _FIRST_PAUSE
        while not self._try_once():
            if deadline is not None and time.monotonic() >= deadline:
                return False
            remaining = _LONGEST_PAUSE if deadline is None else deadline - time.monotonic()
            time.sleep(max(0.0, min(pause, remaining)))
            pause = min(pause * 2, _LONGEST_PAUSE)
        return True

    def _try_once(self) -> bool:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, FILE_MODE)
        if _try_lock(fd):
            self._fd = fd
            return True
        os.close(fd)
        return False

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            _unlock(fd)
        finally:
            os.close(fd)

    def __enter__(self) -> FileLock:
        self.acquire(timeout=None)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()
