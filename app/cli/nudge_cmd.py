"""`wise nudge [--dry-run]`: what the nudge policy would do right now, and why.

Without --tick nothing is sent from here: the running tray app sends nudges (a tick every 15
minutes within active hours). With or without --dry-run this command decides exactly as
the tray would at this moment, explains it, and records nothing.

`--learned` says what Wise has learned about when and how to nudge (Settings shows it);
`--reset-learning` forgets it (the rows stay; only answers from now on count).

`--tick [--busy]` and `--respond ID RESPONSE` are the tray's own work: it runs them in a
child process (so that its idle process never loads SQLAlchemy) and shows the result."""

from __future__ import annotations

import random
from argparse import Namespace
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from app.cli.output import emit
from app.daytime import local_now
from app.journal import Context


@dataclass(frozen=True)
class Ticked:
    """`wise nudge --tick --json`: the nudge recorded, or (all None but the reason) none."""

    nudge_id: int | None
    title: str | None
    text: str | None
    reason: str
    action_id: int | None
    goal_id: int | None


@dataclass(frozen=True)
class Learned:
    """`wise nudge --learned --json`: the learner's numbers, and each thing learned in words."""

    answers: int
    favourite_hour: Any
    hours: dict[str, Any]
    styles: dict[str, Any]
    description: str  # all of it in words
    nudges_description: str
    reflections: str
    breakdowns: str
    goal_reviews: str
    since: str | None  # when it was last reset


@dataclass(frozen=True)
class LearningReset:
    reset: bool
    since: str


@dataclass(frozen=True)
class ExplainedStep:
    id: int
    title: str
    goal: str | None  # the goal's title
    due_on: date | None
    estimate_minutes: int | None


@dataclass(frozen=True)
class NudgesToday:
    shown: int
    daily_cap: int


@dataclass(frozen=True)
class RulesNow:
    enabled: bool
    daily_cap: int
    min_gap_minutes: int
    quiet_start: str  # HH:MM
    quiet_end: str
    day_start_hour: int


@dataclass(frozen=True)
class Explanation:
    """What `wise nudge [--dry-run]` says, as data: the decision now and what it rests on."""

    now: str
    sent: bool
    dry_run: bool
    nudge: bool
    rule: str
    reason: str
    next_possible: str | None
    hour_bucket: int
    style: str | None
    score: float | None
    action: ExplainedStep | None
    preview: str | None
    worded_by: str | None
    today: NudgesToday
    rules: RulesNow
    paused_until: datetime | None
    learned: str
    open_steps_considered: int


def run(args: Namespace) -> int:
    modes = [flag for flag, on in (("--learned", getattr(args, "learned", False)),
                                   ("--reset-learning", getattr(args, "reset_learning", False)),
                                   ("--tick", getattr(args, "tick", False)),
                                   ("--respond", getattr(args, "respond", None)))
             if on]
    if len(modes) > 1:
        from app.errors import BadInput

        raise BadInput(f"use one of {' / '.join(modes)} at a time")
    if getattr(args, "reset_learning", False):
        return _reset_learning(args)
    if getattr(args, "learned", False):
        return _learned(args)
    if getattr(args, "respond", None):
        return _respond(args)
    if getattr(args, "tick", False) and not getattr(args, "dry_run", False):
        return _tick(args)
    return _explain(args)


def _tick(args: Namespace) -> int:
    from app.nudges.service import NudgeOutcome, NudgeService

    context = Context.from_environment()
    journal = context.open_journal()
    try:
        outcome = NudgeService(context, journal).tick(local_now(), busy=bool(args.busy),
                                                      send=True)
    finally:
        journal.close()
    if isinstance(outcome, NudgeOutcome):
        data = Ticked(outcome.nudge_id, outcome.title, outcome.text, outcome.reason,
                      outcome.action_id, outcome.goal_id)
        human = f"Nudge {outcome.nudge_id} recorded: {outcome.title}\n  {outcome.text}"
    else:
        data = Ticked(None, None, None, outcome.reason, None, None)
        human = f"{outcome.reason[:1].upper()}{outcome.reason[1:]}."
    emit(args, data, human)
    return 0


def _respond(args: Namespace) -> int:
    from app.errors import BadInput

    raw_id, response = args.respond
    try:
        nudge_id = int(raw_id)
    except ValueError:
        raise BadInput(f"the nudge id must be a number, not {raw_id!r}") from None
    if response == "started":
        from app.cli.focus_cmd import start_from_nudge

        return start_from_nudge(args, nudge_id)  # "Start 2 min" starts, as in the tray
    from app.nudges.service import NudgeService

    context = Context.from_environment()
    journal = context.open_journal()
    try:
        outcome = NudgeService(context, journal).respond(nudge_id, response, local_now())
    finally:
        journal.close()
    emit(args, outcome, f"Nudge {outcome.nudge_id}: {outcome.response}"
                     + ("" if outcome.recorded else " (an earlier answer was kept)"))
    return 0


def _learned(args: Namespace) -> int:
    """What the learner makes of the answers since the last reset, in words and numbers
    (Settings shows the words)."""
    from app.nudges.service import NudgeService

    context = Context.from_environment()
    journal = context.open_journal()
    try:
        service = NudgeService(context, journal)
        now = local_now()
        summary = service.learning_summary(now)
        since = service.learning_since()
    finally:
        journal.close()
    from app.prompt_choice import load_learner

    # The same reset forgets both: when and how to nudge, and which way of reflecting,
    # breaking down and reviewing (the summaries have nothing to learn from: it says why).
    learner = load_learner(context.paths.db, since, context.paths.data_dir)
    variants = learner.describe_all()
    description = f"{summary['description']}\n\n{variants}"
    data = Learned(summary["answers"], summary["favourite_hour"], summary["hours"],
                   summary["styles"], description, summary["description"],
                   learner.describe("daily_reflection"), learner.describe("breakdown"),
                   learner.describe("goal_review"),
                   since.isoformat(timespec="seconds") if since else None)
    human = description
    if since is not None:
        human += f"\n(Counting answers since {since:%a} {since.day} {since:%b %Y, %H:%M}, " \
                 "when what Wise had learned was last reset.)"
    emit(args, data, human)
    return 0


def _reset_learning(args: Namespace) -> int:
    """Forget what was learned: the nudges and answers stay in the journal, but only
    answers from now on teach Wise when and how to nudge."""
    from app.nudges.service import NudgeService

    context = Context.from_environment()
    journal = context.open_journal()
    try:
        now = local_now()
        NudgeService(context, journal).reset_learning(now)
    finally:
        journal.close()
    emit(args, LearningReset(True, now.isoformat(timespec="seconds")),
         "Wise has forgotten what it learned about when and how to nudge you and which ways "
         "of reflecting, breaking things down and reviewing goals suit you; from now on only "
         "new answers, ratings and kept steps count. (Past nudges and ratings stay in your "
         "journal.)")
    return 0


def _explain(args: Namespace) -> int:
    from app.nudges.service import NudgeService

    context = Context.from_environment()
    journal = context.open_journal()
    try:
        now = local_now()
        snap = NudgeService(context, journal).snapshot(now)
    finally:
        journal.close()
    model = str(context.settings.get("llm.model") or "").strip() or None
    dry = bool(getattr(args, "dry_run", False))
    data = explanation(snap, now, dry, model)
    emit(args, data, explanation_text(data, now, dry, model))
    return 0


def explanation(snap, now: datetime, dry: bool, model: str | None = None) -> Explanation:
    """What `wise nudge [--dry-run]` says, as data: the decision at `now` and the facts
    behind it (`snap`, from NudgeService.snapshot)."""
    from app.nudges.wording import plain_nudge

    decision = snap.decision
    preview = None
    if decision.candidate is not None:
        preview = plain_nudge(decision.candidate, decision.style or "plain",
                              random.Random(decision.candidate.action_id))
    candidate = decision.candidate
    return Explanation(
        now=now.isoformat(timespec="seconds"),
        sent=False,
        dry_run=dry,
        nudge=decision.nudge,
        rule=decision.rule,
        reason=decision.reason,
        next_possible=(decision.next_possible.isoformat(timespec="minutes")
                       if decision.next_possible else None),
        hour_bucket=decision.hour_bucket,
        style=decision.style,
        score=decision.score,
        action=None if candidate is None else ExplainedStep(
            candidate.action_id, candidate.title, candidate.goal_title, candidate.due_on,
            candidate.estimate_minutes),
        preview=preview,
        worded_by=None if preview is None else ("model" if model else "plain"),
        today=NudgesToday(snap.shown_today, snap.rules.daily_cap),
        rules=RulesNow(snap.rules.enabled, snap.rules.daily_cap,
                         int(snap.rules.min_gap.total_seconds() // 60),
                         f"{snap.rules.quiet_start:%H:%M}", f"{snap.rules.quiet_end:%H:%M}",
                         snap.rules.day_start_hour),
        paused_until=snap.paused_until,
        learned=snap.learned,
        open_steps_considered=snap.candidates,
    )


def explanation_text(data: Explanation, now: datetime, dry: bool, model: str | None) -> str:
    """`explanation()` in words, as `wise nudge [--dry-run]` prints it."""
    lines = []
    if not dry:
        lines += ["This command sends nothing: the tray app (`wise`) sends nudges while it",
                  "runs, checking every 15 minutes. Here is what it would do right now.", ""]
    when = f"{now:%a} {now.day} {now:%b}, {now:%H:%M}"
    if data.nudge and data.action is not None:
        action = data.action
        goal = f"  (goal {action.goal})" if action.goal else ""
        lines += [f"Right now ({when}) Wise would nudge you about:",
                  f"  {action.id}  {action.title}{goal}",
                  f"  chosen because: {data.reason}",
                  f"  wording style: {data.style}"]
        if model:
            lines.append(f"  words: your model ({model}) would write them; without it, "
                         "something like:")
        else:
            lines.append("  words (plain, no model connected), something like:")
        lines.append(f"    {data.preview}")
    else:
        lines.append(f"Right now ({when}): {data.reason}.")
        if data.next_possible:
            nxt = datetime.fromisoformat(data.next_possible)
            days = (nxt.date() - now.date()).days
            day = {0: "today", 1: "tomorrow"}.get(days, f"{nxt:%a} {nxt.day} {nxt:%b}")
            lines.append(f"The earliest the rules allow the next one: {day} at {nxt:%H:%M}.")
    rules = data.rules
    quiet = ("none" if rules.quiet_start == rules.quiet_end
             else f"{rules.quiet_start}–{rules.quiet_end}")
    lines += ["",
              f"Today: {data.today.shown} of at most {rules.daily_cap} nudges shown; "
              f"at least {rules.min_gap_minutes} minutes apart; quiet hours {quiet}."]
    if data.learned:
        lines.append(f"What Wise has learned: {data.learned}")
    lines.append("Nothing was sent or recorded.")
    return "\n".join(lines)
