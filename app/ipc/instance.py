"""One tray per user and data folder: an exclusive lock, held for the tray's whole life.

The socket alone cannot promise this: two trays started a moment apart both find no one
listening yet, and a socket can be removed or squatted. The lock is `flock` (LockFileEx
on Windows) on a file in the data folder, the thing one tray must own. The kernel drops it
when the process ends, however it ends, so a crash never leaves a stale lock behind.
Where the data folder cannot hold the file (read-only, say), the lock lives in the
tray's private runtime folder instead.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from pathlib import Path

from storage.private import open_private_regular

LOCK_NAME = "tray.lock"


class AlreadyRunning(Exception):
    """Another tray holds the lock; `pid` is what it wrote there (None if unknown)."""

    def __init__(self, path: Path, pid: int | None) -> None:
        super().__init__(f"another Wise tray (pid {pid or 'unknown'}) holds {path}")
        self.path = path
        self.pid = pid


class InstanceLock:
    """Held from `acquire` until `release` or the end of the process."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd: int | None = fd

    @classmethod
    def acquire(cls, path: Path) -> InstanceLock:
        """Lock `path`: AlreadyRunning when another process holds it; OSError when the
        file cannot be opened."""
        fd = _open(path)
        if not _try_lock(fd):
            pid = _read_pid(fd)
            os.close(fd)
            raise AlreadyRunning(path, pid)
        _write_pid(fd)
        return cls(path, fd)

    def release(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)  # closing the last descriptor drops the lock

    @property
    def held(self) -> bool:
        return self._fd is not None


def acquire_tray_lock(data_dir: Path) -> InstanceLock:
    """The tray's lock for `data_dir`: AlreadyRunning when another tray holds it, OSError
    when there is no place to keep it."""
    try:
        return InstanceLock.acquire(data_dir / LOCK_NAME)
    except AlreadyRunning:
        raise
    except OSError as problem:
        from app.ipc.protocol import socket_path
        from app.ipc.trust import Untrusted, ensure_private_folder

        fallback = socket_path(data_dir).with_suffix(".lock")
        try:
            ensure_private_folder(fallback.parent)
        except (OSError, Untrusted):
            raise problem from None
        return InstanceLock.acquire(fallback)


def _open(path: Path) -> int:
    try:
        return open_private_regular(path, os.O_RDWR | os.O_CREAT)
    except OSError as exc:
        if exc.errno not in (errno.EACCES, errno.EROFS):
            raise
        # A read-only data folder with the file already there: a lock needs no writing.
        return open_private_regular(path, os.O_RDONLY)


if sys.platform == "win32":
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True


def _write_pid(fd: int) -> None:
    # For people and for the second tray's message only; the lock is what counts.
    with contextlib.suppress(OSError):
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, f"{os.getpid()}\n".encode())


def _read_pid(fd: int) -> int | None:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        return int(os.read(fd, 32).decode().strip() or 0) or None
    except (OSError, ValueError):
        return None
