"""One structured model call held to the quality gate: ask, read, judge, one simpler retry.

Shared by every purpose that shows a model's words (the daily reflection, the break-down,
the goal review, the nudge, `wise llm test`). The request is asked in its full form, or
in its compact form (`*_small` prompts) first when the model is small or the gate keeps
refusing the full form for it (`app.llm.model_memory`). A reply that does not parse, or
that the gate refuses (`app.llm.gate`), gets one retry with the compact form; when that
fails too, `RefusedReply` is raised. The caller then shows its plain, data-based words
with one honest line. Refused replies are kept for `wise llm refused`, never shown as the
companion's words and never used as memory.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

from app.llm.types import CallResult, ModelError

if TYPE_CHECKING:
    from pydantic import BaseModel

    from app.journal import Context
    from app.llm.gate import Verdict
    from app.llm.gateway import Target
    from app.llm.model_memory import ModelMemory

log = logging.getLogger(__name__)
Reply = TypeVar("Reply", bound="BaseModel")  # the prompt's output model (prompts.schemas)

# Errors after which the plain, data-based answer is given without a word about the
# model failing: nothing was sent, and the user has a setting to change (the note says
# which). Any other ModelError also falls back to the plain answer, with its reason.
PLAIN_FALLBACK_KINDS = frozenset({"no_model", "over_budget", "no_key", "no_keyring"})
SHOW_REFUSED = "`wise llm refused` shows what it said"
SMALL_CONTEXT = 4096  # a model with this window or less gets the compact prompt first
ASSUMED_LOCAL_CONTEXT = 2048  # llama.cpp's and Ollama's usual default when not told
CONTEXT_RECHECK_S = 24 * 3600  # a local server is asked its window again after a day
OUTPUT_MARGIN = 64  # tokens kept free between the input and the reply
_SMALL_NAME = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*([mb])\b", re.IGNORECASE)


class RefusedReply(ModelError):
    """The model answered, but neither reply passed the gate."""

    def __init__(self, verdict: Verdict, raw: str, model: str) -> None:
        super().__init__("bad_output", f"the model's reply {verdict.words} ({verdict})")
        self.verdict = verdict
        self.raw = raw
        self.model = model


# Kept for callers that still name it: a reply that could not be read is a refused one.
UnreadableReply = RefusedReply


class ModelGateway(Protocol):
    """What a structured call asks of a gateway (app.llm.gateway.Gateway, or a stand-in
    that records or scripts the calls): the reply, and what fits a request to the model."""

    @property
    def context(self) -> Context | None:
        """The settings a request is fitted to (None: the defaults)."""

    @property
    def memory(self) -> ModelMemory | None:
        """What Wise has learned about each model (None: nothing is learned)."""

    def targets(self) -> list[Target]:
        """The main model, then the fallbacks."""

    def complete(self, purpose: str, messages: list[dict], *, prompt_name: str | None = None,
                 prompt_version: str | None = None, json_schema: dict | None = None,
                 on_delta: Callable[[str], None] | None = None,
                 cancel: threading.Event | None = None,
                 max_tokens: int | None = None) -> CallResult:
        """The model's reply; raises ModelError."""


@dataclass(frozen=True)
class StructuredCall:
    purpose: str  # llm_calls.purpose; the retry is recorded as `<purpose>_retry`
    messages: list[dict]
    prompt_name: str
    prompt_version: str
    json_schema: dict | None
    max_tokens: int | None = None  # the reply's budget for this purpose
    examples: tuple[str, ...] = ()  # the prompt's own example wording: copied = refused
    compact: StructuredCall | None = None  # the simpler form, for the one retry
    max_chars: int | None = None  # a reply longer than this "ran far too long"


@dataclass(frozen=True)
class Asked(Generic[Reply]):
    parsed: Reply
    result: CallResult
    call: StructuredCall  # the form that passed (full or compact)


def ask(gateway: ModelGateway, call: StructuredCall, schema: type[Reply], *,
        cancel: threading.Event | None = None,
        check: Callable[[Reply], Verdict] | None = None,
        on_delta: Callable[[str], None] | None = None) -> tuple[Reply, CallResult]:
    asked = ask_gated(gateway, call, schema, cancel=cancel, check=check, on_delta=on_delta)
    return asked.parsed, asked.result


def ask_gated(gateway: ModelGateway, call: StructuredCall, schema: type[Reply], *,
              cancel: threading.Event | None = None,
              check: Callable[[Reply], Verdict] | None = None,
              on_delta: Callable[[str], None] | None = None) -> Asked[Reply]:
    """The parsed reply that passed the gate; raises ModelError or RefusedReply.

    `check(parsed)` returns a gate Verdict for the purpose's must-haves (a reflection
    with a next step, a break-down whose first step can be started). `on_delta` receives
    the first attempt's text as it streams (the caller replaces it with the final words)."""
    forms = attempts_for(gateway, call)
    first_refusal: tuple[Verdict, str, str] | None = None
    for index, form in enumerate(forms):
        purpose = form.purpose if index == 0 else f"{call.purpose}_retry"
        try:
            result = gateway.complete(purpose, form.messages, prompt_name=form.prompt_name,
                                      prompt_version=form.prompt_version,
                                      json_schema=form.json_schema, cancel=cancel,
                                      max_tokens=form.max_tokens,
                                      on_delta=on_delta if index == 0 else None)
        except ModelError as exc:
            if first_refusal is None or exc.kind == "cancelled":
                raise
            break  # the retry could not be made: the first refusal says what happened
        other = call.compact if form is not call.compact else call
        verdict, parsed = judge_reply(result, form, schema, check, also=other)
        _learn(gateway, result, form, verdict)
        if verdict.ok and parsed is not None:  # (a reply is parsed when it passed)
            return Asked(parsed, result, form)
        log.info("the gate refused the %s reply of %s: %s", purpose, result.model, verdict)
        _keep(gateway, purpose, result, verdict)
        if first_refusal is None:
            first_refusal = (verdict, result.text, result.model)
    assert first_refusal is not None
    verdict, raw, model = first_refusal
    raise RefusedReply(verdict, raw, model)


def attempts_for(gateway: ModelGateway | None, call: StructuredCall) -> list[StructuredCall]:
    """The forms to try, in order: full then compact; compact twice for a small model
    (its replies vary from one try to the next)."""
    if call.compact is None:
        return [call]
    if prefers_compact(gateway):
        return [call.compact, call.compact]  # a small model: the simple form, twice
    return [call, call.compact]


def judge_reply(result: CallResult, form: StructuredCall, schema: type[Reply],
                check: Callable[[Reply], Verdict] | None, *,
                also: StructuredCall | None = None) -> tuple[Verdict, Reply | None]:
    """(the gate's verdict, the parsed reply or None). `also`: the request's other form,
    whose wording a small model may know from an earlier try and copy too."""
    from app.llm import gate
    from prompts.structured import OutputParseError, parse_structured

    if also is not None and also is not form:
        form = replace(form, messages=[*form.messages, *also.messages],
                       examples=(*form.examples, *also.examples))

    try:
        parsed = parse_structured(result.text, schema)
    except OutputParseError as problem:
        verdict = gate.judge_text(result.text, form.messages, finish=result.finish,
                                  max_chars=form.max_chars)
        return (verdict if not verdict.ok else gate.refuse("shape", str(problem))), None
    values = text_values(parsed)
    verdict = gate.judge_values(values, form.messages, examples=form.examples)
    if verdict.ok and form.max_chars is not None and sum(map(len, values)) > form.max_chars:
        verdict = gate.refuse("too_long", f"{sum(map(len, values))} characters")
    if verdict.ok and check is not None:
        verdict = check(parsed)
    return verdict, (parsed if verdict.ok else None)


def text_values(parsed: object) -> list[str]:
    """Every piece of text a structured reply holds, in order."""
    from pydantic import BaseModel

    out: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, BaseModel):
            for _name, field_value in value:  # its fields, in order
                walk(field_value)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)
        elif isinstance(value, str) and value.strip():
            out.append(value)

    walk(parsed)
    return out


# -- what the gate learns about a model ----------------------------------------------------


# No gateway (a request planned without one, as the eval suite may): no model, nothing learned.
def _memory_of(gateway: ModelGateway | None) -> ModelMemory | None:
    return None if gateway is None else gateway.memory


def _main_target(gateway: ModelGateway | None) -> Target | None:
    found = [] if gateway is None else gateway.targets()
    return found[0] if found else None


def prefers_compact(gateway: ModelGateway | None) -> bool:
    """The compact form first: a small model (by its name or context window), or one the
    gate has refused in its full form again and again."""
    target, memory = _main_target(gateway), _memory_of(gateway)
    if target is None:
        return False
    if memory is not None and memory.facts(target.model, target.api_base).prefers_compact:
        return True
    # An assumed window counts too: a 2,048-token server cannot take the full prompt, the
    # journal and the reply (the full character alone is ~1,000 tokens).
    return is_small(target.model, context_tokens(gateway))


def is_small(model: str, context: int | None) -> bool:
    if context is not None and context <= SMALL_CONTEXT:
        return True
    for number, unit in _SMALL_NAME.findall(model.rsplit("/", 1)[-1]):
        size = float(number) * (0.001 if unit.lower() == "m" else 1.0)
        if size <= 3.0:
            return True
    return False


def known_context_tokens(gateway: ModelGateway | None) -> int | None:
    """The main model's context window as set (llm.context_tokens), else as its server
    said (asked once a day, for a server of the user's own: app.llm.server_context, and
    remembered); else None."""
    target = _main_target(gateway)
    if target is None:
        return None
    if gateway is not None and gateway.context is not None:
        configured = int(gateway.context.settings.get("llm.context_tokens") or 0)
        if configured:
            return configured
    memory = _memory_of(gateway)
    if memory is None:
        return None
    facts = memory.facts(target.model, target.api_base)
    if target.local and time.time() - facts.context_checked > CONTEXT_RECHECK_S:
        from app.llm.server_context import ask_server

        told = ask_server(target.model, target.api_base)
        facts = memory.update(target.model, target.api_base,
                              context_tokens=told or facts.context_tokens,
                              context_checked=round(time.time(), 3))
    return facts.context_tokens or None


def context_tokens(gateway: ModelGateway | None) -> int | None:
    """The context window to fit requests into: the known one, else the usual default of
    a local server; None when unknown for a cloud model (large)."""
    known = known_context_tokens(gateway)
    if known:
        return known
    target = _main_target(gateway)
    return ASSUMED_LOCAL_CONTEXT if target is not None and target.local else None


def input_budget(gateway: ModelGateway, wanted: int, max_output: int) -> int:
    """The input tokens a request may use: `wanted`, within the model's context window."""
    context = context_tokens(gateway)
    if context is None:
        return wanted
    return max(200, min(wanted, context - max_output - OUTPUT_MARGIN))


def enforced(gateway: ModelGateway | None) -> bool:
    """The main model's server is known to enforce the reply's shape (the full schema
    need not be spelled out in the prompt)."""
    target, memory = _main_target(gateway), _memory_of(gateway)
    if target is None or memory is None:
        return False
    return memory.facts(target.model, target.api_base).structured in ("json_schema",
                                                                       "json_object")


def _learn(gateway: ModelGateway, result: CallResult, form: StructuredCall,
           verdict: Verdict) -> None:
    memory, target = _memory_of(gateway), _main_target(gateway)
    if memory is None or target is None or result.model != target.model:
        return
    memory.count(target.model, target.api_base, compact=form.prompt_name.endswith("_small"),
                 passed=verdict.ok, rule=verdict.rule)


def _keep(gateway: ModelGateway, purpose: str, result: CallResult, verdict: Verdict) -> None:
    memory = _memory_of(gateway)
    if memory is not None and verdict.rule is not None:  # a refused reply has its rule
        memory.keep_refused(purpose=purpose, model=result.model, rule=verdict.rule,
                            detail=verdict.detail, text=result.text)


def fallback_note(exc: ModelError, what: str | None = None) -> str:
    """The one honest line under a plain answer given because the model failed:
    "<why>, so this is <what> from your data." (or just "<why>." without `what`)."""
    if exc.kind in PLAIN_FALLBACK_KINDS:
        return str(exc)
    if isinstance(exc, RefusedReply):
        reason = f"The model's reply {exc.verdict.words}"
        show = f" ({SHOW_REFUSED})"
    else:
        reason = {
            "unreachable": "Wise could not reach the model",
            "timeout": "The model took too long to answer",
            "stalled": "The model stopped answering",
            "server": "The model's server had an error",
            "rate_limited": "The model's provider asked Wise to wait",
            "auth": "The model's provider refused the key",
            "not_found": "The model was not found",
            "bad_request": "The model's server refused the request",
            "worker_died": "The model worker stopped unexpectedly",
        }.get(exc.kind, "The model call failed")
        show = ""
    if what is None:
        return f"{reason}{show}."
    return f"{reason}, so this is {what} from your data{show}."


def open_gateway(context, journal):
    from app.llm.gateway import Gateway

    return Gateway(context, journal)


# -- building the request -----------------------------------------------------------------


def build_call(context: Context, gateway: ModelGateway | None, name: str, *,
               fill: Callable[[int | None], dict], max_tokens: int, small_max_tokens: int,
               purpose: str | None = None, max_chars: int | None = None) -> StructuredCall:
    """The request for prompt `name`, with its compact form (`<name>_small`) for the retry.

    `fill(budget)` gives the prompt's values with the journal data fitted to `budget`
    tokens (`None`: empty data, to measure the frame). The input is fitted to the model's
    context window, and the reply's budget to the purpose (never above
    llm.max_output_tokens)."""
    from prompts.loader import SMALL_SUFFIX, list_prompts

    full = _form(context, gateway, name, fill, max_tokens, purpose or name, max_chars)
    small_name = name + SMALL_SUFFIX
    if small_name not in list_prompts():
        return full
    small = _form(context, gateway, small_name, fill, small_max_tokens, purpose or name,
                  max_chars)
    return replace(full, compact=small)


def _form(context: Context, gateway: ModelGateway | None, name: str, fill, max_tokens: int,
          purpose: str, max_chars: int | None) -> StructuredCall:
    from app.memory.tokens import estimate_message_tokens
    from prompts.loader import SMALL_SUFFIX, build_messages, load_prompt
    from prompts.structured import json_schema_for, with_format_instructions

    prompt = load_prompt(name)
    out = min(max_tokens, int(context.settings.get("llm.max_output_tokens")))
    strict = gateway is not None and enforced(gateway)
    short = name.endswith(SMALL_SUFFIX) or strict
    frame = with_format_instructions(build_messages(name, **fill(None)), prompt, short=short,
                                     enforced=strict)
    overhead = estimate_message_tokens(frame)
    wanted = int(context.settings.get("reflection.input_tokens"))
    budget = input_budget(gateway, wanted, out) if gateway is not None else wanted
    messages = with_format_instructions(
        build_messages(name, **fill(max(budget - overhead, 100))), prompt, short=short,
        enforced=strict)
    return StructuredCall(purpose, messages, prompt.name, prompt.version,
                          json_schema_for(prompt), out, examples=prompt_examples(prompt),
                          max_chars=max_chars)


def prompt_examples(prompt) -> tuple[str, ...]:
    """The prompt's own wording for each field ("next_step: one tiny step ..."): a reply
    that fills a field with it copied the prompt instead of answering."""
    _, _, answer = prompt.body.partition("How to answer")
    found = re.findall(r"(?m)^[a-z_]+: (.+)$", answer)
    return tuple(found)
