"""`wise reflect`: the daily reflection in the terminal, or exactly what it would send."""

from __future__ import annotations

import sys
from argparse import Namespace
from datetime import date

from app.cli.output import emit
from app.daytime import journal_day, local_now
from app.errors import BadInput, WiseError
from app.journal import Context


def run(args: Namespace) -> int:
    from app.llm.types import ModelError
    from app.reflection import plan_as_dict, plan_daily_reflection, reflect

    context = Context.from_environment()
    day = _day(args.date, context)
    journal = context.open_journal()
    if args.dry_run:
        plan = plan_daily_reflection(context, journal, day, args.words)
        emit(args, plan_as_dict(plan), _describe_plan(plan))
        return 0
    streamed = not args.json

    def show(text: str) -> None:
        sys.stdout.write(text)
        sys.stdout.flush()

    try:
        outcome = reflect(context, journal, day, user_words=args.words,
                          on_text=show if streamed else None)
    except ModelError as exc:
        raise WiseError(f"the reflection could not be made: {exc}") from exc
    if streamed:
        sys.stdout.write("\n")
        if outcome.note:
            print(f"\n({outcome.note})", file=sys.stderr)
        return 0
    emit(args, {"day": day.isoformat(), "reflection_id": outcome.reflection_id,
                "model": outcome.model, "text": outcome.text, "note": outcome.note or None}, "")
    return 0


def _day(text: str | None, context: Context) -> date:
    if not text:
        return journal_day(local_now(), context.day_start_hour)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadInput(f"--date must look like 2026-11-26, not {text!r}") from None


def _describe_plan(plan) -> str:
    cost = ("unknown (not in the price list)" if plan.estimated_cost_usd is None
            else f"${plan.estimated_cost_usd:.4f} at most")
    head = [
        f"Nothing was sent. This is exactly what `wise reflect` would send for {plan.day}:",
        f"  model: {plan.model or '(none set: the plain reflection is used, nothing is sent)'}",
    ]
    if plan.api_base:
        head.append(f"  to: {plan.api_base}")
    head += [
        f"  prompt: {plan.prompt_name} v{plan.prompt_version}",
        f"  input: ~{plan.input_tokens} tokens (budget {plan.budget_tokens}); reply at most "
        f"{plan.max_output_tokens} tokens",
        f"  estimated cost: {cost}",
        "",
    ]
    body = []
    for message in plan.messages:
        body.append(f"----- {message['role']} -----")
        body.append(message["content"])
        body.append("")
    return "\n".join(head + body)
