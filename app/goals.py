"""Goals and their whys: add, list with recent activity, and change status without guilt.

The reads and writes are storage/repo/goals.py's; here are the user's words checked and
the CLI's errors worded."""

from __future__ import annotations

import re
from datetime import timedelta

from app.errors import BadInput
from storage.db import JournalFile, reading, writing
from storage.limits import TAG_CHARS
from storage.repo import goals as repo
from storage.repo.goals import GoalActivity, GoalRow, GoalTagTaken
from storage.slugs import goal_slug
from storage.timeutil import utc_now
from storage.vocabulary import GoalStatus

STATUS_FOR_VERB = {
    "pause": GoalStatus.PAUSED,
    "resume": GoalStatus.ACTIVE,
    "done": GoalStatus.DONE,
    "archive": GoalStatus.ARCHIVED,
}
GoalSummary = GoalActivity  # a goal with its open steps, done this week, last activity

__all__ = [
    "GoalRow",
    "GoalSummary",
    "GoalTagTaken",
    "add_goal",
    "edit_goal",
    "find_goal",
    "list_goals",
    "set_goal_status",
]


def goal_fields(changes: dict[str, object]) -> dict[str, object]:
    """A goal's title, why and cadence as the CLI was given them, checked and normalized
    by the one rule every surface uses (storage.repo.goals), or BadInput."""
    rules = {"title": repo.goal_title, "why": repo.goal_why, "cadence_per_week": _cadence}
    try:
        return {key: rules[key](value) if key in rules else value
                for key, value in changes.items()}
    except ValueError as exc:
        raise BadInput(str(exc)) from None


def _cadence(cadence):
    repo.check_cadence(cadence)
    return cadence


def _valid_slug(slug: str) -> str:
    slug = slug.lstrip("#").lower()
    if not re.fullmatch(r"[\w-]+", slug) or not any(ch.isalpha() for ch in slug):
        raise BadInput(f"#{slug} cannot be a goal tag: use letters, digits, - or _, "
                       "with at least one letter")
    if len(slug) > TAG_CHARS[1]:
        raise BadInput(f"a goal's tag holds at most {TAG_CHARS[1]} characters, not "
                       f"{len(slug)}")
    return slug


class GoalExists(BadInput):
    """`wise goals add` of a goal whose tag is taken: refused, naming the goal there is."""

    def __init__(self, taken: GoalTagTaken) -> None:
        self.existing = taken.existing
        goal = taken.existing
        resume = (f"; `wise goals resume {goal.slug}` picks it up again"
                  if goal.status != GoalStatus.ACTIVE.value else "")
        super().__init__(f"{taken.headline}: it is goal {goal.id}{resume}. For a second "
                         "goal give another title, or --slug")


def add_goal(journal: JournalFile, title: str, *, why: str = "", cadence: int | None = None,
             slug: str | None = None) -> GoalRow:
    try:
        title, why = repo.goal_title(title), repo.goal_why(why)
        repo.check_cadence(cadence)
    except ValueError as exc:  # the rule of every surface (goal_fields for an edit)
        raise BadInput(str(exc)) from None
    slug = _valid_slug(slug or goal_slug(title))
    try:
        with writing(journal.db_path) as tx:
            return repo.insert_goal(tx, slug=slug, title=title, why=why,
                                    cadence_per_week=cadence)
    except GoalTagTaken as taken:
        raise GoalExists(taken) from None


def find_goal(journal: JournalFile, ref: str) -> GoalRow:
    with reading(journal.db_path) as conn:
        return _found(repo.find_goal(conn, ref), ref)


def _found(goal: GoalRow | None, ref: str) -> GoalRow:
    if goal is None:
        raise BadInput(f"no goal {ref.strip()!r}; `wise goals list --all` shows them")
    return goal


def set_goal_status(journal: JournalFile, ref: str, verb: str) -> GoalRow:
    status = STATUS_FOR_VERB[verb]
    with writing(journal.db_path) as tx:
        goal = _found(repo.find_goal(tx.conn, ref), ref)
        return repo.update_goal(tx, goal.id, {"status": status.value})


def edit_goal(journal: JournalFile, ref: str, changes: dict[str, object]) -> GoalRow:
    """Change a goal's title, why or cadence (checked here: BadInput)."""
    changes = goal_fields(changes)
    with writing(journal.db_path) as tx:
        goal = _found(repo.find_goal(tx.conn, ref), ref)
        return repo.update_goal(tx, goal.id, changes)


def list_goals(journal: JournalFile, *, include_all: bool = False) -> list[GoalSummary]:
    with reading(journal.db_path) as conn:
        return repo.goals_with_activity(conn, utc_now() - timedelta(days=7),
                                        include_all=include_all)
