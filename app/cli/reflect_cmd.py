"""`wise reflect`: the daily reflection in the terminal, as JSON lines for the reflection
window (`--stream`), or exactly what it would send (`--dry-run`)."""

from __future__ import annotations

import json
import sys
from argparse import Namespace
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from app.cli.output import emit
from app.errors import BadInput, WiseError
from app.journal import Context
from app.results import to_json

if TYPE_CHECKING:
    from app.results import Result

MAX_WORDS_CHARS = 10_000  # how the day went, in the user's words: a long page at most


def run(args: Namespace) -> int:
    if getattr(args, "stream", False):
        return run_stream(args)
    from app.llm.types import ModelError
    from app.reflection import plan_daily_reflection, reflect

    words = _words(args.words)
    context = Context.from_environment()
    day = _day(args.date, context)
    journal = context.open_journal()
    if args.dry_run:
        plan = plan_daily_reflection(context, journal, day, words)
        emit(args, plan, _describe_plan(plan))
        return 0
    # Printed once it has passed the quality gate: a terminal cannot take back words
    # the way the window replaces them, so nothing is streamed here.
    try:
        outcome = reflect(context, journal, day, user_words=words)
    except ModelError as exc:  # only a cancel: any other failure gives the plain one
        raise WiseError(f"the reflection could not be made: {exc}") from exc
    if not args.json:
        print(outcome.text)
        if outcome.note:
            print(f"\n({outcome.note})", file=sys.stderr)
        return 0
    emit(args, outcome, "")
    return 0


# The events of `wise reflect --stream`, one JSON line each.


@dataclass(frozen=True)
class PromptRef:
    name: str | None
    version: str | None


@dataclass(frozen=True)
class StreamStart:
    event: str
    day: date
    model: str | None
    prompt: PromptRef


@dataclass(frozen=True)
class StreamDelta:
    event: str
    text: str


@dataclass(frozen=True)
class StreamError:
    event: str
    kind: str  # a ModelError kind, or bad_input, storage, other
    message: str


@dataclass(frozen=True)
class StreamCancelled:
    event: str = "cancelled"


@dataclass(frozen=True)
class StreamDone:
    """The reflection (app.reflection.ReflectionOutcome) without its day: start said it."""

    outcome: Any

    def as_dict(self) -> dict:
        done = self.outcome.as_dict()
        del done["day"]
        return {"event": "done", **done}


def _error(kind: str, message: str) -> StreamError:
    return StreamError("error", kind, message)


def run_stream(args: Namespace) -> int:
    """JSON lines, each flushed: start, delta..., then done, error or cancelled."""
    from app.cli.cancel import sigterm_cancels

    with sigterm_cancels() as cancel:
        try:
            return _stream(args, cancel)
        except BadInput as exc:
            _event(_error("bad_input", str(exc)))
            raise
        except WiseError as exc:
            _event(_error("other", str(exc)))
            raise
        except Exception as exc:  # storage and OS errors: main() words them for stderr
            _event(_error("storage" if _is_storage(exc) else "other", str(exc)))
            raise


def _stream(args: Namespace, cancel) -> int:
    from app.llm.types import ModelError
    from app.reflection import PROMPT, reflect
    from prompts.loader import load_prompt

    if args.dry_run:
        raise BadInput("--stream and --dry-run do not go together; use --dry-run --json")
    words = _words(args.words)
    context = Context.from_environment()
    day = _day(args.date, context)
    journal = context.open_journal()
    model = context.settings.get("llm.model") or None
    prompt = load_prompt(PROMPT) if model else None
    _event(StreamStart("start", day, model, PromptRef(prompt.name if prompt else None,
                                                      prompt.version if prompt else None)))
    if cancel.is_set():
        return _cancelled()
    try:
        outcome = reflect(context, journal, day, user_words=words, cancel=cancel,
                          on_text=lambda text: _event(StreamDelta("delta", text)))
    except ModelError as exc:
        if exc.kind == "cancelled":
            return _cancelled()
        _event(_error(exc.kind, str(exc)))
        print(f"wise: the reflection could not be made: {exc}", file=sys.stderr)
        return 1
    _event(StreamDone(outcome))
    return 0


def _cancelled() -> int:
    _event(StreamCancelled())
    return 0


def _event(event: Result) -> None:
    # Bytes, UTF-8 whatever the locale: the reading window decodes UTF-8.
    line = json.dumps(to_json(event), ensure_ascii=False) + "\n"
    sys.stdout.buffer.write(line.encode("utf-8"))
    sys.stdout.buffer.flush()


def _is_storage(exc: Exception) -> bool:
    from storage.errors import is_storage_failure

    return is_storage_failure(exc)


def _words(words: str | None) -> str | None:
    from app.cli.text_input import check_length, read_stdin_text

    if words == "-":
        return read_stdin_text("--words", MAX_WORDS_CHARS)
    if words is not None:
        return check_length(words, "--words", MAX_WORDS_CHARS)
    return None


def _day(text: str | None, context: Context) -> date:
    from app.cli.day_option import parse_day_option

    return parse_day_option(text, context.day_start_hour)


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
