"""Writing the companion's memory: day and week summaries, each stored once."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from storage.engine import Journal


def store_summary(journal: Journal, kind: str, start: date, end: date, content: str,
                  source: str, model: str | None, prompt_version: str | None) -> bool:
    """Store one summary unless one exists already (another run may have been faster, or
    the user deleted it: a tombstone row exists too). True when this call stored it."""
    from sqlalchemy import select

    from storage.models import Summary

    with journal.write() as session:
        exists = session.scalar(select(Summary.id).where(Summary.kind == kind,
                                                         Summary.period_start == start))
        if exists is not None:
            return False
        session.add(Summary(kind=kind, period_start=start, period_end=end, content=content,
                            source=source, model=model, prompt_version=prompt_version))
    return True
