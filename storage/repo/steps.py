"""Steps (the journal's `actions`): list them, read one, add them, and the one way a step
is marked done, dropped or open again (the CLI, the review window and a nudge's Done all
come here)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from storage.db import Tx, inserted_id, moment
from storage.ids import new_uid
from storage.steps import open_steps_by_key, step_key
from storage.timeutil import to_db
from storage.vocabulary import ActionStatus

_COLUMNS = ("a.id, a.uid, a.title, a.goal_id, g.slug, a.status, a.estimate_minutes, "
            "a.due_on, a.due_at, a.done_at, a.source, a.created_at, a.updated_at")


@dataclass(frozen=True)
class StepRow:
    id: int
    uid: str
    title: str
    goal_id: int | None
    goal_slug: str | None
    status: str
    estimate_minutes: int | None
    due_on: date | None
    due_at: datetime | None
    done_at: datetime | None
    source: str
    created_at: datetime
    updated_at: datetime
    tags: tuple[str, ...] = ()


def _rows(conn: sqlite3.Connection, where: str, params: tuple, tail: str = ""
          ) -> list[StepRow]:
    rows = conn.execute(f"SELECT {_COLUMNS} FROM actions a LEFT JOIN goals g ON g.id = a.goal_id "
                        f"{where} {tail}", params).fetchall()
    if not rows:
        return []
    ids = [row[0] for row in rows]
    tags: dict[int, list[str]] = {}
    for start in range(0, len(ids), 500):  # SQLite's variable limit, kept well clear of
        chunk = ids[start:start + 500]
        for action_id, name in conn.execute(
                "SELECT l.action_id, t.name FROM action_tags l JOIN tags t ON t.id = l.tag_id "
                f"WHERE l.action_id IN ({', '.join('?' * len(chunk))}) ORDER BY t.name",
                chunk):
            tags.setdefault(action_id, []).append(name)
    return [StepRow(row[0], row[1], row[2], row[3], row[4], row[5], row[6],
                    date.fromisoformat(row[7]) if row[7] else None,
                    moment(row[8]), moment(row[9]), row[10], moment(row[11]), moment(row[12]),
                    tuple(tags.get(row[0], ()))) for row in rows]


def get_step(conn: sqlite3.Connection, step_id: int) -> StepRow | None:
    found = _rows(conn, "WHERE a.id = ?", (step_id,))
    return found[0] if found else None


def list_steps(conn: sqlite3.Connection, *, status: str | None = ActionStatus.OPEN.value,
               goal_id: int | None = None, limit: int = 500) -> list[StepRow]:
    """Due first (soonest first), then the rest, newest first. `status` None: every one."""
    where: list[str] = []
    params: list[str | int] = []
    if status is not None:
        where.append("a.status = ?")
        params.append(ActionStatus(status).value)
    if goal_id is not None:
        where.append("a.goal_id = ?")
        params.append(goal_id)
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    return _rows(conn, clause, tuple(params),
                 "ORDER BY a.due_on IS NULL, a.due_on, a.due_at, a.created_at DESC LIMIT "
                 f"{int(limit)}")


def set_step_status(tx: Tx, step_id: int, status: str, *, done_at: datetime | None = None,
                    only_from: Sequence[str] | None = None) -> bool:
    """open / done / dropped: the one way a step's status changes (the CLI, the review
    window, a nudge's Done, a focus session ended done).

    Done keeps the moment a step was first done (marking a done step done again changes
    nothing that matters); `done_at` says when it was done if not now (a focus session
    that ran out while the computer slept). Open and dropped have no done_at. With
    `only_from`, a step in another status is left as it is (a nudge's Done never reopens
    or re-dates a dropped step). True when the step changed."""
    status = ActionStatus(status).value
    when = to_db(done_at) if done_at is not None else tx.now
    done = ("CASE WHEN status = 'done' THEN coalesce(done_at, :when) ELSE :when END"
            if status == ActionStatus.DONE.value else "NULL")
    guard = ""
    if only_from is not None:
        guard = f" AND status IN ({', '.join(repr(ActionStatus(s).value) for s in only_from)})"
    return tx.execute(
        f"UPDATE actions SET done_at = {done}, status = :status, updated_at = :now "
        f"WHERE id = :id{guard}",
        {"when": when, "now": tx.now, "status": status, "id": step_id}).rowcount > 0


@dataclass(frozen=True)
class AddedSteps:
    """What add_steps did: the new steps' ids, in order, and the titles it did not add
    because the goal has that step open already."""

    ids: list[int]
    already_open: list[str]


def add_steps(tx: Tx, steps: Sequence[tuple[str, int | None]], *, goal_id: int | None,
              source: str) -> AddedSteps:
    """New open steps (title, estimate in minutes), checked by the caller. A step the goal
    already has open (storage.steps) is not added again, and named in the result."""
    taken: set[str] = set(open_steps_by_key(tx.conn, goal_id)) if goal_id is not None else set()
    added = AddedSteps([], [])
    for title, minutes in steps:
        key = step_key(title)
        if goal_id is not None and key in taken:
            added.already_open.append(title)
            continue
        taken.add(key)
        added.ids.append(inserted_id(tx.execute(
            "INSERT INTO actions (uid, title, goal_id, status, estimate_minutes, source, "
            "created_at, updated_at) VALUES (?, ?, ?, 'open', ?, ?, ?, ?)",
            (new_uid(), title, goal_id, minutes, source, tx.now, tx.now))))
    return added
