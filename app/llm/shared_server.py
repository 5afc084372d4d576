"""The shared model worker's side of its socket (runs inside the worker process).

``serve`` takes the lock (one shared worker per user and data folder; a second one that
finds the lock held leaves as soon as the first answers), imports litellm (through
``make_worker``), listens on a private Unix socket, and answers each connection in a
thread of its own: one request per connection, so two processes asking at once are
served at once. A peer that runs as another user is hung up on before it is read.
A connection closed before its reply ends cancels the request: the HTTP stream is closed,
so the model server stops too.

The worker leaves after ``idle_exit_s`` without a request in flight, when told to
("quit"), or when its socket file is removed or replaced (another worker took over, or
the runtime folder was cleaned up). Protocol: app.llm.shared_worker.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import stat
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.ipc.trust import Untrusted, check_peer, ensure_private_folder, my_uid
from app.llm.shared_worker import PROTOCOL

ACCEPT_POLL_S = 0.5
READ_TIMEOUT_S = 10.0
LOCK_WAIT_S = 120.0  # a worker that is leaving, or one still importing litellm
MAX_REQUEST_BYTES = 4 * 1024 * 1024  # a request carries a prompt: well under this


class _AskerGone(Exception):
    """The process that asked closed its connection."""


class _Sender:
    """Reply lines to one connection; raises _AskerGone once the asker left."""

    def __init__(self, conn: socket.socket) -> None:
        self._conn = conn
        self._lock = threading.Lock()

    def send(self, message: dict) -> None:
        data = json.dumps(message, ensure_ascii=False).encode("utf-8") + b"\n"
        with self._lock:
            try:
                self._conn.sendall(data)
            except OSError as exc:
                raise _AskerGone(str(exc)) from None


class _State:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.active = 0
        self.last_activity = time.monotonic()
        self.quit = threading.Event()

    def begin(self) -> None:
        with self._lock:
            self.active += 1
            self.last_activity = time.monotonic()

    def end(self) -> None:
        with self._lock:
            self.active -= 1
            self.last_activity = time.monotonic()

    def idle_for(self) -> float:
        with self._lock:
            return 0.0 if self.active else time.monotonic() - self.last_activity


def serve(path: Path, lock_path: Path, *, idle_exit_s: float,
          make_worker: Callable[[], Any]) -> int:
    """Be the shared worker at `path` until idle; 0 also when another one already is."""
    try:
        ensure_private_folder(path.parent)
        lock_fd = _lock(path, lock_path)
    except (OSError, Untrusted) as exc:
        print(f"wise model worker: cannot serve at {path}: {exc}", file=sys.stderr, flush=True)
        return 2
    if lock_fd is None:
        return 0  # another worker serves (or is about to): nothing for us to do
    worker = make_worker()
    try:
        server = _listen(path)
    except (OSError, Untrusted) as exc:
        print(f"wise model worker: cannot listen at {path}: {exc}", file=sys.stderr, flush=True)
        return 2
    ident = _identity(path)
    print(f"wise model worker {os.getpid()}: serving at {path} (litellm {worker.version})",
          file=sys.stderr, flush=True)
    state = _State()
    try:
        while not state.quit.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                if state.idle_for() >= idle_exit_s or _identity(path) != ident:
                    break
                continue
            state.begin()
            threading.Thread(target=_handle, args=(conn, worker, state), daemon=True,
                             name="shared-model-request").start()
    finally:
        server.close()
        if _identity(path) == ident:  # still ours: a newer worker's is left alone
            with contextlib.suppress(OSError):
                path.unlink()
    os.close(lock_fd)  # only now: a successor binds after the old socket is gone
    return 0


def _lock(path: Path, lock_path: Path) -> int | None:
    """The lock's descriptor, held for the worker's life; None when another worker
    answers on the socket while we wait for the lock."""
    import fcntl

    from storage.private import open_private_regular

    fd = open_private_regular(lock_path, os.O_RDWR | os.O_CREAT)
    deadline = time.monotonic() + LOCK_WAIT_S
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pass
        else:
            with contextlib.suppress(OSError):  # who holds it: SharedWorker.holder()
                os.ftruncate(fd, 0)
                os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
            return fd
        if _answers(path) or time.monotonic() > deadline:
            os.close(fd)
            return None
        time.sleep(0.1)


def _answers(path: Path) -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        probe.settimeout(1.0)
        try:
            probe.connect(str(path))
        except OSError:
            return False
    return True


def _listen(path: Path) -> socket.socket:
    # We hold the lock: a socket file of ours still there is a dead worker's.
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        pass
    else:
        if not stat.S_ISSOCK(info.st_mode) or info.st_uid != my_uid():
            raise Untrusted(f"{path} is there and is not a socket of ours")
        path.unlink()
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old_mask = os.umask(0o177)  # the socket is born 0600: no moment of wider access
    try:
        server.bind(str(path))
    finally:
        os.umask(old_mask)
    os.chmod(path, 0o600)
    server.listen(16)
    server.settimeout(ACCEPT_POLL_S)
    return server


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        info = os.lstat(path)
    except OSError:
        return None
    return info.st_dev, info.st_ino


def _read_request(conn: socket.socket) -> dict | None:
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        chunks.append(chunk)
        size += len(chunk)
        if b"\n" in chunk:
            break
        if size > MAX_REQUEST_BYTES:
            return None
    try:
        request = json.loads(b"".join(chunks).split(b"\n", 1)[0])
    except (ValueError, RecursionError):
        return None
    return request if isinstance(request, dict) else None


def _handle(conn: socket.socket, worker: Any, state: _State) -> None:
    try:
        try:
            check_peer(conn)
        except Untrusted as exc:
            print(f"wise model worker: hung up on a stranger: {exc}", file=sys.stderr,
                  flush=True)
            return
        conn.settimeout(READ_TIMEOUT_S)
        request = _read_request(conn)
        if request is None:
            return
        out = _Sender(conn)
        request_id = request.get("id")
        if request.get("v") != PROTOCOL:
            out.send({"id": request_id, "event": "error", "kind": "other", "retry_after": None,
                      "message": f"the model worker speaks protocol {PROTOCOL}"})
        elif request.get("cmd") == "ping":
            out.send({"id": request_id, "event": "pong", "pid": os.getpid(),
                      "litellm_version": worker.version})
        elif request.get("cmd") == "quit":
            state.quit.set()
            out.send({"id": request_id, "event": "bye", "pid": os.getpid()})
        elif isinstance(request.get("call"), dict):
            out.send({"id": request_id, "event": "accepted", "pid": os.getpid()})
            conn.settimeout(None)
            streams: list = []
            threading.Thread(target=_watch_hang_up, args=(conn, worker, streams), daemon=True,
                             name="shared-model-hang-up").start()
            worker.serve(request_id, request["call"], out, streams)
    except (_AskerGone, OSError):
        pass  # the asker left: its request is dropped with it
    finally:
        with contextlib.suppress(OSError):
            conn.shutdown(socket.SHUT_RDWR)
        conn.close()
        state.end()


def _watch_hang_up(conn: socket.socket, worker: Any, streams: list) -> None:
    """Wait for the asker to hang up (or for the reply to end: we shut the connection
    down then); a hang-up in mid-reply closes the HTTP stream, so the model stops too."""
    with contextlib.suppress(OSError):
        while conn.recv(4096):
            pass
    for stream in list(streams):
        worker.close_stream(stream)
