"""Small reads the tray needs at once (goal tags for completion), with plain sqlite3 so the
tray starts without importing SQLAlchemy."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from storage.sqlite import connect_readonly
from storage.vocabulary import GoalStatus

ACTIVE, PAUSED = GoalStatus.ACTIVE.value, GoalStatus.PAUSED.value


@dataclass(frozen=True)
class GoalTag:
    slug: str
    title: str
    status: str


def goal_tags(db_path: Path) -> list[GoalTag]:
    """Active and paused goals, the active first, then the goal changed last first (its
    row's updated_at: cheap at every keystroke, and no "last activity" meaning); [] when
    there is no journal."""
    if not db_path.exists():
        return []
    conn = connect_readonly(db_path)
    try:
        rows = conn.execute(
            f"SELECT slug, title, status FROM goals WHERE status IN ('{ACTIVE}', '{PAUSED}') "
            f"ORDER BY status = '{PAUSED}', updated_at DESC").fetchall()
    except sqlite3.Error:
        return []  # completion is a convenience; capture itself reports real problems
    finally:
        conn.close()
    return [GoalTag(*row) for row in rows]


def journal_is_empty(db_path: Path) -> bool:
    """No goal, action or note yet (a first start); a journal that cannot be read is not
    called empty, so nothing is offered over a damaged one."""
    if not db_path.exists():
        return True
    conn = connect_readonly(db_path)
    try:
        return not conn.execute(
            "SELECT EXISTS (SELECT 1 FROM goals) OR EXISTS (SELECT 1 FROM actions) "
            "OR EXISTS (SELECT 1 FROM entries)").fetchone()[0]
    except sqlite3.Error:
        return False
    finally:
        conn.close()
