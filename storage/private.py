"""Private creation of Wise's folders and files: 0700 folders and 0600 files, whatever the
umask and whoever creates them first (the tray, the CLI, a child process).

Every path that creates a folder or a file under the data or settings folder goes through
here. Stdlib only and cheap to import: the capture path uses it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path

FOLDER_MODE = 0o700
FILE_MODE = 0o600
NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # a FIFO put in a file's place must not hang the open


def private_folder(folder: Path) -> Path:
    """Create `folder`, and every missing folder above it, readable by the user only.

    `Path.mkdir(mode=0o700, parents=True)` gives only the last folder that mode: the
    parents it makes get the umask's (0755), so a first `logs/` made the data folder
    itself world-readable. Folders that already exist are left as they are: they may be
    the user's own (~/.local/share). The XDG base-directory spec asks for 0700 too.
    """
    missing: list[Path] = []
    current = folder
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for path in reversed(missing):
        try:
            os.mkdir(path, FOLDER_MODE)
        except FileExistsError:
            if not path.is_dir():
                raise
            continue  # made meanwhile by another process: theirs is private too
        # The umask can only take bits away; chmod makes the mode exactly 0700.
        os.chmod(path, FOLDER_MODE)
    return folder


def open_private(path: Path, flags: int) -> int:
    """os.open with O_CREAT: a new file is created 0600 (in a private folder); an existing
    file keeps its mode. Returns the file descriptor."""
    private_folder(path.parent)
    return os.open(path, flags | os.O_CREAT, FILE_MODE)


def open_private_regular(path: Path, flags: int) -> int:
    """os.open of a file that must be a regular file of this user's (a log, the rescue
    file, a lock): never through a symbolic link put in its place, never a FIFO or a
    device; created 0600 (in a private folder) when `flags` has O_CREAT, tightened to 0600
    when it was looser. OSError otherwise (ELOOP for a link, EPERM for anything else)."""
    if flags & os.O_CREAT:
        private_folder(path.parent)
    fd = os.open(path, flags | NOFOLLOW | _NONBLOCK | getattr(os, "O_CLOEXEC", 0), FILE_MODE)
    try:
        info = os.fstat(fd)
        theirs = hasattr(os, "getuid") and info.st_uid != os.getuid()
        if not stat.S_ISREG(info.st_mode) or theirs:
            raise PermissionError(errno.EPERM, "not a regular file of this user's", str(path))
        if stat.S_IMODE(info.st_mode) & 0o077 and hasattr(os, "fchmod"):
            os.fchmod(fd, FILE_MODE)  # written before Wise made its files private
    except BaseException:
        os.close(fd)
        raise
    return fd


def create_private_file(path: Path) -> bool:
    """Create an empty file readable by the user only; False when it already existed."""
    try:
        fd = open_private(path, os.O_WRONLY | os.O_EXCL)
    except FileExistsError:
        return False
    os.close(fd)
    return True


def write_private_atomically(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Replace `path` with `data` as a whole: written to a private temporary file beside
    it (mkstemp makes it 0600), flushed, then renamed over it. A crash leaves the old
    file or the new one, never half of either."""
    import tempfile  # here, not at the top: `wise capture` never needs it (2 ms)

    folder = private_folder(path.parent)
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise
    if durable:
        fsync_folder(folder)


def fsync_folder(folder: Path) -> None:
    """Make a rename in `folder` durable where the platform allows it (not on Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems refuse fsync on a folder; the data itself is synced
    finally:
        os.close(fd)
