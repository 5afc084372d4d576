"""Today at a glance: what was done, what is due, what was noted, in journal-day terms."""

from __future__ import annotations

from datetime import date

from storage.db import JournalFile
from storage.repo.journal_reads import NoteRow, StepRow, TodayView
from storage.repo.journal_reads import today_view as _today_view

__all__ = ["NoteRow", "StepRow", "TodayView", "today_view"]


def today_view(journal: JournalFile, day: date, start_hour: int) -> TodayView:
    return _today_view(journal.db_path, day, start_hour)
