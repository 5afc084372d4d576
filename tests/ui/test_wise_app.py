"""The tray app assembled in-process: no tray on offscreen, so the fallback window; captures
from the window and from the socket; pause state; crash handling."""

from __future__ import annotations

import sqlite3
import sys
import threading
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

from app.ipc.client import TrayClient
from app.journal import Context
from app.state import load_state
from ui.app import WiseApp


@pytest.fixture
def wise(qtbot, wise_home: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(wise_home.parent))
    app = WiseApp(Context.from_environment(), log_path=str(wise_home / "logs" / "wise.log"))
    app.start()
    qtbot.addWidget(app.capture_window)
    yield app
    app.shutdown()
    for widget in QApplication.topLevelWidgets():
        widget.hide()


def in_thread(work):
    """Run a blocking client call beside the Qt event loop that must answer it."""
    box: dict = {}
    thread = threading.Thread(target=lambda: box.setdefault("value", work()))
    thread.start()
    return thread, box


def entries(home: Path) -> list[str]:
    conn = sqlite3.connect(home / "wise.db")
    try:
        return [text for (text,) in conn.execute("SELECT text FROM entries ORDER BY id")]
    finally:
        conn.close()


@pytest.mark.allow_warning_logs  # "no system tray" is logged as a warning, on purpose
def test_without_a_tray_the_fallback_window_shows(wise) -> None:
    assert wise.tray is None
    assert wise.fallback.isVisible()
    from PySide6.QtWidgets import QLabel

    words = " ".join(label.text() for label in wise.fallback.findChildren(QLabel))
    assert "no tray icons" in words and "wise capture" in words


@pytest.mark.allow_warning_logs
def test_window_capture_is_committed_and_confirmed(wise, qtbot, wise_home: Path) -> None:
    wise.show_capture()
    wise.capture_window.box.setPlainText("a thought from the window")
    with qtbot.waitSignal(wise.capture_window.submitted):
        qtbot.keyClick(wise.capture_window.box, "\r")
    qtbot.waitUntil(lambda: not wise.capture_window.isVisible(), timeout=5000)
    assert entries(wise_home) == ["a thought from the window"]


@pytest.mark.allow_warning_logs
def test_socket_capture_and_ping(wise, qtbot, wise_home: Path) -> None:
    client = TrayClient(wise.ipc.path)
    thread, box = in_thread(lambda: client.request({"cmd": "capture", "text": "via socket"}))
    qtbot.waitUntil(lambda: not thread.is_alive(), timeout=10000)
    assert box["value"]["summary"].startswith("note 1: via socket")
    assert entries(wise_home) == ["via socket"]
    thread, box = in_thread(lambda: client.request({"cmd": "ping"}))
    qtbot.waitUntil(lambda: not thread.is_alive(), timeout=5000)
    assert box["value"]["pid"] > 0


@pytest.mark.allow_warning_logs
def test_pause_and_resume_nudges(wise, wise_home: Path) -> None:
    from app.daytime import local_now

    wise.pause_nudges_for_an_hour()
    assert load_state(wise_home / "state.json").nudges_paused(local_now())
    wise.resume_nudges()
    assert not load_state(wise_home / "state.json").nudges_paused(local_now())


@pytest.mark.allow_warning_logs
@pytest.mark.parametrize(("evening", "resumes"), [
    ("2026-03-28 22:00", "2026-03-29T04:00:00+02:00"),  # clocks go forward that night
    ("2026-10-24 22:00", "2026-10-25T04:00:00+01:00"),  # and back
    ("2026-10-25 01:30", "2026-10-25T04:00:00+01:00"),  # after midnight: still "today"
])
def test_until_tomorrow_means_the_day_start_hour_even_across_a_dst_change(
        in_zone, clock_at, wise, wise_home: Path, evening: str, resumes: str) -> None:
    from datetime import datetime

    berlin = in_zone("Europe/Berlin")
    clock_at(datetime.fromisoformat(evening).replace(tzinfo=berlin))
    wise.pause_nudges_until_tomorrow()
    assert load_state(wise_home / "state.json").nudges_paused_until == resumes


def visible_boxes() -> list[QMessageBox]:
    return [w for w in QApplication.topLevelWidgets()
            if isinstance(w, QMessageBox) and w.isVisible()]


@pytest.mark.allow_warning_logs
def test_todays_reflection_opens_the_reflection_window_on_today(wise, qtbot,
                                                                wise_home: Path) -> None:
    from app.daytime import journal_day, local_now

    wise.set_reflection_waiting(True)
    wise.show_reflection()
    window = wise._reflection_window
    qtbot.waitUntil(lambda: window.loaded_day() is not None, timeout=15000)
    assert window.isVisible()
    assert window.loaded_day() == journal_day(local_now(), wise.context.day_start_hour)
    assert not wise._reflection_waiting  # opening it is answering the invitation
    wise.show_reflection()  # again: the same window, brought forward
    assert wise._reflection_window is window


@pytest.mark.allow_warning_logs
def test_the_reflection_windows_words_are_saved_at_quit(wise, qtbot, wise_home: Path) -> None:
    wise.show_reflection()
    window = wise._reflection_window
    qtbot.waitUntil(lambda: window.loaded_day() is not None, timeout=15000)
    window.words.how.setPlainText("a long day, but the walk helped")
    wise._save_everything()  # what aboutToQuit runs
    conn = sqlite3.connect(wise_home / "wise.db")
    try:
        saved = conn.execute("SELECT how_it_went FROM day_words").fetchall()
    finally:
        conn.close()
    assert saved == [("a long day, but the walk helped",)]


@pytest.mark.allow_warning_logs
def test_goal_review_opens_the_review_window(wise, qtbot) -> None:
    wise.show_review()
    assert wise._review_window.isVisible()
    wise._save_everything()  # at quit, with both kinds of window open
    wise.show_reflection()
    wise._save_everything()


@pytest.mark.allow_warning_logs
def test_an_unexpected_error_is_logged_and_shown_once(wise, qtbot, wise_home: Path) -> None:
    for _ in range(3):
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            # pytest-qt swaps sys.excepthook during a test; call the one Wise installed.
            wise.crash._excepthook(*sys.exc_info())
    boxes = [w for w in QApplication.topLevelWidgets()
             if isinstance(w, QMessageBox) and w.isVisible() and "problem" in w.windowTitle()]
    assert len(boxes) == 1
    assert "your text is safe" in boxes[0].text()
    assert wise.capture_window is not None  # still running


@pytest.mark.allow_warning_logs
def test_quit_keeps_the_draft(wise, qtbot, wise_home: Path) -> None:
    wise.show_capture()
    wise.capture_window.box.setPlainText("half a thought")
    wise._save_everything()
    assert (wise_home / "draft.txt").read_text(encoding="utf-8") == "half a thought"


@pytest.mark.allow_warning_logs
def test_the_rhythm_runs_and_its_work_goes_to_child_processes(
        wise, qtbot, monkeypatch: pytest.MonkeyPatch) -> None:
    import ui.rhythm

    qtbot.waitUntil(lambda: wise.rhythm is not None and wise.rhythm._rhythm is not None,
                    timeout=10_000)
    assert {job.id for job in wise.rhythm.jobs()} >= {"nudge_tick", "nightly_maintenance"}
    calls: list[tuple] = []

    def fake_run_wise(*args: str, timeout: float) -> dict:
        calls.append((args, threading.current_thread() is threading.main_thread()))
        if args[:2] == ("nudge", "--tick"):
            return {"nudge_id": 7, "title": "call mum", "text": "Two minutes?", "reason": "x"}
        return {}

    monkeypatch.setattr(ui.rhythm, "run_wise", fake_run_wise)
    wise.rhythm._nudge_tick()
    qtbot.waitUntil(lambda: [n.nudge_id for n in wise.rhythm.notifier.pending()] == [7])
    wise.rhythm._on_response(7, "done")
    wise.rhythm._maintenance()
    qtbot.waitUntil(lambda: len(calls) == 3)
    assert [args for args, _ in calls] == [("nudge", "--tick"),
                                           ("nudge", "--respond", "7", "done"),
                                           ("maintenance",)]
    assert not any(on_gui for _, on_gui in calls)  # never on the GUI thread


@pytest.mark.allow_warning_logs
def test_a_snoozed_nudge_comes_back_with_its_own_words(wise, qtbot) -> None:
    rhythm = wise.rhythm
    rhythm._show_nudge({"nudge_id": 7, "title": "call mum", "text": "Two minutes: find the "
                                                                   "number?"})
    rhythm.notifier.answer(7, "snooze")  # as the button does: the notifier forgets it
    assert 7 not in {n.nudge_id for n in rhythm.notifier.pending()}
    rhythm._snooze(7)
    rhythm._snoozed[7].timeout.emit()  # the 15 minutes are up
    [back] = [n for n in rhythm.notifier.pending() if n.nudge_id == 7]
    assert (back.title, back.text) == ("call mum", "Two minutes: find the number?")


@pytest.mark.allow_warning_logs
def test_wise_config_set_takes_effect_in_the_running_tray(wise, qtbot, wise_home: Path) -> None:
    import subprocess

    qtbot.waitUntil(lambda: wise._settings_watcher is not None, timeout=5000)
    assert wise.context.settings.get("schedule.checkin_time") == "09:00"
    done = subprocess.run([sys.executable, "-m", "app.cli.main", "config", "set",
                           "schedule.checkin_time", "07:30"], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
    qtbot.waitUntil(lambda: wise.context.settings.get("schedule.checkin_time") == "07:30",
                    timeout=10_000)


@pytest.mark.allow_warning_logs
def test_no_nudge_interrupts_reflecting(wise, qtbot) -> None:
    assert not wise.is_busy()
    wise.show_reflection()
    window = wise._reflection_window
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    assert wise.is_busy()
    window.hide()
    assert not wise.is_busy()


@pytest.mark.allow_warning_logs
def test_opening_a_nudge_opens_its_goal_in_goal_review(wise, qtbot, wise_home: Path) -> None:
    import json
    import subprocess

    add = subprocess.run([sys.executable, "-m", "app.cli.main", "goals", "add", "Family",
                          "--json"], capture_output=True, text=True, check=True)
    goal_id = json.loads(add.stdout)["id"]
    rhythm = wise.rhythm
    rhythm._show_nudge({"nudge_id": 3, "title": "call mum", "text": "Two minutes?",
                        "goal_id": goal_id})
    rhythm._on_response(3, "opened")
    window = wise._review_window
    assert window is not None and window.isVisible()
    qtbot.waitUntil(lambda: window.goal_page.goal_id == goal_id, timeout=10_000)
