"""The parent side of the model worker (stdlib only: litellm lives in the child).

``ModelWorker`` starts ``python -m app.llm.worker_main`` on demand, sends it one call at a
time as a JSON line on its stdin, and turns the streamed reply lines back into deltas and
a ``CallResult`` (or a ``ModelError``). Killing the child is how a call is cancelled or
abandoned: the HTTP request dies with it. A child that died, or exited after idling, is
replaced by a fresh one at the next call.

The API key travels only inside the request line, never in the child's argv or env.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import queue
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path

from app.launch import model_worker_command
from app.llm.types import CallResult, ModelCall, ModelError

log = logging.getLogger(__name__)

_ROOT = Path(__file__).resolve().parents[2]  # the folder that holds the `app` package
_EOF = object()
END_OF_LINES = _EOF  # what a line reader puts in its queue when its source ends
_POLL_S = 0.05
FIRST_CHUNK_GRACE_S = 2.0  # the worker's own timeout error should arrive before ours
PING_TIMEOUT_S = 10.0
STOP_GRACE_S = 3.0
STDERR_LINES = 40


def worker_command(idle_exit_s: float) -> list[str]:
    """How the worker is started (from a venv or a frozen bundle: `app.launch`)."""
    return model_worker_command("--idle-exit", f"{idle_exit_s:g}")


class _Child:
    """One worker process, the threads that drain its pipes, and what they read."""

    def __init__(self, idle_exit_s: float) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(_ROOT), env.get("PYTHONPATH", "")) if p)
        flags = getattr(subprocess, "CREATE_NO_WINDOW", 0) if sys.platform == "win32" else 0
        self.proc = subprocess.Popen(
            worker_command(idle_exit_s), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, env=env, cwd=str(_ROOT), bufsize=0, creationflags=flags)
        self.lines: queue.Queue = queue.Queue()
        self.stderr_tail: deque[str] = deque(maxlen=STDERR_LINES)
        self.ready = False
        self.info: dict = {}
        self.stopped_on_purpose = False
        self._threads = [
            threading.Thread(target=self._read_stdout, name=f"model-worker-{self.proc.pid}-out",
                             daemon=True),
            threading.Thread(target=self._read_stderr, name=f"model-worker-{self.proc.pid}-err",
                             daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def _read_stdout(self) -> None:
        stream = self.proc.stdout
        try:
            assert stream is not None
            for raw in iter(stream.readline, b""):
                try:
                    message = json.loads(raw)
                except ValueError:
                    continue  # the worker writes only protocol lines; ignore noise
                if isinstance(message, dict):
                    self.lines.put(message)
        except (OSError, ValueError):
            pass
        finally:
            self.lines.put(_EOF)

    def _read_stderr(self) -> None:
        stream = self.proc.stderr
        try:
            assert stream is not None
            for raw in iter(stream.readline, b""):
                self.stderr_tail.append(raw.decode("utf-8", "replace").rstrip())
        except (OSError, ValueError):
            pass

    def send(self, message: dict) -> None:
        data = (json.dumps(message, ensure_ascii=False) + "\n").encode("utf-8")
        stdin = self.proc.stdin
        assert stdin is not None
        stdin.write(data)
        stdin.flush()

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            self.proc.kill()
        self.reap()

    def stop(self) -> None:
        """Ask politely (stdin closes: the worker ends), then insist."""
        self.stopped_on_purpose = True
        if self.proc.stdin is not None:
            with contextlib.suppress(OSError):
                self.proc.stdin.close()
        try:
            self.proc.wait(STOP_GRACE_S)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(OSError):
                self.proc.kill()
        self.reap()

    def reap(self) -> None:
        """Wait for the dead process and release its pipes and threads."""
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(OSError):
                self.proc.kill()
            self.proc.wait(10)
        for thread in self._threads:
            if thread is not threading.current_thread():
                thread.join(5)
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()


class ModelWorker:
    """The model worker seen from the parent: blocking calls, one at a time."""

    def __init__(self, *, idle_exit_s: float = 600, startup_timeout_s: float = 90) -> None:
        self.idle_exit_s = idle_exit_s
        self.startup_timeout_s = startup_timeout_s
        self._call_lock = threading.Lock()  # one request at a time
        self._state_lock = threading.Lock()  # guards self._child
        self._child: _Child | None = None
        self._next_id = 0

    # -- public ----------------------------------------------------------------------------

    @property
    def pid(self) -> int | None:
        child = self._child
        return child.pid if child is not None and child.alive() else None

    def last_stderr(self) -> list[str]:
        """The worker's last lines on stderr (for diagnostics; litellm redacts keys)."""
        child = self._child
        return list(child.stderr_tail) if child is not None else []

    def ping(self) -> dict:
        """Start the worker if needed and check that it answers."""
        with self._call_lock:
            child = self._ensure_started(None)
            request_id = self._new_id()
            try:
                child.send({"id": request_id, "cmd": "ping"})
            except OSError:
                self._discard(child)
                raise ModelError("worker_died",
                                 "the model worker stopped unexpectedly; try again") from None
            deadline = time.monotonic() + PING_TIMEOUT_S
            while time.monotonic() < deadline:
                try:
                    message = child.lines.get(timeout=_POLL_S)
                except queue.Empty:
                    continue
                if message is _EOF:
                    self._discard(child)
                    raise ModelError("worker_died",
                                     "the model worker stopped unexpectedly; try again")
                if message.get("id") == request_id and message.get("event") == "pong":
                    return message
            self._discard(child, kill=True)
            raise ModelError("worker_died", "the model worker did not answer; it was restarted")

    def call(self, call: ModelCall, *, stall_timeout_s: float,
             on_delta: Callable[[str], None] | None = None,
             cancel: threading.Event | None = None) -> CallResult:
        """Run one model call and wait for it; raises ModelError."""
        with self._call_lock:
            for attempt in (1, 2):
                if cancel is not None and cancel.is_set():
                    raise ModelError("cancelled", "the model call was cancelled")
                child = self._ensure_started(cancel)
                request_id = self._new_id()
                started = time.monotonic()
                try:
                    child.send({"id": request_id, "call": call.to_wire()})
                except OSError:  # it died (or idled out) just now
                    self._discard(child)
                    if attempt == 1:
                        continue
                    raise ModelError("worker_died",
                                     "the model worker stopped unexpectedly; try again") from None
                result = self._await(child, request_id, call, started, stall_timeout_s,
                                     on_delta, cancel)
                if result is not None:
                    return result
                # The worker exited by idling just as the request arrived: it never read
                # it, so sending it once more to a fresh worker is safe.
            raise ModelError("worker_died", "the model worker stopped unexpectedly; try again")

    def stop(self) -> None:
        """End the worker (a call in flight fails as cancelled)."""
        with self._state_lock:
            child, self._child = self._child, None
        if child is not None:
            child.stop()
            log.info("model worker %s stopped", child.pid)

    def __enter__(self) -> ModelWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- internals -------------------------------------------------------------------------

    def _new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def _discard(self, child: _Child, *, kill: bool = False) -> None:
        with self._state_lock:
            if self._child is child:
                self._child = None
        if kill:
            child.kill()
        else:
            child.reap()
        code = child.proc.returncode
        if code not in (0, None) and not kill:
            log.info("model worker %s exited with code %s", child.pid, code)

    def _ensure_started(self, cancel: threading.Event | None) -> _Child:
        with self._state_lock:
            child = self._child
        if child is not None and not child.alive():
            self._discard(child)  # it idled out, or died between calls
            child = None
        if child is None:
            child = _Child(self.idle_exit_s)
            with self._state_lock:
                self._child = child
            log.info("model worker %s starting", child.pid)
        if child.ready:
            return child
        deadline = time.monotonic() + self.startup_timeout_s
        while True:
            if cancel is not None and cancel.is_set():
                # The worker keeps starting: the next call will find it ready.
                raise ModelError("cancelled", "the model call was cancelled")
            left = deadline - time.monotonic()
            if left <= 0:
                self._discard(child, kill=True)
                raise ModelError("worker_died", f"the model worker did not start within "
                                                f"{self.startup_timeout_s:g} s")
            try:
                message = child.lines.get(timeout=min(_POLL_S, left))
            except queue.Empty:
                continue
            if message is _EOF:
                self._discard(child)
                tail = next((line for line in reversed(child.stderr_tail) if line.strip()), "")
                raise ModelError("worker_died", "the model worker could not start"
                                 + (f": {tail[-300:]}" if tail else ""))
            if message.get("event") == "ready":
                child.ready = True
                child.info = message
                return child

    def _await(self, child: _Child, request_id: int, call: ModelCall, started: float,
               stall_timeout_s: float, on_delta: Callable[[str], None] | None,
               cancel: threading.Event | None) -> CallResult | None:
        """Read this request's lines to the end; None means "resend to a fresh worker"."""
        try:
            return read_reply(child.lines, request_id, call, started, stall_timeout_s,
                              on_delta, cancel,
                              abandon=lambda: self._discard(child, kill=True))
        except ReplyEnded as ended:
            self._discard(child)
            if child.stopped_on_purpose:
                raise ModelError("cancelled", "the model worker was stopped") from None
            if not ended.heard and child.proc.returncode == 0:
                return None
            raise ModelError("worker_died",
                             "the model worker stopped unexpectedly; try again") from None


class ReplyEnded(Exception):
    """The worker's lines ended before the reply did. `heard`: a line of this request
    had arrived; `delivered`: some of the reply's text had."""

    def __init__(self, heard: bool, delivered: bool) -> None:
        super().__init__("the model worker's lines ended before the reply")
        self.heard = heard
        self.delivered = delivered


def read_reply(lines: queue.Queue, request_id: object, call: ModelCall, started: float,
               stall_timeout_s: float, on_delta: Callable[[str], None] | None,
               cancel: threading.Event | None, *, abandon: Callable[[], None]) -> CallResult:
    """One request's reply lines (from a private worker's pipe or the shared worker's
    socket) -> its CallResult; ModelError for an error line, a cancel, a timeout or a
    stall (`abandon` is called first: it kills the worker or drops the connection);
    ReplyEnded when the lines stop first. An "accepted" line is the shared worker's
    receipt: the request reached it."""
    # Before the first chunk the whole call.timeout is allowed (the worker reports its
    # own timeout); between chunks, stall_timeout_s.
    total_limit = float(call.timeout) + FIRST_CHUNK_GRACE_S
    parts: list[str] = []
    first_token: float | None = None
    last = started
    heard = False
    finished = False
    try:
        while True:
            if cancel is not None and cancel.is_set():
                abandon()
                finished = True
                raise ModelError("cancelled", "the model call was cancelled")
            if time.monotonic() - started >= total_limit:  # a backstop: the worker
                abandon()  # enforces call.timeout itself
                finished = True
                raise ModelError("timeout", f"the model did not finish within "
                                            f"{float(call.timeout):g} s")
            limit = stall_timeout_s if first_token is not None else total_limit
            waited = time.monotonic() - last
            if waited >= limit:
                abandon()
                finished = True
                raise ModelError("stalled", f"the model stopped sending for {limit:g} s")
            try:
                message = lines.get(timeout=max(0.001, min(_POLL_S, limit - waited)))
            except queue.Empty:
                continue
            if message is _EOF:
                finished = True
                raise ReplyEnded(heard, bool(parts))
            if message.get("id") != request_id:
                continue  # a stale line
            heard = True
            event = message.get("event")
            now = time.monotonic()
            if event == "delta":
                text = str(message.get("text") or "")
                last = now
                if first_token is None:
                    first_token = now - started
                parts.append(text)
                if on_delta is not None and text:
                    on_delta(text)
            elif event == "done":
                finished = True
                return CallResult(
                    text="".join(parts), model=str(message.get("model") or call.model),
                    input_tokens=int(message.get("input_tokens") or 0),
                    output_tokens=int(message.get("output_tokens") or 0),
                    cost_usd=float(message.get("cost_usd") or 0.0),
                    latency_s=now - started, first_token_s=first_token,
                    attempts=[call.model], finish=str(message.get("finish") or "stop"),
                    structured_mode=call.structured_mode if call.json_schema else None)
            elif event == "error":
                finished = True
                retry_after = message.get("retry_after")
                raise ModelError(str(message.get("kind") or "other"),
                                 str(message.get("message") or "the model call failed"),
                                 retry_after=float(retry_after)
                                 if retry_after is not None else None)
    except BaseException:
        if not finished:  # on_delta raised, or an interrupt: the reply is abandoned
            abandon()
        raise


__all__ = ["ModelWorker", "ReplyEnded", "read_reply", "worker_command"]
