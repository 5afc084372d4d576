"""Breaking a goal, an action or a line of text into micro-steps, with the model.

The versioned `breakdown` prompt gets the item, what the journal says around it (its goal
and why, the goal's open and done steps, recent notes) within the reflection's token
budget, and how small the steps should be (`size`, 1-5). Nothing is saved here: the caller
shows the steps and adds the ones the user keeps. Without a model (or over budget) there
are no steps, and a note says why; the window then offers its by-hand template.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from sqlalchemy import select

from app.daytime import short_day
from app.errors import BadInput
from app.journal import Context
from app.structured_call import PLAIN_FALLBACK_KINDS, StructuredCall, ask, open_gateway
from storage.engine import Journal
from storage.models import Action, ActionStatus, Entry, Goal

PROMPT = "breakdown"
MAX_TEXT_CHARS = 2000  # an action or a goal in a few words; a page is not one step
DEFAULT_SIZE = 3
# What each size asks for; the Breakdown schema allows 3-7 steps of 1-15 minutes.
SIZE_WORDS = {
    1: "a few bigger steps: three or four, each up to 15 minutes",
    2: "fairly big steps: four or five, most of them 5 to 15 minutes",
    3: "small steps: four to six, most of them 3 to 10 minutes",
    4: "very small steps: five to seven, most of them 2 to 5 minutes",
    5: "the tiniest steps possible: six or seven, each 1 to 3 minutes",
}
LIST_LIMIT = 15  # open or done steps of the goal shown to the model
NOTE_LIMIT = 5
NO_MODEL_NOTE = ("No model is connected, so Wise cannot suggest steps. Break it down by "
                 "hand: a first step of two minutes, then a few more small ones. To let a "
                 "model help: wise config set llm.model ollama_chat/llama3.2 (see the "
                 "README's model section).")


@dataclass(frozen=True)
class Item:
    """What is broken down."""

    text: str  # the action's title, the goal's title, or the user's text
    goal_id: int | None = None
    action_id: int | None = None


@dataclass(frozen=True)
class BreakdownOutcome:
    steps: list[tuple[str, int]]  # (title, minutes)
    model: str | None
    note: str | None = None
    prompt: tuple[str | None, str | None] = (None, None)

    def as_dict(self) -> dict:
        return {"steps": [{"title": t, "minutes": m} for t, m in self.steps],
                "model": self.model, "note": self.note}


@dataclass(frozen=True)
class BreakdownPlan:
    call: StructuredCall
    size: int


def check_size(size: int) -> int:
    if size not in SIZE_WORDS:
        raise BadInput(f"--size goes from 1 (a few bigger steps) to 5 (the tiniest steps), "
                       f"not {size}")
    return size


def resolve_item(journal: Journal, *, goal: str | None = None, action: int | None = None,
                 text: str | None = None) -> Item:
    """The one thing to break down, checked; BadInput names what is wrong."""
    if sum(value is not None for value in (goal, action, text)) != 1:
        raise BadInput("say what to break down: one of --goal, --action or --text")
    if text is not None:
        text = " ".join(text.split())
        if not text:
            raise BadInput("--text is empty: say what to break down")
        if len(text) > MAX_TEXT_CHARS:
            raise BadInput(f"--text holds at most {MAX_TEXT_CHARS:,} characters (this is "
                           f"{len(text):,}); describe the thing in a few words")
        return Item(text)
    from app.goals import find_goal

    with journal.read() as session:
        if goal is not None:
            found = find_goal(session, goal)
            return Item(found.title, goal_id=found.id)
        row = session.get(Action, action)
        if row is None:
            raise BadInput(f"no action {action}; `wise actions list` shows them")
        return Item(row.title, goal_id=row.goal_id, action_id=row.id)


def plan_breakdown(context: Context, journal: Journal, item: Item, size: int) -> BreakdownPlan:
    from app.memory.tokens import estimate_tokens, truncate_to_tokens
    from prompts.loader import build_messages, load_prompt
    from prompts.structured import format_instructions, json_schema_for, with_format_instructions

    prompt = load_prompt(PROMPT)
    words = SIZE_WORDS[check_size(size)]
    frame = build_messages(PROMPT, item=item.text, journal="", size=words)
    overhead = sum(estimate_tokens(m["content"]) for m in frame)
    overhead += estimate_tokens(format_instructions(prompt))
    budget = max(context.settings.get("reflection.input_tokens") - overhead, 200)
    around = truncate_to_tokens(item_context(journal, item), budget)
    messages = with_format_instructions(
        build_messages(PROMPT, item=item.text, journal=around, size=words), prompt)
    return BreakdownPlan(StructuredCall(PROMPT, messages, prompt.name, prompt.version,
                                        json_schema_for(prompt)), size)


def break_down(context: Context, journal: Journal, item: Item, *, size: int = DEFAULT_SIZE,
               cancel: threading.Event | None = None,
               gateway_factory=None) -> BreakdownOutcome:
    """The steps from the model; raises ModelError (UnreadableReply for a bad reply)."""
    check_size(size)
    if not context.settings.get("llm.model"):
        return BreakdownOutcome([], None, NO_MODEL_NOTE)
    from app.llm.types import ModelError
    from prompts.loader import load_prompt
    from prompts.structured import output_model

    plan = plan_breakdown(context, journal, item, size)
    gateway = gateway_factory() if gateway_factory else open_gateway(context, journal)
    try:
        parsed, result = ask(gateway, plan.call, output_model(load_prompt(PROMPT)),
                             cancel=cancel)
    except ModelError as exc:
        if exc.kind in PLAIN_FALLBACK_KINDS:
            return BreakdownOutcome([], None, str(exc))
        raise
    finally:
        gateway.close()
    return BreakdownOutcome([(step.title, step.minutes) for step in parsed.steps],
                            result.model, None, (plan.call.prompt_name,
                                                 plan.call.prompt_version))


def item_context(journal: Journal, item: Item) -> str:
    """What the journal says around the item: its goal and why, the goal's open and done
    steps and recent notes (each list LIMITed: the cost does not grow with the years)."""
    if item.goal_id is None:
        return ""
    from app.memory.context import one_line

    with journal.read() as session:
        goal = session.get(Goal, item.goal_id)
        if goal is None:
            return ""
        lines = [f"The goal: {goal.title} (#{goal.slug}), {goal.status}"]
        lines.append(f"Why it matters: {one_line(goal.why)}" if goal.why.strip()
                     else "Why it matters: (no why written)")
        if goal.cadence_per_week:
            lines.append(f"They hope to touch it {goal.cadence_per_week}x a week.")
        open_steps = session.scalars(
            select(Action).where(Action.goal_id == goal.id,
                                 Action.status == ActionStatus.OPEN.value)
            .order_by(Action.id.desc()).limit(LIST_LIMIT + 1)).all()
        done_steps = session.scalars(
            select(Action).where(Action.goal_id == goal.id,
                                 Action.status == ActionStatus.DONE.value)
            .order_by(Action.done_at.desc()).limit(LIST_LIMIT)).all()
        notes = session.scalars(select(Entry).where(Entry.goal_id == goal.id)
                                .order_by(Entry.id.desc()).limit(NOTE_LIMIT)).all()
        open_steps = [a for a in open_steps if a.id != item.action_id][:LIST_LIMIT]
        if open_steps:
            lines.append("Open steps (newest first):")
            lines += [f"- {_step(a)}" for a in open_steps]
        if done_steps:
            lines.append("Done already (newest first):")
            lines += [f"- {_step(a)} (done {_done_day(a)})" for a in done_steps if a.done_at]
        if notes:
            lines.append("Their recent notes about it (newest first):")
            lines += [f"- {one_line(n.text)}" for n in notes]
    return "\n".join(lines)


def _done_day(action: Action) -> str:
    day = action.done_at.astimezone().date()
    return f"{short_day(day)} {day.year}"


def _step(action: Action) -> str:
    estimate = f" (~{action.estimate_minutes} min)" if action.estimate_minutes else ""
    return f"{' '.join(action.title.split())}{estimate}"
