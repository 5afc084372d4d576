"""What the companion's memory reads: the reflection context's sections and the material
of day and week summaries (app/memory/). Every read is a LIMITed, indexed range
(created_at, done_at, due_on, summaries' (kind, period_start), rowid), so its cost stays
the same in year five as in week one. Moments come back aware, in UTC.

The functions take an open connection (`storage.repo.reading.reading`), so that one
context or one summary is read from one snapshot of the journal."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime
from typing import overload

from storage.repo.journal_reads import NOT_WON_WHERE, WINS_WHERE, count_wins
from storage.ritual_writes import SUMMARY_DELETED
from storage.timeutil import from_db, to_db
from storage.vocabulary import ActionStatus, GoalStatus

OPEN = ActionStatus.OPEN.value


@overload
def _day(text: str) -> date: ...
@overload
def _day(text: None) -> None: ...
def _day(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


def _count(conn: sqlite3.Connection, sql: str, params: tuple) -> int:
    return conn.execute(f"SELECT count(*) FROM ({sql})", params).fetchone()[0]


# ------------------------------------------------------------------------------ goals


@dataclass(frozen=True)
class GoalLine:
    id: int
    slug: str
    title: str
    why: str
    cadence_per_week: int | None


@dataclass(frozen=True)
class GoalActivity:
    """What happened to one goal in a period: how many rows, and the newest moment."""

    goal_id: int
    count: int
    latest: datetime


def active_goals(conn: sqlite3.Connection, limit: int) -> list[GoalLine]:
    return [GoalLine(*row) for row in conn.execute(
        "SELECT id, slug, title, why, cadence_per_week FROM goals WHERE status = ? "
        "ORDER BY id LIMIT ?", (GoalStatus.ACTIVE.value, limit))]


def count_goals(conn: sqlite3.Connection, status: str) -> int:
    return conn.execute("SELECT count(*) FROM goals WHERE status = ?", (status,)).fetchone()[0]


def paused_goals(conn: sqlite3.Connection, limit: int) -> list[tuple[str, str]]:
    """(slug, title) of paused goals, the most recently changed first."""
    return [tuple(row) for row in conn.execute(
        "SELECT slug, title FROM goals WHERE status = ? ORDER BY updated_at DESC LIMIT ?",
        (GoalStatus.PAUSED.value, limit))]


def _activity(conn: sqlite3.Connection, sql: str, params: tuple) -> list[GoalActivity]:
    return [GoalActivity(goal_id, n, from_db(latest))
            for goal_id, n, latest in conn.execute(sql, params) if goal_id is not None]


def goals_done(conn: sqlite3.Connection, start: datetime, end: datetime) -> list[GoalActivity]:
    """Per goal, its wins in [start, end): an indexed range scan on done_at (no goal_id
    condition: SQLite would rather walk the goal_id index, all years long)."""
    return _activity(conn, f"SELECT a.goal_id, count(*), max(a.done_at) FROM actions a "
                           f"WHERE {WINS_WHERE} GROUP BY a.goal_id", (to_db(start), to_db(end)))


def goals_added(conn: sqlite3.Connection, start: datetime, end: datetime) -> list[GoalActivity]:
    """Per goal, the steps captured in [start, end) that were not won in it."""
    s, e = to_db(start), to_db(end)
    return _activity(conn, "SELECT a.goal_id, count(*), max(a.created_at) FROM actions a "
                           f"WHERE a.created_at >= ? AND a.created_at < ? AND {NOT_WON_WHERE} "
                           "GROUP BY a.goal_id", (s, e, s, e))


def goals_noted(conn: sqlite3.Connection, start: datetime, end: datetime) -> list[GoalActivity]:
    return _activity(conn, "SELECT goal_id, count(*), max(created_at) FROM entries "
                           "WHERE created_at >= ? AND created_at < ? GROUP BY goal_id",
                     (to_db(start), to_db(end)))


# ---------------------------------------------------------------------------- the day


@dataclass(frozen=True)
class WinLine:
    at: datetime  # when it was done
    title: str
    estimate_minutes: int | None
    goal_slug: str | None


@dataclass(frozen=True)
class TodoLine:
    at: datetime  # when it was captured
    title: str
    estimate_minutes: int | None
    status: str
    due_on: date | None
    goal_slug: str | None


@dataclass(frozen=True)
class NoteLine:
    at: datetime
    text: str
    mood: int | None
    energy: int | None
    goal_slug: str | None


@dataclass(frozen=True)
class DueLine:
    title: str
    estimate_minutes: int | None
    due_at: datetime | None
    due_on: date
    created_at: datetime
    goal_slug: str | None


@dataclass(frozen=True)
class DayLines:
    """A journal day's rows, newest first, each list capped by `limit`; counts exact."""

    wins: list[WinLine]
    captured: list[TodoLine]
    notes: list[NoteLine]
    wins_total: int
    captured_total: int
    notes_total: int


def day_lines(conn: sqlite3.Connection, day: date, start: datetime, end: datetime,
              limit: int, *, without_due: bool = False) -> DayLines:
    """`without_due`: leave out of `captured` the open to-dos due on or before the day."""
    s, e = to_db(start), to_db(end)
    win_sql = ("SELECT a.done_at, a.title, a.estimate_minutes, g.slug FROM actions a "
               f"LEFT JOIN goals g ON g.id = a.goal_id WHERE {WINS_WHERE}")
    # Captured to-dos: created during the day and not done during it (those are wins).
    cap_sql = ("SELECT a.created_at, a.title, a.estimate_minutes, a.status, a.due_on, g.slug "
               "FROM actions a LEFT JOIN goals g ON g.id = a.goal_id "
               f"WHERE a.created_at >= ? AND a.created_at < ? AND {NOT_WON_WHERE}")
    cap_params: tuple = (s, e, s, e)
    if without_due:
        cap_sql += " AND (a.status != ? OR a.due_on IS NULL OR a.due_on > ?)"
        cap_params += (OPEN, day.isoformat())
    note_sql = ("SELECT e.created_at, e.text, e.mood, e.energy, g.slug FROM entries e "
                "LEFT JOIN goals g ON g.id = e.goal_id "
                "WHERE e.created_at >= ? AND e.created_at < ?")
    wins = [WinLine(from_db(at), title, est, slug) for at, title, est, slug in conn.execute(
        win_sql + " ORDER BY a.done_at DESC LIMIT ?", (s, e, limit))]
    captured = [TodoLine(from_db(at), title, est, status, _day(due), slug)
                for at, title, est, status, due, slug in conn.execute(
                    cap_sql + " ORDER BY a.created_at DESC LIMIT ?", (*cap_params, limit))]
    notes = [NoteLine(from_db(at), text, mood, energy, slug)
             for at, text, mood, energy, slug in conn.execute(
                 note_sql + " ORDER BY e.created_at DESC LIMIT ?", (s, e, limit))]

    def total(rows: list, sql: str, params: tuple) -> int:
        return len(rows) if len(rows) < limit else _count(conn, sql, params)

    return DayLines(wins, captured, notes, total(wins, win_sql, (s, e)),
                    total(captured, cap_sql, cap_params), total(notes, note_sql, (s, e)))


_DUE_SQL = ("SELECT a.title, a.estimate_minutes, a.due_at, a.due_on, a.created_at, g.slug "
            "FROM actions a LEFT JOIN goals g ON g.id = a.goal_id ")


def _due_lines(conn: sqlite3.Connection, where_order: str, params: tuple) -> list[DueLine]:
    return [DueLine(title, est, None if due_at is None else from_db(due_at), _day(due_on),
                    from_db(created), slug)
            for title, est, due_at, due_on, created, slug in conn.execute(
                _DUE_SQL + where_order, params)]


def due_on_day(conn: sqlite3.Connection, day: date, limit: int, cap: int
               ) -> tuple[list[DueLine], int]:
    """Open steps due on the day (by due time), at most `limit`; and how many (to `cap`)."""
    rows = _due_lines(conn, "WHERE a.status = ? AND a.due_on = ? ORDER BY a.due_at, a.id "
                            "LIMIT ?", (OPEN, day.isoformat(), limit))
    total = len(rows) if len(rows) < limit else _count(
        conn, "SELECT id FROM actions WHERE status = ? AND due_on = ? LIMIT ?",
        (OPEN, day.isoformat(), cap))
    return rows, total


def overdue(conn: sqlite3.Connection, day: date, limit: int, cap: int
            ) -> tuple[list[DueLine], int]:
    """Open steps due before the day, the latest due first; and how many (to `cap`)."""
    rows = _due_lines(conn, "WHERE a.status = ? AND a.due_on < ? "
                            "ORDER BY a.due_on DESC, a.id DESC LIMIT ?",
                      (OPEN, day.isoformat(), limit))
    total = len(rows) if len(rows) < limit else _count(
        conn, "SELECT id FROM actions WHERE status = ? AND due_on < ? LIMIT ?",
        (OPEN, day.isoformat(), cap))
    return rows, total


def goal_slugs_of_steps(conn: sqlite3.Connection, action_ids: list[int]) -> dict[int, str]:
    """step id -> its goal's #tag, for the steps that have a goal."""
    ids = action_ids[:500]
    if not ids:
        return {}
    return dict(conn.execute(
        "SELECT a.id, g.slug FROM actions a JOIN goals g ON g.id = a.goal_id "
        f"WHERE a.id IN ({', '.join('?' * len(ids))})", ids))


# ------------------------------------------------------------------------ summaries


@dataclass(frozen=True)
class SummaryLine:
    period_start: date
    period_end: date
    content: str
    source: str


def _summaries(conn: sqlite3.Connection, where_order: str, params: tuple) -> list[SummaryLine]:
    return [SummaryLine(date.fromisoformat(start), date.fromisoformat(end), content, source)
            for start, end, content, source in conn.execute(
                "SELECT period_start, period_end, content, source FROM summaries "
                + where_order, params)]


def day_summaries(conn: sqlite3.Connection, first: date, before: date, *,
                  newest_first: bool = True, with_deleted: bool = True,
                  limit: int = -1) -> list[SummaryLine]:
    """Stored day summaries of [first, before); `with_deleted` keeps the tombstones of
    the ones the user deleted (their content is empty)."""
    deleted = "" if with_deleted else "AND source != ? "
    return _summaries(
        conn, "WHERE kind = 'day' AND period_start >= ? AND period_start < ? " + deleted
        + f"ORDER BY period_start {'DESC' if newest_first else ''} LIMIT ?",
        (first.isoformat(), before.isoformat(),
         *(() if with_deleted else (SUMMARY_DELETED,)), limit))


def weeks_before(conn: sqlite3.Connection, before: date, limit: int) -> list[SummaryLine]:
    """Stored week summaries starting before `before`, newest first (not deleted ones)."""
    return _summaries(conn, "WHERE kind = 'week' AND period_start < ? AND source != ? "
                            "ORDER BY period_start DESC LIMIT ?",
                      (before.isoformat(), SUMMARY_DELETED, limit))


def summary_starts(conn: sqlite3.Connection, kind: str, first: date, before: date
                   ) -> set[date]:
    """The periods of `kind` in [first, before) that have a row (tombstones included)."""
    return {date.fromisoformat(text) for (text,) in conn.execute(
        "SELECT period_start FROM summaries WHERE kind = ? AND period_start >= ? "
        "AND period_start < ?", (kind, first.isoformat(), before.isoformat()))}


# ----------------------------------------------------------------- what helped before


@dataclass(frozen=True)
class HelpedLine:
    """A reflection the user rated helpful, and what they said about it."""

    note: str | None
    period: date
    structured: str | None
    content: str


def helped_reflections(conn: sqlite3.Connection, before: date, limit: int, lookback: int
                       ) -> list[HelpedLine]:
    """The newest reflections (before `before`) rated helpful, among the newest `lookback`
    feedback rows by id."""
    newest = conn.execute("SELECT max(id) FROM feedback").fetchone()[0]
    if newest is None:
        return []
    return [HelpedLine(note, date.fromisoformat(period), structured, content)
            for note, period, structured, content in conn.execute(
                "SELECT f.note, r.period, r.structured, r.content FROM feedback f "
                "JOIN reflections r ON r.id = f.target_id WHERE f.id > ? "
                "AND f.target_kind = 'reflection' AND f.rating > 0 AND r.period < ? "
                "ORDER BY f.id DESC LIMIT ?", (newest - lookback, before.isoformat(), limit))]


@dataclass(frozen=True)
class EveningWords:
    user_words: str | None
    content: str


def evening_reflection(conn: sqlite3.Connection, day: date) -> EveningWords | None:
    """The day's newest daily reflection: the user's words and the companion's."""
    found = conn.execute("SELECT user_words, content FROM reflections WHERE kind = 'daily' "
                         "AND period = ? ORDER BY id DESC LIMIT 1", (day.isoformat(),)
                         ).fetchone()
    return None if found is None else EveningWords(*found)


# ------------------------------------------------------------------ plain summaries


@dataclass(frozen=True)
class RangeFacts:
    """Counts and a few examples over a period, for the plain summaries."""

    wins: int
    win_titles: tuple[str, ...]  # the newest four
    notes: int
    note_texts: tuple[str, ...]  # the first three
    todos: int
    mood: float | None
    goals: tuple[tuple[str, int], ...]  # (slug, rows touching it), most first

    @property
    def quiet(self) -> bool:
        return not (self.wins or self.notes or self.todos)


def range_facts(conn: sqlite3.Connection, start: datetime, end: datetime) -> RangeFacts:
    """Bounded, indexed range scans over [start, end)."""
    s, e = to_db(start), to_db(end)
    wins = count_wins(conn, start, end)
    win_titles = tuple(t for (t,) in conn.execute(
        f"SELECT a.title FROM actions a WHERE {WINS_WHERE} ORDER BY a.done_at DESC LIMIT 4",
        (s, e)))
    notes, mood = conn.execute(
        "SELECT count(*), avg(mood) FROM entries WHERE created_at >= ? AND created_at < ?",
        (s, e)).fetchone()
    note_texts = tuple(t for (t,) in conn.execute(
        "SELECT text FROM entries WHERE created_at >= ? AND created_at < ? "
        "ORDER BY created_at LIMIT 3", (s, e)))
    todos = conn.execute("SELECT count(*) FROM actions a WHERE a.created_at >= ? "
                         f"AND a.created_at < ? AND {NOT_WON_WHERE}", (s, e, s, e)).fetchone()[0]
    touched: dict[int, int] = {}
    for activity in (goals_done(conn, start, end), goals_noted(conn, start, end),
                     goals_added(conn, start, end)):
        for row in activity:
            touched[row.goal_id] = touched.get(row.goal_id, 0) + row.count
    ids = list(touched)[:50]
    slugs = dict(conn.execute(
        f"SELECT id, slug FROM goals WHERE id IN ({', '.join('?' * len(ids))})", ids)
    ) if ids else {}
    goals = tuple(sorted(((slugs[g], n) for g, n in touched.items() if g in slugs),
                         key=lambda pair: (-pair[1], pair[0])))
    return RangeFacts(wins, win_titles, notes, note_texts, todos,
                      None if mood is None else float(mood), goals)


def anything_between(conn: sqlite3.Connection, start: datetime, end: datetime) -> bool:
    """Whether a note, a captured step or a win falls in [start, end): three O(log n)
    probes."""
    s, e = to_db(start), to_db(end)
    return conn.execute(
        "SELECT EXISTS (SELECT 1 FROM entries WHERE created_at >= ? AND created_at < ?) "
        "OR EXISTS (SELECT 1 FROM actions WHERE created_at >= ? AND created_at < ?) "
        "OR EXISTS (SELECT 1 FROM actions WHERE done_at >= ? AND done_at < ?)",
        (s, e, s, e, s, e)).fetchone()[0] == 1


def first_moment(conn: sqlite3.Connection) -> datetime | None:
    """When the oldest note or step was captured (two O(log n) index look-ups)."""
    found = conn.execute("SELECT (SELECT min(created_at) FROM entries), "
                         "(SELECT min(created_at) FROM actions)").fetchone()
    moments = [from_db(m) for m in found if m is not None]
    return min(moments) if moments else None
