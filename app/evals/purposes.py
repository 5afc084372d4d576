"""For each purpose, the very request the app would send (its real prompt, context builder
and output schema), and the reply read back into the parts the checks look at."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from app.evals.scenarios import Scenario
from app.journal import Context
from storage.db import JournalFile

if TYPE_CHECKING:
    from app.llm.gate import Verdict
    from app.structured_call import StructuredCall

MAX_TOKENS = {"day_summary": 300, "week_summary": 300}


@dataclass(frozen=True)
class Request:
    purpose: str
    messages: list[dict]
    prompt_name: str
    prompt_version: str  # with the variant: "1.0+brief"
    json_schema: dict | None
    schema: type | None  # the pydantic output model; None for free text
    max_tokens: int | None = None
    # The app's own request for a structured purpose: its full form and the compact one the
    # gate retries with (app.structured_call), and the purpose's must-haves (`check`).
    call: StructuredCall | None = None
    check: Callable[[object], Verdict] | None = None

    @property
    def sent_text(self) -> str:
        """Everything the model may have been given, either form (for the grounding and
        echo checks)."""
        compact = self.call.compact if self.call is not None else None
        messages = [*self.messages, *(compact.messages if compact is not None else ())]
        return "\n".join(str(m.get("content", "")) for m in messages)

    @property
    def user_text(self) -> str:
        return "\n".join(str(m.get("content", "")) for m in self.messages
                         if m.get("role") == "user")


@dataclass(frozen=True)
class ReplyParts:
    """A reply as the user would read it, and its named parts."""

    text: str  # everything shown, in order
    prose: str  # what is said *to* them, without the step itself (for tone checks)
    steps: tuple[str, ...] = ()  # the next step(s) it offers
    step_minutes: tuple[int, ...] = ()
    goal_tags: tuple[str, ...] = ()  # goal tags the reply names in its fields
    suggestions: tuple[str, ...] = field(default=())  # goal review: keep/pause/...


def plan(scenario: Scenario, context: Context, journal: JournalFile, today: date,
         variant_name: str | None = None, *, gateway=None) -> Request:
    """The request for the scenario's purpose, as the app makes it (fitted to `gateway`'s
    model when given), with the variant's style added."""
    from prompts import variants

    chosen = variants.variant(scenario.purpose, variant_name)
    if scenario.purpose in _OWN_VARIANT:  # the app's own plan applies the variant
        return _OWN_VARIANT[scenario.purpose](scenario, context, journal, today, gateway,
                                              chosen.name)
    request = _PLANNERS[scenario.purpose](scenario, context, journal, today, gateway)
    if request.call is not None:
        return _of_call(request.purpose, with_variant(request.call, chosen), request.schema,
                        request.check)
    return Request(request.purpose, variants.apply(request.messages, chosen),
                   request.prompt_name, variants.versioned(request.prompt_version, chosen),
                   request.json_schema, request.schema, request.max_tokens)


def _of_call(purpose: str, call, schema, check=None) -> Request:
    """The request a StructuredCall makes (its full form first), keeping the call."""
    return Request(purpose, call.messages, call.prompt_name, call.prompt_version,
                   call.json_schema, schema, call.max_tokens, call=call, check=check)


def with_variant(call, chosen):
    from app.prompt_choice import with_variant as applied

    return applied(call, chosen)


def read_reply(request: Request, parsed: object | None, raw: str) -> ReplyParts:
    """The parts of a parsed reply (or of a free-text one)."""
    from prompts.schemas import Breakdown, DailyReflection, GoalReview, NudgeText

    if parsed is None:
        text = raw.strip()
        return ReplyParts(text=text, prose=text)
    if isinstance(parsed, DailyReflection):
        prose = " ".join(p for p in (parsed.celebrate, parsed.reflection,
                                     parsed.question or "") if p)
        return ReplyParts(text=parsed.as_text(), prose=prose, steps=(parsed.next_step,),
                          step_minutes=(parsed.next_step_minutes,),
                          goal_tags=(parsed.goal,) if parsed.goal else ())
    if isinstance(parsed, NudgeText):
        text = " ".join(parsed.text.split())
        why = " ".join((parsed.why or "").split()).rstrip(".")
        if why and why.lower() not in text.lower():  # as the app shows it (nudges.wording)
            text = f"{text} ({why})"
        return ReplyParts(text=text, prose=text, steps=(parsed.text,))
    if isinstance(parsed, Breakdown):
        titles = tuple(s.title for s in parsed.steps)
        return ReplyParts(text="\n".join(f"{s.title} (~{s.minutes} min)" for s in parsed.steps),
                          prose="", steps=titles[:1],
                          step_minutes=tuple(s.minutes for s in parsed.steps[:1]))
    if isinstance(parsed, GoalReview):
        return ReplyParts(text=" ".join(g.as_text() for g in parsed.goals),
                          prose=" ".join(g.observation for g in parsed.goals),
                          steps=tuple(g.next_step for g in parsed.goals if g.next_step),
                          goal_tags=tuple(g.slug for g in parsed.goals),
                          suggestions=tuple(g.suggestion for g in parsed.goals))
    text = parsed.as_text() if hasattr(parsed, "as_text") else str(parsed)
    return ReplyParts(text=text, prose=text)


# --- one planner per purpose ---------------------------------------------------------------

def _daily_reflection(scenario, context, journal, today, gateway=None,
                      variant_name=None) -> Request:
    from app.reflection import _reflection_call, reflection_problem, users_words
    from prompts.loader import load_prompt
    from prompts.structured import output_model

    call, _ = _reflection_call(context, journal, today, users_words(journal, today, None),
                               gateway, variant_name)
    return _of_call("daily_reflection", call, output_model(load_prompt("daily_reflection")),
                    reflection_problem)


def _nudge(scenario, context, journal, today, gateway=None) -> Request:
    from app.nudges.learner import STYLES
    from app.nudges.service import load_candidates
    from app.nudges.wording import (
        MAX_CHARS,
        NUDGE_TOKENS,
        SMALL_NUDGE_TOKENS,
        journal_for_prompt,
        nudge_problem,
    )
    from app.structured_call import build_call
    from prompts.loader import load_prompt
    from prompts.structured import output_model

    now = datetime.combine(today, time(11)).astimezone()
    candidates = load_candidates(journal, now, day_start_hour=context.day_start_hour)
    if not candidates:
        raise ValueError(f"scenario {scenario.name}: a nudge scenario needs an open step")
    # The step a scenario is about is its newest open one; the policy's choice depends on
    # the clock, and the scenario must ask the same thing at any hour.
    candidate = max(candidates, key=lambda c: (c.created_at, c.action_id))
    moment = f"{now:%A} {now.day} {now:%B}, {now:%H:%M}"
    said = journal_for_prompt(candidate, STYLES[0])
    # as app.nudges.wording.nudge_call builds it (that one needs a live gateway)
    call = build_call(context, gateway, "nudge",
                      fill=lambda budget: {"now": moment, "journal": "" if budget is None
                                           else said},
                      max_tokens=NUDGE_TOKENS, small_max_tokens=SMALL_NUDGE_TOKENS,
                      max_chars=MAX_CHARS * 2)
    return _of_call("nudge", call, output_model(load_prompt("nudge")),
                    lambda reply: nudge_problem(reply, candidate))


def _breakdown(scenario, context, journal, today, gateway=None, variant_name=None) -> Request:
    from app.breakdown import DEFAULT_SIZE, plan_breakdown, resolve_item, steps_problem
    from prompts.loader import load_prompt
    from prompts.structured import output_model

    item_ref = scenario.item or "the thing I keep putting off"
    if item_ref.startswith("#"):
        item = resolve_item(journal, goal=item_ref[1:])
    else:
        item = resolve_item(journal, text=item_ref)
    call = plan_breakdown(context, journal, item, DEFAULT_SIZE, gateway=gateway,
                          variant_name=variant_name).call
    return _of_call("breakdown", call, output_model(load_prompt("breakdown")),
                    lambda parsed: steps_problem(parsed, item))


def _goal_review(scenario, context, journal, today, gateway=None,
                 variant_name=None) -> Request:
    from app.goal_review import gather, plan_review, review_problem
    from prompts.schemas import GoalReview

    facts, _ = gather(journal, today, context.day_start_hour, None)
    if not facts:
        raise ValueError(f"scenario {scenario.name}: a goal review needs a goal")
    call = plan_review(context, facts, today, gateway=gateway, variant_name=variant_name)
    return _of_call("goal_review", call, GoalReview,
                    lambda review: review_problem(review, facts))


def _summary(kind: str):
    def planner(scenario, context, journal, today, gateway=None) -> Request:
        from app.daytime import long_day
        from app.memory.summaries import day_material, ensure_summaries, week_material
        from prompts.loader import build_messages, load_prompt
        from storage.repo.reading import reading

        prompt = load_prompt(f"{kind}_summary")
        if kind == "week":  # a week is summarised from its day notes: make them (plainly)
            ensure_summaries(journal, today=today, start_hour=context.day_start_hour,
                             max_days=21)
        with reading(journal.db_path) as conn:  # as the summary maker reads
            if kind == "day":
                start = today - timedelta(days=1)
                material = day_material(conn, start, start_hour=context.day_start_hour,
                                        tz=None)
                label = long_day(start)
            else:
                start = today - timedelta(days=today.weekday() + 7)
                material = week_material(conn, start, start_hour=context.day_start_hour,
                                         tz=None)
                label = f"{long_day(start)} to {long_day(start + timedelta(days=6))}"
        messages = build_messages(f"{kind}_summary", **{kind: label, "journal": material})
        return Request(f"{kind}_summary", messages, prompt.name, prompt.version, None, None,
                       MAX_TOKENS[f"{kind}_summary"])

    return planner


# The purposes whose planner chooses (and applies) the variant itself, as the app does.
_OWN_VARIANT = {
    "daily_reflection": _daily_reflection,
    "breakdown": _breakdown,
    "goal_review": _goal_review,
}
_PLANNERS = {
    **_OWN_VARIANT,
    "nudge": _nudge,
    "day_summary": _summary("day"),
    "week_summary": _summary("week"),
}
