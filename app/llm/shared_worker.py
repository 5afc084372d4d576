"""One model worker for all of this user's Wise processes, over a private Unix socket.

Every `wise` child that needs the model (reflection, breakdown, goal review, nudge
wording, summaries, `wise llm test`) would otherwise start its own worker and pay
litellm's import (seconds, ~200 MB) each time. Instead the first one starts the shared
worker (``python -m app.llm.worker_main --serve SOCKET``, a session of its own that
outlives it) and every later one connects to it. The worker exits after
``llm.worker_idle_minutes`` without a request; a flock makes it the only one.

Trust (app.ipc.trust, as for the tray's socket): the socket lives in the tray's private
runtime folder (0700, this user's), the socket file must be this user's with no access
for others, and the process at the other end must run as this user; the worker checks
its peers the same way. A request never goes to anything else.

Never lose the user's request: when the shared worker cannot be reached, started or
trusted, or it ends before taking the request, the request runs in a private worker of
this process's own (``PreferShared``), as it did before there was a shared one. When it
dies after taking the request but before any text reached the caller, the request runs
privately once more (nothing was shown, so nothing is shown twice); after text was shown
it fails as ``worker_died`` and the caller keeps what it has (the gateway does not retry
once text was delivered).

Protocol: one request per connection, JSON lines, as on the private worker's pipes
(app.llm.worker_main), plus a version and a receipt:

    -> {"v": 1, "id": 1, "call": ModelCall.to_wire()}     (or "cmd": "ping" | "quit")
    <- {"id": 1, "event": "accepted", "pid": 123}
    <- {"id": 1, "event": "delta", ...} ... {"id": 1, "event": "done" | "error", ...}

Closing the connection cancels the request (the worker closes the HTTP stream).
Standard library only: litellm lives in the worker.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import queue
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from app.ipc.trust import Untrusted, check_peer, check_private_folder, check_socket_file
from app.launch import model_worker_command
from app.llm.types import CallResult, ModelCall, ModelError
from app.llm.worker_client import END_OF_LINES, ModelWorker, ReplyEnded, read_reply

log = logging.getLogger(__name__)

PROTOCOL = 1
MODE_ENV = "WISE_MODEL_WORKER"  # "private": every process starts its own worker, as before
_ROOT = Path(__file__).resolve().parents[2]
_POLL_S = 0.05
CONNECT_TIMEOUT_S = 5.0
PING_TIMEOUT_S = 10.0
LOG_TAIL_CHARS = 300
MAX_SPAWNS = 3  # a start that lost a race against another worker's exit is tried again

_spawned: list[subprocess.Popen] = []  # kept so they are reaped, never warned about


class SharedUnavailable(Exception):
    """The shared worker did not take the request (none could be reached, started or
    trusted): the caller may run it elsewhere, nothing was shown of it. `lasting`: it will
    not be better in a moment (not to be trusted, or it could not start)."""

    def __init__(self, message: str, *, lasting: bool = False) -> None:
        super().__init__(message)
        self.lasting = lasting


def shared_enabled(environ: dict[str, str] | os._Environ | None = None) -> bool:
    env = os.environ if environ is None else environ
    return hasattr(socket, "AF_UNIX") and env.get(MODE_ENV, "").strip().lower() != "private"


def shared_paths(data_dir: Path, environ: Mapping[str, str] | None = None,
                 ) -> tuple[Path, Path, Path]:
    """The shared worker's socket, lock and log for this data folder, in the tray's
    private runtime folder (named like the tray's socket, so one per user and WISE_HOME;
    `environ`: the environment of the processes asked about, this one's by default)."""
    from app.ipc.protocol import socket_path

    tray = socket_path(data_dir, environ)
    base = tray.with_suffix("")
    return (base.with_name(base.name + "-model.sock"), base.with_name(base.name + "-model.lock"),
            base.with_name(base.name + "-model.log"))


class _Connection:
    """One connection to the shared worker and the thread that reads its lines."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.lines: queue.Queue = queue.Queue()
        self._reader = threading.Thread(target=self._read, name="shared-model-worker",
                                        daemon=True)
        self._reader.start()

    def _read(self) -> None:
        try:
            with self.sock.makefile("rb") as stream:
                for raw in stream:
                    try:
                        message = json.loads(raw)
                    except ValueError:
                        continue
                    if isinstance(message, dict):
                        self.lines.put(message)
        except (OSError, ValueError):
            pass
        finally:
            self.lines.put(END_OF_LINES)

    def send(self, message: dict) -> None:
        self.sock.sendall(json.dumps(message, ensure_ascii=False).encode("utf-8") + b"\n")

    def close(self) -> None:
        """Hang up (the worker takes that as a cancel) and wait for the reader."""
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        with contextlib.suppress(OSError):
            self.sock.close()
        if self._reader is not threading.current_thread():
            self._reader.join(5)


class SharedWorker:
    """The shared worker seen from one process: connect (starting it when none runs),
    send one request, read its reply. Raises SharedUnavailable when it could not take the
    request; ModelError for the model's own errors, as ModelWorker does."""

    def __init__(self, data_dir: Path, *, idle_exit_s: float = 600,
                 startup_timeout_s: float = 90,
                 environ: Mapping[str, str] | None = None) -> None:
        self.socket_path, self.lock_path, self.log_path = shared_paths(data_dir, environ)
        self.idle_exit_s = idle_exit_s
        self.startup_timeout_s = startup_timeout_s
        self._next_id = 0
        self._id_lock = threading.Lock()

    # -- public ----------------------------------------------------------------------------

    def call(self, call: ModelCall, *, stall_timeout_s: float,
             on_delta: Callable[[str], None] | None = None,
             cancel: threading.Event | None = None) -> CallResult:
        connection = self._open(cancel)
        request_id = self._new_id()
        started = time.monotonic()
        try:
            connection.send({"v": PROTOCOL, "id": request_id, "call": call.to_wire()})
        except OSError as exc:
            connection.close()
            raise SharedUnavailable(f"the shared model worker hung up ({exc})") from None
        try:
            return read_reply(connection.lines, request_id, call, started, stall_timeout_s,
                              on_delta, cancel, abandon=connection.close)
        except ReplyEnded as ended:
            if not ended.delivered:  # nothing shown yet: the request may run elsewhere
                raise SharedUnavailable("the shared model worker ended before replying"
                                        if ended.heard else
                                        "the shared model worker closed without taking the "
                                        "request") from None
            raise ModelError("worker_died",
                             "the model worker stopped in the middle of the reply; try "
                             "again") from None
        finally:
            connection.close()

    def ping(self, *, start: bool = True) -> dict:
        """The running worker's pid and litellm version (starting one unless told not to)."""
        connection = self._open(None) if start else self._connect_existing()
        if connection is None:
            raise SharedUnavailable("no shared model worker is running")
        try:
            connection.send({"v": PROTOCOL, "id": 0, "cmd": "ping"})
            deadline = time.monotonic() + PING_TIMEOUT_S
            while time.monotonic() < deadline:
                try:
                    message = connection.lines.get(timeout=_POLL_S)
                except queue.Empty:
                    continue
                if message is END_OF_LINES:
                    break
                if message.get("event") == "pong":
                    return message
            raise SharedUnavailable("the shared model worker did not answer a ping")
        except OSError as exc:
            raise SharedUnavailable(f"the shared model worker hung up ({exc})") from None
        finally:
            connection.close()

    def quit(self) -> bool:
        """Ask a running shared worker to exit now; False when none answered."""
        try:
            connection = self._connect_existing()
        except SharedUnavailable:
            return False
        if connection is None:
            return False
        try:
            connection.send({"v": PROTOCOL, "id": 0, "cmd": "quit"})
            with contextlib.suppress(queue.Empty):
                connection.lines.get(timeout=PING_TIMEOUT_S)
            return True
        except OSError:
            return False
        finally:
            connection.close()

    def holder(self) -> int | None:
        """The pid of the worker holding the lock (serving, or still starting); None when
        no worker holds it."""
        import fcntl

        try:
            fd = os.open(self.lock_path, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            return None
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
                return int(text) if text.isdigit() else None
            fcntl.flock(fd, fcntl.LOCK_UN)
            return None
        finally:
            os.close(fd)

    # -- connecting ------------------------------------------------------------------------

    def _new_id(self) -> int:
        with self._id_lock:
            self._next_id += 1
            return self._next_id

    def _open(self, cancel: threading.Event | None) -> _Connection:
        connection = self._connect_existing()
        if connection is not None:
            return connection
        return self._start(cancel)

    def _connect_existing(self) -> _Connection | None:
        """A trusted connection to a running worker; None when none listens;
        SharedUnavailable when what is there is not to be trusted."""
        try:
            check_private_folder(self.socket_path.parent)
            check_socket_file(self.socket_path)
        except Untrusted as exc:
            log.warning("not using the shared model worker's socket: %s", exc)
            raise SharedUnavailable(str(exc), lasting=True) from None
        except OSError:  # no folder or no socket: no worker
            return None
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(CONNECT_TIMEOUT_S)
        try:
            sock.connect(str(self.socket_path))
            check_peer(sock)
        except Untrusted as exc:
            sock.close()
            log.warning("not using the shared model worker: %s", exc)
            raise SharedUnavailable(str(exc), lasting=True) from None
        except OSError:  # refused (a stale socket), gone meanwhile, or its queue is full
            sock.close()
            return None
        sock.settimeout(None)  # read_reply keeps the time
        return _Connection(sock)

    def _start(self, cancel: threading.Event | None) -> _Connection:
        """Start the shared worker and connect to it (another process may win the race
        to start it: the loser's worker sees the lock taken and leaves, and we connect to
        the winner's)."""
        from app.ipc.trust import ensure_private_folder

        try:
            ensure_private_folder(self.socket_path.parent)
        except (OSError, Untrusted) as exc:
            raise SharedUnavailable(f"no private folder for the model worker's socket: "
                                    f"{exc}", lasting=True) from None
        deadline = time.monotonic() + self.startup_timeout_s
        for _ in range(MAX_SPAWNS):
            process = self._spawn()
            while time.monotonic() < deadline:
                if cancel is not None and cancel.is_set():
                    raise ModelError("cancelled", "the model call was cancelled")
                connection = self._connect_existing()
                if connection is not None:
                    return connection
                if process.poll() is not None:
                    break  # it left: another worker was there (or it failed); look again
                time.sleep(_POLL_S)
            else:
                raise SharedUnavailable(f"the shared model worker did not start within "
                                        f"{self.startup_timeout_s:g} s{self._log_tail()}",
                                        lasting=True)
            if process.returncode not in (0, None):
                raise SharedUnavailable(f"the shared model worker could not start (exit "
                                        f"{process.returncode}){self._log_tail()}",
                                        lasting=True)
        raise SharedUnavailable("the shared model worker kept leaving as it started",
                                lasting=True)

    def _spawn(self) -> subprocess.Popen:
        for old in list(_spawned):  # reap those that have ended
            if old.poll() is not None:
                _spawned.remove(old)
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(_ROOT), env.get("PYTHONPATH", "")) if p)
        argv = model_worker_command("--serve", str(self.socket_path), "--lock",
                                    str(self.lock_path), "--idle-exit", f"{self.idle_exit_s:g}")
        stderr = self._open_log()
        try:
            process = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=stderr if stderr is not None else subprocess.DEVNULL, env=env,
                cwd=str(_ROOT), start_new_session=True, close_fds=True)
        except OSError as exc:
            raise SharedUnavailable(f"the shared model worker could not be started: "
                                    f"{exc}", lasting=True) from None
        finally:
            if stderr is not None:
                os.close(stderr)
        _spawned.append(process)
        log.info("shared model worker %s starting", process.pid)
        return process

    def _open_log(self) -> int | None:
        """The worker's stderr: a private file next to its socket (for "could not start")."""
        from storage.private import open_private_regular

        try:
            return open_private_regular(self.log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        except OSError:
            return None

    def _log_tail(self) -> str:
        try:
            text = self.log_path.read_text("utf-8", "replace")
        except OSError:
            return ""
        tail = next((line for line in reversed(text.splitlines()) if line.strip()), "")
        return f": {tail[-LOG_TAIL_CHARS:]}" if tail else ""


class PreferShared:
    """What the gateway calls: the shared worker, else (never losing the request) a
    private worker of this process's own. Same interface as ModelWorker."""

    def __init__(self, shared: SharedWorker, *, idle_exit_s: float = 600) -> None:
        self.shared = shared
        self.idle_exit_s = idle_exit_s
        self._private: ModelWorker | None = None
        self._shared_broken: str | None = None  # why it is not tried again in this process
        self._lock = threading.Lock()

    @property
    def pid(self) -> int | None:
        return self._private.pid if self._private is not None else None

    def last_stderr(self) -> list[str]:
        return self._private.last_stderr() if self._private is not None else []

    def call(self, call: ModelCall, *, stall_timeout_s: float,
             on_delta: Callable[[str], None] | None = None,
             cancel: threading.Event | None = None) -> CallResult:
        if self._shared_broken is None:
            try:
                return self.shared.call(call, stall_timeout_s=stall_timeout_s,
                                        on_delta=on_delta, cancel=cancel)
            except SharedUnavailable as why:
                self._note(why)
        return self._own().call(call, stall_timeout_s=stall_timeout_s, on_delta=on_delta,
                                cancel=cancel)

    def ping(self) -> dict:
        if self._shared_broken is None:
            try:
                return {**self.shared.ping(), "shared": True}
            except SharedUnavailable as why:
                self._note(why)
        return {**self._own().ping(), "shared": False}

    def stop(self) -> None:
        """Stop this process's private worker, if it had to start one (the shared worker
        serves others: it leaves when idle)."""
        with self._lock:
            private, self._private = self._private, None
        if private is not None:
            private.stop()

    def _note(self, why: SharedUnavailable) -> None:
        text = str(why)
        log.info("using a private model worker: %s", text)
        # A worker that did not start, or a socket not to be trusted, will not be better
        # in a moment; one that ended mid-request is simply restarted next time.
        if why.lasting:
            self._shared_broken = text

    def _own(self) -> ModelWorker:
        with self._lock:
            if self._private is None:
                self._private = ModelWorker(idle_exit_s=self.idle_exit_s)
            return self._private

