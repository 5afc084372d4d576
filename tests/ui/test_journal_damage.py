"""The tray checks the journal at start and after a failed write: a damaged journal turns the
icon's badge red, adds a menu item, and is told once in a calm notice."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

from app.journal import Context
from storage.capture_writer import CaptureRow, write_capture
from storage.integrity import clear_damage_mark, read_damage_mark
from storage.migrate import ensure_schema
from tests.helpers import damage_one_page
from ui.app import WiseApp
from ui.tray import WiseTray


def _notices(title: str) -> list[QMessageBox]:
    return [w for w in QApplication.topLevelWidgets()
            if isinstance(w, QMessageBox) and w.isVisible() and w.windowTitle() == title]


@pytest.fixture
def journal_db(wise_home: Path) -> Path:
    db = wise_home / "wise.db"
    ensure_schema(db, wise_home / "backups", keep_backups=3)
    write_capture(db, CaptureRow("note", "kept", "kept", (), None, None, None, "capture"),
                  datetime(2026, 11, 26, tzinfo=UTC))
    return db


@pytest.fixture
def tray_app(qtbot, wise_home: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(wise_home.parent))
    app = WiseApp(Context.from_environment(), log_path=str(wise_home / "logs" / "wise.log"))
    app.start()
    # Offscreen Qt has no system tray; the icon is still built and given the app's state.
    app.tray = WiseTray(app)
    yield app
    app.shutdown()
    app.tray.hide()
    for widget in QApplication.topLevelWidgets():
        widget.hide()


@pytest.mark.allow_warning_logs(r"^no system tray on this desktop: ", r"damaged")
def test_a_damaged_journal_is_found_at_start_and_shown(journal_db: Path, qtbot,
                                                      request: pytest.FixtureRequest) -> None:
    damage_one_page(journal_db)
    app = request.getfixturevalue("tray_app")
    qtbot.waitUntil(lambda: app._damage is not None, timeout=30_000)
    mark = read_damage_mark(journal_db)
    assert mark is not None and mark.found_by == "tray" and mark.problems
    assert app.tray.state.journal_damaged
    assert app.tray.damage_action.isVisible()
    assert len(_notices("Your journal is damaged")) == 1
    notice = _notices("Your journal is damaged")[0].text()
    assert "wise doctor" in notice and "backups are all kept" in notice

    # Another check (after a failed write, say) tells no second time; the menu item does.
    app.check_journal()
    qtbot.waitUntil(lambda: not app._health_check_running, timeout=30_000)
    assert len(_notices("Your journal is damaged")) == 1
    for box in _notices("Your journal is damaged"):
        box.close()
    app.tray.damage_action.trigger()
    assert len(_notices("Your journal is damaged")) == 1


@pytest.mark.allow_warning_logs(r"^no system tray on this desktop: ", r"damaged")
def test_a_mark_left_by_a_backup_in_a_child_is_shown_and_goes_when_cleared(
        journal_db: Path, qtbot, request: pytest.FixtureRequest) -> None:
    from storage.integrity import mark_damaged

    mark_damaged(journal_db, ["Page 9: btreeInitPage() returns error code 11"],
                 found_by="backup")  # as `wise maintenance` leaves it
    app = request.getfixturevalue("tray_app")
    qtbot.waitUntil(lambda: app._damage is not None, timeout=30_000)
    assert app.tray.state.journal_damaged
    clear_damage_mark(journal_db)  # `wise doctor` found the journal whole (restored)
    app.check_journal()
    qtbot.waitUntil(lambda: app._damage is None, timeout=30_000)
    assert not app.tray.state.journal_damaged
    assert not app.tray.damage_action.isVisible()


@pytest.mark.allow_warning_logs(r"^no system tray on this desktop: ", r"damaged")
def test_a_whole_journal_shows_nothing(journal_db: Path, qtbot,
                                       request: pytest.FixtureRequest) -> None:
    app = request.getfixturevalue("tray_app")
    qtbot.waitUntil(lambda: app.health_checks_done == 1, timeout=30_000)  # the one at start
    assert app._damage is None and not app.tray.state.journal_damaged
    assert read_damage_mark(journal_db) is None
    assert _notices("Your journal is damaged") == []
