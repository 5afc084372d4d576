"""The tray syncs in the background through a real `wise sync now` child: soon after a
change, never on the GUI thread, and its menu line says when it last did and how many
conflicts wait; a sync that cannot run says so in the menu and the log."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from app.journal import Context
from ui.app import WiseApp
from ui.sync_loop import TraySync, menu_text
from ui.tray import WiseTray

pytestmark = pytest.mark.allow_warning_logs(r"^no system tray on this desktop: ",
                                            r"^sync failed: ")
SLOW_MS = 60_000


@pytest.fixture
def wise(qtbot, wise_home: Path, monkeypatch: pytest.MonkeyPatch, file_keyring: Path):
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(wise_home.parent))
    app = WiseApp(Context.from_environment(), log_path=str(wise_home / "logs" / "wise.log"))
    app.start()
    yield app
    app.shutdown()
    QApplication.processEvents()
    for widget in QApplication.topLevelWidgets():
        widget.hide()


def test_menu_line_words() -> None:
    assert menu_text(configured=False, running=False, last=None, conflicts=0,
                     problem=None) == "Sync: not set up"
    assert menu_text(configured=True, running=True, last=None, conflicts=0,
                     problem=None) == "Syncing…"
    assert menu_text(configured=True, running=False, last=datetime(2026, 11, 26, 14, 2),
                     conflicts=2, problem=None) == (
        "2 conflicts to answer… (last sync 14:02)")
    assert menu_text(configured=True, running=False, last=None, conflicts=1,
                     problem=None) == "1 conflict to answer…"
    assert menu_text(configured=True, running=False, last=datetime(2026, 11, 26, 14, 2),
                     conflicts=0, problem=None) == "Sync now (last 14:02)"
    assert menu_text(configured=True, running=False, last=None, conflicts=0,
                     problem="no folder") == "Sync now (last sync failed)"


def test_a_capture_is_synced_soon_after_without_the_gui_waiting(wise, qtbot,
                                                                wise_home: Path,
                                                                tmp_path: Path) -> None:
    folder = tmp_path / "Sync"
    done = subprocess.run([sys.executable, "-m", "app.cli.main", "sync", "setup", "--folder",
                           str(folder)], input="correct horse battery\n", text=True,
                          capture_output=True, check=False)
    assert done.returncode == 0, done.stderr
    qtbot.waitUntil(lambda: wise.sync is not None and wise.sync.configured, timeout=SLOW_MS)
    menu = WiseTray(wise)  # offscreen has no tray icon: its menu, on the same app
    sync = TraySync(wise, after_change_ms=100, after_wake_ms=100)
    sync.changed_state.connect(menu.set_sync_text)
    wise.sync.stop()
    wise.sync = sync
    try:
        sync.configure()
        qtbot.waitUntil(lambda: menu.sync_action.text().startswith("Sync now (last"),
                        timeout=SLOW_MS)
        sent_before = len(list(folder.rglob("*.wsb")))
        wise.submit_capture_from_window("captured in the tray #synced")
        qtbot.waitUntil(lambda: len(list(folder.rglob("*.wsb"))) > sent_before,
                        timeout=SLOW_MS)
        assert menu.sync_action.isVisible()
        qtbot.waitUntil(lambda: menu.sync_action.isEnabled(), timeout=SLOW_MS)
        # The folder disappears: the next sync fails and the menu says so.
        for path in sorted(folder.rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
        folder.rmdir()
        folder.write_text("not a folder")
        menu.sync_action.trigger()
        qtbot.waitUntil(lambda: menu.sync_action.text() == "Sync now (last sync failed)",
                        timeout=SLOW_MS)
    finally:
        sync.stop()
        menu.hide()
