"""Where `-o FILE` writes (`wise export`, `wise feedback export`), decided on purpose.

- `-` (or no -o): standard output.
- A symlink is followed, as a shell's `>` follows it: the file it points to is written,
  and the link stays a link.
- A regular file, or a name that does not exist yet: written beside it under a temporary
  name, flushed, then renamed over it, so a half-written export never takes the real name.
  A file that existed keeps its permissions; a new one is private (0600).
- Anything else that can be written in place (a FIFO, a terminal, /dev/null) is written
  through, never replaced: `-o /dev/null` as root once turned the system's /dev/null into
  a regular file. A block device (a disk) and a socket are refused, as is a folder.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from app.errors import BadInput

_DEVICES = Path("/dev")


@dataclass(frozen=True)
class Output:
    stream: TextIO
    path: Path | None  # as the user named it; None: standard output


@contextlib.contextmanager
def open_output(option: str | None) -> Iterator[Output]:
    """The stream to write an export to; on success it is complete at its path."""
    if not option or option == "-":
        yield Output(sys.stdout, None)
        sys.stdout.flush()
        return
    named = Path(option).expanduser()
    kind = _kind(named)
    if kind == "stdout":
        yield Output(sys.stdout, None)
        sys.stdout.flush()
    elif kind == "through":
        with open(named, "w", encoding="utf-8", newline="\n") as stream:
            yield Output(stream, named)
    else:
        # Through any symlinks to the file itself: the rename replaces it, not the link.
        with _replaced(Path(os.path.realpath(named))) as stream:
            yield Output(stream, named)


def _kind(named: Path) -> str:
    try:
        found = os.stat(named)  # follows symlinks, /dev/stdout's /proc link included
    except FileNotFoundError:
        if _DEVICES in Path(os.path.realpath(named)).parents:
            # A mistyped device name (`-o /dev/nul`) must not leave a file among devices.
            raise BadInput(f"there is no device {named}; nothing was written") from None
        return "replace"
    mode = found.st_mode
    if stat.S_ISDIR(mode):
        raise BadInput(f"{named} is a folder; give a file name, e.g. {named / 'export.json'}")
    if _is_stdout(found):
        return "stdout"  # `-o /dev/stdout`: the same as `-o -`, with no summary after it
    if stat.S_ISREG(mode):
        return "replace"
    if stat.S_ISBLK(mode) or stat.S_ISSOCK(mode):
        raise BadInput(f"{named} is a {'disk device' if stat.S_ISBLK(mode) else 'socket'}, "
                       "not a file; nothing was written")
    return "through"  # a FIFO, a terminal, /dev/null: written as it is, never replaced


def _is_stdout(found: os.stat_result) -> bool:
    try:
        ours = os.fstat(sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        return False
    return (ours.st_dev, ours.st_ino) == (found.st_dev, found.st_ino)


@contextlib.contextmanager
def _replaced(target: Path) -> Iterator[TextIO]:
    folder = target.parent
    folder.mkdir(parents=True, exist_ok=True)  # the user's own place: their umask applies
    try:
        keep_mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        keep_mode = None  # mkstemp's 0600: an export is journal text
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        if keep_mode is not None:
            os.chmod(temp, keep_mode)
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
