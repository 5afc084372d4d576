"""Writing the companion's memory: day and week summaries, each stored once."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from storage.db import writing


def store_summary(db: Path, kind: str, start: date, end: date, content: str,
                  source: str, model: str | None, prompt_version: str | None) -> bool:
    """Store one summary unless one exists already (another run may have been faster, or
    the user deleted it: a tombstone row exists too). True when this call stored it."""
    with writing(db) as tx:
        exists = tx.execute("SELECT id FROM summaries WHERE kind = ? AND period_start = ?",
                            (kind, start.isoformat())).fetchone()
        if exists is not None:
            return False
        tx.execute(
            "INSERT INTO summaries (kind, period_start, period_end, content, source, model, "
            "prompt_version, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (kind, start.isoformat(), end.isoformat(), content, source, model,
             prompt_version, tx.now))
    return True
