"""Keeping a capture the journal could not take: appended to unsaved-captures.txt.

The rescue file is written only as the regular, private file it should be. A symbolic link
in its place (or a FIFO, a device) is never written through: the text then goes to a new
file of its own beside it, created exclusively, and the caller says where it went.
Standard library only (the capture path).
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

from app.daytime import local_now
from storage.private import open_private_regular, private_folder


def keep_unsaved(rescue_file: Path, text: str) -> Path | None:
    """Append `text` (one line, quoted) to the rescue file, durably; the file it is in, or
    None when it could not be kept on disk at all."""
    line = f"{local_now().isoformat(timespec='seconds')}\t{text!r}\n".encode()
    try:
        private_folder(rescue_file.parent)
    except OSError:
        return None
    if _append(rescue_file, line, os.O_CREAT):
        return rescue_file
    # Not a regular file of ours (or not writable): a fresh file that cannot be anything
    # but new, so nothing is written through a link someone put there.
    stamp = local_now().strftime("%Y%m%d-%H%M%S")
    for n in range(100):
        other = rescue_file.with_name(f"{rescue_file.stem}-{stamp}-{os.getpid()}-{n}"
                                      f"{rescue_file.suffix}")
        try:
            if _append(other, line, os.O_CREAT | os.O_EXCL, raise_exists=True):
                return other
            return None
        except FileExistsError:
            continue
    return None


def unsaved_files(rescue_file: Path) -> list[Path]:
    """The rescue file and any kept beside it (regular files only), oldest name first."""
    found = []
    for path in sorted(rescue_file.parent.glob(f"{rescue_file.stem}*{rescue_file.suffix}")):
        with contextlib.suppress(OSError):
            if stat.S_ISREG(os.lstat(path).st_mode):
                found.append(path)
    return found


def _append(path: Path, line: bytes, create: int, *, raise_exists: bool = False) -> bool:
    try:
        fd = open_private_regular(path, os.O_WRONLY | os.O_APPEND | create)
    except FileExistsError:
        if raise_exists:
            raise
        return False
    except OSError:  # ELOOP: a symbolic link; EPERM: not a file of ours; EROFS: read-only
        return False
    try:
        os.write(fd, line)
        os.fsync(fd)
        return True
    except OSError:
        return False
    finally:
        os.close(fd)
