"""Goals: find them, add one (one rule for a tag already in use), change them, and what the
journal shows about each (activity counts for `wise goals list`, facts for the review,
the surroundings a break-down is given)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from storage.db import Tx, inserted_id, moment
from storage.limits import CADENCE_PER_WEEK, GOAL_TITLE_CHARS, GOAL_WHY_CHARS
from storage.timeutil import to_db
from storage.vocabulary import ActionStatus, GoalStatus

_COLUMNS = ("id, uid, slug, title, why, why_ladder, status, cadence_per_week, created_at, "
            "updated_at")
LIVE = (GoalStatus.ACTIVE.value, GoalStatus.PAUSED.value)


@dataclass(frozen=True)
class GoalRow:
    id: int
    uid: str
    slug: str
    title: str
    why: str
    why_ladder: tuple[str, ...]
    status: str
    cadence_per_week: int | None
    created_at: datetime
    updated_at: datetime


class GoalTagTaken(ValueError):
    """A new goal's #tag is the tag of a goal the journal has already: the one rule of
    every surface that adds goals (the CLI, the review window, the welcome). Captures
    link to a goal by its tag, so two goals cannot share one, and a near-copy tag such
    as #run-2 would split the user's captures between two goals without their knowing.
    Each surface says what can be done there after the `headline` (the review window
    offers to open the goal, the welcome to go on with it, the CLI names its number); the
    message alone says only what holds everywhere."""

    def __init__(self, existing: GoalRow) -> None:
        self.existing = existing
        state = "" if existing.status == GoalStatus.ACTIVE.value else f", {existing.status}"
        self.headline = f"you have this goal already: {existing.title} (#{existing.slug}{state})"
        super().__init__(f"{self.headline}; for a second goal, give this one another title")


def _goal(row: tuple) -> GoalRow:
    (goal_id, uid, slug, title, why, ladder, status, cadence, created, updated) = row
    return GoalRow(goal_id, uid, slug, title, why or "", tuple(json.loads(ladder or "[]")),
                   status, cadence, moment(created), moment(updated))


def get_goal(conn: sqlite3.Connection, goal_id: int) -> GoalRow | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM goals WHERE id = ?", (goal_id,)).fetchone()
    return _goal(row) if row else None


def goal_by_slug(conn: sqlite3.Connection, slug: str) -> GoalRow | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM goals WHERE slug = ?", (slug,)).fetchone()
    return _goal(row) if row else None


def find_goal(conn: sqlite3.Connection, ref: str) -> GoalRow | None:
    """A goal by its id ('3') or its tag ('family', '#Family')."""
    ref = ref.strip()
    return get_goal(conn, int(ref)) if ref.isdigit() else goal_by_slug(
        conn, ref.lstrip("#").lower())


# A goal's fields, the one rule of every surface that adds or changes a goal (the CLI, the
# review window, the welcome): ValueError names what is wrong; the database's CHECKs hold
# the same limits (storage.limits).

def goal_title(title: str) -> str:
    """A goal's title as stored: its white space folded; empty or too long is refused."""
    title = " ".join(str(title).split())
    if not title:
        raise ValueError("a goal needs a title")
    _at_most(title, "a goal's title", GOAL_TITLE_CHARS[1])
    return title


def goal_why(why: str) -> str:
    """A goal's why (or one answer of its why-ladder) as stored: stripped, not too long."""
    why = str(why).strip()
    _at_most(why, "a goal's why", GOAL_WHY_CHARS[1])
    return why


def check_cadence(cadence: int | None) -> None:
    """How many times a week the user wants to touch the goal: none, or 1 to 21."""
    low, high = CADENCE_PER_WEEK
    if cadence is not None and (isinstance(cadence, bool) or not isinstance(cadence, int)
                                or not low <= cadence <= high):
        raise ValueError(f"a cadence is times a week, from {low} to {high}")


def _at_most(text: str, what: str, limit: int) -> None:
    if len(text) > limit:
        raise ValueError(f"{what} holds at most {limit:,} characters ({len(text):,} given)")


def insert_goal(tx: Tx, *, slug: str, title: str, why: str = "",
                why_ladder: Sequence[str] = (), cadence_per_week: int | None = None) -> GoalRow:
    """A new active goal; GoalTagTaken when another goal has this tag."""
    existing = goal_by_slug(tx.conn, slug)
    if existing is not None:
        raise GoalTagTaken(existing)
    from storage.ids import new_uid

    ladder = json.dumps(list(why_ladder), ensure_ascii=False) if why_ladder else None
    goal_id = inserted_id(tx.execute(
        "INSERT INTO goals (uid, slug, title, why, why_ladder, status, cadence_per_week, "
        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'active', ?, ?, ?)",
        (new_uid(), slug, title, why, ladder, cadence_per_week, tx.now, tx.now)))
    return _required(tx.conn, goal_id)


def update_goal(tx: Tx, goal_id: int, changes: dict[str, object]) -> GoalRow:
    """Change title, why, cadence_per_week or status; updated_at moves with them."""
    allowed = {"title", "why", "cadence_per_week", "status"}
    if set(changes) - allowed:
        raise ValueError(f"a goal's {', '.join(sorted(set(changes) - allowed))} cannot be "
                         "changed here")
    _required(tx.conn, goal_id)
    if changes:
        tx.touch("goals", goal_id, changes)
    return _required(tx.conn, goal_id)


def _required(conn: sqlite3.Connection, goal_id: int) -> GoalRow:
    goal = get_goal(conn, goal_id)
    if goal is None:
        raise ValueError(f"there is no goal {goal_id} (any more)")
    return goal


# ------------------------------------------------------------------ what the journal shows


@dataclass(frozen=True)
class GoalActivity:
    """A goal with its open steps, the steps done since a moment, and when it was last
    touched (storage.repo.goal_activity's meaning: a step done or added, or a note)."""

    goal: GoalRow
    open_actions: int
    done_last_7_days: int
    last_activity: datetime | None


def goals_with_activity(conn: sqlite3.Connection, done_since: datetime, *,
                        include_all: bool = False) -> list[GoalActivity]:
    """Active goals first, then by age; without include_all only active and paused."""
    where = "" if include_all else f"WHERE g.status IN ('{LIVE[0]}', '{LIVE[1]}')"
    rows = conn.execute(
        f"SELECT {', '.join('g.' + c.strip() for c in _COLUMNS.split(','))}, "
        "(SELECT count(*) FROM actions a WHERE a.goal_id = g.id AND a.status = 'open'), "
        "(SELECT count(*) FROM actions a WHERE a.goal_id = g.id AND a.done_at >= ?), "
        "(SELECT max(a.done_at) FROM actions a WHERE a.goal_id = g.id), "
        "(SELECT max(a.created_at) FROM actions a WHERE a.goal_id = g.id), "
        "(SELECT max(e.created_at) FROM entries e WHERE e.goal_id = g.id) "
        f"FROM goals g {where} ORDER BY g.status != 'active', g.created_at",
        (to_db(done_since),)).fetchall()
    found = []
    for row in rows:
        moments = [moment(m) for m in row[12:] if m is not None]
        found.append(GoalActivity(_goal(row[:10]), row[10], row[11],
                                  max(moments) if moments else None))
    return found


def live_goals(conn: sqlite3.Connection, limit: int) -> tuple[list[GoalRow], int]:
    """(active then paused goals, oldest first, at most `limit`; how many there are)."""
    live = f"status IN ('{LIVE[0]}', '{LIVE[1]}')"
    goals = [_goal(row) for row in conn.execute(
        f"SELECT {_COLUMNS} FROM goals WHERE {live} ORDER BY status != 'active', id LIMIT ?",
        (limit,))]
    (total,) = conn.execute(f"SELECT count(*) FROM goals WHERE {live}").fetchone()
    return goals, total


@dataclass(frozen=True)
class GoalFacts:
    """Counts and moments of one goal since a moment, and its open steps and last notes."""

    done_since: int
    added_since: int
    notes_since: int
    last_moment: datetime | None  # the newest step done, step added or note
    open_titles: tuple[str, ...]  # smallest estimate first (15 min when none), then oldest
    recent_notes: tuple[str, ...]  # newest first


def goal_facts(conn: sqlite3.Connection, goal_id: int, since: datetime, *,
               note_limit: int) -> GoalFacts:
    """LIMITed or aggregated lookups through the goal_id indexes."""
    (done, added, last_done, last_added) = conn.execute(
        "SELECT count(CASE WHEN done_at >= :since THEN 1 END), "
        "count(CASE WHEN created_at >= :since THEN 1 END), max(done_at), max(created_at) "
        "FROM actions WHERE goal_id = :goal", {"since": to_db(since), "goal": goal_id}
    ).fetchone()
    (notes, last_note) = conn.execute(
        "SELECT count(CASE WHEN created_at >= :since THEN 1 END), max(created_at) "
        "FROM entries WHERE goal_id = :goal", {"since": to_db(since), "goal": goal_id}
    ).fetchone()
    moments = [moment(m) for m in (last_done, last_added, last_note) if m is not None]
    open_titles = tuple(" ".join(title.split()) for (title,) in conn.execute(
        "SELECT title FROM actions WHERE goal_id = ? AND status = 'open' "
        "ORDER BY coalesce(estimate_minutes, 15), id", (goal_id,)))
    notes_text = tuple(text for (text,) in conn.execute(
        "SELECT text FROM entries WHERE goal_id = ? ORDER BY id DESC LIMIT ?",
        (goal_id, note_limit)))
    return GoalFacts(done or 0, added or 0, notes or 0, max(moments) if moments else None,
                     open_titles, notes_text)


@dataclass(frozen=True)
class StepBrief:
    id: int
    title: str
    estimate_minutes: int | None
    done_at: datetime | None


@dataclass(frozen=True)
class GoalSurroundings:
    """What a break-down is told about a goal: its open steps (newest first), its done
    steps (last done first) and its last notes (newest first), each LIMITed."""

    goal: GoalRow
    open_steps: tuple[StepBrief, ...]
    done_steps: tuple[StepBrief, ...]
    notes: tuple[str, ...]


def goal_surroundings(conn: sqlite3.Connection, goal_id: int, *, open_limit: int,
                      done_limit: int, note_limit: int) -> GoalSurroundings | None:
    goal = get_goal(conn, goal_id)
    if goal is None:
        return None

    def steps(status: str, order: str, limit: int) -> tuple[StepBrief, ...]:
        return tuple(StepBrief(step_id, title, minutes, moment(done_at))
                     for step_id, title, minutes, done_at in conn.execute(
                         "SELECT id, title, estimate_minutes, done_at FROM actions "
                         f"WHERE goal_id = ? AND status = ? ORDER BY {order} LIMIT ?",
                         (goal_id, status, limit)))

    notes = tuple(text for (text,) in conn.execute(
        "SELECT text FROM entries WHERE goal_id = ? ORDER BY id DESC LIMIT ?",
        (goal_id, note_limit)))
    return GoalSurroundings(goal, steps(ActionStatus.OPEN.value, "id DESC", open_limit),
                            steps(ActionStatus.DONE.value, "done_at DESC", done_limit),
                            notes)
