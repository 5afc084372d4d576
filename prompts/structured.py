"""Structured replies: the schema a prompt asks for, instructions for models without
structured output, a tolerant parser for what comes back, and the one repair retry."""

from __future__ import annotations

import json
import re
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from prompts.loader import Prompt, PromptError
from prompts.schemas import SCHEMAS

MAX_REPLY_CHARS = 64_000  # far beyond the longest reply Wise asks for (8,000 tokens)
MAX_CANDIDATES = 32  # "{" positions tried before giving up on a reply
MAX_RELAXED = 8  # of those, how many may be re-read with curly quotes straightened
REPAIR_REPLY_MAX = 4000  # characters of the bad reply sent back with the repair request
REASON_MAX = 400

_JSON_ONLY = "with no text before or after it and no code fences"
_OPEN_QUOTES = "\u201c\u201d\u201e\u201f\u2033"  # “ ” „ ‟ ″ used where '"' was meant
_CURLY = re.compile(f"[{_OPEN_QUOTES}]")
Reply = TypeVar("Reply", bound=BaseModel)


class OutputParseError(Exception):
    """A model's reply could not be read as the expected object; the message says why,
    briefly (it is sent back to the model in the repair request)."""


def output_model(prompt: Prompt) -> type[BaseModel] | None:
    """The pydantic model for the prompt's reply, or None for a free-text prompt."""
    if prompt.output_schema is None:
        return None
    try:
        return SCHEMAS[prompt.output_schema]
    except KeyError:
        raise PromptError(f"prompt {prompt.name!r}: no output schema called "
                          f"{prompt.output_schema!r}") from None


def reply_model(prompt: Prompt, expected: type[Reply]) -> type[Reply]:
    """The prompt's output model, which its caller reads as `expected` (a PromptError when
    the prompt names another, or none)."""
    model = output_model(prompt)
    if model is None or not issubclass(model, expected):
        raise PromptError(f"prompt {prompt.name!r}: its output schema is "
                          f"{prompt.output_schema!r}, not {expected.__name__}")
    return model


def json_schema_for(prompt: Prompt) -> dict | None:
    """The reply's JSON schema, for providers that support structured output."""
    model = output_model(prompt)
    return None if model is None else model.model_json_schema()


def format_instructions(prompt: Prompt) -> str:
    """What to append to the user message when the provider has no structured output
    ("" for a free-text prompt)."""
    model = output_model(prompt)
    if model is None:
        return ""
    return (f"Reply with only a JSON object matching this schema, {_JSON_ONLY}:\n"
            f"{compact_schema(model)}")


def short_format_instructions(prompt: Prompt, *, enforced: bool = False) -> str:
    """The format instructions of a compact prompt: the reply's skeleton, not the whole
    schema; when the server enforces the schema itself (`enforced`), not even that
    (small models copy a skeleton's placeholders)."""
    model = output_model(prompt)
    if model is None:
        return ""
    if enforced:
        return ("Reply with only the JSON object, with the fields named above, each in "
                "your own words.")
    return (f"Reply with only a JSON object shaped like this, {_JSON_ONLY}, with your own "
            f"words in place of each …:\n{json.dumps(skeleton(model), ensure_ascii=False)}")


def skeleton(model: type[BaseModel]) -> object:
    """An example of the model's shape: "…" for text, 2 for numbers, null when optional."""
    return _skeleton_of(model.model_json_schema(), model.model_json_schema())


def _skeleton_of(node: dict, root: dict) -> object:
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        return _skeleton_of(root.get("$defs", {}).get(name, {}), root)
    if "anyOf" in node:
        kinds = [option for option in node["anyOf"] if option.get("type") != "null"]
        if len(kinds) < len(node["anyOf"]):
            return None
        return _skeleton_of(kinds[0], root) if kinds else None
    kind = node.get("type")
    if kind == "object":
        return {name: _skeleton_of(child, root)
                for name, child in node.get("properties", {}).items()}
    if kind == "array":
        return [_skeleton_of(node.get("items", {}), root)]
    if kind == "integer" or kind == "number":
        return 2
    if kind == "boolean":
        return True
    if "enum" in node:
        return " or ".join(str(v) for v in node["enum"])
    return "…"


def with_format_instructions(messages: list[dict], prompt: Prompt, *,
                             short: bool = False, enforced: bool = False) -> list[dict]:
    """A copy of `messages` whose last user message ends with the format instructions
    (`short`: the skeleton alone, see short_format_instructions)."""
    out = [dict(message) for message in messages]
    instructions = (short_format_instructions(prompt, enforced=enforced) if short
                    else format_instructions(prompt))
    if instructions:
        last_user = max(i for i, m in enumerate(out) if m.get("role") == "user")
        out[last_user]["content"] = f"{out[last_user]['content']}\n\n{instructions}"
    return out


def compact_schema(model: type[BaseModel]) -> str:
    """The model's JSON schema on one line, without pydantic's titles (fewer tokens)."""
    return json.dumps(_without_titles(model.model_json_schema()), ensure_ascii=False,
                      separators=(",", ":"))


def repair_messages(messages: list[dict], bad_reply: str, model: type[BaseModel],
                    reason: str) -> list[dict]:
    """The one repair retry: the conversation so far, the reply that did not parse, and a
    request for the corrected JSON object alone."""
    reply = bad_reply if len(bad_reply) <= REPAIR_REPLY_MAX else bad_reply[:REPAIR_REPLY_MAX]
    request = (f"That reply could not be used ({reason.rstrip('.')}). Reply again with only "
               f"the corrected JSON object, {_JSON_ONLY}, matching this schema:\n"
               f"{compact_schema(model)}")
    return [*(dict(message) for message in messages),
            {"role": "assistant", "content": reply},
            {"role": "user", "content": request}]


def parse_structured(text: str, model: type[Reply]) -> Reply:
    """The reply read as `model`, tolerating what models wrap around JSON.

    Accepted: code fences, chatter before or after, trailing commas, and curly quotes used
    as JSON quotes. The first "{" that opens a complete object that parses and validates
    wins. Anything else is an OutputParseError with a short reason, never another error."""
    if not isinstance(text, str):
        raise OutputParseError("the reply is not text")
    if len(text) > MAX_REPLY_CHARS:
        raise OutputParseError(f"the reply is longer than {MAX_REPLY_CHARS} characters")
    first_problem: str | None = None
    relaxed_tries = 0
    start = text.find("{")
    for _ in range(MAX_CANDIDATES):
        if start == -1:
            break
        data, problem = _object_at(text, start)
        if data is None and relaxed_tries < MAX_RELAXED and _CURLY.search(text, start):
            # Curly quotes used as JSON quotes hide where strings end: straighten first.
            relaxed_tries += 1
            data, _ = _object_at(_relaxed(text[start:]), 0)
        if data is None:
            first_problem = first_problem or problem
        else:
            try:
                return model.model_validate(data)
            except (ValidationError, ValueError, TypeError, RecursionError) as exc:
                first_problem = first_problem or _describe(exc)
        start = text.find("{", start + 1)
    raise OutputParseError(first_problem or "no JSON object in the reply")


def _object_at(text: str, start: int) -> tuple[dict | None, str]:
    """The JSON object whose "{" is at `start`, or None and what is wrong with it."""
    end = _matching_brace(text, start)
    if end is None:
        return None, "the JSON object is not complete (the reply may have been cut off)"
    return _load_object(text[start:end + 1])


_STRUCTURAL = re.compile(r'[{}"\\]')


def _matching_brace(text: str, start: int) -> int | None:
    depth = 0
    in_string = False
    skip_to = -1  # the character after a backslash inside a string is taken as it is
    for match in _STRUCTURAL.finditer(text, start):
        index, char = match.start(), match.group()
        if index < skip_to:
            continue
        if in_string:
            if char == "\\":
                skip_to = index + 2
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return index
    return None


def _load_object(candidate: str) -> tuple[dict | None, str]:
    for attempt in (candidate, _relaxed(candidate)):
        try:
            data = json.loads(attempt, strict=False)
        except (ValueError, RecursionError):
            continue
        if isinstance(data, dict):
            return data, ""
        return None, "the reply is not a JSON object"
    return None, "the reply is not valid JSON"


def _relaxed(text: str) -> str:
    """`text` with trailing commas dropped and curly quotes used as JSON quotes made
    straight. Text inside properly quoted strings is never changed."""
    out: list[str] = []
    index, length = 0, len(text)
    while index < length:
        char = text[index]
        if char == '"' or char in _OPEN_QUOTES:
            index = _copy_string(text, index, out)
            continue
        if char == ",":
            after = _next_visible(text, index + 1)
            if after < length and text[after] in "}]":
                index += 1
                continue
        out.append(char)
        index += 1
    return "".join(out)


def _copy_string(text: str, start: int, out: list[str]) -> int:
    """Copy the string opening at `start` to `out` as a JSON string; return where it ends.

    A string opened by '"' ends at the next unescaped '"'. One opened by a curly quote ends
    at a straight or curly quote followed by ':', ',', '}' or ']' (or the end)."""
    curly = text[start] != '"'
    out.append('"')
    index = start + 1
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            out.append(text[index:index + 2])
            index += 2
            continue
        if not curly and char == '"':
            out.append('"')
            return index + 1
        if curly and (char == '"' or char in _OPEN_QUOTES):
            after = _next_visible(text, index + 1)
            if after >= len(text) or text[after] in ":,}]":
                out.append('"')
                return index + 1
            out.append('\\"' if char == '"' else char)
            index += 1
            continue
        out.append(char)
        index += 1
    return index


def _next_visible(text: str, index: int) -> int:
    while index < len(text) and text[index] in " \t\r\n":
        index += 1
    return index


_VALUE_ERROR_PREFIX = re.compile(r"^(?:Value|Assertion) error, ")


def _describe(exc: Exception) -> str:
    """A short, model-readable reason (field names and what is wrong; never the input)."""
    if not isinstance(exc, ValidationError):
        return "the JSON object does not match the schema"
    parts = []
    errors = exc.errors(include_url=False, include_input=False)
    for error in errors[:4]:
        where = ".".join(str(part) for part in error["loc"]) or "the object"
        if error["type"] == "extra_forbidden":
            parts.append(f"{where}: not a field of this object")
        elif error["type"] == "missing":
            parts.append(f"{where}: missing")
        else:
            parts.append(f"{where}: {_VALUE_ERROR_PREFIX.sub('', error['msg'])}")
    if len(errors) > 4:
        parts.append(f"and {len(errors) - 4} more")
    reason = "; ".join(parts)
    return reason if len(reason) <= REASON_MAX else reason[:REASON_MAX - 1] + "…"


def _without_titles(node: object, *, in_properties: bool = False) -> object:
    if isinstance(node, dict):
        return {key: _without_titles(value, in_properties=key == "properties"
                                     and not in_properties)
                for key, value in node.items() if in_properties or key != "title"}
    if isinstance(node, list):
        return [_without_titles(item) for item in node]
    return node
