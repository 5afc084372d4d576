"""The one place ui/ runs `wise` children (the work that needs the ORM, the prompts or
litellm, which the tray never loads): model work, nudges, maintenance, sync, import,
migrate. Every child gets the same command (`app.launch.wise_command`), its private text
on standard input (never its command line, which `ps` shows to any user), and its failure
told the same way (the child's own JSON message, else its last line of stderr).

Two ways to wait, one runner:
- a window drives a `WiseChild` / `JsonChild` through QProcess: nothing waits, the event
  loop keeps running, output arrives as it is printed and Stop stops it;
- the tray's worker threads (the rhythm, sync, the journal check) call `run_wise`, which
  blocks that worker until the child's JSON answer: a QProcess needs a Qt thread's event
  loop, and those jobs must finish before the next one (a journal is migrated before it
  is read).

No child hands work back to the tray that started it (a capture from a window is made in
this process: app.capture.service).

Programs that are not `wise` and are never waited for (a focus cue's sound player) start
through `start_detached`, here too, so that every process ui/ starts is started in one place.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QObject, QProcess, QTimer, Signal

from app.launch import wise_command

log = logging.getLogger(__name__)

KILL_AFTER_MS = 3000  # a child that ignores SIGTERM this long is killed
STDERR_KEEP = 8000  # characters of the child's stderr kept for an error message


class WiseChild(QObject):
    """One `wise` child. Emits `line` for each JSON object it prints on a line of its own,
    and `ended` once: (exit code, all of stdout, the tail of stderr, stopped by us)."""

    line = Signal(dict)
    ended = Signal(int, str, str, bool)

    def __init__(self, argv: Sequence[str], stdin: bytes | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._argv = list(argv)
        self._stdin = stdin
        self._process = QProcess(self)
        self._process.setProcessChannelMode(QProcess.ProcessChannelMode.SeparateChannels)
        self._process.readyReadStandardOutput.connect(self._read_stdout)
        self._process.readyReadStandardError.connect(self._read_stderr)
        self._process.finished.connect(self._finished)
        self._process.errorOccurred.connect(self._failed)
        self._partial = b""  # a line that has not ended yet
        self._stdout: list[str] = []
        self._stderr = ""
        self._stopping = False
        self._ended = False
        self._kill_timer = QTimer(self)
        self._kill_timer.setSingleShot(True)
        self._kill_timer.timeout.connect(self._process.kill)

    def start(self) -> None:
        self._process.start(self._argv[0], self._argv[1:])
        if self._stdin is not None:
            # Words can be long and private: they go through stdin, never the command line.
            self._process.write(self._stdin)
        self._process.closeWriteChannel()

    def is_running(self) -> bool:
        return not self._ended

    def stop(self) -> None:
        """SIGTERM (the child cancels its model call cleanly), SIGKILL if it lingers."""
        if self._ended or self._stopping:
            return
        self._stopping = True
        if sys.platform == "win32":
            self._process.kill()  # no SIGTERM for console-less children on Windows
        else:
            self._process.terminate()
            self._kill_timer.start(KILL_AFTER_MS)

    def stop_now(self, msecs: int = KILL_AFTER_MS) -> None:
        """Stop it and wait (its owner is going away): no signal is emitted after this."""
        if self._ended:
            return
        self._ended = True  # nothing more is reported
        self._kill_timer.stop()
        for signal in (self._process.finished, self._process.errorOccurred,
                       self._process.readyReadStandardOutput,
                       self._process.readyReadStandardError):
            signal.disconnect()
        if self._process.state() != QProcess.ProcessState.NotRunning:
            self._process.terminate()
            if not self._process.waitForFinished(msecs):
                self._process.kill()
                self._process.waitForFinished(msecs)

    def wait(self, msecs: int = 30_000) -> bool:
        """Block until the child ended (tests and shutdown only; never from a click)."""
        if self._ended:
            return True
        done = self._process.waitForFinished(msecs)
        if done:
            self._read_stdout()
        return done

    def _read_stdout(self) -> None:
        data = self._partial + bytes(self._process.readAllStandardOutput().data())
        *complete, self._partial = data.split(b"\n")
        for raw in complete:
            self._take_line(raw)

    def _take_line(self, raw: bytes) -> None:
        text = raw.decode("utf-8", "replace")
        self._stdout.append(text)
        stripped = text.strip()
        if not stripped.startswith("{"):
            return
        try:
            event = json.loads(stripped)
        except ValueError:
            return  # a line of a pretty-printed document; read whole at the end
        if isinstance(event, dict):
            self.line.emit(event)

    def _read_stderr(self) -> None:
        data = bytes(self._process.readAllStandardError().data()).decode("utf-8", "replace")
        self._stderr = (self._stderr + data)[-STDERR_KEEP:]

    def _finished(self, code: int, status: QProcess.ExitStatus) -> None:
        self._read_stdout()
        self._read_stderr()
        if self._partial:
            self._take_line(self._partial)
            self._partial = b""
        crashed = status == QProcess.ExitStatus.CrashExit
        self._end(-1 if crashed else code)

    def _failed(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            self._stderr = (f"Wise could not start `{' '.join(self._argv[:3])}`: "
                            f"{self._process.errorString()}")
            self._end(-1)

    def _end(self, code: int) -> None:
        if self._ended:
            return
        self._ended = True
        self._kill_timer.stop()
        self.ended.emit(code, "\n".join(self._stdout), self._stderr, self._stopping)


def last_words(stderr: str) -> str:
    """The last meaningful line of a child's stderr, for a calm one-line message."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    if not lines:
        return "it ended without saying why"
    text = lines[-1]
    return text[len("wise: "):] if text.startswith("wise: ") else text


def parse_document(stdout: str) -> dict | None:
    """The JSON document a `--json` child printed, or None when it printed something else."""
    try:
        value = json.loads(stdout)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


class JsonChild(QObject):
    """Runs `wise ARGS --json`, one at a time, for its one JSON answer. `finished(dict)`
    carries the answer; `failed(str)` a sentence for the user (and `last_error` the
    child's own {"error": {...}} when it printed one); `cancelled()` follows `cancel()`."""

    finished = Signal(object)
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, command: Callable[[], list[str]], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._command = command
        self._child: WiseChild | None = None
        self._what = ""
        self.last_error: dict | None = None

    def is_running(self) -> bool:
        return self._child is not None

    def start(self, args: Sequence[str], *, what: str, stdin: bytes | None = None) -> None:
        """Start `wise ARGS --json`; `what` names it in messages ("the break-down").
        Secrets go in `stdin`, never in ARGS (any process may read a command line)."""
        self.stop_now()
        self._what = what
        self.last_error = None
        child = WiseChild([*self._command(), *args, "--json"], stdin, self)
        child.ended.connect(lambda code, out, err, stopped, c=child:
                            self._ended(c, code, out, err, stopped))
        self._child = child
        child.start()

    def cancel(self) -> None:
        """Ask the child to stop (SIGTERM, the model call is cancelled); `cancelled`
        follows when it has."""
        if self._child is not None:
            self._child.stop()

    def stop_now(self) -> None:
        """Stop a running child and wait for it (the owner is going away)."""
        child, self._child = self._child, None
        if child is not None:
            child.stop_now()
            child.deleteLater()

    def _ended(self, child: WiseChild, code: int, out: str, err: str, stopped: bool) -> None:
        if child is not self._child:
            return  # an earlier child, replaced or stopped
        self._child = None
        child.deleteLater()
        if stopped:
            self.cancelled.emit()
            return
        if code == 0:
            result = parse_document(out)
            if result is not None:
                self.finished.emit(result)
            else:
                self.failed.emit(f"{self._what.capitalize()} gave an answer Wise could not "
                                 "read.")
            return
        self.last_error = _error_document(out)
        reason = _json_error(out) or last_words(err)
        log.info("%s failed: %s", self._what, reason)
        self.failed.emit(f"{self._what.capitalize()} did not work: {reason}")


def _last_document(out: str) -> dict | None:
    """The JSON object a failed `--json` child printed on its last line, if any."""
    lines = out.strip().splitlines()
    try:
        data = json.loads(lines[-1]) if lines else None
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _error_document(out: str) -> dict | None:
    """The {"error": {...}} a failed `--json` child printed, if any."""
    error = (_last_document(out) or {}).get("error")
    return error if isinstance(error, dict) else None


def _json_error(out: str) -> str | None:
    """A failed `--json` child's own message ({"error": {...}} or {"message": ...})."""
    data = _last_document(out)
    if data is None:
        return None
    reason = data.get("message") or data.get("error")
    if isinstance(reason, dict):
        reason = reason.get("message")
    return reason if isinstance(reason, str) and reason else None


# ----------------------------------------------------------- waited on by a worker thread


class ChildFailed(RuntimeError):
    """A `wise` child failed; the message says which and why (its own words)."""


def run_wise(*args: str, timeout: float) -> dict[str, Any]:
    """Run `wise ARGS --json` in a child process with this environment; its JSON answer.
    Blocks: call it on a worker thread (ui.tasks.Background), never the GUI thread."""
    command = [*wise_command(), *args, "--json"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, encoding="utf-8",
                              errors="replace", env=dict(os.environ), timeout=timeout,
                              check=False, stdin=subprocess.DEVNULL,
                              # no console window flashing up on Windows
                              creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0)
                              if sys.platform == "win32" else 0)
    except subprocess.TimeoutExpired:
        raise ChildFailed(f"`wise {' '.join(args)}` took longer than {timeout:.0f} s") from None
    if done.returncode != 0:
        reason = _json_error(done.stdout) or last_words(done.stderr)
        raise ChildFailed(f"`wise {' '.join(args)}` failed (exit {done.returncode}): {reason}")
    result = parse_document(done.stdout)
    if result is None:
        raise ChildFailed(f"`wise {' '.join(args)}` gave no JSON")
    return result


def start_detached(argv: Sequence[str]) -> bool:
    """Start a helper program nobody waits for (its output and exit are not wanted); False
    when it could not be started. Never raises: such a program is never a reason to stop."""
    try:
        started = QProcess.startDetached(argv[0], list(argv[1:]))
    except Exception as exc:  # whatever the platform raises, the caller goes on
        log.info("%s not started: %s", argv[0], exc)
        return False
    return bool(started[0] if isinstance(started, tuple) else started)
