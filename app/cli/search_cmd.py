"""`wise search`: find notes and actions by their words, tags and goals (`#tag` keeps only
what carries it)."""

from __future__ import annotations

from argparse import Namespace
from dataclasses import dataclass
from datetime import datetime

from app.cli.output import emit
from app.errors import BadInput
from app.journal import Context
from storage.repo.reading import reading
from storage.search import search


@dataclass(frozen=True)
class Found:
    """One hit of `wise search --json`."""

    kind: str
    id: int
    snippet: str
    status: str | None
    goal: str | None  # the goal's tag
    tags: tuple[str, ...]
    created_at: datetime


def run(args: Namespace) -> int:
    query = " ".join(args.query)
    if not 1 <= args.limit <= 1000:
        raise BadInput("--limit must be between 1 and 1000")
    journal = Context.from_environment().open_journal()
    with reading(journal.db_path) as conn:
        hits = search(conn, query, limit=args.limit)
    data = [Found(h.kind, h.id, h.snippet, h.status, h.goal_slug, tuple(h.tags), h.created_at)
            for h in hits]
    lines = []
    for hit in hits:
        mark = {"open": "☐", "done": "✓", "dropped": "–"}.get(hit.status or "", "·")
        marks = " ".join(f"#{tag}" for tag in ((hit.goal_slug,) if hit.goal_slug else ())
                         + hit.tags)
        goal = f"  {marks}" if marks else ""
        when = f"{hit.created_at.astimezone():%Y-%m-%d}"
        lines.append(f"{when}  {mark} {hit.snippet.replace(chr(10), ' ')}{goal}")
    emit(args, data, "\n".join(lines) or f"Nothing found for {query!r}.")
    return 0
