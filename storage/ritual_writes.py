"""The reflection and goal-review windows' writes, with plain sqlite3 (the tray process
never imports SQLAlchemy). They write exactly what the ORM models describe; tests read
them back through the models.

One `RitualWriter` keeps one connection open (like storage.capture_writer.CaptureWriter)
and is used from the tray's single journal-writer thread. Every method is one short
transaction of storage.db (BEGIN IMMEDIATE, committed before it returns, one moment for
every `updated_at` it writes); goals and steps are written by storage/repo/, as the CLI
writes them, and the schema's FTS5 triggers keep search in step with titles and texts.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from types import EllipsisType

from storage.db import Tx, connect, inserted_id, transaction
from storage.errors import StorageError
from storage.goal_links import TaggedItem, link_tagged
from storage.limits import (
    GOAL_TITLE_CHARS,
    GOAL_WHY_CHARS,
    MOOD,
    STEP_MINUTES,
    WHY_LADDER_STEPS,
)
from storage.repo.goals import check_cadence, goal_title, goal_why, insert_goal
from storage.repo.steps import AddedSteps, add_steps, set_step_status
from storage.slugs import goal_slug
from storage.sqlite import close_connection
from storage.timeutil import utc_now
from storage.vocabulary import ActionStatus, GoalStatus, Source, SummarySource

MAX_WORDS_CHARS = 100_000
MAX_TITLE_CHARS = GOAL_TITLE_CHARS[1]
MAX_WHY_CHARS = GOAL_WHY_CHARS[1]
MAX_ACTION_CHARS = 1000
MAX_NOTE_CHARS = 20_000
MAX_PLANNED = 3
ACTION_STATUSES = tuple(ActionStatus)
GOAL_STATUSES = tuple(GoalStatus)
SOURCES = tuple(Source)
# A summary the user deleted keeps its row with this source and no text (see
# delete_summary). Readers of memory skip these rows; the summary maker counts them as made.
SUMMARY_DELETED = SummarySource.DELETED.value


class RitualWriter:
    """Writes for the rituals over one kept-open connection; use it from one thread."""

    def __init__(self, db: Path, *, clock: Callable[[], datetime] = utc_now) -> None:
        self.db_path = db
        self._clock = clock  # tests pass a fixed clock; never patch time
        self._conn: sqlite3.Connection | None = None

    def close(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            close_connection(conn)

    @contextmanager
    def _tx(self) -> Iterator[Tx]:
        """One write transaction (storage.db.transaction) on the kept-open connection."""
        if self._conn is None:
            self._conn = connect(self.db_path)
        try:
            with transaction(self._conn, db_path=self.db_path, clock=self._clock) as tx:
                yield tx
        except StorageError:
            # Start afresh next time: the file may have been replaced, restored or repaired.
            self.close()
            raise

    @contextmanager
    def _transaction(self) -> Iterator[tuple[sqlite3.Connection, str]]:
        """(connection, now as stored text) inside one write transaction."""
        with self._tx() as tx:
            yield tx.conn, tx.now

    # --------------------------------------------------------------------- the day

    def save_day_words(self, day: date, *, how_it_went: str, in_the_way: str,
                       mood: int | None, energy: int | None) -> None:
        """Keep the user's words on a day (created once, updated on every save)."""
        _check_text(how_it_went, "how the day went", MAX_WORDS_CHARS)
        _check_text(in_the_way, "what got in the way", MAX_WORDS_CHARS)
        _check_scale(mood, "mood")
        _check_scale(energy, "energy")
        with self._transaction() as (conn, now):
            conn.execute(
                "INSERT INTO day_words (day, how_it_went, in_the_way, mood, energy, "
                "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (day) DO UPDATE SET how_it_went = excluded.how_it_went, "
                "in_the_way = excluded.in_the_way, mood = excluded.mood, "
                "energy = excluded.energy, updated_at = excluded.updated_at",
                (day.isoformat(), how_it_went, in_the_way, mood, energy, now, now))

    def add_feedback(self, reflection_id: int, rating: int, note: str | None) -> int:
        """+1 helpful / -1 not quite, with an optional note; one per reflection (a second
        call replaces the first's rating and note). Returns the feedback's id."""
        if rating not in (1, -1):
            raise ValueError("feedback is +1 (helpful) or -1 (not quite)")
        note = _optional_note(note)
        with self._transaction() as (conn, now):
            _require(conn, "reflections", reflection_id, "reflection")
            found = conn.execute(
                "SELECT id FROM feedback WHERE target_kind = 'reflection' AND target_id = ? "
                "ORDER BY id DESC LIMIT 1", (reflection_id,)).fetchone()
            if found is not None:
                conn.execute("UPDATE feedback SET rating = ?, note = ? WHERE id = ?",
                             (rating, note, found[0]))
                return found[0]
            return inserted_id(conn.execute(
                "INSERT INTO feedback (target_kind, target_id, rating, note, created_at) "
                "VALUES ('reflection', ?, ?, ?, ?)", (reflection_id, rating, note, now)))

    def plan_for_day(self, action_ids: Sequence[int], day: date) -> None:
        """Make these open actions (at most three) due on `day`. Others already due that
        day stay as they are."""
        ids = list(dict.fromkeys(action_ids))
        if len(ids) > MAX_PLANNED:
            raise ValueError(f"pick at most {MAX_PLANNED} actions for a day")
        with self._tx() as tx:
            for action_id in ids:
                status = _require(tx.conn, "actions", action_id, "action", "status")
                if status != "open":
                    raise ValueError(f"action {action_id} is {status}, not open: only open "
                                     "actions can be planned")
                # A due time on another day would contradict the new due day.
                tx.execute(
                    "UPDATE actions SET due_at = CASE WHEN due_on = ? THEN due_at END, "
                    "due_on = ?, updated_at = ? WHERE id = ?",
                    (day.isoformat(), day.isoformat(), tx.now, action_id))

    # ------------------------------------------------------------------- actions

    def add_actions(self, steps: Sequence[tuple[str, int | None]], *, goal_id: int | None,
                    source: str = "companion") -> AddedSteps:
        """New open actions (title, estimate in minutes), all or none. A step the goal
        already has open (storage.steps) is not added again, and named in the result."""
        if source not in SOURCES:
            raise ValueError(f"unknown source {source!r}")
        rows = []
        for title, minutes in steps:
            title = " ".join(str(title).split())
            if not title:
                raise ValueError("a step needs a few words")
            _check_text(title, "a step", MAX_ACTION_CHARS)
            if minutes is not None and (isinstance(minutes, bool) or not isinstance(minutes, int)
                                        or not STEP_MINUTES[0] <= minutes <= STEP_MINUTES[1]):
                raise ValueError(f"{title!r}: minutes are a whole number from 1 to 1440")
            rows.append((title, minutes))
        with self._tx() as tx:
            if goal_id is not None:
                _require(tx.conn, "goals", goal_id, "goal")
            return add_steps(tx, rows, goal_id=goal_id, source=source)

    def set_action_status(self, action_id: int, status: str) -> None:
        """open / done / dropped. Done keeps the moment it was first done; the others
        have no done_at."""
        if status not in ACTION_STATUSES:
            raise ValueError(f"an action is {', '.join(ACTION_STATUSES)}, not {status!r}")
        with self._tx() as tx:
            _require(tx.conn, "actions", action_id, "action")
            set_step_status(tx, action_id, status)

    # --------------------------------------------------------------------- goals

    def add_goal(self, title: str, *, why: str = "", cadence_per_week: int | None = None,
                 why_ladder: Sequence[str] = ()) -> int:
        """A new active goal; its #tag (slug) is made from the title (GoalTagTaken, naming
        the goal, when another goal has that tag already). `why_ladder`:
        the answers to "why does that matter to you?" that led to `why`, first asked first
        (kept with the goal and shown in its review)."""
        title = goal_title(title)
        why = goal_why(why)
        ladder = [goal_why(step) for step in why_ladder if step.strip()]
        if len(ladder) > WHY_LADDER_STEPS[1]:
            raise ValueError(f"a why-ladder holds at most {WHY_LADDER_STEPS[1]} answers")
        check_cadence(cadence_per_week)
        with self._tx() as tx:
            return insert_goal(tx, slug=goal_slug(title), title=title, why=why,
                               why_ladder=ladder, cadence_per_week=cadence_per_week).id

    def update_goal(self, goal_id: int, *, title: str | None = None, why: str | None = None,
                    cadence_per_week: int | EllipsisType | None = ...) -> None:
        """Change a goal's title, why or cadence (... leaves it, None clears it). The slug
        stays: captures already use it as their #tag."""
        changes: dict[str, object] = {}
        if title is not None:
            changes["title"] = goal_title(title)
        if why is not None:
            changes["why"] = goal_why(why)
        if cadence_per_week is not ...:
            check_cadence(cadence_per_week)
            changes["cadence_per_week"] = cadence_per_week
        with self._tx() as tx:
            _require(tx.conn, "goals", goal_id, "goal")
            if changes:
                tx.touch("goals", goal_id, changes)

    def link_tagged_items(self, goal_id: int) -> list[TaggedItem]:
        """Link the items tagged with the goal's #tag before it existed (and linked to no
        goal) to it; returns them, so the window can say what it linked."""
        with self._transaction() as (conn, now):
            return link_tagged(conn, goal_id, now)

    def set_goal_status(self, goal_id: int, status: str) -> None:
        if status not in GOAL_STATUSES:
            raise ValueError(f"a goal is {', '.join(GOAL_STATUSES)}, not {status!r}")
        with self._tx() as tx:
            _require(tx.conn, "goals", goal_id, "goal")
            tx.touch("goals", goal_id, {"status": status})

    # -------------------------------------------------------------------- memory

    def edit_summary(self, summary_id: int, text: str) -> None:
        """Replace what a summary says; Wise uses the edited text from then on (the
        nightly job never rewrites an existing summary)."""
        text = text.strip()
        if not text:
            raise ValueError("a summary cannot be empty; delete it instead")
        _check_text(text, "a summary", MAX_NOTE_CHARS)
        with self._transaction() as (conn, _now):
            _require_live_summary(conn, summary_id)
            conn.execute("UPDATE summaries SET content = ? WHERE id = ?", (text, summary_id))

    def delete_summary(self, summary_id: int) -> None:
        """Forget a summary for good. The row stays as a tombstone (no text, source
        SUMMARY_DELETED): the nightly job makes only the summaries that have no row, so
        deleting the row would have the summary made again the next night."""
        with self._transaction() as (conn, _now):
            _require_live_summary(conn, summary_id)
            conn.execute("UPDATE summaries SET content = '', source = ? WHERE id = ?",
                         (SUMMARY_DELETED, summary_id))

    def edit_feedback_note(self, feedback_id: int, note: str) -> None:
        """Change (or, with an empty note, clear) the note on a feedback."""
        with self._transaction() as (conn, _now):
            _require(conn, "feedback", feedback_id, "feedback")
            conn.execute("UPDATE feedback SET note = ? WHERE id = ?",
                         (_optional_note(note), feedback_id))

    def delete_feedback(self, feedback_id: int) -> None:
        with self._transaction() as (conn, _now):
            _require(conn, "feedback", feedback_id, "feedback")
            conn.execute("DELETE FROM feedback WHERE id = ?", (feedback_id,))


# ---------------------------------------------------------------------- checks


def _require(conn: sqlite3.Connection, table: str, row_id: int, what: str,
             column: str = "id") -> object:
    """The row's `column`, or ValueError naming what is missing (it may have been deleted
    meanwhile, in another window or by the CLI)."""
    found = conn.execute(f"SELECT {column} FROM {table} WHERE id = ?", (row_id,)).fetchone()
    if found is None:
        raise ValueError(f"there is no {what} {row_id} (any more)")
    return found[0]


def _require_live_summary(conn: sqlite3.Connection, summary_id: int) -> None:
    """A deleted summary (a tombstone) is as gone as a missing one."""
    if _require(conn, "summaries", summary_id, "summary", "source") == SUMMARY_DELETED:
        raise ValueError(f"there is no summary {summary_id} (any more)")


def _check_text(text: str, what: str, limit: int) -> None:
    if not isinstance(text, str):
        raise ValueError(f"{what} must be text")
    if len(text) > limit:
        raise ValueError(f"{what} holds at most {limit:,} characters ({len(text):,} given)")


def _check_scale(value: int | None, what: str) -> None:
    low, high = MOOD  # energy has the same scale (storage.limits)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                              or not low <= value <= high):
        raise ValueError(f"{what} is {low} to {high}, or not given")


def _optional_note(note: str | None) -> str | None:
    if note is None:
        return None
    _check_text(note, "a note", MAX_NOTE_CHARS)
    return note.strip() or None
