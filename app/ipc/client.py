"""Talk to a running tray over its local socket with the standard library only.

The CLI uses this on its fast path, so it must not import Qt, SQLAlchemy or litellm.
Nothing is sent until the socket is known to be this user's tray (app.ipc.trust).
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable
from pathlib import Path

from app.ipc.protocol import MAX_LINE_BYTES, encode
from app.ipc.trust import (
    Untrusted,
    check_peer,
    check_private_folder,
    check_socket_file,
    peer_pid,
)

# How long to wait for a tray that has the request. Its reply to a capture waits for the
# journal's commit, and a commit waits for the disk: measured through a real tray on a
# shared 2-core machine already busy (load 13), a capture's reply took 17 ms (median) and
# up to 4 s; with four more busy processes, 150 ms (median) and up to 12 s. A ping is
# answered by the tray's event loop without the journal: 0.3 ms (median) and at most
# 0.1 s, either way. So time alone cannot tell a slow tray from a stalled one (a stopped process
# whose socket still accepts): after STALL_CHECK_S without a reply, the client pings the
# tray on a second connection. No answer within PING_TIMEOUT_S (twenty times the worst
# measured) means the tray is stalled, and the request gives up: `wise capture` writes
# directly after about 3 s rather than 10, with the same uid (if the tray commits it
# later, it finds that row); `wise capture` alone and `wise open` say the tray is not
# answering (TrayStalled, with its pid) rather than start a second tray beside it. A tray
# that answers the ping is only slow: the wait goes on, pinging again each STALL_CHECK_S,
# up to the client's `timeout` in all.
STALL_CHECK_S = 1.0
PING_TIMEOUT_S = 2.0


class TrayUnavailable(Exception):
    """No tray of this user's answered. Nothing reached a tray, or (TrayLost) it stopped
    before answering: either way a capture may be written directly with the same uid."""


class TrayBusy(TrayUnavailable):
    """The socket's queue of waiting connections is full (a burst of captures)."""


class UntrustedTray(TrayUnavailable):
    """What is at the tray's socket is not this user's (or its folder is not private):
    nothing was sent to it. The message says what is wrong, for a person; `fix` what to
    do about it."""

    def __init__(self, message: str, fix: str = "") -> None:
        super().__init__(message)
        self.fix = fix


class TrayLost(TrayUnavailable):
    """The request was sent, but the tray closed, reset or stalled before a whole reply:
    it may or may not have acted on it."""


class TrayStalled(TrayLost):
    """The tray took the request but answered neither it nor a ping: its process is
    stopped or hung. `pid`: that process (from the socket's peer credentials), or None
    where the platform cannot say."""

    def __init__(self, message: str, pid: int | None) -> None:
        super().__init__(message)
        self.pid = pid


class TrayError(Exception):
    def __init__(self, code: str, message: str, details: dict | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.details = details or {}


class TrayClient:
    def __init__(self, path: Path, *, timeout: float = 10.0,
                 stall_check_s: float | None = None) -> None:
        """`stall_check_s`: ping the tray after this long without a reply, and give up
        when it does not answer the ping (see STALL_CHECK_S); None: wait up to
        `timeout` for the reply, whatever the tray is doing."""
        self.path = path
        self.timeout = timeout
        self.stall_check_s = stall_check_s

    def request(self, message: dict) -> object:
        """Send one request; return its result, or raise TrayUnavailable (or one of its
        kinds) / TrayError."""
        sock = self._connect()
        on_quiet = None
        if self.stall_check_s is not None and self.stall_check_s < self.timeout:
            sock.settimeout(self.stall_check_s)
            on_quiet = self._stall_check(time.monotonic() + self.timeout, _peer_pid(sock))
        try:
            try:
                sock.sendall(encode(message))
                reply = _read_line(sock, on_quiet)
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

    def _stall_check(self, deadline: float, pid: int | None) -> Callable[[], None]:
        def check() -> None:
            """No reply for a while: go on waiting only while the tray answers a ping."""
            if time.monotonic() >= deadline:
                raise TrayLost(f"the tray did not answer within {self.timeout:g} s")
            try:
                TrayClient(self.path, timeout=PING_TIMEOUT_S).request({"cmd": "ping"})
            except TrayUnavailable as exc:
                raise TrayStalled(f"the tray stalled: it did not answer a ping ({exc})",
                                  pid) from None
            except TrayError:
                pass  # an answer, if not the expected one: the tray is alive

        return check

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
            raise UntrustedTray(str(exc), exc.fix) from None
        except OSError as exc:  # no folder or no socket: no tray
            raise TrayUnavailable(str(exc)) from exc
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(str(self.path))
            check_peer(sock)
        except Untrusted as exc:
            sock.close()
            raise UntrustedTray(str(exc), exc.fix) from None
        except BlockingIOError as exc:  # EAGAIN: the listen queue is full
            sock.close()
            raise TrayBusy(str(exc)) from exc
        except OSError as exc:  # refused (a stale socket), gone meanwhile, timed out
            sock.close()
            raise TrayUnavailable(str(exc)) from exc
        return sock


def _peer_pid(sock: socket.socket) -> int | None:
    try:
        return peer_pid(sock)
    except OSError:  # gone already: the request finds out
        return None


def _read_line(sock: socket.socket, on_quiet: Callable[[], None] | None = None) -> object:
    """One reply line. `on_quiet` is called each time the socket's timeout passes with
    nothing read, and raises to give up (without it the timeout ends the wait)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            if on_quiet is None:
                raise
            on_quiet()
            continue
        if not chunk:
            raise TrayLost("the tray closed the connection without a whole answer")
        chunks.append(chunk)
        size += len(chunk)
        if b"\n" in chunk:
            break
        if size > MAX_LINE_BYTES:
            raise TrayLost("the tray's reply is too long")
    return json.loads(b"".join(chunks).split(b"\n", 1)[0])
