"""The scheduler's sqlite3 job-run store writes rows the ORM reads back exactly."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from storage.engine import Journal
from storage.job_runs import RunStore
from storage.models import JobRun, Reflection
from tests.helpers import assert_write_lock_free

AT = datetime(2026, 11, 26, 21, 0, 0, 123456, tzinfo=UTC)


def test_record_upserts_and_the_orm_reads_it_back(journal: Journal) -> None:
    store = RunStore(journal.db_path)
    assert store.last_runs() == {}
    store.record("evening_reflection", AT, "ok")
    later = AT.astimezone(timezone(timedelta(hours=1))) + timedelta(days=1)
    store.record("evening_reflection", later, "skipped", "nudges are off")
    store.record("checkin", AT, "ok", None)
    runs = store.last_runs()
    assert set(runs) == {"evening_reflection", "checkin"}
    run = runs["evening_reflection"]
    assert (run.at, run.status, run.detail) == (later, "skipped", "nudges are off")
    assert run.at.tzinfo is not None
    with journal.read() as session:
        row = session.get(JobRun, "evening_reflection")
        assert (row.last_run_at, row.last_status, row.detail) == (later, "skipped",
                                                                  "nudges are off")


def test_note_keeps_the_time_and_ignores_an_unknown_job(journal: Journal) -> None:
    store = RunStore(journal.db_path)
    store.record("nightly_maintenance", AT, "ok")
    store.note("nightly_maintenance", "error", "disk full")
    store.note("never_ran", "error", "nothing")
    runs = store.last_runs()
    assert (runs["nightly_maintenance"].at, runs["nightly_maintenance"].status,
            runs["nightly_maintenance"].detail) == (AT, "error", "disk full")
    assert "never_ran" not in runs


def test_reflected_on_finds_a_daily_reflection_written_by_the_orm(journal: Journal) -> None:
    store = RunStore(journal.db_path)
    day = date(2026, 11, 26)
    assert store.reflected_on(day) is False
    with journal.write() as session:
        session.add(Reflection(kind="daily", period=day, content="a good day"))
    assert store.reflected_on(day) is True
    assert store.reflected_on(day + timedelta(days=1)) is False


def test_the_store_and_the_scheduler_never_load_sqlalchemy() -> None:
    code = ("import sys, app.rhythm.scheduler, storage.job_runs; "
            "assert 'sqlalchemy' not in sys.modules, 'sqlalchemy'; "
            "assert 'asyncio' not in sys.modules, 'asyncio'")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr


def test_a_failed_write_never_keeps_the_journal_locked(journal: Journal) -> None:
    store = RunStore(journal.db_path)
    with pytest.raises(UnicodeEncodeError):
        store.record("checkin", AT, "ok", "half \ud83d emoji")
    assert_write_lock_free(journal.db_path)
    store.record("checkin", AT, "ok", None)
    assert store.last_runs()["checkin"].status == "ok"
