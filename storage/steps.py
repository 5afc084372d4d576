"""When two steps are the same step: the same goal, the same words (case, spacing and
trailing punctuation aside), and the earlier one still open. Every path that adds a step
to a goal asks this, so a goal never lists "Call dad about Christmas" twice."""

from __future__ import annotations

import sqlite3
import unicodedata


def step_key(title: str) -> str:
    """'  Call  Dad about Christmas!! ' -> 'call dad about christmas'."""
    text = " ".join(title.split()).casefold()
    end = len(text)
    while end and (text[end - 1].isspace() or unicodedata.category(text[end - 1])[0] == "P"):
        end -= 1
    return text[:end]


def open_steps_by_key(conn: sqlite3.Connection, goal_id: int) -> dict[str, int]:
    """The goal's open steps: step_key(title) -> the step's id (the oldest, if repeated)."""
    found: dict[str, int] = {}
    for action_id, title in conn.execute(
            "SELECT id, title FROM actions WHERE goal_id = ? AND status = 'open' ORDER BY id",
            (goal_id,)):
        found.setdefault(step_key(title), action_id)
    return found
