"""The scheduler's `job_runs` rows with nothing but the standard library.

The tray keeps its rhythm in its own process, whose memory budget is below the cost of
importing SQLAlchemy; so, like the capture path, the scheduler's few reads and writes speak
sqlite3 directly (one short transaction each), in exactly the form the ORM models describe.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from storage.db import reading, writing
from storage.timeutil import from_db, to_db


@dataclass(frozen=True)
class LastRun:
    at: datetime
    status: str
    detail: str | None


class RunStore:
    """Reads and records job runs. Opens a connection per call, so any thread may use it."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = Path(db_path)

    @contextmanager
    def _connection(self, *, write: bool) -> Iterator[sqlite3.Connection]:
        if write:
            with writing(self.db_path) as tx:
                yield tx.conn
        else:
            with reading(self.db_path) as conn:
                yield conn

    def last_runs(self) -> dict[str, LastRun]:
        with self._connection(write=False) as conn:
            rows = conn.execute(
                "SELECT job_id, last_run_at, last_status, detail FROM job_runs").fetchall()
        return {job_id: LastRun(from_db(at), status, detail)
                for job_id, at, status, detail in rows}

    def record(self, job_id: str, at: datetime, status: str,
               detail: str | None = None) -> None:
        with self._connection(write=True) as conn:
            conn.execute(
                "INSERT INTO job_runs (job_id, last_run_at, last_status, detail) "
                "VALUES (?, ?, ?, ?) ON CONFLICT(job_id) DO UPDATE SET "
                "last_run_at = excluded.last_run_at, last_status = excluded.last_status, "
                "detail = excluded.detail",
                (job_id, to_db(at), status, detail))

    def note(self, job_id: str, status: str, detail: str | None) -> None:
        """Change a run's outcome, keeping its time (no row: nothing to note)."""
        with self._connection(write=True) as conn:
            conn.execute("UPDATE job_runs SET last_status = ?, detail = ? WHERE job_id = ?",
                         (status, detail, job_id))

    def reflected_on(self, day: date) -> bool:
        with self._connection(write=False) as conn:
            row = conn.execute("SELECT 1 FROM reflections WHERE kind = 'daily' AND period = ? "
                               "LIMIT 1", (day.isoformat(),)).fetchone()
        return row is not None
