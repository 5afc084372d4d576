"""`wise goals`: add, list, pause, resume, done, archive."""

from __future__ import annotations

from argparse import Namespace

from app.cli.output import emit
from app.goals import GoalSummary, add_goal, list_goals, set_goal_status
from app.journal import Context
from storage.models import Goal

_VERB_WORDS = {"pause": "paused", "resume": "active again", "done": "done — well done",
               "archive": "archived"}


def goal_json(goal: Goal) -> dict:
    return {"id": goal.id, "slug": goal.slug, "title": goal.title, "why": goal.why,
            "status": goal.status, "cadence_per_week": goal.cadence_per_week,
            "created_at": goal.created_at}


def run_add(args: Namespace) -> int:
    journal = Context.from_environment().open_journal()
    goal = add_goal(journal, args.title, why=args.why, cadence=args.cadence, slug=args.slug)
    why = (f"\n  why: {goal.why}" if goal.why
           else "\n  (add a why later: it is what keeps a goal alive)")
    emit(args, goal_json(goal),
         f"Added goal {goal.id}: {goal.title}  — tag captures with #{goal.slug}{why}")
    return 0


def run_list(args: Namespace) -> int:
    journal = Context.from_environment().open_journal()
    summaries = list_goals(journal, include_all=getattr(args, "all", False))
    emit(args, [summary_json(s) for s in summaries], format_list(summaries))
    return 0


def run_status(args: Namespace) -> int:
    journal = Context.from_environment().open_journal()
    goal = set_goal_status(journal, args.goal, args.verb)
    emit(args, goal_json(goal), f"{goal.title} is {_VERB_WORDS[args.verb]}.")
    return 0


def summary_json(summary: GoalSummary) -> dict:
    return {**goal_json(summary.goal), "open_actions": summary.open_actions,
            "done_last_7_days": summary.done_last_7_days,
            "last_activity": summary.last_activity}


def format_list(summaries: list[GoalSummary]) -> str:
    if not summaries:
        return ('No goals yet. Add one with its why, e.g.\n'
                '  wise goals add "Family" --why "I want to be there for them"')
    blocks = []
    for s in summaries:
        goal = s.goal
        status = "" if goal.status == "active" else f" [{goal.status}]"
        cadence = f", {goal.cadence_per_week}×/week" if goal.cadence_per_week else ""
        lines = [f"{goal.id:>3}  {goal.title}  #{goal.slug}{status}"]
        if goal.why:
            lines.append(f"     why: {goal.why}")
        lines.append(f"     {s.open_actions} open, {s.done_last_7_days} done this week{cadence}")
        blocks.append("\n".join(lines))
    return "\n".join(blocks)
