"""Focus through the assembled tray app: a session started from the CLI shows at once, a
nudge's "Start 2 min" starts its step, Ctrl+Enter in quick capture saves and starts, 5 more
minutes extends, Done ticks the step, and `wise today` shows the minutes."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

pytestmark = pytest.mark.allow_warning_logs(r"^no system tray on this desktop: ")


def _in_thread(qtbot, work):
    """Run a blocking call (a `wise` child) while the tray's event loop keeps answering."""
    box: dict = {}
    thread = threading.Thread(target=lambda: box.setdefault("result", work()))
    thread.start()
    qtbot.waitUntil(lambda: not thread.is_alive(), timeout=30000)
    return box["result"]


def test_a_session_started_from_the_cli_shows_at_once(tray_app, qtbot, wise) -> None:
    qtbot.waitUntil(lambda: tray_app.focus is not None, timeout=15000)
    started = _in_thread(qtbot, lambda: wise("focus", "start", "water", "the", "plants"))
    assert started.code == 0, started.err
    qtbot.waitUntil(lambda: tray_app.focus.session is not None, timeout=15000)
    assert tray_app.focus.session.title == "water the plants"
    assert tray_app.focus.window().isVisible()
    stopped = _in_thread(qtbot, lambda: wise("focus", "stop"))
    assert stopped.code == 0
    qtbot.waitUntil(lambda: tray_app.focus.session is None, timeout=15000)


def test_start_2_min_on_a_nudge_then_more_time_then_done(tray_app, qtbot, wise,
                                                        wise_home: Path) -> None:
    assert wise("capture", "[ ] write the intro ~10m").code == 0
    conn = sqlite3.connect(wise_home / "wise.db")
    nudge = conn.execute(
        "INSERT INTO nudges (created_at, action_id, text, style, hour_bucket, reason, source) "
        "VALUES ('2026-12-04 09:00:00.000000', 1, 'Two minutes on the intro?', 'plain', 9, "
        "'due', 'plain')").lastrowid
    conn.commit()
    qtbot.waitUntil(lambda: tray_app.rhythm is not None and tray_app.focus is not None)
    notifier = tray_app.rhythm.notifier
    notifier.show_nudge(nudge, "Wise", "Two minutes on the intro?")
    notifier.answer(nudge, "started")
    qtbot.waitUntil(lambda: tray_app.focus.session is not None, timeout=15000)
    session = tray_app.focus.session
    assert (session.action_id, session.nudge_id, session.planned_seconds) == (1, nudge, 120)
    assert tray_app.is_busy()  # no nudge while a session runs
    assert conn.execute("SELECT response FROM nudges WHERE id = ?", (nudge,)).fetchone() == (
        "started",)
    window = tray_app.focus.window()
    window.more_button.click()  # as the end check-in offers
    qtbot.waitUntil(lambda: tray_app.focus.session.planned_seconds > 120, timeout=15000)
    window.done_button.click()
    qtbot.waitUntil(lambda: tray_app.focus.session is None, timeout=15000)
    assert conn.execute("SELECT status FROM actions WHERE id = 1").fetchone() == ("done",)
    conn.close()
    today = _in_thread(qtbot, lambda: wise("today", "--json")).json()
    assert [s["title"] for s in today["focus"]["steps"]] == ["write the intro"]


def test_ctrl_enter_in_quick_capture_saves_and_starts(tray_app, qtbot) -> None:
    tray_app.show_capture()
    tray_app.capture_window.box.setPlainText("[ ] tidy the desk ~5m")
    from PySide6.QtCore import Qt

    qtbot.keyClick(tray_app.capture_window.box, Qt.Key.Key_Return,
                   Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not tray_app.capture_window.isVisible(), timeout=15000)  # saved
    qtbot.waitUntil(lambda: tray_app.focus.session is not None, timeout=15000)
    assert (tray_app.focus.session.title, tray_app.focus.session.planned_seconds) == (
        "tidy the desk", 300)
