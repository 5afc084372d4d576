"""The focus controller and its timer window, offscreen, on a real journal: start, the ring
empties, the end check-in, 5 more minutes, Done ticks the step; no wake-ups when idle."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.focus import RING_STEPS
from storage.migrate import ensure_schema
from storage.ritual_writes import RitualWriter
from ui.focus import FocusController
from ui.icons import IconState, render_state

T0 = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def advance(focus, until: datetime) -> None:
    """Let time pass as the tray's timer would see it: a look at least every 10 s."""
    while focus.clock.now < until:
        focus.clock.now = min(until, focus.clock.now + timedelta(seconds=10))
        focus.tick()


def run_now(work, *, on_success, on_error) -> None:
    """The controller's writer-thread hook, run in place (the tray passes its thread)."""
    try:
        result = work()
    except Exception as exc:
        on_error(exc)
        return
    on_success(result)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "wise.db"
    ensure_schema(path, tmp_path / "backups", keep_backups=1)
    writer = RitualWriter(path)
    writer.add_actions([("write the intro", 10)], goal_id=None)
    writer.close()
    return path


@pytest.fixture
def focus(db: Path, qtbot):
    clock = Clock()
    controller = FocusController(run_now, db, clock=clock)
    controller.clock = clock  # the test moves it
    yield controller
    if controller._window is not None:
        controller._window.close()
    controller.close_store()


def test_a_session_runs_down_checks_in_and_done_ticks_the_step(focus, db: Path) -> None:
    assert focus.session is None and not focus._timer.isActive()  # idle: no wake-ups
    focus.start(action_id=1)
    window = focus.window()
    assert window.isVisible() and window.title_label.text() == "write the intro"
    assert focus.view.ring_step == RING_STEPS and window.time_label.text() == "10:00 left"
    assert focus._timer.isActive() and focus._timer.interval() <= 10_000

    advance(focus, T0 + timedelta(minutes=5))
    assert focus.view.ring_step == RING_STEPS // 2
    assert "5 min left" in focus.tooltip_line()

    advance(focus, T0 + timedelta(minutes=10, seconds=1))
    assert window.check_in_row.isVisible() and not window.running_row.isVisible()
    assert window.message_label.text() == "Time's up. How did it go?"

    window.more_button.click()
    assert focus.view.minutes_left == 5 and window.running_row.isVisible()

    window.done_button.click()
    assert focus.session is None and not window.isVisible() and not focus._timer.isActive()
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT status FROM actions WHERE id = 1").fetchone() == ("done",)
    assert conn.execute("SELECT outcome FROM focus_sessions").fetchone() == ("done",)
    conn.close()


def test_a_suspend_across_the_end_says_when_it_really_ended(focus, db: Path) -> None:
    focus.start(action_id=1, minutes=2)
    focus.clock.now = T0 + timedelta(hours=3)  # the machine slept; the timer fires late
    focus.tick()
    window = focus.window()
    assert "while the computer was asleep" in window.message_label.text()
    window.stop_here_button.click()
    conn = sqlite3.connect(db)
    ended, outcome = conn.execute("SELECT ended_at, outcome FROM focus_sessions").fetchone()
    conn.close()
    assert (ended, outcome) == ("2026-12-04 09:02:00.000000", "stopped")


def test_pause_from_the_window_and_quitting_marks_it_interrupted(focus, db: Path) -> None:
    focus.start(action_id=1)
    window = focus.window()
    window.pause_button.click()
    assert focus.view.paused and window.pause_button.text() == "Resume"
    assert "paused" in focus.tooltip_line()
    focus.interrupt_now()
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT outcome FROM focus_sessions").fetchone() == ("interrupted",)
    conn.close()


def test_a_ten_thousand_character_title_stays_in_a_small_window(focus, db: Path) -> None:
    focus.start(text="lorem ipsum " * 80, minutes=5)  # the store caps titles at 1,000
    focus.session = focus.session.__class__(**{**focus.session.__dict__,
                                               "title": "x" * 10_000})
    focus.tick()
    window = focus.window()
    assert window.width() == 340 and window.height() < 300
    assert window.title_label.text().endswith("…")


@pytest.mark.parametrize("size", [16, 22])
def test_the_ring_is_drawn_at_tray_sizes_and_empties(size: int, qtbot) -> None:
    full = render_state(IconState(focus_ring=RING_STEPS), size)
    empty = render_state(IconState(focus_ring=0), size)
    plain = render_state(IconState(), size)
    assert full.size().width() == size
    assert full != empty != plain


def test_sounds_play_only_when_the_user_turned_them_on(db: Path, qtbot, tmp_path: Path) -> None:
    """The cues reach a real player process (a stand-in for canberra-gtk-play that notes
    what it was asked), and only while the setting is on."""
    from ui.focus_sound import CueSound

    heard = tmp_path / "heard.txt"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    player = bin_dir / "canberra-gtk-play"
    player.write_text(f'#!/bin/sh\necho "$2" >> "{heard}"\n')
    player.chmod(0o755)
    wanted = {"on": False}
    sound = CueSound(lambda: wanted["on"], search_path=str(bin_dir))
    clock = Clock()
    focus = FocusController(run_now, db, clock=clock, sound=sound)
    focus.clock = clock
    try:
        focus.start(action_id=1, minutes=12)
        advance(focus, T0 + timedelta(minutes=6, seconds=5))  # half time, sounds off
        assert focus.view.ring_step == RING_STEPS // 2 and sound.played == []
        wanted["on"] = True  # turned on in Settings meanwhile
        advance(focus, T0 + timedelta(minutes=12, seconds=5))  # five minutes left, the end
        assert sound.played == ["five", "end"]
        qtbot.waitUntil(lambda: heard.exists() and len(heard.read_text().split()) == 2,
                        timeout=10_000)
        assert heard.read_text().split() == ["message", "complete"]
    finally:
        if focus._window is not None:
            focus._window.close()
        focus.close_store()


def test_no_sound_player_is_silence_not_a_failure(qtbot, tmp_path: Path) -> None:
    from ui.focus_sound import CueSound

    sound = CueSound(lambda: True, search_path=str(tmp_path))  # an empty PATH: no player
    assert sound.play("end") is False and sound.play("half") is False
    assert sound.played == []
    assert CueSound(lambda: True, search_path=str(tmp_path)).play("overrun") is False


def test_the_notification_words_change_with_the_state_not_the_seconds(focus) -> None:
    from ui.notifications import FOCUS_OVER, FOCUS_PAUSED, FOCUS_RUNNING

    assert focus.notice() is None
    focus.start(action_id=1)
    said = [focus.notice()]
    end = T0 + timedelta(minutes=10)
    assert said[0] == ("Focus: write the intro",
                       f"10 min, until {end.astimezone():%H:%M}.", FOCUS_RUNNING)
    while focus.clock.now < T0 + timedelta(minutes=9):  # a look every second
        focus.clock.now += timedelta(seconds=1)
        focus.tick()
        if focus.notice() != said[-1]:
            said.append(focus.notice())
    assert len(said) == 1  # 540 looks, one notification
    focus.on_notification_button("pause")
    assert focus.notice()[1:] == ("Paused, 1 min left.", FOCUS_PAUSED)
    focus.on_notification_button("resume")
    advance(focus, T0 + timedelta(minutes=10, seconds=30))
    assert focus.notice()[2] == FOCUS_OVER and "Time's up" in focus.notice()[1]
    focus.on_notification_button("done")
    assert focus.session is None and focus.notice() is None
