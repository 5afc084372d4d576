"""`wise` children driven through QProcess: nothing waits, the event loop keeps running.

Model work (a reflection, the exact messages, a capture through the capture language) runs
in a `wise` child process so the tray never loads the ORM, the prompts or litellm; the
window reads what the child prints as it arrives.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence

from PySide6.QtCore import QObject, QProcess, QTimer, Signal

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
