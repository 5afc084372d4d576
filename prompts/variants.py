"""Prompt variants (prompts/variants.toml): two or more ways of asking for each purpose.

A variant is named `<purpose>` + `+` + `<variant>` in a stored prompt version
("1.0+brief"), so feedback on a reply counts for the variant that made it. Stdlib only.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from importlib import resources

SEPARATOR = "+"


class VariantError(Exception):
    """An unknown purpose or variant."""


@dataclass(frozen=True)
class Variant:
    purpose: str
    name: str
    words: str  # how "What Wise has learned" names it
    style: str  # the paragraph added at the end of the prompt ("" adds nothing)


@functools.cache
def all_variants() -> dict[str, tuple[Variant, ...]]:
    """purpose -> its variants, the default (first declared) first."""
    text = (resources.files(__package__ or "prompts") / "variants.toml").read_text("utf-8")
    table = tomllib.loads(text)
    return {purpose: tuple(Variant(purpose, name, str(v["words"]), str(v["style"]))
                           for name, v in variants.items())
            for purpose, variants in table.items()}


def variants_for(purpose: str) -> tuple[Variant, ...]:
    try:
        return all_variants()[purpose]
    except KeyError:
        raise VariantError(f"no variants for {purpose!r}") from None


def variant(purpose: str, name: str | None) -> Variant:
    """The named variant of `purpose`, or its default when `name` is None."""
    choices = variants_for(purpose)
    if name is None:
        return choices[0]
    for choice in choices:
        if choice.name == name:
            return choice
    raise VariantError(f"{purpose} has no variant {name!r} (it has: "
                       f"{', '.join(c.name for c in choices)})")


def versioned(version: str, chosen: Variant) -> str:
    """The prompt version stored with a reply: "1.0+brief"."""
    return f"{version}{SEPARATOR}{chosen.name}"


def split_version(stored: str | None) -> tuple[str | None, str | None]:
    """("1.0", "brief") from "1.0+brief"; ("1.0", None) from a version without one."""
    if not stored:
        return None, None
    version, _, name = stored.partition(SEPARATOR)
    return version, name or None


def apply(messages: list[dict], chosen: Variant) -> list[dict]:
    """`messages` with the variant's style paragraph at the end of the last user message."""
    if not chosen.style:
        return messages
    out = [dict(m) for m in messages]
    for message in reversed(out):
        if message.get("role") == "user":
            message["content"] = f"{message['content']}\n\n{chosen.style}"
            break
    return out
