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
from app.state import load_state

# Offscreen there is no system tray: the app says so, on purpose, and shows its fallback.
pytestmark = pytest.mark.allow_warning_logs(r"^no system tray on this desktop: ")

# A wait that includes a `wise` child (the first start migrates the journal in one) or the
# scheduler's start: seconds on a loaded machine. The waits end as soon as they can.
SLOW_MS = 60_000


@pytest.fixture
def wise(tray_app):
    return tray_app


def children_done(wise) -> None:
    """The `wise` children this test started have exited and their answers have landed
    (here, not in the next test's event loop)."""
    assert wise.children.wait(SLOW_MS * 2)
    QApplication.processEvents()


def in_thread(work):
    """Run a blocking client call beside the Qt event loop that must answer it."""
    box: dict = {}

    def run() -> None:
        try:
            box["value"] = work()
        except Exception as exc:  # shown by the test's assertion, not lost in the thread
            box["value"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    return thread, box


def entries(home: Path) -> list[str]:
    conn = sqlite3.connect(home / "wise.db")
    try:
        return [text for (text,) in conn.execute("SELECT text FROM entries ORDER BY id")]
    finally:
        conn.close()


def test_without_a_tray_the_fallback_window_shows(wise) -> None:
    assert wise.tray is None
    assert wise.fallback.isVisible()
    from PySide6.QtWidgets import QLabel

    words = " ".join(label.text() for label in wise.fallback.findChildren(QLabel))
    assert "no tray icons" in words and "wise capture" in words


def test_a_second_home_is_named_where_wise_shows_itself(wise, wise_home: Path) -> None:
    # Every test runs in a WISE_HOME of its own: a home other than the usual folders.
    named = (f"~/{wise_home.relative_to(Path.home())}" if wise_home.is_relative_to(Path.home())
             else str(wise_home))
    assert wise.fallback.windowTitle() == f"Wise ({named})"


def test_window_capture_is_committed_and_confirmed(wise, qtbot, wise_home: Path) -> None:
    wise.show_capture()
    wise.capture_window.box.setPlainText("a thought from the window")
    with qtbot.waitSignal(wise.capture_window.submitted):
        qtbot.keyClick(wise.capture_window.box, "\r")
    qtbot.waitUntil(lambda: not wise.capture_window.isVisible(), timeout=SLOW_MS)
    assert entries(wise_home) == ["a thought from the window"]


def test_socket_capture_and_ping(wise, qtbot, wise_home: Path) -> None:
    # The first capture waits behind the journal's first preparation: slow under load.
    client = TrayClient(wise.ipc.path, timeout=SLOW_MS / 1000)
    thread, box = in_thread(lambda: client.request({"cmd": "capture", "text": "via socket"}))
    qtbot.waitUntil(lambda: not thread.is_alive(), timeout=2 * SLOW_MS)  # past the client's own
    assert isinstance(box["value"], dict), box["value"]
    assert box["value"]["summary"].startswith("note 1: via socket")
    assert entries(wise_home) == ["via socket"]
    thread, box = in_thread(lambda: client.request({"cmd": "ping"}))
    qtbot.waitUntil(lambda: not thread.is_alive(), timeout=SLOW_MS)
    assert isinstance(box["value"], dict), box["value"]
    assert box["value"]["pid"] > 0


def test_pause_and_resume_nudges(wise, wise_home: Path) -> None:
    from app.daytime import local_now

    wise.pause_nudges_for_an_hour()
    assert load_state(wise_home / "state.json").nudges_paused(local_now())
    wise.resume_nudges()
    assert not load_state(wise_home / "state.json").nudges_paused(local_now())


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


def test_todays_reflection_opens_the_reflection_window_on_today(wise, qtbot,
                                                                wise_home: Path) -> None:
    from app.daytime import journal_day, local_now

    wise.set_reflection_waiting(True)
    wise.show_reflection()
    window = wise._reflection_window
    qtbot.waitUntil(lambda: window.loaded_day() is not None, timeout=SLOW_MS)
    assert window.isVisible()
    assert window.loaded_day() == journal_day(local_now(), wise.context.day_start_hour)
    assert not wise._reflection_waiting  # opening it is answering the invitation
    wise.show_reflection()  # again: the same window, brought forward
    assert wise._reflection_window is window


def test_the_reflection_windows_words_are_saved_at_quit(wise, qtbot, wise_home: Path) -> None:
    wise.show_reflection()
    window = wise._reflection_window
    qtbot.waitUntil(lambda: window.loaded_day() is not None, timeout=SLOW_MS)
    window.words.how.setPlainText("a long day, but the walk helped")
    wise._save_everything()  # what aboutToQuit runs
    conn = sqlite3.connect(wise_home / "wise.db")
    try:
        saved = conn.execute("SELECT how_it_went FROM day_words").fetchall()
    finally:
        conn.close()
    assert saved == [("a long day, but the walk helped",)]


def test_goal_review_opens_the_review_window(wise, qtbot) -> None:
    wise.show_review()
    assert wise._review_window.isVisible()
    wise._save_everything()  # at quit, with both kinds of window open
    wise.show_reflection()
    wise._save_everything()


@pytest.mark.allow_warning_logs(r"^unexpected error:(?s:.*)RuntimeError: boom")
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


def test_quit_keeps_the_draft(wise, qtbot, wise_home: Path) -> None:
    wise.show_capture()
    wise.capture_window.box.setPlainText("half a thought")
    wise._save_everything()
    assert (wise_home / "draft.txt").read_text(encoding="utf-8") == "half a thought"


def test_the_rhythm_runs_and_its_work_goes_to_child_processes(
        wise, qtbot, monkeypatch: pytest.MonkeyPatch) -> None:
    import ui.rhythm

    qtbot.waitUntil(lambda: wise.rhythm is not None and wise.rhythm._rhythm is not None,
                    timeout=SLOW_MS)
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


# Nudge 7 (and 3 below) exist only in the tray: the journal's `wise nudge --respond` says so.
@pytest.mark.allow_warning_logs(r"`wise nudge --respond 7 snooze` failed \(exit 2\)")
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
    children_done(wise)


def test_wise_config_set_takes_effect_in_the_running_tray(wise, qtbot, wise_home: Path) -> None:
    import subprocess

    qtbot.waitUntil(lambda: wise._settings_watcher is not None, timeout=SLOW_MS)
    assert wise.context.settings.get("schedule.checkin_time") == "09:00"
    done = subprocess.run([sys.executable, "-m", "app.cli.main", "config", "set",
                           "schedule.checkin_time", "07:30"], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
    qtbot.waitUntil(lambda: wise.context.settings.get("schedule.checkin_time") == "07:30",
                    timeout=SLOW_MS)


def test_no_nudge_interrupts_reflecting(wise, qtbot) -> None:
    assert not wise.is_busy()
    wise.show_reflection()
    window = wise._reflection_window
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=SLOW_MS)
    assert wise.is_busy()
    window.hide()
    assert not wise.is_busy()


@pytest.mark.allow_warning_logs(r"`wise nudge --respond 3 opened` failed \(exit 2\)")
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
    qtbot.waitUntil(lambda: window.goal_page.goal_id == goal_id, timeout=SLOW_MS)
    children_done(wise)


def test_the_tray_menu_reaches_the_app_as_qt_calls_it(wise, qtbot, wise_home: Path) -> None:
    """Each item through QAction.triggered, which hands `checked` to a slot that can take
    an argument (it once opened goal review on goal False): the app gets no argument."""
    from app.state import load_state
    from ui.review_window import GOALS
    from ui.tray import WiseTray

    menu = WiseTray(wise)  # offscreen has no tray icon: its menu, on the same app
    try:
        menu.review_action.trigger()
        review = wise._review_window
        assert review.isVisible() and review.page() == GOALS
        assert review.goal_page.goal_id is None
        menu.reflection_action.trigger()
        assert wise._reflection_window.isVisible()
        menu.capture_action.trigger()
        assert wise.capture_window.isVisible()
        menu.settings_action.trigger()
        assert wise._settings_window.isVisible()
        state = wise_home / "state.json"
        menu.pause_hour_action.trigger()
        assert load_state(state).nudges_paused_until
        menu.resume_action.setEnabled(True)  # the app has no tray of its own to update
        menu.resume_action.trigger()
        assert load_state(state).nudges_paused_until is None
        menu.pause_day_action.trigger()
        assert load_state(state).nudges_paused_until
    finally:
        menu.hide()


def folder_notices() -> list[QMessageBox]:
    return [w for w in QApplication.topLevelWidgets()
            if isinstance(w, QMessageBox) and w.isVisible() and "data folder" in w.windowTitle()]


def xdg_open(bin_dir: Path, exit_code: int) -> None:
    """A stand-in xdg-open on PATH that answers as the real one does: 0 opened it, 3 "no
    method available" (no file manager), and writes down what it was asked to open."""
    bin_dir.mkdir(exist_ok=True)
    script = bin_dir / "xdg-open"
    script.write_text(f'#!/bin/sh\necho "$1" > "{bin_dir}/asked"\nexit {exit_code}\n')
    script.chmod(0o755)


@pytest.mark.parametrize("opener", ["missing", "no file manager"])
def test_open_data_folder_with_no_file_manager_says_where_it_is(
        wise, qtbot, wise_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        opener: str) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    if opener == "no file manager":
        xdg_open(bin_dir, 3)
    monkeypatch.setenv("PATH", str(bin_dir))
    QApplication.clipboard().clear()
    with qtbot.waitSignal(wise.folder_opener.answered, timeout=SLOW_MS) as answer:
        wise.open_data_folder()
    assert answer.args == [str(wise_home), False]
    [notice] = folder_notices()
    assert str(wise_home) in notice.text() and "copied" in notice.text()
    assert QApplication.clipboard().text() == str(wise_home)
    notice.close()


def test_open_data_folder_says_nothing_when_a_file_manager_opens_it(
        wise, qtbot, wise_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = tmp_path / "bin"
    xdg_open(bin_dir, 0)
    monkeypatch.setenv("PATH", str(bin_dir))
    with qtbot.waitSignal(wise.folder_opener.answered, timeout=SLOW_MS) as answer:
        wise.open_data_folder()
    assert answer.args == [str(wise_home), True]
    assert (bin_dir / "asked").read_text().strip() == str(wise_home)
    assert folder_notices() == []
