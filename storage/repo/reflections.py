"""Storing the companion's daily reflections, with the prompt version that made them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from storage.engine import Journal


@dataclass(frozen=True)
class ReflectionRecord:
    day: date
    prompt_name: str | None  # None: the plain, data-based reflection
    prompt_version: str | None
    model: str | None
    content: str
    structured: str | None  # the parsed reply as JSON, when a model wrote it
    raw: str | None  # a reply the quality gate refused, kept for inspection
    user_words: str | None


def store_reflection(journal: Journal, record: ReflectionRecord) -> int:
    """Store a daily reflection; its id."""
    from storage.models import Reflection

    row = Reflection(kind="daily", period=record.day, prompt_name=record.prompt_name,
                     prompt_version=record.prompt_version, model=record.model,
                     content=record.content, structured=record.structured, raw=record.raw,
                     user_words=record.user_words)
    with journal.write() as session:
        session.add(row)
        session.flush()
        return row.id
