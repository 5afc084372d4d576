"""`wise nudge [--dry-run]`: what the nudge policy would do right now, and why.

Nothing is ever sent from here: the running tray app sends nudges (a tick every 15
minutes within active hours). With or without --dry-run this command decides exactly as
the tray would at this moment, explains it, and records nothing."""

from __future__ import annotations

import random
from argparse import Namespace
from datetime import datetime

from app.cli.output import emit
from app.daytime import local_now
from app.journal import Context


def run(args: Namespace) -> int:
    from app.nudges.service import NudgeService
    from app.nudges.wording import plain_nudge

    context = Context.from_environment()
    journal = context.open_journal()
    try:
        now = local_now()
        snap = NudgeService(context, journal).snapshot(now)
    finally:
        journal.close()
    decision = snap.decision
    preview = None
    if decision.candidate is not None:
        preview = plain_nudge(decision.candidate, decision.style or "plain",
                              random.Random(decision.candidate.action_id))
    model = str(context.settings.get("llm.model") or "").strip() or None
    dry = bool(getattr(args, "dry_run", False))
    data = {
        "now": now.isoformat(timespec="seconds"),
        "sent": False,
        "dry_run": dry,
        "nudge": decision.nudge,
        "rule": decision.rule,
        "reason": decision.reason,
        "next_possible": (decision.next_possible.isoformat(timespec="minutes")
                          if decision.next_possible else None),
        "hour_bucket": decision.hour_bucket,
        "style": decision.style,
        "score": decision.score,
        "action": None if decision.candidate is None else {
            "id": decision.candidate.action_id, "title": decision.candidate.title,
            "goal": decision.candidate.goal_title,
            "due_on": decision.candidate.due_on,
            "estimate_minutes": decision.candidate.estimate_minutes},
        "preview": preview,
        "worded_by": None if preview is None else ("model" if model else "plain"),
        "today": {"shown": snap.shown_today, "daily_cap": snap.rules.daily_cap},
        "rules": {"enabled": snap.rules.enabled, "daily_cap": snap.rules.daily_cap,
                  "min_gap_minutes": int(snap.rules.min_gap.total_seconds() // 60),
                  "quiet_start": f"{snap.rules.quiet_start:%H:%M}",
                  "quiet_end": f"{snap.rules.quiet_end:%H:%M}",
                  "day_start_hour": snap.rules.day_start_hour},
        "paused_until": snap.paused_until,
        "learned": snap.learned,
        "open_steps_considered": snap.candidates,
    }
    emit(args, data, _human(data, now, dry, model))
    return 0


def _human(data: dict, now: datetime, dry: bool, model: str | None) -> str:
    lines = []
    if not dry:
        lines += ["This command sends nothing: the tray app (`wise`) sends nudges while it",
                  "runs, checking every 15 minutes. Here is what it would do right now.", ""]
    when = f"{now:%a} {now.day} {now:%b}, {now:%H:%M}"
    if data["nudge"]:
        action = data["action"]
        goal = f"  (goal {action['goal']})" if action["goal"] else ""
        lines += [f"Right now ({when}) Wise would nudge you about:",
                  f"  {action['id']}  {action['title']}{goal}",
                  f"  chosen because: {data['reason']}",
                  f"  wording style: {data['style']}"]
        if model:
            lines.append(f"  words: your model ({model}) would write them; without it, "
                         "something like:")
        else:
            lines.append("  words (plain, no model connected), something like:")
        lines.append(f"    {data['preview']}")
    else:
        lines.append(f"Right now ({when}): {data['reason']}.")
        if data["next_possible"]:
            nxt = datetime.fromisoformat(data["next_possible"])
            days = (nxt.date() - now.date()).days
            day = {0: "today", 1: "tomorrow"}.get(days, f"{nxt:%a} {nxt.day} {nxt:%b}")
            lines.append(f"The earliest the rules allow the next one: {day} at {nxt:%H:%M}.")
    rules = data["rules"]
    quiet = ("none" if rules["quiet_start"] == rules["quiet_end"]
             else f"{rules['quiet_start']}–{rules['quiet_end']}")
    lines += ["",
              f"Today: {data['today']['shown']} of at most {rules['daily_cap']} nudges shown; "
              f"at least {rules['min_gap_minutes']} minutes apart; quiet hours {quiet}."]
    if data["learned"]:
        lines.append(f"What Wise has learned: {data['learned']}")
    lines.append("Nothing was sent or recorded.")
    return "\n".join(lines)
