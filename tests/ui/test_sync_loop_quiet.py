"""The tray's sync loop stays quiet where sync is named in the settings but never set up
(no warning every few minutes), and runs nothing once stopped."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from app.journal import Context
from app.settings.store import write_settings
from ui.app import WiseApp
from ui.sync_loop import TraySync

pytestmark = pytest.mark.allow_warning_logs(r"^no system tray on this desktop: ")
SLOW_MS = 60_000


@pytest.fixture
def wise(qtbot, wise_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
         file_keyring: Path):
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(wise_home.parent))
    wise_home.mkdir(parents=True, exist_ok=True)
    write_settings(wise_home / "settings.toml", {"sync.folder": str(tmp_path / "Sync")})
    app = WiseApp(Context.from_environment(), log_path=str(wise_home / "logs" / "wise.log"))
    app.start()
    yield app
    app.shutdown()
    QApplication.processEvents()
    for widget in QApplication.topLevelWidgets():
        widget.hide()


def test_a_folder_never_set_up_is_not_warned_about(wise, qtbot, caplog) -> None:
    sync = TraySync(wise, after_change_ms=100, after_wake_ms=100)
    assert sync.configured
    sync.configure()
    qtbot.waitUntil(lambda: sync._problem is not None, timeout=SLOW_MS)
    assert "not set up" in sync._problem
    assert not [r for r in caplog.records if r.levelname == "WARNING"
                and r.name == "ui.sync_loop"]
    assert not sync._interval.isActive() and not sync._soon.isActive()
    sync.stop()


def test_nothing_runs_after_stop(wise, qtbot) -> None:
    sync = TraySync(wise, after_change_ms=100, after_wake_ms=100)
    sync.stop()
    sync.configure()
    sync.changed()
    sync.sync_now()
    assert not sync._running
    assert not sync._interval.isActive() and not sync._soon.isActive()
