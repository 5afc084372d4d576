"""Load the companion's prompt files and render them into chat messages, fencing journal text.

Each prompt is one `<name>.md` file in this package: TOML front matter between `+++` lines
(name, version, description, variables, optional output_schema), then the template body
with `{{variable}}` placeholders. Rendering is strict: a missing, unknown or undeclared
variable is a `PromptError`, never a silently empty hole. Variables declared `"data"` hold
journal text and are fenced as `<journal-data>…</journal-data>`; `"text"` variables are
short lines the app itself makes (a date, a week).

An empty data value is fine: it renders as an empty fence, and the templates say so
(the user may choose not to write anything), so callers pass the user's words as they are.

This module imports only the standard library (listing and rendering prompts stays cheap);
output schemas live in `prompts.schemas`, reached through `prompts.structured`.
"""

from __future__ import annotations

import functools
import re
import tomllib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType

FENCE_OPEN = "<journal-data>"
FENCE_CLOSE = "</journal-data>"
VARIABLE_KINDS = ("text", "data")
TEXT_VALUE_MAX = 200  # a "text" value is a short line the app makes, such as a date

_HEADER_KEYS = {"name", "version", "description", "variables", "output_schema"}
_REQUIRED_KEYS = ("name", "version", "description", "variables")
_NAME = re.compile(r"[a-z][a-z0-9_]*")
_VERSION = re.compile(r"\d+\.\d+")
_SCHEMA_NAME = re.compile(r"[A-Z][A-Za-z0-9]*")
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


class PromptError(Exception):
    """A prompt file is missing or malformed, or a render was asked for the wrong values."""


@dataclass(frozen=True)
class Prompt:
    name: str
    version: str
    description: str
    variables: Mapping[str, str]  # variable name -> "text" | "data"
    output_schema: str | None  # a model name in prompts.schemas, or None for free text
    body: str

    @property
    def placeholders(self) -> frozenset[str]:
        return frozenset(_PLACEHOLDER.findall(self.body))


def list_prompts() -> list[str]:
    """The names of all prompt files, sorted (including "system", the character)."""
    return sorted(entry.name.removesuffix(".md") for entry in _package_files().iterdir()
                  if entry.name.endswith(".md") and _NAME.fullmatch(entry.name[:-3]))


@functools.cache
def load_prompt(name: str) -> Prompt:
    """The prompt called `name`, parsed and checked once, then cached."""
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise PromptError(f"no prompt called {name!r}")
    entry = _package_files() / f"{name}.md"
    if not entry.is_file():
        raise PromptError(f"no prompt called {name!r} (known: {', '.join(list_prompts())})")
    return parse_prompt(entry.read_text(encoding="utf-8"), name)


def parse_prompt(text: str, name: str) -> Prompt:
    """Parse one prompt file's text; `name` is what the file is called (without `.md`)."""
    where = f"prompt {name!r}"
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != "+++":
        raise PromptError(f"{where}: the file must start with a '+++' header line")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "+++")
    except StopIteration:
        raise PromptError(f"{where}: the header has no closing '+++' line") from None
    try:
        header = tomllib.loads("\n".join(lines[1:end]))
    except tomllib.TOMLDecodeError as exc:
        raise PromptError(f"{where}: the header is not valid TOML ({exc})") from None
    body = "\n".join(lines[end + 1:]).strip("\n")

    unknown = sorted(set(header) - _HEADER_KEYS)
    if unknown:
        raise PromptError(f"{where}: unknown header field(s) {', '.join(unknown)}")
    for key in _REQUIRED_KEYS:
        if key not in header:
            raise PromptError(f"{where}: the header has no {key!r}")
    for key in ("name", "version", "description"):
        if not isinstance(header[key], str) or not header[key].strip():
            raise PromptError(f"{where}: {key!r} must be non-empty text")
    if header["name"] != name:
        raise PromptError(f"{where}: the header says name = {header['name']!r}")
    if not _VERSION.fullmatch(header["version"]):
        raise PromptError(f"{where}: version {header['version']!r} is not like \"1.0\"")
    schema = header.get("output_schema")
    if schema is not None and (not isinstance(schema, str) or not _SCHEMA_NAME.fullmatch(schema)):
        raise PromptError(f"{where}: output_schema must be a model name such as \"Breakdown\"")

    variables = header["variables"]
    if not isinstance(variables, dict):
        raise PromptError(f"{where}: 'variables' must be a table of name = \"text\" | \"data\"")
    for var, kind in variables.items():
        if not _NAME.fullmatch(var):
            raise PromptError(f"{where}: {var!r} is not a valid variable name")
        if kind not in VARIABLE_KINDS:
            raise PromptError(f"{where}: variable {var!r} must be \"text\" or \"data\", "
                              f"not {kind!r}")

    _check_braces(body, where)
    used = set(_PLACEHOLDER.findall(body))
    if undeclared := sorted(used - set(variables)):
        raise PromptError(f"{where}: the body uses undeclared variable(s) "
                          f"{', '.join(undeclared)}")
    if unused := sorted(set(variables) - used):
        raise PromptError(f"{where}: declared variable(s) {', '.join(unused)} never appear "
                          "in the body")
    return Prompt(name=name, version=header["version"], description=header["description"],
                  variables=MappingProxyType(dict(variables)), output_schema=schema, body=body)


def render(prompt: Prompt, /, **values: str) -> str:
    """The prompt's body with every placeholder filled; "data" values are fenced.

    Substitution is one pass, so text inside a value is never expanded again."""
    where = f"prompt {prompt.name!r}"
    if missing := sorted(set(prompt.variables) - set(values)):
        raise PromptError(f"{where}: missing variable(s) {', '.join(missing)}")
    if unknown := sorted(set(values) - set(prompt.variables)):
        raise PromptError(f"{where}: unknown variable(s) {', '.join(unknown)} "
                          f"(it takes: {', '.join(sorted(prompt.variables)) or 'none'})")
    if undeclared := sorted(prompt.placeholders - set(prompt.variables)):
        raise PromptError(f"{where}: the body uses undeclared variable(s) "
                          f"{', '.join(undeclared)}")
    filled: dict[str, str] = {}
    for var, value in values.items():
        if not isinstance(value, str):
            raise PromptError(f"{where}: variable {var!r} must be text, "
                              f"not {type(value).__name__}")
        if prompt.variables[var] == "data":
            filled[var] = fence(value)
        else:
            if "\n" in value or "\r" in value or len(value) > TEXT_VALUE_MAX:
                raise PromptError(f"{where}: {var!r} is a text variable (one short line); "
                                  "journal text belongs in a data variable")
            filled[var] = neutralise(value)
    return _PLACEHOLDER.sub(lambda m: filled[m.group(1)], prompt.body)


SMALL_SUFFIX = "_small"  # the compact variant of a prompt, for small models


def system_message(name: str = "system") -> dict:
    """The companion's character, as the chat's system message."""
    return {"role": "system", "content": render(load_prompt(name))}


def build_messages(prompt_name: str, /, **values: str) -> list[dict]:
    """[system (the character), user (the rendered prompt)], ready for a chat model.
    A compact prompt (`*_small`) goes with the compact character."""
    system = "system_small" if prompt_name.endswith(SMALL_SUFFIX) else "system"
    return [system_message(system),
            {"role": "user", "content": render(load_prompt(prompt_name), **values)}]


# --- Fencing journal text -------------------------------------------------------------------

# Characters a reader (or a model) may take for "<" or "/" in a tag.
_ANGLES = set("<\uff1c\ufe64\u2039\u2329\u3008\u27e8\u276e\u02c2\u227a\u2264\u226a")
_SLASHES = set("/\\\uff0f\u2215\u2044\u29f8\u2571\u30ce")
_TAG = re.compile(r"<(?=[\W_]*journal[\W_]*data)")
_ASCII_INVISIBLE = re.compile(r"[\x00-\x20\x7f]+")
_MAX_PASSES = 8


def fence(data: str) -> str:
    """Journal text wrapped as <journal-data>…</journal-data>, with every lookalike of the
    fence's tags inside it neutralised, so the user's text cannot close (or reopen) it."""
    inner = neutralise(data).strip()
    if not inner:
        return f"{FENCE_OPEN}\n{FENCE_CLOSE}"
    # A bracket at the very end could join the real closing tag into a longer lookalike.
    closing = f"\n{FENCE_CLOSE}"
    inner = _escape_at(inner, [i for i in _tag_starts(inner + closing) if i < len(inner)])
    return f"{FENCE_OPEN}\n{inner}{closing}"


def neutralise(text: str) -> str:
    """`text` with the "<" of anything resembling a journal-data tag written as "&lt;".

    Lookalikes count: any case or width, accents, spaces or invisible characters anywhere
    in the tag, look-alike brackets and slashes, any punctuation (or none) for the "-"."""
    for _ in range(_MAX_PASSES):
        starts = _tag_starts(text)
        if not starts:
            return text
        text = _escape_at(text, starts)
    return text.replace("<", "&lt;")  # unreachable in practice; never leave a tag behind


def _escape_at(text: str, starts: list[int]) -> str:
    pieces, last = [], 0
    for start in starts:
        pieces += [text[last:start], "&lt;"]
        last = start + 1
    pieces.append(text[last:])
    return "".join(pieces)


def _tag_starts(text: str) -> list[int]:
    """Indexes in `text` of the bracket that opens a journal-data tag (or a lookalike)."""
    if text.isascii() and "journal" not in _ASCII_INVISIBLE.sub("", text).lower():
        return []  # the common case, decided without the per-character walk
    # A skeleton of the text without invisible characters, accents, case or width,
    # remembering for each skeleton character which character of `text` it came from.
    skeleton: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        if char in _ANGLES:
            folded = "<"
        elif char in _SLASHES:
            folded = "/"
        else:
            folded = "".join(part for part in unicodedata.normalize("NFKD", char)
                             if not part.isspace()
                             and unicodedata.category(part)[0] not in "CMZ").casefold()
        skeleton += folded
        origin += [index] * len(folded)
    starts: list[int] = []
    for match in _TAG.finditer("".join(skeleton)):
        if not starts or origin[match.start()] != starts[-1]:
            starts.append(origin[match.start()])
    return starts


def _check_braces(body: str, where: str) -> None:
    stray = _PLACEHOLDER.sub("", body)
    if "{{" in stray or "}}" in stray:
        raise PromptError(f"{where}: the body has a '{{{{' or '}}}}' that is not a "
                          "{{variable}} placeholder")


def _package_files():
    return resources.files(__package__ or "prompts")
