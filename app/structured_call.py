"""One structured model call: the request, a tolerant parse, one quiet repair attempt.

Shared by the break-down and the goal review (the daily reflection keeps its own, as it
streams and stores a reply that never parses). A reply that cannot be read even after the
repair raises `UnreadableReply`, which keeps the first reply as written.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from app.llm.types import CallResult, ModelError

# Errors after which the plain, data-based answer is given instead of failing: nothing was
# sent, and the user has a setting to change (the note says which).
PLAIN_FALLBACK_KINDS = frozenset({"no_model", "over_budget", "no_key", "no_keyring"})


class UnreadableReply(ModelError):
    """The reply was not the expected object, even after one repair attempt."""

    def __init__(self, message: str, raw: str) -> None:
        super().__init__("bad_output", message)
        self.raw = raw


@dataclass(frozen=True)
class StructuredCall:
    purpose: str  # llm_calls.purpose; the repair attempt is recorded as `<purpose>_repair`
    messages: list[dict]
    prompt_name: str
    prompt_version: str
    json_schema: dict | None


def ask(gateway, call: StructuredCall, schema, *,
        cancel: threading.Event | None = None) -> tuple[object, CallResult]:
    """(the parsed reply, the call's result); raises ModelError or UnreadableReply."""
    from prompts.structured import OutputParseError, parse_structured, repair_messages

    first = _complete(gateway, call.purpose, call.messages, call, cancel)
    try:
        return parse_structured(first.text, schema), first
    except OutputParseError as problem:
        reason = str(problem)
    repair = repair_messages(call.messages, first.text, schema, reason)
    try:
        second = _complete(gateway, f"{call.purpose}_repair", repair, call, cancel)
        return parse_structured(second.text, schema), second
    except OutputParseError as again:
        reason = str(again)
    except ModelError as exc:
        if exc.kind == "cancelled":
            raise
        reason = f"{reason}; the repair attempt failed too ({exc.kind.replace('_', ' ')})"
    raise UnreadableReply(f"the model's reply was not in the expected shape, even after "
                          f"asking once more ({reason})", first.text)


def _complete(gateway, purpose: str, messages: list[dict], call: StructuredCall,
              cancel: threading.Event | None) -> CallResult:
    return gateway.complete(purpose, messages, prompt_name=call.prompt_name,
                            prompt_version=call.prompt_version, json_schema=call.json_schema,
                            cancel=cancel)


def open_gateway(context, journal):
    from app.llm.gateway import Gateway

    return Gateway(context, journal)
