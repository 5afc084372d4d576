"""0013_required_fields: an ended focus session has an outcome. A released 0012 journal
holding one without is repaired, counted for `wise doctor`, and keeps its
one-session-at-a-time rule and its sync triggers; NOT NULL and the foreign keys are
where the models say."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from storage.migrate import upgrade_to_head
from storage.models import Base
from storage.schema_repairs import schema_repairs

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "journals"



@pytest.fixture
def migrated(tmp_path: Path) -> sqlite3.Connection:
    db = tmp_path / "wise.db"
    conn = sqlite3.connect(db)
    conn.executescript((FIXTURES / "0012_goal_why_ladder.sql").read_text(encoding="utf-8"))
    conn.execute("UPDATE focus_sessions SET outcome = NULL WHERE id = 1")  # ended, no outcome
    conn.commit()
    conn.close()
    db.chmod(0o600)
    upgrade_to_head(db)
    conn = sqlite3.connect(db)
    yield conn
    conn.close()


def test_an_ended_session_without_outcome_is_repaired_and_counted(
        migrated: sqlite3.Connection) -> None:
    rows = lambda sql: migrated.execute(sql).fetchall()  # noqa: E731
    assert rows("SELECT id, outcome FROM focus_sessions") == [(1, "interrupted")]
    assert rows("PRAGMA foreign_key_check") == []
    repairs = {(r.revision, r.table, r.column): (r.old_value, r.became, r.rows)
               for r in schema_repairs(migrated) if r.revision == "0013_required_fields"}
    assert repairs == {
        ("0013_required_fields", "focus_sessions", "outcome"): (None, "interrupted", 1)}
    said = "; ".join(r.describe() for r in schema_repairs(migrated))
    assert "1 focus_sessions with outcome NULL (now interrupted)" in said


def test_the_rebuilt_table_keeps_its_rules(migrated: sqlite3.Connection) -> None:
    conn = migrated
    with pytest.raises(sqlite3.IntegrityError, match="ck_focus_sessions_outcome"):
        conn.execute("UPDATE focus_sessions SET outcome = NULL WHERE id = 1")
    columns = ("uid, title, started_at, planned_seconds")
    conn.execute(f"INSERT INTO focus_sessions ({columns}) VALUES "
                 "('f-run', 'a step', '2026-03-04 08:00:00.000000', 600)")
    with pytest.raises(sqlite3.IntegrityError, match="already running"):
        conn.execute(f"INSERT INTO focus_sessions ({columns}) VALUES "
                     "('f-two', 'another', '2026-03-04 08:01:00.000000', 600)")
    triggers = {name for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    assert {"focus_sessions_one_running", "focus_sessions_one_running_again"} <= triggers
    # The synced tables were not copied: their change-log triggers are all there.
    for table in ("goals", "actions", "entries", "nudges", "feedback"):
        assert {f"sync_{table}_{s}" for s in ("ai", "au", "ad")} <= triggers
    # Every model column that is required is NOT NULL in the database, and every foreign
    # key the models declare is there (the audit this revision is the end of).
    for table in Base.metadata.sorted_tables:
        info = {row[1]: row for row in conn.execute(f"PRAGMA table_info({table.name})")}
        keys = {(row[3], row[2]) for row in conn.execute(
            f"PRAGMA foreign_key_list({table.name})")}
        for column in table.columns:
            if not column.nullable and not column.primary_key:
                assert info[column.name][3] == 1, (table.name, column.name)
            for fk in column.foreign_keys:
                assert (column.name, fk.column.table.name) in keys, (table.name, column.name)
