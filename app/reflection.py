"""The daily reflection: what the companion sends, how the reply is read, and what is kept.

With a model: context built to a token budget, the versioned prompt, one streamed call,
a tolerant parse with one repair attempt, and the result stored with its prompt version.
Without one (or over budget): a plain reflection made from the data, which still helps.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from app.daytime import long_day
from app.errors import BadInput
from app.journal import Context
from app.llm.types import ModelError
from storage.db import JournalFile
from storage.repo.reflections import ReflectionRecord, store_reflection

PROMPT = "daily_reflection"
LEAD_INS = {  # how each field of the reply reads while it streams in
    "celebrate": "",
    "reflection": "",
    "question": "",
    "next_step": "One tiny next step: ",
}
# The calendar's first and last years are left out: a reflection's context reaches weeks
# back, and a day's bounds in UTC can fall outside the years 1-9999 that a date can hold.
FIRST_DAY, LAST_DAY = date(2, 1, 1), date(9998, 12, 31)
# The reply's budget in tokens: four short fields and a step (the compact form fewer).
# 700 took a 270M model on a laptop past the minute.
MAX_TOKENS, SMALL_MAX_TOKENS = 350, 220
MAX_CHARS = 2400  # the schema's fields at their longest


@dataclass(frozen=True)
class ReflectionPlan:
    """Exactly what would be sent, before anything is."""

    day: date
    messages: list[dict]
    prompt_name: str
    prompt_version: str
    model: str | None
    api_base: str | None
    input_tokens: int
    budget_tokens: int
    max_output_tokens: int
    estimated_cost_usd: float | None
    json_schema: dict | None

    def as_dict(self) -> dict:
        """`wise reflect --dry-run --json`."""
        return {"day": self.day.isoformat(), "model": self.model, "api_base": self.api_base,
                "prompt": {"name": self.prompt_name, "version": self.prompt_version},
                "input_tokens_estimated": self.input_tokens,
                "input_budget": self.budget_tokens,
                "max_output_tokens": self.max_output_tokens,
                "estimated_cost_usd": self.estimated_cost_usd, "messages": self.messages,
                "json_schema": json.loads(json.dumps(self.json_schema)) if self.json_schema
                else None}


@dataclass(frozen=True)
class ReflectionOutcome:
    reflection_id: int
    text: str
    model: str | None  # None: the plain, data-based reflection
    note: str = ""  # e.g. how to connect a model, or why the plain one was used
    fallback: str | None = None  # why the plain one was used (a ModelError kind), if so
    day: date | None = None

    def as_dict(self) -> dict:
        """`wise reflect --json` and the `done` event of `--stream`."""
        return {"day": self.day.isoformat() if self.day else None,
                "reflection_id": self.reflection_id, "model": self.model, "text": self.text,
                "note": self.note or None, "fallback": self.fallback is not None,
                "reason": self.fallback}


def _check_day(day: date) -> None:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise BadInput(f"{day.isoformat()} is too near the edge of the calendar to reflect on; "
                       f"choose a day from {FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}")


def plan_daily_reflection(context: Context, journal: JournalFile, day: date,
                          user_words: str | None, *, gateway=None,
                          variant_name: str | None = None) -> ReflectionPlan:
    """The one request both `wise reflect --dry-run` shows and `wise reflect` sends first.
    `user_words` None means the words the user saved for `day` (the reflection window
    saves them as they type); any text, even '', is taken as given."""
    call = _reflection_call(context, journal, day, users_words(journal, day, user_words),
                            gateway or _gateway(context, journal), variant_name)
    return _plan_of(context, day, call)


def _reflection_call(context: Context, journal: JournalFile, day: date, user_words: str | None,
                     gateway, variant_name: str | None = None):
    from app.memory.context import build_reflection_context
    from app.prompt_choice import chosen_variant, with_variant
    from app.structured_call import attempts_for, build_call

    _check_day(day)

    def fill(budget: int | None) -> dict:
        gathered = "" if budget is None else build_reflection_context(
            journal, day, start_hour=context.day_start_hour, budget_tokens=budget).text
        return {"day": long_day(day), "journal": gathered, "user_words": user_words or ""}

    call = build_call(context, gateway, PROMPT, fill=fill, max_tokens=MAX_TOKENS,
                      small_max_tokens=SMALL_MAX_TOKENS, max_chars=MAX_CHARS)
    # Which way of reflecting: chosen by the user's own ratings (app/prompt_choice.py).
    call = with_variant(call, chosen_variant(context, PROMPT, day, variant_name))
    return call, attempts_for(gateway, call)[0]


def _plan_of(context: Context, day: date, calls) -> ReflectionPlan:
    from app.llm.pricing import estimate_call
    from app.memory.tokens import estimate_message_tokens

    _, first = calls
    settings = context.settings
    model = settings.get("llm.model") or None
    api_base = settings.get("llm.api_base") or None
    max_output = first.max_tokens or settings.get("llm.max_output_tokens")
    # The budget check's own estimate (Gateway._check_budget), so the two never disagree.
    cost = estimate_call(model, api_base, first.messages, max_output).cost_usd if model else None
    return ReflectionPlan(
        day=day, messages=first.messages, prompt_name=first.prompt_name,
        prompt_version=first.prompt_version, model=model, api_base=api_base,
        input_tokens=estimate_message_tokens(first.messages),
        budget_tokens=settings.get("reflection.input_tokens"),
        max_output_tokens=max_output, estimated_cost_usd=cost,
        json_schema=first.json_schema)


def reflect(context: Context, journal: JournalFile, day: date, *, user_words: str | None,
            gateway_factory: Callable[[], object] | None = None,
            on_text: Callable[[str], None] | None = None,
            cancel: threading.Event | None = None) -> ReflectionOutcome:
    """Make, show (through `on_text`, as it streams) and store the day's reflection.

    Setting `cancel` stops the model call in flight: ModelError("cancelled") is raised and
    nothing is stored."""
    _check_day(day)
    user_words = users_words(journal, day, user_words)
    if not context.settings.get("llm.model"):
        return _plain(journal, day, context, user_words,
                      note="No model is connected, so this reflection comes from your data "
                           "alone. To reflect with a model: wise config set llm.model "
                           "ollama_chat/llama3.2 (see the README's model section).",
                      on_text=on_text)
    gateway = gateway_factory() if gateway_factory else _gateway(context, journal)
    try:
        return _with_model(context, journal, day, gateway, user_words, on_text, cancel)
    except ModelError as exc:
        if exc.kind == "cancelled":
            raise
        from app.structured_call import fallback_note

        # Unreachable, failing, or a reply the quality gate refused: the plain reflection
        # with one line saying why. A refused reply is kept beside it, never shown.
        return _plain(journal, day, context, user_words,
                      note=fallback_note(exc, "the plain reflection"), on_text=on_text,
                      fallback=exc.kind, raw=getattr(exc, "raw", None))
    finally:
        close = getattr(gateway, "close", None)
        if close:
            close()


def _with_model(context: Context, journal: JournalFile, day: date, gateway,
                user_words: str | None, on_text: Callable[[str], None] | None,
                cancel: threading.Event | None = None) -> ReflectionOutcome:
    from app.reflection_stream import JsonProseStreamer
    from app.structured_call import ask_gated
    from prompts.loader import load_prompt
    from prompts.schemas import DailyReflection
    from prompts.structured import reply_model

    call, _ = _reflection_call(context, journal, day, user_words, gateway)
    schema = reply_model(load_prompt(PROMPT), DailyReflection)
    streamer = JsonProseStreamer(LEAD_INS, on_text) if on_text else None
    asked = ask_gated(gateway, call, schema, cancel=cancel, check=reflection_problem,
                      on_delta=streamer.feed if streamer else None)
    text = asked.parsed.as_text()
    if cancel is not None and cancel.is_set():  # stopped just as the reply ended
        raise ModelError("cancelled", "the model call was cancelled")
    reflection_id = _store(journal, day, text=text, model=asked.result.model,
                           prompt=(asked.call.prompt_name, asked.call.prompt_version),
                           structured=asked.parsed.model_dump_json(), raw=None,
                           user_words=user_words)
    return ReflectionOutcome(reflection_id, text, asked.result.model, day=day)


def reflection_problem(parsed):
    """A reflection's must-haves: a next step that is an action, not a word or two."""
    from app.llm import gate

    if len(gate.words(parsed.next_step)) < 2:
        return gate.refuse("missing", "no next step to start")
    return gate.OK


def users_words(journal: JournalFile, day: date, given: str | None) -> str | None:
    """The user's words on `day` as the model reads them: `given` when there is one (the
    window passes what is on screen, `--words` what was typed), else what was saved."""
    if given is not None:
        return given
    from app.day_words import words_for_model
    from storage.repo.journal_reads import day_words

    saved = day_words(journal.db_path, day)
    if saved is None:
        return None
    return words_for_model(saved.how_it_went, saved.in_the_way, saved.mood,
                           saved.energy) or None


def plain_reflection_text(journal: JournalFile, day: date, start_hour: int) -> str:
    """A reflection made from the data alone: what was done, what is open, one small step."""
    from app.today import today_view

    view = today_view(journal, day, start_hour)
    lines: list[str] = []
    if view.wins:
        titles = "; ".join(a.title for a in view.wins[:5])
        more = f" and {len(view.wins) - 5} more" if len(view.wins) > 5 else ""
        lines.append(f"You did {len(view.wins)} thing{'s' * (len(view.wins) != 1)}: "
                     f"{titles}{more}. That counts.")
    else:
        lines.append("No wins were recorded today. Getting through a day counts too.")
    if view.notes:
        lines.append(f"You wrote {len(view.notes)} note{'s' * (len(view.notes) != 1)}.")
    goals = sorted({a.goal_title for a in view.wins if a.goal_title})
    if goals:
        lines.append(f"You moved {', '.join(goals)} forward.")
    lines += _words_lines(journal, day)
    open_items = view.due + view.captured
    if open_items:
        smallest = min(open_items, key=lambda a: (a.estimate_minutes or 15, a.id))
        estimate = f" (~{smallest.estimate_minutes} min)" if smallest.estimate_minutes else ""
        lines.append(f"One small next step: {smallest.title}{estimate}.")
    else:
        lines.append("One small next step: capture the one thing you would like to do "
                     "tomorrow.")
    return "\n".join(lines)


def _words_lines(journal: JournalFile, day: date) -> list[str]:
    """What the plain reflection can say back to the user's own words on the day (the
    reflection window saves them): kind, never a judgement, never their words quoted."""
    from storage.repo.journal_reads import day_words

    words = day_words(journal.db_path, day)
    if words is None:
        return []
    lines = []
    if words.in_the_way.strip():
        lines.append("You named what got in the way; seeing it clearly is a first step "
                     "around it.")
    if words.energy is not None and words.energy <= 2:
        lines.append("Energy was low, so small steps were the right size today.")
    elif words.mood is not None and words.mood >= 4:
        lines.append("It sounds like a good day: worth noticing what made it so.")
    elif words.mood is not None and words.mood <= 2:
        lines.append("A hard day, and you still came back to look at it. That matters.")
    return lines


def _plain(journal: JournalFile, day: date, context: Context, user_words: str | None, *,
           note: str, on_text: Callable[[str], None] | None, fallback: str | None = None,
           raw: str | None = None) -> ReflectionOutcome:
    text = plain_reflection_text(journal, day, context.day_start_hour)
    if on_text:
        on_text(text)
    reflection_id = _store(journal, day, text=text, model=None, prompt=(None, None),
                           structured=None, raw=raw, user_words=user_words)
    return ReflectionOutcome(reflection_id, text, None, note, fallback, day)


def _store(journal: JournalFile, day: date, *, text: str, model: str | None,
           prompt: tuple[str | None, str | None], structured: str | None, raw: str | None,
           user_words: str | None) -> int:
    return store_reflection(journal.db_path, ReflectionRecord(
        day=day, prompt_name=prompt[0], prompt_version=prompt[1], model=model, content=text,
        structured=structured, raw=raw, user_words=user_words or None))


def _gateway(context: Context, journal: JournalFile):
    from app.llm.gateway import Gateway

    return Gateway(context, journal)
