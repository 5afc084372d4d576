"""A journal day's steps and notes as `wise today` and the plain reflection read them,
and the one definition of "the day's wins" that every reader shares."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from storage.repo.reading import NoJournal, reading, stored_day
from storage.timeutil import from_db, journal_day_bounds, to_db

# A win is a step marked done whose done_at falls in [start, end). Every writer clears
# done_at when a step is reopened, but an imported or old row may not have: the status
# decides. (`+` keeps SQLite on the done_at index instead of the status one, which would
# walk every done step ever.) Every reader of wins uses this.
WINS_WHERE = "a.done_at >= ? AND a.done_at < ? AND +a.status = 'done'"
# Its complement over the same [start, end) (parameters: start, end): a step captured in a
# day is a to-do of that day unless it is one of its wins.
NOT_WON_WHERE = "NOT coalesce(a.done_at >= ? AND a.done_at < ? AND a.status = 'done', 0)"


@dataclass(frozen=True)
class StepRow:
    """One step (action) with its goal and tags; moments aware, in UTC."""

    id: int
    title: str
    status: str
    goal_slug: str | None
    goal_title: str | None
    tags: tuple[str, ...]
    estimate_minutes: int | None
    due_on: date | None
    due_at: datetime | None
    done_at: datetime | None
    created_at: datetime

    def as_dict(self) -> dict:
        return {"id": self.id, "title": self.title, "status": self.status,
                "goal": self.goal_slug, "tags": list(self.tags),
                "estimate_minutes": self.estimate_minutes, "due_on": self.due_on,
                "due_at": self.due_at, "done_at": self.done_at,
                "created_at": self.created_at}


@dataclass(frozen=True)
class NoteRow:
    id: int
    text: str
    goal_slug: str | None
    goal_title: str | None
    tags: tuple[str, ...]
    created_at: datetime  # aware, UTC

    def as_dict(self) -> dict:
        return {"id": self.id, "text": self.text, "goal": self.goal_slug,
                "tags": list(self.tags), "created_at": self.created_at}


@dataclass(frozen=True)
class TodayView:
    day: date
    wins: tuple[StepRow, ...]  # done during the day
    due: tuple[StepRow, ...]  # open, due on or before the day (overdue included)
    captured: tuple[StepRow, ...]  # open to-dos captured during the day, not already due
    notes: tuple[NoteRow, ...]

    def as_dict(self) -> dict:
        return {"day": self.day, "wins": [s.as_dict() for s in self.wins],
                "due": [s.as_dict() for s in self.due],
                "captured": [s.as_dict() for s in self.captured],
                "notes": [n.as_dict() for n in self.notes]}


@dataclass(frozen=True)
class DayWordsRow:
    """The user's own words on a day (the reflection window saves them as they type)."""

    how_it_went: str
    in_the_way: str
    mood: int | None
    energy: int | None
    updated_at: datetime  # aware, local


def day_words_in(conn: sqlite3.Connection, day: date) -> DayWordsRow | None:
    found = conn.execute("SELECT how_it_went, in_the_way, mood, energy, updated_at "
                         "FROM day_words WHERE day = ?", (day.isoformat(),)).fetchone()
    if found is None:
        return None
    how_it_went, in_the_way, mood, energy, updated_at = found
    return DayWordsRow(how_it_went, in_the_way, mood, energy, from_db(updated_at).astimezone())


def day_words(db: Path, day: date) -> DayWordsRow | None:
    try:
        with reading(db) as conn:
            return day_words_in(conn, day)
    except NoJournal:
        return None


def _utc(text: str | None) -> datetime | None:
    return None if text is None else from_db(text)


_STEP_SELECT = ("SELECT a.id, a.title, a.status, g.slug, g.title, a.estimate_minutes, "
                "a.due_on, a.due_at, a.done_at, a.created_at "
                "FROM actions a LEFT JOIN goals g ON g.id = a.goal_id ")


def _tags(conn: sqlite3.Connection, link: str, owner: str, ids: Iterable[int]
          ) -> dict[int, tuple[str, ...]]:
    found: dict[int, list[str]] = {}
    ids = list(ids)
    for i in range(0, len(ids), 500):  # under SQLite's limit on parameters
        chunk = ids[i:i + 500]
        for owner_id, name in conn.execute(
                f"SELECT l.{owner}, t.name FROM {link} l JOIN tags t ON t.id = l.tag_id "
                f"WHERE l.{owner} IN ({', '.join('?' * len(chunk))}) ORDER BY t.name",
                chunk):
            found.setdefault(owner_id, []).append(name)
    return {k: tuple(v) for k, v in found.items()}


def _steps(conn: sqlite3.Connection, where_and_order: str, params: tuple) -> list[StepRow]:
    rows = conn.execute(_STEP_SELECT + where_and_order, params).fetchall()
    tags = _tags(conn, "action_tags", "action_id", (r[0] for r in rows))
    return [StepRow(id_, title, status, slug, goal_title, tags.get(id_, ()), estimate,
                    stored_day(due_on), _utc(due_at), _utc(done_at), from_db(created))
            for id_, title, status, slug, goal_title, estimate, due_on, due_at, done_at,
            created in rows]


def day_wins(conn: sqlite3.Connection, start: datetime, end: datetime, *,
             newest_first: bool = False, limit: int = -1) -> list[StepRow]:
    """The steps done in [start, end): the day's wins, in the order they were done."""
    order = "DESC" if newest_first else ""
    return _steps(conn, f"WHERE {WINS_WHERE} ORDER BY a.done_at {order}, a.id {order} "
                        "LIMIT ?", (to_db(start), to_db(end), limit))


def count_wins(conn: sqlite3.Connection, start: datetime, end: datetime) -> int:
    return conn.execute(f"SELECT count(*) FROM actions a WHERE {WINS_WHERE}",
                        (to_db(start), to_db(end))).fetchone()[0]


def today_view(db: Path, day: date, start_hour: int) -> TodayView:
    """What was done, what is due, what was captured and noted on a journal day."""
    start, end = journal_day_bounds(day, start_hour)
    try:
        with reading(db) as conn:
            return _today_view(conn, day, start, end)
    except NoJournal:
        return TodayView(day, (), (), (), ())


def _today_view(conn: sqlite3.Connection, day: date, start: datetime, end: datetime
                ) -> TodayView:
    day_text, start_text, end_text = day.isoformat(), to_db(start), to_db(end)
    due = _steps(conn, "WHERE a.status = 'open' AND (a.due_on <= ? OR "
                       "(a.due_at IS NOT NULL AND a.due_at < ?)) "
                       "ORDER BY a.due_on, a.due_at, a.created_at", (day_text, end_text))
    captured = _steps(conn, "WHERE a.status = 'open' AND (a.due_on IS NULL OR a.due_on > ?) "
                            "AND a.created_at >= ? AND a.created_at < ? "
                            "ORDER BY a.created_at", (day_text, start_text, end_text))
    rows = conn.execute(
        "SELECT e.id, e.text, g.slug, g.title, e.created_at FROM entries e "
        "LEFT JOIN goals g ON g.id = e.goal_id WHERE e.created_at >= ? AND e.created_at < ? "
        "ORDER BY e.created_at", (start_text, end_text)).fetchall()
    tags = _tags(conn, "entry_tags", "entry_id", (r[0] for r in rows))
    notes = [NoteRow(id_, text, slug, title, tags.get(id_, ()), from_db(created))
             for id_, text, slug, title, created in rows]
    return TodayView(day, tuple(day_wins(conn, start, end)), tuple(due), tuple(captured),
                     tuple(notes))
