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
from datetime import datetime

from app.daytime import short_day
from app.errors import BadInput
from app.journal import Context
from app.structured_call import StructuredCall, ask_gated, open_gateway
from storage.db import JournalFile, reading
from storage.repo import goals as goal_repo
from storage.repo import steps as step_repo
from storage.repo.goals import StepBrief

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
BY_HAND = ("Break it down by hand: what is the very first move, two minutes or less? "
           "Then a few more small ones.")
# The reply's budget in tokens: up to seven short steps in JSON (the compact form fewer).
MAX_TOKENS, SMALL_MAX_TOKENS = 300, 220
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
    fallback: str | None = None  # why there are no model steps (a ModelError kind)

    @property
    def variant(self) -> str | None:
        """The prompt variant that made the steps (what keeping them teaches), if any."""
        from app.prompt_choice import variant_of

        found = variant_of(*self.prompt) if self.steps else None
        return found[1] if found else None

    def as_dict(self) -> dict:
        return {"steps": [{"title": t, "minutes": m} for t, m in self.steps],
                "model": self.model, "note": self.note, "fallback": self.fallback is not None,
                "reason": self.fallback, "variant": self.variant}


@dataclass(frozen=True)
class BreakdownPlan:
    call: StructuredCall
    size: int


def check_size(size: int) -> int:
    if size not in SIZE_WORDS:
        raise BadInput(f"--size goes from 1 (a few bigger steps) to 5 (the tiniest steps), "
                       f"not {size}")
    return size


def resolve_item(journal: JournalFile, *, goal: str | None = None, action: int | None = None,
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

    if goal is not None:
        found = find_goal(journal, goal)
        return Item(found.title, goal_id=found.id)
    with reading(journal.db_path) as conn:
        row = step_repo.get_step(conn, action) if action is not None else None
    if row is None:
        raise BadInput(f"no action {action}; `wise actions list` shows them")
    return Item(row.title, goal_id=row.goal_id, action_id=row.id)


def plan_breakdown(context: Context, journal: JournalFile, item: Item, size: int, *,
                   gateway=None, variant_name: str | None = None) -> BreakdownPlan:
    """The request, in the variant named or the one the user's kept steps choose today
    (app/prompt_choice.py)."""
    from app.daytime import journal_day, local_now
    from app.memory.tokens import truncate_to_tokens
    from app.prompt_choice import chosen_variant, with_variant
    from app.structured_call import build_call

    words = SIZE_WORDS[check_size(size)]
    around = item_context(journal, item)

    def fill(budget: int | None) -> dict:
        journal_text = "" if budget is None else truncate_to_tokens(around, budget)
        return {"item": item.text, "journal": journal_text, "size": words}

    call = build_call(context, gateway, PROMPT, fill=fill, max_tokens=MAX_TOKENS,
                      small_max_tokens=SMALL_MAX_TOKENS)
    today = journal_day(local_now(), context.day_start_hour)
    call = with_variant(call, chosen_variant(context, PROMPT, today, variant_name))
    return BreakdownPlan(call, size)


def break_down(context: Context, journal: JournalFile, item: Item, *, size: int = DEFAULT_SIZE,
               cancel: threading.Event | None = None,
               gateway_factory=None) -> BreakdownOutcome:
    """The steps from the model, or none and a note saying why (no model, a model that
    failed or whose reply the quality gate refused): the user then breaks it down by
    hand. Raises ModelError only for a cancel."""
    check_size(size)
    if not context.settings.get("llm.model"):
        return BreakdownOutcome([], None, NO_MODEL_NOTE)
    from app.llm.types import ModelError
    from app.structured_call import PLAIN_FALLBACK_KINDS, fallback_note
    from prompts.loader import load_prompt
    from prompts.schemas import Breakdown
    from prompts.structured import reply_model

    gateway = gateway_factory() if gateway_factory else open_gateway(context, journal)
    try:
        plan = plan_breakdown(context, journal, item, size, gateway=gateway)
        asked = ask_gated(gateway, plan.call, reply_model(load_prompt(PROMPT), Breakdown),
                          cancel=cancel, check=lambda parsed: steps_problem(parsed, item))
    except ModelError as exc:
        if exc.kind == "cancelled":
            raise
        if exc.kind in PLAIN_FALLBACK_KINDS:
            return BreakdownOutcome([], None, str(exc))
        return BreakdownOutcome([], None, f"{fallback_note(exc)} {BY_HAND}",
                                fallback=exc.kind)
    finally:
        gateway.close()
    return BreakdownOutcome([(step.title, step.minutes) for step in asked.parsed.steps],
                            asked.result.model, None,
                            (asked.call.prompt_name, asked.call.prompt_version))


def steps_problem(parsed, item: Item):
    """The break-down's must-haves: a first step that can be started (a few words, not
    a copy of the whole item), and steps that differ from each other."""
    from app.llm import gate

    first = parsed.steps[0].title
    if len(gate.words(first)) < 2:
        return gate.refuse("missing", "the first step is not an action")
    if gate.words(first) == gate.words(item.text) and len(parsed.steps) > 1:
        return gate.refuse("missing", "the first step is the whole thing again")
    titles = [" ".join(gate.words(step.title)) for step in parsed.steps]
    if len(set(titles)) < len(titles):
        return gate.refuse("repetition", "the same step twice")
    return gate.OK


def item_context(journal: JournalFile, item: Item) -> str:
    """What the journal says around the item: its goal and why, the goal's open and done
    steps and recent notes (each list LIMITed: the cost does not grow with the years)."""
    if item.goal_id is None:
        return ""
    from app.memory.context import one_line

    with reading(journal.db_path) as conn:
        around = goal_repo.goal_surroundings(conn, item.goal_id, open_limit=LIST_LIMIT + 1,
                                             done_limit=LIST_LIMIT, note_limit=NOTE_LIMIT)
    if around is None:
        return ""
    goal = around.goal
    lines = [f"The goal: {goal.title} (#{goal.slug}), {goal.status}"]
    lines.append(f"Why it matters: {one_line(goal.why)}" if goal.why.strip()
                 else "Why it matters: (no why written)")
    if goal.cadence_per_week:
        lines.append(f"They hope to touch it {goal.cadence_per_week}x a week.")
    open_steps = [a for a in around.open_steps if a.id != item.action_id][:LIST_LIMIT]
    if open_steps:
        lines.append("Open steps (newest first):")
        lines += [f"- {_step(a)}" for a in open_steps]
    if around.done_steps:
        lines.append("Done already (newest first):")
        lines += [f"- {_step(a)} (done {_done_day(a.done_at)})" for a in around.done_steps
                  if a.done_at]
    if around.notes:
        lines.append("Their recent notes about it (newest first):")
        lines += [f"- {one_line(text)}" for text in around.notes]
    return "\n".join(lines)


def _done_day(done_at: datetime) -> str:
    day = done_at.astimezone().date()
    return f"{short_day(day)} {day.year}"


def _step(action: StepBrief) -> str:
    estimate = f" (~{action.estimate_minutes} min)" if action.estimate_minutes else ""
    return f"{' '.join(action.title.split())}{estimate}"
