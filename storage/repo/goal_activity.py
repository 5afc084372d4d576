"""When a goal last saw activity, in the two meanings Wise uses, each defined once.

- **last touched**: the newest of a step of the goal done, a step captured for it, or a
  note on it. Any engagement counts: what the reflection's context says ("last activity
  3 days ago"), what the goal review reads and what the nudge policy weighs.
- **last progress**: the newest of a step done or a note written; a step merely added is
  a plan, not progress. What the review window's goal cards show beside the heatmap.

Where a reader has other rows in hand it may find the moment there first (the goal review
and `wise goals` in their counts, the nudge policy in its window), but for these meanings
only. A goal's updated_at is when its row was last written (sync's clock), no activity.
In words: "last activity" is the last touch, "last progress" the last progress."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from storage.timeutil import from_db


def last_touched(conn: sqlite3.Connection, goal_id: int) -> datetime | None:
    """A goal's last touch (see the module docstring), from its newest rows by id through
    the goal_id index: O(log n) however long the history."""
    found = conn.execute(
        "SELECT (SELECT created_at FROM entries WHERE goal_id = ? ORDER BY id DESC LIMIT 1), "
        "(SELECT coalesce(done_at, created_at) FROM actions WHERE goal_id = ? "
        "ORDER BY id DESC LIMIT 1)", (goal_id, goal_id)).fetchone()
    moments = [from_db(m) for m in found if m is not None]
    return max(moments) if moments else None


def last_progress(conn: sqlite3.Connection, goal_id: int) -> str | None:
    """A goal's last progress over its whole history (stored text). A caller with a
    window of recent rows in hand (the goal cards' 12 weeks) finds it there first and asks
    this only for the goals quiet for longer."""
    return conn.execute(
        "SELECT max(m) FROM (SELECT max(done_at) AS m FROM actions WHERE goal_id = ? "
        "AND status = 'done' UNION ALL SELECT max(created_at) FROM entries WHERE goal_id = ?)",
        (goal_id, goal_id)).fetchone()[0]
