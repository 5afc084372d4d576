"""Talk to a running tray over its local socket with the standard library only.

The CLI uses this on its fast path, so it must not import Qt, SQLAlchemy or litellm.
Nothing is sent until the socket is known to be this user's tray (app.ipc.trust).
"""

from __future__ import annotations

import json
import socket
from pathlib import Path

from app.ipc.protocol import MAX_LINE_BYTES, encode
from app.ipc.trust import Untrusted, check_peer, check_private_folder, check_socket_file


class TrayUnavailable(Exception):
    """No tray of this user's answered. Nothing reached a tray, or (TrayLost) it stopped
    before answering: either way a capture may be written directly with the same uid."""


class TrayBusy(TrayUnavailable):
    """The socket's queue of waiting connections is full (a burst of captures)."""


class UntrustedTray(TrayUnavailable):
    """What is at the tray's socket is not this user's (or its folder is not private):
    nothing was sent to it. The message says what is wrong, for a person."""


class TrayLost(TrayUnavailable):
    """The request was sent, but the tray closed, reset or stalled before a whole reply:
    it may or may not have acted on it."""


class TrayError(Exception):
    def __init__(self, code: str, message: str, details: dict | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.details = details or {}


class TrayClient:
    def __init__(self, path: Path, *, timeout: float = 10.0) -> None:
        self.path = path
        self.timeout = timeout

    def request(self, message: dict) -> object:
        """Send one request; return its result, or raise TrayUnavailable (or one of its
        kinds) / TrayError."""
        sock = self._connect()
        try:
            try:
                sock.sendall(encode(message))
                reply = _read_line(sock)
            except (OSError, ValueError, RecursionError) as exc:
                # Reset, refused half-way, timed out, or a reply cut short or garbled.
                raise TrayLost(f"the tray stopped answering ({exc})") from exc
        finally:
            sock.close()
        if not isinstance(reply, dict):
            raise TrayLost("the tray's reply was not a JSON object")
        if not reply.get("ok"):
            problem = reply.get("error") or {}
            raise TrayError(problem.get("code", "failed"), problem.get("message", "failed"),
                            problem)
        return reply.get("result")

    def is_running(self) -> dict | None:
        try:
            info = self.request({"cmd": "ping"})
        except (TrayUnavailable, TrayError):
            return None
        return info if isinstance(info, dict) else None

    def _connect(self) -> socket.socket:
        if not hasattr(socket, "AF_UNIX"):
            raise TrayUnavailable("local sockets are not available on this platform")
        try:
            check_private_folder(self.path.parent)
            check_socket_file(self.path)
        except Untrusted as exc:
            raise UntrustedTray(str(exc)) from None
        except OSError as exc:  # no folder or no socket: no tray
            raise TrayUnavailable(str(exc)) from exc
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(str(self.path))
            check_peer(sock)
        except Untrusted as exc:
            sock.close()
            raise UntrustedTray(str(exc)) from None
        except BlockingIOError as exc:  # EAGAIN: the listen queue is full
            sock.close()
            raise TrayBusy(str(exc)) from exc
        except OSError as exc:  # refused (a stale socket), gone meanwhile, timed out
            sock.close()
            raise TrayUnavailable(str(exc)) from exc
        return sock


def _read_line(sock: socket.socket) -> object:
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            raise TrayLost("the tray closed the connection without a whole answer")
        chunks.append(chunk)
        size += len(chunk)
        if b"\n" in chunk:
            break
        if size > MAX_LINE_BYTES:
            raise TrayLost("the tray's reply is too long")
    return json.loads(b"".join(chunks).split(b"\n", 1)[0])
