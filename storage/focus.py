"""Focus sessions' reads and writes, with plain sqlite3 (the tray and the CLI share it).

A session is a step being done now: when it started, how long it was meant to last (it
grows with "5 more minutes"), how long it sat paused, when and how it ended. At most one
runs at a time (the schema refuses a second). Every write is one short BEGIN IMMEDIATE
transaction, committed before it returns.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from storage.db import Tx, connect, inserted_id, transaction
from storage.errors import StorageError, explain_sqlite_error
from storage.ids import new_uid
from storage.limits import STEP_MINUTES
from storage.repo.steps import set_step_status
from storage.sqlite import close_connection
from storage.steps import step_key
from storage.timeutil import from_db, to_db, utc_now
from storage.vocabulary import FocusOutcome, NudgeResponse, Source

JUST_START_MINUTES = 2  # a step without an estimate: "just start for two minutes"
MAX_TITLE_CHARS = 1000  # as a step's title from a window
_COLUMNS = ("id", "uid", "action_id", "nudge_id", "title", "estimate_minutes", "started_at",
            "planned_seconds", "paused_at", "paused_seconds", "ended_at", "outcome")
_SELECT = f"SELECT {', '.join(_COLUMNS)} FROM focus_sessions"


class FocusConflict(Exception):
    """The request does not fit the session's state (none running, already paused...)."""


@dataclass(frozen=True)
class FocusSession:
    id: int
    uid: str
    action_id: int | None
    nudge_id: int | None
    title: str
    estimate_minutes: int | None
    started_at: datetime
    planned_seconds: int
    paused_at: datetime | None
    paused_seconds: int
    ended_at: datetime | None
    outcome: str | None

    @property
    def running(self) -> bool:
        return self.ended_at is None

    def as_dict(self) -> dict:
        data = asdict(self)
        for name in ("started_at", "paused_at", "ended_at"):
            moment = data[name]
            data[name] = moment.isoformat() if moment is not None else None
        return data


def _session(row: tuple) -> FocusSession:
    values = dict(zip(_COLUMNS, row, strict=True))
    for name in ("started_at", "paused_at", "ended_at"):
        if values[name] is not None:
            values[name] = from_db(values[name])
    return FocusSession(**values)


def paused_so_far(session: FocusSession, now: datetime) -> float:
    """Seconds paused, counting a pause still going on."""
    ongoing = (now - session.paused_at).total_seconds() if session.paused_at else 0.0
    return session.paused_seconds + max(0.0, ongoing)


def planned_end(session: FocusSession, now: datetime) -> datetime:
    """When the session's time runs out on the wall clock (later by every pause)."""
    from datetime import timedelta

    return session.started_at + timedelta(seconds=session.planned_seconds
                                          + paused_so_far(session, now))


def seconds_given(started_at: datetime, ended_at: datetime | None, paused_seconds: float,
                  now: datetime, paused_at: datetime | None = None) -> float:
    """The one rule for time given to a step in a session: start to end (or `now`, for a
    session still running), pauses left out (one still going on too), never below 0."""
    end = ended_at or now
    ongoing = (end - paused_at).total_seconds() if paused_at else 0.0
    return max(0.0, (end - started_at).total_seconds() - paused_seconds - max(0.0, ongoing))


def given_seconds(session: FocusSession, now: datetime) -> float:
    """Time given to the step in one session (see seconds_given)."""
    return seconds_given(session.started_at, session.ended_at, session.paused_seconds, now,
                         session.paused_at)


@dataclass(frozen=True)
class StepTime:
    """The time given to one step (or, for sessions on words alone, to those words)."""

    action_id: int | None
    title: str
    seconds: float
    sessions: int
    planned_seconds: int = 0  # what its first session planned
    estimate_minutes: int | None = None  # the largest guess any of its sessions carried


def time_by_step(sessions: list[FocusSession], now: datetime) -> list[StepTime]:
    """The time given to each step, most first: every reader of "time given per step"
    (`wise today`, the reflection window and its context, the Markdown export) uses this."""
    groups: dict[tuple[int | None, str], list[FocusSession]] = {}
    for session in sorted(sessions, key=lambda s: (s.started_at, s.id)):
        key = (session.action_id, session.title if session.action_id is None else "")
        groups.setdefault(key, []).append(session)
    titles = {s.action_id: s.title for s in sessions}
    rows = []
    for (action_id, title), group in groups.items():
        estimates = [s.estimate_minutes for s in group if s.estimate_minutes]
        rows.append(StepTime(action_id, title or titles.get(action_id, ""),
                             sum(given_seconds(s, now) for s in group), len(group),
                             group[0].planned_seconds, max(estimates, default=None)))
    return sorted(rows, key=lambda row: -row.seconds)


def sessions_between(conn: sqlite3.Connection, start: datetime, end: datetime, *,
                     limit: int | None = None) -> list[FocusSession]:
    """Sessions that started in [start, end), oldest first (at most `limit`)."""
    return _started_between(conn, start, end, limit)


class FocusStore:
    """Focus sessions over one kept-open connection; use it from one thread."""

    def __init__(self, db: Path, *, clock: Callable[[], datetime] = utc_now) -> None:
        self.db_path = db
        self._clock = clock  # tests pass their own clock; never patch time
        self._conn: sqlite3.Connection | None = None

    def close(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            close_connection(conn)

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            self._conn = connect(self.db_path)
        return self._conn

    @contextmanager
    def _transaction(self) -> Iterator[tuple[sqlite3.Connection, datetime]]:
        try:
            with transaction(self._connection(), db_path=self.db_path,
                             clock=self._clock) as tx:
                yield tx.conn, tx.moment
        except StorageError:
            self.close()
            raise

    # ------------------------------------------------------------------ reads

    def running(self) -> FocusSession | None:
        try:
            row = self._connection().execute(f"{_SELECT} WHERE ended_at IS NULL").fetchone()
        except sqlite3.Error as exc:
            self.close()
            raise explain_sqlite_error(exc, self.db_path) from exc
        return _session(row) if row else None

    def get(self, session_id: int) -> FocusSession | None:
        row = self._connection().execute(f"{_SELECT} WHERE id = ?", (session_id,)).fetchone()
        return _session(row) if row else None

    def between(self, start: datetime, end: datetime) -> list[FocusSession]:
        """Sessions that started in [start, end), oldest first."""
        return sessions_between(self._connection(), start, end)

    def finished_with_estimates(self, limit: int = 500) -> list[FocusSession]:
        """The latest sessions that ended with the step done and had an estimate: what
        estimate calibration learns from."""
        rows = self._connection().execute(
            f"{_SELECT} WHERE outcome = 'done' AND estimate_minutes IS NOT NULL "
            "ORDER BY started_at DESC LIMIT ?", (limit,)).fetchall()
        return [_session(row) for row in rows]

    def goals_of(self, action_ids: list[int]) -> dict[int, str]:
        """step id -> its goal's title, for the steps that have a goal."""
        if not action_ids:
            return {}
        marks = ", ".join("?" for _ in action_ids)
        return dict(self._connection().execute(
            f"SELECT a.id, g.title FROM actions a JOIN goals g ON g.id = a.goal_id "
            f"WHERE a.id IN ({marks})", action_ids).fetchall())

    def nudge_step(self, nudge_id: int) -> tuple[int | None, str]:
        """A nudge's step (None if it had none) and its words."""
        row = self._connection().execute("SELECT action_id, text FROM nudges WHERE id = ?",
                                         (nudge_id,)).fetchone()
        if row is None:
            raise ValueError(f"there is no nudge {nudge_id}")
        return row[0], row[1]

    def open_steps(self, limit: int = 5) -> list[tuple[int, str, int | None]]:
        """Today's best few steps to start: due first, then small, then oldest."""
        return self._connection().execute(
            "SELECT id, title, estimate_minutes FROM actions WHERE status = 'open' "
            "ORDER BY due_on IS NULL, due_on, estimate_minutes IS NULL, estimate_minutes, "
            "created_at LIMIT ?", (limit,)).fetchall()

    # ------------------------------------------------------------------ writes

    def start(self, *, action_id: int | None = None, text: str | None = None,
              minutes: int | None = None, nudge_id: int | None = None) -> FocusSession:
        """Start a step now: by its id, or by its words (an open step with those words, else
        a new step). Its length: `minutes`, else the step's estimate, else two minutes."""
        if (action_id is None) == (text is None):
            raise ValueError("start a step by its id or by its words, not both or neither")
        if minutes is not None and not STEP_MINUTES[0] <= minutes <= STEP_MINUTES[1]:
            raise ValueError(f"a session lasts {STEP_MINUTES[0]} to {STEP_MINUTES[1]} minutes")
        with self._transaction() as (conn, now):
            if conn.execute("SELECT 1 FROM focus_sessions WHERE ended_at IS NULL").fetchone():
                raise FocusConflict("a session is already running: finish or stop it first")
            if action_id is None:
                action_id = _step_for_words(conn, text or "", now)
            row = conn.execute("SELECT title, estimate_minutes, status FROM actions "
                               "WHERE id = ?", (action_id,)).fetchone()
            if row is None:
                raise ValueError(f"there is no step {action_id}")
            title, estimate, _status = row
            length = minutes or estimate or JUST_START_MINUTES
            session_id = conn.execute(
                "INSERT INTO focus_sessions (uid, action_id, nudge_id, title, "
                "estimate_minutes, started_at, planned_seconds, paused_seconds) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, 0)",
                (new_uid(), action_id, nudge_id, title, estimate, to_db(now),
                 length * 60)).lastrowid
            if nudge_id is not None:
                conn.execute("UPDATE nudges SET response = ?, responded_at = ? WHERE id = ?",
                             (NudgeResponse.STARTED.value, to_db(now), nudge_id))
            found = conn.execute(f"{_SELECT} WHERE id = ?", (session_id,)).fetchone()
        return _session(found)

    def pause(self) -> FocusSession:
        with self._transaction() as (conn, now):
            session = _require_running(conn)
            if session.paused_at is not None:
                raise FocusConflict("the session is paused already")
            conn.execute("UPDATE focus_sessions SET paused_at = ? WHERE id = ?",
                         (to_db(now), session.id))
            return _reread(conn, session.id)

    def resume(self) -> FocusSession:
        with self._transaction() as (conn, now):
            session = _require_running(conn)
            if session.paused_at is None:
                raise FocusConflict("the session is not paused")
            conn.execute("UPDATE focus_sessions SET paused_at = NULL, paused_seconds = ? "
                         "WHERE id = ?", (round(paused_so_far(session, now)), session.id))
            return _reread(conn, session.id)

    def extend(self, minutes: int) -> FocusSession:
        """Add minutes to the running session (the end check-in's "5 more minutes"). A
        session whose time ran out gets them from now, not from its old end."""
        if not 1 <= minutes <= STEP_MINUTES[1]:
            raise ValueError(f"extend by 1 to {STEP_MINUTES[1]} minutes")
        with self._transaction() as (conn, now):
            session = _require_running(conn)
            over = max(0.0, (now - planned_end(session, now)).total_seconds())
            planned = min(86400, session.planned_seconds + round(over) + minutes * 60)
            conn.execute("UPDATE focus_sessions SET planned_seconds = ? WHERE id = ?",
                         (planned, session.id))
            return _reread(conn, session.id)

    def finish(self, outcome: FocusOutcome, *, at: datetime | None = None) -> FocusSession:
        """End the running session. Done also ticks the step. `at`: when it really ended,
        if earlier than now (its time ran out while the computer slept)."""
        with self._transaction() as (conn, now):
            session = _require_running(conn)
            ended = min(at, now) if at is not None else now
            ended = max(ended, session.started_at)
            paused = round(paused_so_far(session, ended))
            conn.execute("UPDATE focus_sessions SET ended_at = ?, outcome = ?, paused_at = "
                         "NULL, paused_seconds = ? WHERE id = ?",
                         (to_db(ended), outcome.value, paused, session.id))
            if outcome is FocusOutcome.DONE and session.action_id is not None:
                # The step is done when the session ended (an open or a dropped one).
                set_step_status(Tx(conn, now), session.action_id, "done", done_at=ended,
                                only_from=("open", "dropped"))
            return _reread(conn, session.id)


def _started_between(conn: sqlite3.Connection, start: datetime, end: datetime,
                     limit: int | None) -> list[FocusSession]:
    rows = conn.execute(
        f"{_SELECT} WHERE started_at >= ? AND started_at < ? ORDER BY started_at LIMIT ?",
        (to_db(start), to_db(end), -1 if limit is None else limit)).fetchall()
    return [_session(row) for row in rows]


def _require_running(conn: sqlite3.Connection) -> FocusSession:
    row = conn.execute(f"{_SELECT} WHERE ended_at IS NULL").fetchone()
    if row is None:
        raise FocusConflict("no focus session is running")
    return _session(row)


def _reread(conn: sqlite3.Connection, session_id: int) -> FocusSession:
    return _session(conn.execute(f"{_SELECT} WHERE id = ?", (session_id,)).fetchone())


def _step_for_words(conn: sqlite3.Connection, text: str, now: datetime) -> int:
    title = " ".join(text.split())
    if not title:
        raise ValueError("say which step to start: its number or its words")
    if len(title) > MAX_TITLE_CHARS:
        raise ValueError(f"a step is at most {MAX_TITLE_CHARS} characters")
    key = step_key(title)
    for action_id, existing in conn.execute(
            "SELECT id, title FROM actions WHERE status = 'open' ORDER BY id"):
        if step_key(existing) == key:
            return action_id
    stamp = to_db(now)
    return inserted_id(conn.execute(
        "INSERT INTO actions (uid, title, status, source, created_at, updated_at) "
        "VALUES (?, ?, 'open', ?, ?, ?)",
        (new_uid(), title, Source.CLI.value, stamp, stamp)))
