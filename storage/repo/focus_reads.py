"""What the reflection and goal-review windows read about focus, with read-only sqlite3:
one step by its id (the end check-in's "Make it smaller"), and the minutes given to each
goal per journal day (goal review's heatmaps in minutes)."""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path

from storage.focus import seconds_given
from storage.repo.reading import NoJournal, reading
from storage.repo.ritual_reads import HEATMAP_DAYS, ActionRow, heatmap_edges, step_rows
from storage.timeutil import from_db, utc_now


def step_row(db: Path, action_id: int) -> ActionRow | None:
    """One step with its goal, whatever its status; None when there is no such step."""
    try:
        with reading(db) as conn:
            found = step_rows(conn, "WHERE a.id = ?", (action_id,))
    except NoJournal:
        return None
    return found[0] if found else None


def goal_minutes(db: Path, today: date, start_hour: int, goal_ids: Iterable[int] | None = None,
                 *, now: datetime | None = None) -> dict[int, list[int]]:
    """goal id -> minutes given to its steps on each of the heatmap's 84 journal days
    (the cards' window, Monday-first, oldest first), pauses left out. A session counts on
    the day it started; one still running counts up to `now`. Goals without any time in
    the window are left out."""
    edges = heatmap_edges(today, start_hour)
    wanted = None if goal_ids is None else set(goal_ids)
    moment = now or utc_now()
    seconds: dict[int, list[float]] = {}
    try:
        with reading(db) as conn:
            rows = conn.execute(
                "SELECT a.goal_id, f.started_at, f.ended_at, f.paused_at, f.paused_seconds "
                "FROM focus_sessions f JOIN actions a ON a.id = f.action_id "
                "WHERE f.started_at >= ? AND f.started_at < ? AND a.goal_id IS NOT NULL",
                (edges[0], edges[-1])).fetchall()
    except NoJournal:
        return {}
    for goal_id, started, ended, paused_at, paused_seconds in rows:
        if wanted is not None and goal_id not in wanted:
            continue
        given = seconds_given(from_db(started), from_db(ended) if ended else None,
                              paused_seconds, moment,
                              from_db(paused_at) if paused_at and not ended else None)
        day = bisect.bisect_right(edges, started) - 1
        seconds.setdefault(goal_id, [0.0] * HEATMAP_DAYS)[day] += given
    return {goal_id: [round(s / 60) for s in days] for goal_id, days in seconds.items()}
