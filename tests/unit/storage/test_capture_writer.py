"""The sqlite3 capture path writes rows the ORM reads back exactly."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select, text

from storage.capture_writer import CaptureRow, CaptureWriter, write_capture
from storage.engine import Journal
from storage.models import Action, Entry, Goal
from tests.helpers import assert_write_lock_free

NOW = datetime(2026, 11, 26, 18, 30, 15, 123456, tzinfo=UTC)


def row(**changes) -> CaptureRow:
    base = dict(kind="note", text="hello", raw_text="hello", tags=(), due_on=None,
                due_at=None, estimate_minutes=None, source="capture")
    return CaptureRow(**{**base, **changes})


def test_note_with_goal_and_tags(journal: Journal) -> None:
    with journal.write() as session:
        session.add(Goal(slug="family", title="Family", why="them"))
    saved = write_capture(journal.db_path, row(text="called mum", raw_text="called mum #family "
                                               "#phone #Fun", tags=("family", "phone", "fun")),
                          NOW)
    assert (saved.table, saved.goal_slug, saved.tags) == ("entries", "family", ("phone", "fun"))
    with journal.read() as session:
        entry = session.get(Entry, saved.id)
        assert entry.text == "called mum"
        assert entry.raw_text.endswith("#Fun")
        assert entry.goal.slug == "family"
        assert [t.name for t in entry.tags] == ["fun", "phone"]
        assert entry.created_at == NOW
        assert entry.uid == saved.uid


def test_todo_with_due_and_estimate(journal: Journal) -> None:
    due_at = datetime(2026, 11, 27, 14, 0, tzinfo=UTC)
    saved = write_capture(journal.db_path, row(kind="todo", text="call", due_on=date(2026, 11, 27),
                                               due_at=due_at, estimate_minutes=10), NOW)
    with journal.read() as session:
        action = session.get(Action, saved.id)
        assert (action.status, action.due_on, action.due_at, action.estimate_minutes) == (
            "open", date(2026, 11, 27), due_at, 10)
        assert action.done_at is None


def test_win_is_a_done_action(journal: Journal) -> None:
    saved = write_capture(journal.db_path, row(kind="win", text="ran"), NOW)
    with journal.read() as session:
        action = session.get(Action, saved.id)
        assert (action.status, action.done_at) == ("done", NOW)


def test_unknown_tag_is_kept_as_tag_and_links_no_goal(journal: Journal) -> None:
    saved = write_capture(journal.db_path, row(tags=("nogoal",)), NOW)
    assert saved.goal_slug is None and saved.tags == ("nogoal",)


def test_fts_index_follows_writes(journal: Journal) -> None:
    write_capture(journal.db_path, row(text="pelican sightings"), NOW)
    write_capture(journal.db_path, row(kind="todo", text="buy pelican food"), NOW)
    with journal.read() as session:
        assert session.execute(text(
            "SELECT count(*) FROM entries_fts WHERE entries_fts MATCH 'pelican'")).scalar() == 1
        assert session.execute(text(
            "SELECT count(*) FROM actions_fts WHERE actions_fts MATCH 'pelican'")).scalar() == 1
    with journal.write() as session:
        session.execute(select(Entry)).scalar_one().text = "otters instead"
    with journal.read() as session:
        assert session.execute(text(
            "SELECT count(*) FROM entries_fts WHERE entries_fts MATCH 'pelican'")).scalar() == 0


def test_a_failed_write_never_keeps_the_journal_locked(journal: Journal) -> None:
    """Text SQLite cannot take (a lone surrogate: half an emoji) fails the write, but the
    kept-open connection must not stay inside BEGIN IMMEDIATE: other writers would wait
    on it, and its next write would fail with "a transaction within a transaction"."""
    writer = CaptureWriter(journal.db_path)
    try:
        writer.write(row(text="first"), NOW)
        with pytest.raises(UnicodeEncodeError):
            writer.write(row(text="half \ud83d emoji"), NOW)
        assert_write_lock_free(journal.db_path)
        assert writer.write(row(text="next"), NOW).table == "entries"
    finally:
        writer.close()
    with journal.read() as session:
        assert [e.text for e in session.scalars(select(Entry).order_by(Entry.id))] == [
            "first", "next"]


def test_a_to_do_its_goal_has_open_is_not_written_twice(journal: Journal) -> None:
    with journal.write() as session:
        session.add(Goal(slug="family", title="Family", why="them"))
    first = write_capture(journal.db_path, row(kind="todo", text="Call dad about Christmas",
                                               tags=("family",)), NOW)
    due_at = datetime(2026, 11, 27, 17, 0, tzinfo=UTC)
    again = write_capture(journal.db_path, row(
        kind="todo", text="call dad about christmas!", tags=("family", "phone"),
        due_on=date(2026, 11, 27), due_at=due_at, estimate_minutes=10), NOW)
    assert again.already_open and (again.id, again.uid) == (first.id, first.uid)
    assert again.tags == ("phone",) and again.goal_slug == "family"
    with journal.read() as session:
        [step] = session.scalars(select(Action)).all()  # one step, with the new details
        assert (step.title, step.due_on, step.due_at, step.estimate_minutes) == (
            "Call dad about Christmas", date(2026, 11, 27), due_at, 10)
        assert [t.name for t in step.tags] == ["phone"]
    # Without its goal, as a win, or once done, the same words are a new row.
    assert not write_capture(journal.db_path, row(kind="todo", text="call dad about christmas"),
                             NOW).already_open
    assert not write_capture(journal.db_path, row(kind="win", text="call dad about christmas",
                                                  tags=("family",)), NOW).already_open
    with journal.write() as session:
        session.get(Action, first.id).status = "done"
    assert not write_capture(journal.db_path, row(kind="todo", text="Call dad about Christmas",
                                                  tags=("family",)), NOW).already_open
