"""`wise today`: the day at a glance."""

from __future__ import annotations

from argparse import Namespace
from datetime import date

from app.cli.actions_cmd import action_json, format_action
from app.cli.day_option import parse_day_option
from app.cli.output import emit
from app.daytime import journal_day, local_now, long_day
from app.journal import Context
from app.today import TodayView, today_view


def run(args: Namespace) -> int:
    context = Context.from_environment()
    today = journal_day(local_now(), context.day_start_hour)
    day = parse_day_option(args.date, context.day_start_hour)
    view = today_view(context.open_journal(), day, context.day_start_hour)
    emit(args, view_json(view), format_view(view, today))
    return 0


def view_json(view: TodayView) -> dict:
    return {
        "day": view.day,
        "wins": [action_json(a) for a in view.wins],
        "due": [action_json(a) for a in view.due],
        "captured": [action_json(a) for a in view.captured],
        "notes": [{"id": e.id, "text": e.text, "goal": e.goal.slug if e.goal else None,
                   "tags": [t.name for t in e.tags], "created_at": e.created_at}
                  for e in view.notes],
    }


def format_view(view: TodayView, today: date) -> str:
    title = "Today" if view.day == today else long_day(view.day)
    lines = [f"{title} — {long_day(view.day, year=False)}"] if view.day == today else [title]
    sections = (
        ("Done", view.wins),
        ("Due", view.due),
        ("Captured", view.captured),
    )
    for heading, actions in sections:
        if actions:
            lines += ["", f"{heading} ({len(actions)})"]
            lines += [format_action(a, today) for a in actions]
    if view.notes:
        lines += ["", f"Notes ({len(view.notes)})"]
        for entry in view.notes:
            text = entry.text.replace("\n", "\n         ")
            goal = f"  #{entry.goal.slug}" if entry.goal else ""
            lines.append(f"  {entry.created_at.astimezone():%H:%M}  {text}{goal}")
    if len(lines) == 1:
        lines += ["", "Nothing yet. A thought in your head? wise capture \"...\""]
    elif view.wins:
        lines += ["", f"{len(view.wins)} thing{'s' if len(view.wins) > 1 else ''} done. "
                      "That counts."]
    return "\n".join(lines)
