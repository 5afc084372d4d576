"""Re-take the README's sync screenshots: the Settings window's Sync section (light and
dark) with a folder set up by a real `wise sync setup` and synced once (its key in a
throwaway file keyring, never yours), and the tray menu with its sync line, rendered
offscreen.

    PYTHONPATH=. .venv/bin/python packaging/screenshots/sync.py

Writes packaging/screenshots/sync-settings-{light,dark}.png and tray-menu-sync.png.
"""

from __future__ import annotations

import subprocess
import sys

from shots import application, save, scratch_home, settle, themes


def main() -> int:
    scratch = scratch_home(home="home", keyring=True)
    home = scratch / "home"

    from app.launch import wise_command

    for args, stdin in ((["capture", "call mum about the trip"], None),
                        (["sync", "setup", "--folder", str(scratch / "Sync" / "Wise")],
                         "otter lantern quietly harbour\n"), (["sync", "now"], None)):
        subprocess.run([*wise_command(), *args], input=stdin, text=True, check=True,
                       capture_output=True)
    from ui.settings_window import SettingsWindow
    from ui.tray import WiseTray

    qapp = application()
    for theme in themes(qapp):
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
        save(window, f"sync-settings-{theme}.png", wait=0.3)
        window.hide()

    class Nothing:
        def __getattr__(self, _name):
            return lambda *_: None

    tray = WiseTray(Nothing())
    tray.set_sync_text("1 conflict to answer… (last sync 14:02)")
    menu = tray.contextMenu()
    menu.popup(menu.pos())
    save(menu, "tray-menu-sync.png", wait=0.3)
    menu.hide()
    return 0


if __name__ == "__main__":
    sys.exit(main())
