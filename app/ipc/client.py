"""Talk to a running tray over its local socket with the standard library only.

The CLI uses this on its fast path, so it must not import Qt, SQLAlchemy or litellm.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path

from app.ipc.protocol import MAX_LINE_BYTES, encode


class TrayUnavailable(Exception):
    """No tray answers on the socket (not running, or a stale socket)."""


class TrayError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class TrayClient:
    def __init__(self, path: Path, *, timeout: float = 10.0) -> None:
        self.path = path
        self.timeout = timeout

    def request(self, message: dict) -> object:
        """Send one request; return its result, or raise TrayUnavailable / TrayError."""
        if not hasattr(socket, "AF_UNIX"):
            raise TrayUnavailable("local sockets are not available on this platform")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            try:
                sock.connect(str(self.path))
            except (FileNotFoundError, ConnectionRefusedError, OSError) as exc:
                raise TrayUnavailable(str(exc)) from exc
            sock.sendall(encode(message))
            reply = _read_line(sock)
        finally:
            sock.close()
        if not reply.get("ok"):
            problem = reply.get("error") or {}
            raise TrayError(problem.get("code", "failed"), problem.get("message", "failed"))
        return reply.get("result")

    def is_running(self) -> dict | None:
        try:
            return self.request({"cmd": "ping"})
        except (TrayUnavailable, TrayError, TimeoutError):
            return None


def _read_line(sock: socket.socket) -> dict:
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            raise TrayUnavailable("the tray closed the connection without answering")
        chunks.append(chunk)
        size += len(chunk)
        if chunk.endswith(b"\n") or b"\n" in chunk:
            break
        if size > MAX_LINE_BYTES:
            raise TrayUnavailable("the tray's reply is too long")
    return json.loads(b"".join(chunks).split(b"\n", 1)[0])
