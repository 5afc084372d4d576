"""What the windows read about focus, from a real migrated journal: a step by its id, and
the minutes given to each goal per journal day (pauses left out, a running session counted
up to now, a session on the day it started)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from app.focus import Calibration, calibration_hint, estimate_calibrations
from storage.focus import FocusStore
from storage.migrate import ensure_schema
from storage.repo.focus_reads import goal_minutes, step_row
from storage.repo.ritual_reads import HEATMAP_DAYS
from storage.ritual_writes import RitualWriter
from storage.vocabulary import FocusOutcome

# Thursday 3 December 2026, 10:00 UTC: the sessions fall on T0's local day, read with the
# journal day starting at midnight.
T0 = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "wise.db"
    ensure_schema(path, tmp_path / "backups", keep_backups=1)
    return path


def test_a_step_is_read_by_its_id_with_its_goal(db: Path) -> None:
    writer = RitualWriter(db)
    try:
        goal = writer.add_goal("Write the book")
        [step] = writer.add_actions([("write the intro", 10)], goal_id=goal).ids
    finally:
        writer.close()
    found = step_row(db, step)
    assert (found.title, found.goal_id, found.goal_title, found.estimate_minutes) == (
        "write the intro", goal, "Write the book", 10)
    assert step_row(db, step + 99) is None
    assert step_row(db.parent / "none.db", step) is None  # no journal yet: nothing, no error


def test_minutes_per_goal_and_day_leave_pauses_out_and_count_a_running_one(db: Path) -> None:
    writer = RitualWriter(db)
    try:
        book = writer.add_goal("Write the book")
        other = writer.add_goal("Other")
        intro, outline = writer.add_actions([("intro", 10), ("outline", None)],
                                            goal_id=book).ids
        [elsewhere] = writer.add_actions([("elsewhere", 5)], goal_id=other).ids
        [loose] = writer.add_actions([("no goal", 5)], goal_id=None).ids
    finally:
        writer.close()
    clock = Clock()
    store = FocusStore(db, clock=clock)
    try:
        store.start(action_id=intro)  # 30 minutes, 10 of them paused: 20 given
        clock.now += timedelta(minutes=5)
        store.pause()
        clock.now += timedelta(minutes=10)
        store.resume()
        clock.now += timedelta(minutes=15)
        store.finish(FocusOutcome.DONE)
        for action in (elsewhere, loose):
            store.start(action_id=action)
            clock.now += timedelta(minutes=7)
            store.finish(FocusOutcome.STOPPED)
        store.start(action_id=outline)  # still running, paused after 4 of its 10 minutes
        clock.now += timedelta(minutes=4)
        store.pause()
        clock.now += timedelta(minutes=6)
    finally:
        store.close()
    today: date = T0.astimezone().date()
    found = goal_minutes(db, today, 0, now=clock.now)
    assert set(found) == {book, other}  # a step of no goal belongs to no heatmap
    day = HEATMAP_DAYS - 7 + today.weekday()
    assert found[book][day] == 24 and sum(found[book]) == 24
    assert found[other][day] == 7
    assert goal_minutes(db, today, 0, [other], now=clock.now).keys() == {other}
    # A week on, the same sessions sit a week further back in the window.
    later = goal_minutes(db, today + timedelta(days=7), 0, now=clock.now)
    assert later[book][day - 7] == 24


def test_calibration_is_said_only_when_there_is_something_to_say(db: Path) -> None:
    assert estimate_calibrations(db) == [] and estimate_calibrations(db.parent / "x.db") == []
    slow = [Calibration(6, 15, 10, 18, 4)]
    assert calibration_hint(12, slow) == "your ~10 min steps take about 18"
    assert calibration_hint(45, slow) == ""  # no timed steps of that size yet
    assert calibration_hint(None, slow) == ""
    assert calibration_hint(10, [Calibration(6, 15, 10, 10, 4)]) == ""  # as guessed
