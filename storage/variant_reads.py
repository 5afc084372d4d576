"""The evidence for choosing prompt variants: the user's ratings of the replies each prompt
version (and variant) made, counted in SQL. Read-only; the learner is app/prompt_choice.py."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from storage.repo.reading import NoJournal, reading
from storage.timeutil import to_db


@dataclass(frozen=True)
class RatedVersion:
    prompt_name: str
    prompt_version: str | None
    rating: int  # +1 helpful, -1 not quite
    count: int


def rated_versions(db: Path, since: datetime | None = None) -> list[RatedVersion]:
    """How often each (prompt, version) was rated helpful or not quite, since `since`."""
    return list(_rated(db, since))


def _rated(db: Path, since: datetime | None) -> Iterator[RatedVersion]:
    query = ("SELECT r.prompt_name, r.prompt_version, f.rating, COUNT(*) FROM feedback f "
             "JOIN reflections r ON f.target_kind = 'reflection' AND r.id = f.target_id "
             "WHERE r.prompt_name IS NOT NULL AND f.rating IN (1, -1)")
    params: tuple = ()
    if since is not None:
        query += " AND f.created_at >= ?"
        params = (to_db(since),)
    query += " GROUP BY r.prompt_name, r.prompt_version, f.rating"
    try:
        with reading(db) as conn:
            for name, version, rating, count in conn.execute(query, params):
                yield RatedVersion(name, version, rating, count)
    except NoJournal:
        return


@dataclass(frozen=True)
class RatedReflection:
    reflection_id: int
    day: str  # ISO date of the reflection's day
    prompt_name: str | None
    prompt_version: str | None
    model: str | None
    content: str
    rating: int
    note: str | None


def rated_reflections(db: Path, limit: int) -> list[RatedReflection]:
    """The newest reflections the user rated, with their rating (the user's own cases)."""
    query = ("SELECT r.id, r.period, r.prompt_name, r.prompt_version, r.model, r.content, "
             "f.rating, f.note FROM feedback f JOIN reflections r "
             "ON f.target_kind = 'reflection' AND r.id = f.target_id "
             "WHERE f.rating IN (1, -1) ORDER BY f.id DESC LIMIT ?")
    try:
        with reading(db) as conn:
            return [RatedReflection(*row) for row in conn.execute(query, (limit,))]
    except NoJournal:
        return []
