"""`wise actions`: list open actions, mark them done, or drop them."""

from __future__ import annotations

from argparse import Namespace
from dataclasses import dataclass
from datetime import date, datetime

from app.actions import StepRow, list_actions, set_action_status
from app.cli.output import emit
from app.daytime import journal_day, local_now, short_day
from app.journal import Context

_MARK = {"open": "☐", "done": "✓", "dropped": "–"}


@dataclass(frozen=True)
class ActionJson:
    """A step as `wise actions … --json` shows it."""

    id: int
    title: str
    status: str
    goal: str | None  # the goal's tag
    tags: tuple[str, ...]
    estimate_minutes: int | None
    due_on: date | None
    due_at: datetime | None
    done_at: datetime | None
    created_at: datetime


def action_json(action: StepRow) -> ActionJson:
    return ActionJson(action.id, action.title, action.status, action.goal_slug, action.tags,
                      action.estimate_minutes, action.due_on, action.due_at, action.done_at,
                      action.created_at)


def format_action(action: StepRow, today=None) -> str:
    return step_line(action.id, action.status, action.title, action.due_on, action.due_at,
                     action.estimate_minutes, action.goal_slug, today)


def step_line(id_: int, status: str, title: str, due_on, due_at, estimate_minutes,
              goal_slug: str | None, today=None) -> str:
    """'  12  [ ] call the dentist  ·  due tomorrow 09:00  ·  ~5 min  ·  #health'."""
    parts = [f"{id_:>4}  {_MARK[status]} {title}"]
    if due_on:
        due = f"due {short_day(due_on, today)}"
        if due_at:
            due += f" {due_at.astimezone():%H:%M}"
        parts.append(due)
    if estimate_minutes:
        parts.append(f"~{estimate_minutes} min")
    if goal_slug:
        parts.append(f"#{goal_slug}")
    return "  ·  ".join(parts)


def run_list(args: Namespace) -> int:
    context = Context.from_environment()
    actions = list_actions(context.open_journal(), status=args.status, goal_ref=args.goal)
    today = journal_day(local_now(), context.day_start_hour)
    human = ("\n".join(format_action(a, today) for a in actions)
             or "Nothing open. Capture a to-do with: wise capture \"[ ] call the dentist\"")
    emit(args, [action_json(a) for a in actions], human)
    return 0


def run_status(args: Namespace) -> int:
    action = set_action_status(Context.from_environment().open_journal(), args.id, args.verb)
    word = "Done" if args.verb == "done" else "Let go of"
    emit(args, action_json(action), f"{word}: {action.title}")
    return 0
