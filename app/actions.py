"""Actions (the how): list them, mark them done or let them go (storage/repo/steps.py
does it, the one way every surface marks a step)."""

from __future__ import annotations

from app.errors import BadInput
from storage.db import JournalFile, reading, writing
from storage.repo import goals as goal_repo
from storage.repo import steps as repo
from storage.repo.steps import StepRow

__all__ = ["StepRow", "list_actions", "set_action_status"]


def list_actions(journal: JournalFile, *, status: str = "open", goal_ref: str | None = None,
                 limit: int = 500) -> list[StepRow]:
    """Due first (soonest first), then the rest, newest first."""
    with reading(journal.db_path) as conn:
        goal_id = None
        if goal_ref:
            goal = goal_repo.find_goal(conn, goal_ref)
            if goal is None:
                raise BadInput(f"no goal {goal_ref.strip()!r}; `wise goals list --all` "
                               "shows them")
            goal_id = goal.id
        return repo.list_steps(conn, status=None if status == "all" else status,
                               goal_id=goal_id, limit=limit)


def set_action_status(journal: JournalFile, action_id: int, verb: str) -> StepRow:
    """`done` (keeps the moment it was first done) or anything else: let go of it."""
    with writing(journal.db_path) as tx:
        if repo.get_step(tx.conn, action_id) is None:
            raise BadInput(f"no action {action_id}; `wise actions list` shows them")
        repo.set_step_status(tx, action_id, "done" if verb == "done" else "dropped")
        changed = repo.get_step(tx.conn, action_id)
        assert changed is not None  # found above, in this same transaction
        return changed
