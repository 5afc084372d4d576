"""Re-take the README's sync screenshots: the Settings window's Sync section (light and
dark) with a folder set up by a real `wise sync setup` and synced once (its key in a
throwaway file keyring, never yours), and the tray menu with its sync line, rendered
offscreen.

    PYTHONPATH=. .venv/bin/python packaging/screenshots/sync.py

Writes packaging/screenshots/sync-settings-{light,dark}.png and tray-menu-sync.png.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

OUT = Path(__file__).resolve().parent


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    scratch = Path(tempfile.mkdtemp(prefix="wise-shots-"))
    home = scratch / "home"
    os.environ.update(WISE_HOME=str(home), PYTHONPATH=str(OUT.parents[1]),
                      PYTHON_KEYRING_BACKEND="tests.keyring_backend.FileKeyring",
                      WISE_TEST_KEYRING_FILE=str(scratch / "keyring.json"))
    import subprocess

    from app.launch import wise_command

    for args, stdin in ((["capture", "call mum about the trip"], None),
                        (["sync", "setup", "--folder", str(scratch / "Sync" / "Wise")],
                         "otter lantern quietly harbour\n"), (["sync", "now"], None)):
        subprocess.run([*wise_command(), *args], input=stdin, text=True, check=True,
                       capture_output=True)
    sys.path.insert(0, str(OUT))
    from PySide6.QtWidgets import QApplication
    from windows import dark_palette, settle

    from ui.settings_window import SettingsWindow
    from ui.tray import WiseTray

    qapp = QApplication.instance() or QApplication(sys.argv)
    light = qapp.palette()
    for theme, palette in (("light", light), ("dark", dark_palette())):
        qapp.setPalette(palette)
        window = SettingsWindow(home / "settings.toml")
        window.resize(720, 640)
        window.reload()
        window.show()
        assert window.sync_panel is not None
        while window.sync_panel.status_child.is_running():
            settle(qapp, 0.1)
        settle(qapp, 0.3)
        heading = next(label for label in window.findChildren(type(window._banner_text))
                       if label.text() == "Sync across devices")
        window._scroll.ensureWidgetVisible(heading, 0, 10)
        scroll = window._scroll.verticalScrollBar()
        scroll.setValue(heading.mapTo(window._page, heading.rect().topLeft()).y() - 10)
        settle(qapp, 0.3)
        window.grab().save(str(OUT / f"sync-settings-{theme}.png"))
        window.hide()
    qapp.setPalette(light)

    class Nothing:
        def __getattr__(self, _name):
            return lambda *_: None

    tray = WiseTray(Nothing())
    tray.set_sync_text("1 conflict to answer… (last sync 14:02)")
    menu = tray.contextMenu()
    menu.popup(menu.pos())
    settle(qapp, 0.3)
    menu.grab().save(str(OUT / "tray-menu-sync.png"))
    menu.hide()
    return 0


if __name__ == "__main__":
    sys.exit(main())
