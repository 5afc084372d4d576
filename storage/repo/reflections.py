"""Storing the companion's daily reflections, with the prompt version that made them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from storage.db import inserted_id, writing
from storage.ids import new_uid
from storage.vocabulary import ReflectionKind


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


def store_reflection(db: Path, record: ReflectionRecord) -> int:
    """Store a daily reflection; its id."""
    with writing(db) as tx:
        return inserted_id(tx.execute(
            "INSERT INTO reflections (uid, kind, period, prompt_name, prompt_version, model, "
            "content, structured, raw, user_words, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (new_uid(), ReflectionKind.DAILY.value, record.day.isoformat(),
             record.prompt_name, record.prompt_version, record.model, record.content,
             record.structured, record.raw, record.user_words, tx.now, tx.now)))
