"""`wise today`: the day at a glance."""

from __future__ import annotations

from argparse import Namespace
from dataclasses import dataclass
from datetime import date

from app.cli.actions_cmd import step_line
from app.cli.day_option import parse_day_option
from app.cli.output import emit
from app.daytime import day_bounds_utc, journal_day, local_now, long_day
from app.focus import StepTime, length_words, time_by_goal, time_by_step
from app.journal import Context
from app.today import StepRow, TodayView, today_view
from storage.focus import FocusStore
from storage.timeutil import utc_now


def run(args: Namespace) -> int:
    context = Context.from_environment()
    today = journal_day(local_now(), context.day_start_hour)
    day = parse_day_option(args.date, context.day_start_hour)
    view = today_view(context.open_journal(), day, context.day_start_hour)
    focus = focus_time(context, day)
    emit(args, TodayJson(view, focus),
         format_view(view, today) + focus.words())
    return 0


@dataclass(frozen=True)
class TodayJson:
    """`wise today --json`: the day's view with the time given during it under "focus"."""

    view: TodayView
    focus: FocusTime

    def as_dict(self) -> dict:
        return {**self.view.as_dict(), "focus": self.focus}


@dataclass(frozen=True)
class FocusTime:
    """The time given to each step and goal during the day (focus sessions)."""

    steps: list[StepTime]
    goals: list[tuple[str, float]]

    def as_dict(self) -> dict:
        return {"steps": [{"action_id": s.action_id, "title": s.title,
                           "seconds": round(s.seconds), "sessions": s.sessions}
                          for s in self.steps],
                "goals": [{"title": title, "seconds": round(seconds)}
                          for title, seconds in self.goals]}

    def words(self) -> str:
        if not self.steps:
            return ""
        total = sum(s.seconds for s in self.steps)
        lines = ["", f"Time given ({length_words(total)})"]
        lines += [f"  {length_words(s.seconds):>7}  {s.title}" for s in self.steps]
        if self.goals:
            lines.append("  by goal: " + ", ".join(f"{title} {length_words(seconds)}"
                                                  for title, seconds in self.goals))
        return "\n" + "\n".join(lines)


def focus_time(context: Context, day: date) -> FocusTime:
    start, end = day_bounds_utc(day, context.day_start_hour)
    store = FocusStore(context.paths.db)
    try:
        sessions = store.between(start, end)
        steps = time_by_step(sessions, utc_now())
        goals = store.goals_of([s.action_id for s in steps if s.action_id is not None])
    finally:
        store.close()
    return FocusTime(steps, time_by_goal(steps, goals))


def format_step(step: StepRow, today: date) -> str:
    return step_line(step.id, step.status, step.title, step.due_on, step.due_at,
                     step.estimate_minutes, step.goal_slug, today)


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
            lines += [format_step(a, today) for a in actions]
    if view.notes:
        lines += ["", f"Notes ({len(view.notes)})"]
        for entry in view.notes:
            text = entry.text.replace("\n", "\n         ")
            goal = f"  #{entry.goal_slug}" if entry.goal_slug else ""
            lines.append(f"  {entry.created_at.astimezone():%H:%M}  {text}{goal}")
    if len(lines) == 1:
        lines += ["", "Nothing yet. A thought in your head? wise capture \"...\""]
    elif view.wins:
        lines += ["", f"{len(view.wins)} thing{'s' if len(view.wins) > 1 else ''} done. "
                      "That counts."]
    return "\n".join(lines)
