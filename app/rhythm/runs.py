"""The scheduled jobs' last runs, kept in the journal (stdlib sqlite3: the tray starts the
schedule without the ORM). ui/ reaches storage/ only through app/."""

from __future__ import annotations

from storage.job_runs import RunStore

__all__ = ["RunStore"]
