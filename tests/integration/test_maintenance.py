"""Nightly maintenance: summaries by the model (or plain), a backup, a tidy search index."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from app.daytime import journal_day, local_now
from app.journal import Context
from app.maintenance import run_nightly
from app.settings.store import write_settings
from storage.backup import list_backups
from tests.fake_openai import Reply


def yesterday_with_a_note(context: Context) -> None:
    """A note at noon on the last complete journal day: before the day-start hour (4 am)
    that is the day before the calendar's yesterday."""
    journal = context.open_journal()
    yesterday = journal_day(local_now(), context.day_start_hour) - timedelta(days=1)
    when = datetime.combine(yesterday, time(12)).astimezone()
    utc = when.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    conn = sqlite3.connect(context.paths.db)
    conn.execute("INSERT INTO entries (uid, text, kind, source, created_at, updated_at) "
                 "VALUES ('n1', 'walked by the river', 'note', 'cli', ?, ?)", (utc, utc))
    conn.commit()
    conn.close()
    journal.close()


def summaries(db: Path) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT kind, source, model, prompt_version, content "
                            "FROM summaries WHERE kind = 'day' ORDER BY period_start DESC"
                            ).fetchall()
    finally:
        conn.close()


def test_without_a_model_summaries_are_plain(wise_home: Path) -> None:
    context = Context.from_environment()
    yesterday_with_a_note(context)
    report = run_nightly(context, context.open_journal())
    assert report.summaries_made >= 1 and report.fts_optimized
    kind, source, model, _version, content = summaries(context.paths.db)[0]
    assert (kind, source, model) == ("day", "plain", None) and content
    assert list_backups(context.paths.backups_dir)


def test_with_a_model_the_model_writes_the_summary(wise_home: Path, fake_openai) -> None:
    write_settings(wise_home / "settings.toml", {"llm.model": "openai/test-model",
                                                 "llm.api_base": fake_openai.base_url})
    context = Context.from_environment()
    yesterday_with_a_note(context)
    fake_openai.script(Reply(text="A calm walk by the river."))
    run_nightly(context, context.open_journal())
    newest = summaries(context.paths.db)[0]
    assert newest[:2] == ("day", "model") and newest[2] == "openai/test-model"
    assert newest[3] and newest[4] == "A calm walk by the river."
    sent = fake_openai.requests[0].json["messages"][1]["content"]
    assert "walked by the river" in sent and "<journal-data>" in sent
