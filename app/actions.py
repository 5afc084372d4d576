"""Actions (the how): list them, mark them done or let them go."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.errors import BadInput
from app.goals import find_goal
from storage.engine import Journal
from storage.models import Action, ActionStatus
from storage.timeutil import utc_now


def list_actions(journal: Journal, *, status: str = "open", goal_ref: str | None = None,
                 limit: int = 500) -> list[Action]:
    query = select(Action).options(selectinload(Action.goal), selectinload(Action.tags))
    if status != "all":
        query = query.where(Action.status == ActionStatus(status).value)
    with journal.read() as session:
        if goal_ref:
            query = query.where(Action.goal_id == find_goal(session, goal_ref).id)
        # Due first (soonest first), then the rest, newest first.
        query = query.order_by(Action.due_on.is_(None), Action.due_on, Action.due_at,
                               Action.created_at.desc()).limit(limit)
        return list(session.scalars(query))


def set_action_status(journal: Journal, action_id: int, verb: str) -> Action:
    with journal.write() as session:
        action = session.get(Action, action_id,
                             options=[selectinload(Action.goal), selectinload(Action.tags)])
        if action is None:
            raise BadInput(f"no action {action_id}; `wise actions list` shows them")
        if verb == "done":
            action.status = ActionStatus.DONE.value
            action.done_at = action.done_at or utc_now()
        else:
            action.status = ActionStatus.DROPPED.value
            action.done_at = None
    return action
