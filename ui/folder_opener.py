"""Opening a folder in the desktop's file manager, and knowing when nothing opened it.

QDesktopServices only says whether xdg-open could be started, not whether anything then
opened the folder (with no file manager, xdg-open exits 3 and nothing shows). So on Linux
and the BSDs xdg-open runs here, waited for on a thread of its own, and its exit code is
the answer.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
from pathlib import Path

from PySide6.QtCore import QObject, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices

OPEN_WAIT_S = 10  # still running after this: a file manager has the folder (some stay
                  # in the foreground until closed), so it is left to run on its own


def open_with_xdg_open(folder: Path, left_running: list[subprocess.Popen]) -> bool:
    """True when the desktop took the folder: xdg-open exited 0, or is still busy with it
    (then it is added to `left_running`). False when there is no xdg-open, or it found
    nothing to open a folder with."""
    opener = shutil.which("xdg-open")
    if opener is None:
        return False
    try:
        process = subprocess.Popen(
            [opener, str(folder)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True)  # outlives a quitting tray
    except OSError:
        return False
    try:
        return process.wait(timeout=OPEN_WAIT_S) == 0
    except subprocess.TimeoutExpired:
        left_running.append(process)
        return True


class FolderOpener(QObject):
    """`open(folder)`; `answered(folder, opened)` follows on the GUI thread."""

    answered = Signal(str, bool)
    _waited = Signal(str, bool)  # emitted on the waiting thread

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._left_running: list[subprocess.Popen] = []  # kept: none is reported leaked
        # To a slot of this object, which lives on the GUI thread: Qt queues the call there.
        self._waited.connect(self._answer)

    @Slot(str, bool)
    def _answer(self, folder: str, opened: bool) -> None:
        self.answered.emit(folder, opened)

    def open(self, folder: Path) -> None:
        if not sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
            self.answered.emit(str(folder),
                               QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))))
            return

        def wait() -> None:
            self._waited.emit(str(folder), open_with_xdg_open(folder, self._left_running))

        # A daemon thread: a quit while xdg-open is still deciding is not held up by it.
        threading.Thread(target=wait, name="wise-folder-opener", daemon=True).start()
