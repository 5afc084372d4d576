"""A `wise ... --json` child process read through QProcess: the event loop never waits on
it, and Cancel is a SIGTERM, which makes the child cancel its model call cleanly."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, QProcess, QTimer, Signal

log = logging.getLogger(__name__)

KILL_AFTER_MS = 3000  # a child that ignores SIGTERM this long is killed


class JsonChild(QObject):
    """Runs one child at a time. `finished(dict)` carries its JSON output; `failed(str)` a
    sentence for the user; `cancelled()` follows `cancel()`."""

    finished = Signal(object)
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, command: Callable[[], list[str]], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._command = command
        self._process: QProcess | None = None
        self._out = bytearray()
        self._err = bytearray()
        self._cancelling = False
        self._what = ""

    def is_running(self) -> bool:
        return self._process is not None

    def start(self, args: Sequence[str], *, what: str) -> None:
        """Start `wise ARGS --json`; `what` names it in messages ("the break-down")."""
        self.stop_now()
        argv = [*self._command(), *args, "--json"]
        process = QProcess(self)
        process.setProcessChannelMode(QProcess.ProcessChannelMode.SeparateChannels)
        process.readyReadStandardOutput.connect(self._read_out)
        process.readyReadStandardError.connect(self._read_err)
        process.finished.connect(self._finished)
        process.errorOccurred.connect(self._error)
        self._process, self._out, self._err = process, bytearray(), bytearray()
        self._cancelling, self._what = False, what
        process.start(argv[0], argv[1:])
        process.closeWriteChannel()  # it reads nothing from us

    def cancel(self) -> None:
        """Ask the child to stop (SIGTERM); `cancelled` follows when it has."""
        process = self._process
        if process is None:
            return
        self._cancelling = True
        process.terminate()
        # Killed if it does not go in time; a finished process makes this a no-op.
        QTimer.singleShot(KILL_AFTER_MS, self, lambda p=process: self._kill_if_running(p))

    def stop_now(self) -> None:
        """Stop a running child and wait for it (the owner is going away)."""
        process, self._process = self._process, None
        if process is None:
            return
        for signal in (process.finished, process.errorOccurred,
                       process.readyReadStandardOutput, process.readyReadStandardError):
            signal.disconnect()
        if process.state() != QProcess.ProcessState.NotRunning:
            process.terminate()
            if not process.waitForFinished(KILL_AFTER_MS):
                process.kill()
                process.waitForFinished(KILL_AFTER_MS)
        process.deleteLater()

    def _kill_if_running(self, process: QProcess) -> None:
        if process is self._process and process.state() != QProcess.ProcessState.NotRunning:
            process.kill()

    def _read_out(self) -> None:
        if self._process is not None:
            self._out += bytes(self._process.readAllStandardOutput().data())

    def _read_err(self) -> None:
        if self._process is not None:
            self._err += bytes(self._process.readAllStandardError().data())

    def _error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart and self._process is not None:
            process, self._process = self._process, None
            process.deleteLater()
            log.error("could not start %s: %s", self._what, process.errorString())
            self.failed.emit(f"Wise could not start {self._what}: {process.errorString()}")

    def _finished(self, code: int, status: QProcess.ExitStatus) -> None:
        self._read_out()
        self._read_err()
        process, self._process = self._process, None
        if process is not None:
            process.deleteLater()
        if self._cancelling:
            self.cancelled.emit()
            return
        text = self._out.decode("utf-8", "replace").strip()
        if code == 0 and status == QProcess.ExitStatus.NormalExit:
            try:
                result = json.loads(text)
            except ValueError:
                result = None
            if isinstance(result, dict):
                self.finished.emit(result)
                return
            self.failed.emit(f"{self._what.capitalize()} gave an answer Wise could not read.")
            return
        self.failed.emit(self._failure_message(text))

    def _failure_message(self, out: str) -> str:
        # A child that failed says why: a JSON error on stdout, or its last stderr line.
        try:
            data = json.loads(out.splitlines()[-1]) if out else None
        except ValueError:
            data = None
        if isinstance(data, dict) and (data.get("message") or data.get("error")):
            reason = data.get("message") or data.get("error")
            if isinstance(reason, dict):
                reason = reason.get("message")
        else:
            lines = self._err.decode("utf-8", "replace").strip().splitlines()
            reason = lines[-1] if lines else "it stopped without saying why"
        log.info("%s failed: %s", self._what, reason)
        return f"{self._what.capitalize()} did not work: {reason}"
