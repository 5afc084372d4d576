"""Focus sessions in a real migrated journal: one at a time, pauses, extensions, ends."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storage.focus import FocusConflict, FocusStore, planned_end
from storage.migrate import ensure_schema
from storage.ritual_writes import RitualWriter
from storage.vocabulary import FocusOutcome

T0 = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def tick(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "wise.db"
    ensure_schema(path, tmp_path / "backups", keep_backups=1)
    return path


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(db: Path, clock: Clock):
    opened = FocusStore(db, clock=clock)
    yield opened
    opened.close()


def _step(db: Path, title: str, minutes: int | None) -> int:
    writer = RitualWriter(db)
    try:
        return writer.add_actions([(title, minutes)], goal_id=None).ids[0]
    finally:
        writer.close()


def test_a_step_starts_for_its_estimate_or_two_minutes(db: Path, store: FocusStore) -> None:
    estimated = _step(db, "write the intro", 10)
    session = store.start(action_id=estimated)
    assert (session.title, session.planned_seconds, session.estimate_minutes) == (
        "write the intro", 600, 10)
    store.finish(FocusOutcome.STOPPED)
    plain = store.start(action_id=_step(db, "tidy the desk", None))
    assert plain.planned_seconds == 120 and plain.estimate_minutes is None


def test_words_start_the_open_step_with_those_words_or_a_new_one(db: Path,
                                                                 store: FocusStore) -> None:
    existing = _step(db, "Call the bank", 5)
    assert store.start(text="  call the bank! ").action_id == existing
    store.finish(FocusOutcome.STOPPED)
    fresh = store.start(text="water the plants", minutes=3)
    assert fresh.action_id != existing and fresh.planned_seconds == 180


def test_only_one_session_runs_even_for_a_writer_that_bypasses_the_store(
        db: Path, store: FocusStore) -> None:
    store.start(text="one")
    with pytest.raises(FocusConflict):
        store.start(text="two")
    conn = sqlite3.connect(db)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="already running"):
            conn.execute("INSERT INTO focus_sessions (title, started_at, planned_seconds) "
                         "VALUES ('x', '2026-12-04 09:00:00.000000', 120)")
    finally:
        conn.close()


def test_pauses_push_the_end_later_and_are_counted(store: FocusStore, clock: Clock) -> None:
    session = store.start(text="draft", minutes=10)
    clock.tick(60)
    store.pause()
    clock.tick(300)
    paused = store.running()
    assert paused is not None and planned_end(paused, clock.now) == T0 + timedelta(minutes=15)
    with pytest.raises(FocusConflict):
        store.pause()
    resumed = store.resume()
    assert resumed.paused_seconds == 300 and resumed.paused_at is None
    clock.tick(60)
    ended = store.finish(FocusOutcome.STOPPED)
    assert ended.id == session.id and ended.paused_seconds == 300
    assert ended.ended_at == T0 + timedelta(seconds=420)


def test_more_minutes_after_the_end_count_from_now(store: FocusStore, clock: Clock) -> None:
    store.start(text="draft", minutes=2)
    clock.tick(5 * 60)  # three minutes past its end
    extended = store.extend(5)
    assert planned_end(extended, clock.now) == clock.now + timedelta(minutes=5)


def test_done_ticks_the_step_and_a_nudge_started_from_counts(db: Path, store: FocusStore,
                                                            clock: Clock) -> None:
    action = _step(db, "write the intro", 10)
    conn = sqlite3.connect(db)
    nudge = conn.execute(
        "INSERT INTO nudges (created_at, action_id, text, style, hour_bucket, reason, source) "
        "VALUES ('2026-12-04 08:59:00.000000', ?, 'Two minutes?', 'plain', 9, 'due', "
        "'plain')", (action,)).lastrowid
    conn.commit()
    store.start(action_id=action, nudge_id=nudge)
    assert conn.execute("SELECT response FROM nudges WHERE id = ?", (nudge,)).fetchone() == (
        "started",)
    clock.tick(600)
    store.finish(FocusOutcome.DONE, at=T0 + timedelta(minutes=8))
    status, done_at = conn.execute("SELECT status, done_at FROM actions WHERE id = ?",
                                   (action,)).fetchone()
    conn.close()
    assert status == "done" and done_at.startswith("2026-12-04 09:08")


def test_nothing_running_is_a_conflict_not_a_crash(store: FocusStore) -> None:
    assert store.running() is None
    for change in (store.pause, store.resume, lambda: store.extend(5),
                   lambda: store.finish(FocusOutcome.DONE)):
        with pytest.raises(FocusConflict):
            change()


def test_a_days_sessions_read_oldest_first_and_bounded(db: Path, store, clock: Clock) -> None:
    from storage.focus import sessions_between

    for words in ("first", "second", "third"):
        store.start(text=words, minutes=5)
        clock.tick(600)
        store.finish(FocusOutcome.DONE)
    day = (T0 - timedelta(hours=1), T0 + timedelta(hours=1))
    conn = sqlite3.connect(db)
    try:
        found = sessions_between(conn, *day, limit=2)
    finally:
        conn.close()
    assert [s.title for s in found] == ["first", "second"]
