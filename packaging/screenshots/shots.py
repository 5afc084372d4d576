"""What the screenshot scripts here share: a throwaway Wise home, the offscreen Qt
application, the light and the dark look, a pause for the event loop, and a widget's
picture saved here. (take.sh and focus_tray.sh photograph a real X screen with grab.py.)

A script run as `PYTHONPATH=. .venv/bin/python packaging/screenshots/NAME.py` imports this
module as `shots` (Python puts the script's folder first on its path). WISE_SHOTS_OUT
names another folder for the pictures, to compare them with the committed ones.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = Path(os.environ.get("WISE_SHOTS_OUT") or HERE)
ROOT = HERE.parents[1]
SIZE = (1100, 720)  # the ritual windows' default size


def scratch_home(*, home: str | None = None, keyring: bool = False) -> Path:
    """A new throwaway folder: WISE_HOME is it (or its subfolder `home`), Qt draws
    offscreen, and `wise` children find this checkout. With `keyring`, keys go to a file
    keyring in the folder (tests/keyring_backend.py), never to the user's."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    scratch = Path(tempfile.mkdtemp(prefix="wise-shots-"))
    os.environ["WISE_HOME"] = str(scratch / home if home else scratch)
    os.environ["PYTHONPATH"] = str(ROOT)
    if keyring:
        os.environ.update(PYTHON_KEYRING_BACKEND="tests.keyring_backend.FileKeyring",
                          WISE_TEST_KEYRING_FILE=str(scratch / "keyring.json"))
    return scratch


def application():
    """The QApplication (made once), in Fusion: the look most Linux desktops hand Qt."""
    from PySide6.QtWidgets import QApplication, QStyleFactory

    qapp = QApplication.instance() or QApplication([sys.argv[0]])
    qapp.setStyle(QStyleFactory.create("Fusion"))
    return qapp


def themes(qapp) -> Iterator[str]:
    """"light", then "dark", with the application's palette set to each; light again
    after the loop."""
    light = qapp.palette()
    try:
        for theme, palette in (("light", light), ("dark", dark_palette())):
            qapp.setPalette(palette)
            yield theme
    finally:
        qapp.setPalette(light)


def dark_palette():
    """A plain dark palette, as a desktop's dark theme hands it to Qt."""
    from PySide6.QtGui import QColor, QPalette

    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: "#26282b", QPalette.ColorRole.WindowText: "#e6e6e6",
        QPalette.ColorRole.Base: "#1e1f22", QPalette.ColorRole.AlternateBase: "#2b2d31",
        QPalette.ColorRole.Text: "#e6e6e6", QPalette.ColorRole.Button: "#33363a",
        QPalette.ColorRole.ButtonText: "#e6e6e6", QPalette.ColorRole.Highlight: "#3d7fd6",
        QPalette.ColorRole.HighlightedText: "#ffffff", QPalette.ColorRole.ToolTipBase: "#33363a",
        QPalette.ColorRole.ToolTipText: "#e6e6e6", QPalette.ColorRole.PlaceholderText: "#8a8d91",
        QPalette.ColorRole.Link: "#6ea8ff", QPalette.ColorRole.Mid: "#4a4d52",
        QPalette.ColorRole.Dark: "#18191b", QPalette.ColorRole.Light: "#4a4d52",
        QPalette.ColorRole.Midlight: "#3a3d41", QPalette.ColorRole.Shadow: "#000000",
    }
    for role, colour in roles.items():
        palette.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text,
                 QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#7a7d81"))
    return palette


def settle(qapp, seconds: float) -> None:
    """Let the event loop run for a while: layouts, background answers, animations."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        qapp.processEvents()
        time.sleep(0.01)


def save(widget, name: str, *, wait: float = 0.0, out: Path | None = None) -> None:
    """The widget as it looks now (after `wait` seconds of the event loop), saved as
    `name` in the pictures' folder."""
    if wait:
        settle(application(), wait)
    widget.grab().save(str((out or OUT) / name))


def ritual_runner(db: Path, background) -> Callable:
    """What the reflection and review windows are given to write with: the work runs on
    `background`'s thread with one journal writer, made there on first use."""
    from storage.ritual_writes import RitualWriter

    holder: dict = {}

    def run(work, on_success, on_error):
        def job():
            holder.setdefault("writer", RitualWriter(db))
            return work(holder["writer"])
        background.run(job, on_success=on_success, on_error=on_error)
    return run
