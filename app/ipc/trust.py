"""Whom the tray's socket may be trusted with: folders, socket files and peers of this user.

The socket carries the journal's text, so both ends check that the other is this user:
the folder holding the socket is a real directory owned by this user that nobody else can
enter (0700), the socket file is owned by this user, and the process at the other end of
a connection runs as this user (SO_PEERCRED on Linux, getpeereid() on macOS and the BSDs).

Standard library only: the CLI's capture path checks all of this before each capture.
"""

from __future__ import annotations

import contextlib
import os
import socket
import stat
import struct
import sys
from pathlib import Path


class Untrusted(Exception):
    """A folder, socket file or peer that is not this user's; the message says which and
    whose it is, for a person, and `fix` what the person can do about it."""

    def __init__(self, message: str, fix: str = "") -> None:
        super().__init__(message)
        self.fix = fix


def my_uid() -> int | None:
    return os.getuid() if hasattr(os, "getuid") else None


def check_private_folder(folder: Path) -> None:
    """A real directory owned by this user with no access for anyone else, or Untrusted.
    FileNotFoundError when it does not exist."""
    uid = my_uid()
    if uid is None:
        return  # no POSIX owners here (Windows): the platform's own ACLs apply
    info = os.lstat(folder)
    if stat.S_ISLNK(info.st_mode):
        raise Untrusted(f"{folder} is a symbolic link, not a folder of yours",
                        _not_ours_fix(folder, info))
    if not stat.S_ISDIR(info.st_mode):
        raise Untrusted(f"{folder} is not a folder", _not_ours_fix(folder, info))
    if info.st_uid != uid:
        raise Untrusted(f"{folder} belongs to another user, {_owner(info.st_uid)}",
                        _not_ours_fix(folder, info))
    _check_private(info, uid, str(folder),
                   fix=f"The tray makes it private (0700) when it starts; until then Wise "
                       f"sends nothing through it (or run: chmod 700 {folder}).")


def _not_ours_fix(folder: Path, info: os.stat_result) -> str:
    """What to do about a runtime folder Wise will never use (the folder holding the
    tray's socket: XDG_RUNTIME_DIR, or wise-UID in the temporary folder without it)."""
    remove = "rm" if info.st_uid == my_uid() else "sudo rm"
    what = "-r " if stat.S_ISDIR(info.st_mode) and not stat.S_ISLNK(info.st_mode) else ""
    return (f"Wise never uses it, since whoever controls it could read what you capture. "
            f"Remove it ({remove} {what}{folder}), or set XDG_RUNTIME_DIR to a folder only "
            f"you can open (a desktop session sets /run/user/{my_uid()}).")


def _owner(uid: int) -> str:
    """'name (uid N)' when the system knows the name, else 'uid N'."""
    import pwd

    try:
        return f"{pwd.getpwuid(uid).pw_name} (uid {uid})"
    except KeyError:
        return f"uid {uid}"


def ensure_private_folder(folder: Path) -> bool:
    """Create `folder` (0700) or make sure an existing one is private. A folder of this
    user's with a looser mode is tightened (True is returned then, so the caller can say
    so); one that is another user's, a symbolic link or not a folder is Untrusted."""
    with contextlib.suppress(FileExistsError):
        folder.mkdir(mode=0o700)
    try:
        check_private_folder(folder)
    except Untrusted:
        info = os.lstat(folder)
        if (not stat.S_ISDIR(info.st_mode) or stat.S_ISLNK(info.st_mode)
                or info.st_uid != my_uid()):
            raise
        os.chmod(folder, 0o700, follow_symlinks=False)
        return True
    return False


def check_socket_file(path: Path) -> None:
    """The socket file is this user's and no one else's, or Untrusted.
    FileNotFoundError when there is none."""
    uid = my_uid()
    if uid is None:
        return
    info = os.lstat(path)
    fix = f"Remove {path} (the tray makes its own when it starts)."
    if not stat.S_ISSOCK(info.st_mode):
        raise Untrusted(f"{path} is not a socket", fix)
    _check_private(info, uid, f"the socket {path}", fix=fix)


def _check_private(info: os.stat_result, uid: int, what: str, *, fix: str) -> None:
    if info.st_uid != uid:
        raise Untrusted(f"{what} belongs to another user, {_owner(info.st_uid)}", fix)
    mode = stat.S_IMODE(info.st_mode)
    if mode & 0o077:
        raise Untrusted(f"{what} can be used by other users (mode {mode:o}, not 700)", fix)


def peer_uid(sock: socket.socket) -> int | None:
    """The user id of the process at the other end of a connected AF_UNIX socket; None
    where the platform cannot say."""
    if hasattr(socket, "SO_PEERCRED"):  # Linux: struct ucred {pid_t, uid_t, gid_t}
        creds = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
        _pid, uid, _gid = struct.unpack("3i", creds)
        return uid
    if sys.platform == "darwin" or "bsd" in sys.platform:
        return _getpeereid(sock.fileno())
    return None


def peer_pid(sock: socket.socket) -> int | None:
    """The process id at the other end of a connected AF_UNIX socket (the one that
    listens: the tray); None where the platform cannot say (only Linux is asked)."""
    if not hasattr(socket, "SO_PEERCRED"):
        return None
    creds = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    pid, _uid, _gid = struct.unpack("3i", creds)
    return pid or None


def check_peer(sock: socket.socket, *, expected: int | None = None) -> None:
    """The peer runs as this user (or `expected`), or Untrusted."""
    uid = my_uid() if expected is None else expected
    if uid is None:
        return
    found = peer_uid(sock)
    if found is not None and found != uid:
        raise Untrusted(f"the process at the other end of the socket runs as another user, "
                        f"{_owner(found)}", "Another user's program listens where the tray's "
                        "socket goes: starting the tray puts its own socket there.")


def _getpeereid(fd: int) -> int | None:
    # ctypes only here: it costs the capture path on Linux nothing.
    import ctypes
    import ctypes.util

    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    uid, gid = ctypes.c_uint32(), ctypes.c_uint32()
    if libc.getpeereid(fd, ctypes.byref(uid), ctypes.byref(gid)) != 0:
        return None
    return uid.value
