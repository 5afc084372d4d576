"""Crash handling: an unexpected exception is logged and shown once while the app keeps
running; SIGINT and SIGTERM quit cleanly through the Qt event loop (drafts are saved)."""

from __future__ import annotations

import contextlib
import logging
import signal
import socket
import sys
import traceback
from collections.abc import Callable
from types import TracebackType

from PySide6.QtCore import QObject, QSocketNotifier, Qt, QTimer
from PySide6.QtWidgets import QMessageBox

log = logging.getLogger(__name__)


class CrashHandler(QObject):
    def __init__(self, on_quit: Callable[[], None], log_path: str,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._on_quit = on_quit
        self._log_path = log_path
        self._shown = False
        self._dialog: QMessageBox | None = None
        self._notifier: QSocketNotifier | None = None
        self._sockets: tuple[socket.socket, socket.socket] | None = None

    def install(self) -> None:
        sys.excepthook = self._excepthook
        self._install_signal_handlers()

    def _excepthook(self, kind: type[BaseException], value: BaseException,
                    tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            self._on_quit()
            return
        log.error("unexpected error:\n%s", "".join(traceback.format_exception(kind, value, tb)))
        if not self._shown:  # once: a repeating error must not become a storm of dialogs
            self._shown = True
            box = QMessageBox(QMessageBox.Icon.Warning, "Wise hit a problem",
                              "Something went wrong inside Wise. It keeps running, and your "
                              "text is safe.\n\nDetails were written to the log:\n"
                              f"{self._log_path}")
            box.setModal(False)
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            # Held here: a parentless dialog whose Python wrapper dies is deleted at once.
            self._dialog = box
            box.show()

    def _install_signal_handlers(self) -> None:
        # A signal interrupts Python only when the interpreter runs; inside Qt's C++ loop
        # it would wait for the next Python call. The wakeup fd makes Qt notice at once.
        reader, writer = socket.socketpair()
        reader.setblocking(False)
        writer.setblocking(False)
        self._sockets = (reader, writer)
        signal.set_wakeup_fd(writer.fileno())
        self._notifier = QSocketNotifier(reader.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._drain)
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self._on_signal)

    def _drain(self) -> None:
        assert self._sockets is not None
        with contextlib.suppress(BlockingIOError):
            self._sockets[0].recv(64)

    def _on_signal(self, signum: int, _frame: object) -> None:
        log.info("received %s: quitting", signal.Signals(signum).name)
        QTimer.singleShot(0, self._on_quit)

    def uninstall(self) -> None:
        signal.set_wakeup_fd(-1)
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, signal.SIG_DFL if signum == signal.SIGTERM
                          else signal.default_int_handler)
        if self._notifier is not None:
            self._notifier.setEnabled(False)
            self._notifier = None
        if self._sockets is not None:
            for sock in self._sockets:
                sock.close()
            self._sockets = None
        sys.excepthook = sys.__excepthook__
