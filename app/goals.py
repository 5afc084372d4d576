"""Goals and their whys: add, list with recent activity, and change status without guilt."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.errors import BadInput
from storage.engine import Journal
from storage.limits import CADENCE_PER_WEEK, GOAL_TITLE_CHARS, GOAL_WHY_CHARS, TAG_CHARS
from storage.models import Action, ActionStatus, Entry, Goal, GoalStatus
from storage.slugs import slugify
from storage.timeutil import utc_now

STATUS_FOR_VERB = {
    "pause": GoalStatus.PAUSED,
    "resume": GoalStatus.ACTIVE,
    "done": GoalStatus.DONE,
    "archive": GoalStatus.ARCHIVED,
}
MAX_TITLE_CHARS = GOAL_TITLE_CHARS[1]
MAX_WHY_CHARS = GOAL_WHY_CHARS[1]


def check_cadence(cadence: int | None) -> None:
    low, high = CADENCE_PER_WEEK
    if cadence is not None and not low <= cadence <= high:
        raise BadInput(f"--cadence is times a week, from {low} to {high}")


def _valid_slug(slug: str) -> str:
    slug = slug.lstrip("#").lower()
    if not re.fullmatch(r"[\w-]+", slug) or not any(ch.isalpha() for ch in slug):
        raise BadInput(f"#{slug} cannot be a goal tag: use letters, digits, - or _, "
                       "with at least one letter")
    if len(slug) > TAG_CHARS[1]:
        raise BadInput(f"a goal's tag holds at most {TAG_CHARS[1]} characters, not "
                       f"{len(slug)}")
    return slug


@dataclass(frozen=True)
class GoalSummary:
    goal: Goal
    open_actions: int
    done_last_7_days: int
    last_activity: datetime | None


def add_goal(journal: Journal, title: str, *, why: str = "", cadence: int | None = None,
             slug: str | None = None) -> Goal:
    title = " ".join(title.split())
    if not title:
        raise BadInput("a goal needs a title")
    if len(title) > MAX_TITLE_CHARS or len(why) > MAX_WHY_CHARS:
        raise BadInput(f"a goal's title holds at most {MAX_TITLE_CHARS} characters and its "
                       f"why at most {MAX_WHY_CHARS}")
    check_cadence(cadence)
    slug = _valid_slug(slug or slugify(title) or "goal")
    with journal.write() as session:
        existing = session.scalar(select(Goal).where(Goal.slug == slug))
        if existing is not None:
            raise BadInput(f"a goal already uses #{slug} ({existing.title}); choose another "
                           "title or give --slug")
        goal = Goal(title=title, why=why.strip(), slug=slug, cadence_per_week=cadence)
        session.add(goal)
    return goal


def find_goal(session: Session, ref: str) -> Goal:
    ref = ref.strip()
    goal = session.get(Goal, int(ref)) if ref.isdigit() else session.scalar(
        select(Goal).where(Goal.slug == ref.lstrip("#").lower()))
    if goal is None:
        raise BadInput(f"no goal {ref!r}; `wise goals list --all` shows them")
    return goal


def set_goal_status(journal: Journal, ref: str, verb: str) -> Goal:
    status = STATUS_FOR_VERB[verb]
    with journal.write() as session:
        goal = find_goal(session, ref)
        goal.status = status.value
    return goal


def list_goals(journal: Journal, *, include_all: bool = False) -> list[GoalSummary]:
    week_ago = utc_now() - timedelta(days=7)
    open_count = (select(func.count()).where(Action.goal_id == Goal.id,
                                             Action.status == ActionStatus.OPEN.value)
                  .scalar_subquery())
    done_recent = (select(func.count()).where(Action.goal_id == Goal.id,
                                              Action.done_at >= week_ago).scalar_subquery())
    last_action = select(func.max(Action.updated_at)).where(
        Action.goal_id == Goal.id).scalar_subquery()
    last_entry = select(func.max(Entry.created_at)).where(
        Entry.goal_id == Goal.id).scalar_subquery()
    query = select(Goal, open_count, done_recent, last_action, last_entry).order_by(
        Goal.status != GoalStatus.ACTIVE.value, Goal.created_at)
    if not include_all:
        query = query.where(Goal.status.in_([GoalStatus.ACTIVE.value, GoalStatus.PAUSED.value]))
    with journal.read() as session:
        rows = session.execute(query).all()
    summaries = []
    for goal, open_actions, done, last_a, last_e in rows:
        moments = [m for m in (last_a, last_e) if m is not None]
        last = max(_aware(m) for m in moments) if moments else None
        summaries.append(GoalSummary(goal, open_actions, done, last))
    return summaries


def _aware(value: datetime | str) -> datetime:
    # Aggregates bypass the column type, so SQLite hands back the stored text.
    from storage.timeutil import from_db

    return from_db(value) if isinstance(value, str) else value
