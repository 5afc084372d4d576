"""The vocabulary once, enforced below: every CHECK the models declare is in the migrated
database word for word, each accepts every value of its vocabulary or limit and refuses
the ones just outside, and every vocabulary is enforced somewhere. A journal holding values
outside the vocabulary (0011_vocabulary_checks) is repaired, counted and reported."""

from __future__ import annotations

import inspect
import sqlite3
from enum import StrEnum
from pathlib import Path

import pytest
from sqlalchemy import CheckConstraint

from storage import vocabulary
from storage.limits import CADENCE_PER_WEEK, ENERGY, ESTIMATE_MINUTES, HOUR, MOOD, RATING
from storage.migrate import ensure_schema, upgrade_to_head
from storage.models import Base
from storage.schema_repairs import schema_repairs
from storage.vocabulary import (
    ActionStatus,
    CallStatus,
    EntryKind,
    FeedbackTarget,
    FocusOutcome,
    GoalStatus,
    JobStatus,
    NudgeResponse,
    NudgeSource,
    NudgeStyle,
    ReflectionKind,
    Source,
    SummaryKind,
    SummarySource,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "journals"
OUTSIDE = "not-a-word-wise-knows"


def _enum(table: str, column: str, words: type[StrEnum]) -> tuple:
    return table, column, [w.value for w in words], [OUTSIDE, ""]


def _bound(table: str, column: str, limit: tuple[int, int], *, nullable: bool = False
           ) -> tuple:
    low, high = limit
    past = [low - 1] + ([high + 1] if high < 2**63 - 1 else [])
    return table, column, [low, high, *([None] if nullable else [])], past


# constraint name -> (table, the column it holds, values accepted, values refused)
CASES: dict[str, tuple] = {
    "ck_goals_status": _enum("goals", "status", GoalStatus),
    "ck_goals_cadence": _bound("goals", "cadence_per_week", CADENCE_PER_WEEK, nullable=True),
    # the why-ladder (0012): a JSON list of answers, or NULL
    "ck_goals_why_ladder": ("goals", "why_ladder", [None, "[]", '["a", "b"]'],
                            ['{"a": 1}', "not json", '"a text"']),
    "ck_actions_status": _enum("actions", "status", ActionStatus),
    "ck_actions_source": _enum("actions", "source", Source),
    "ck_actions_estimate": _bound("actions", "estimate_minutes", ESTIMATE_MINUTES,
                                  nullable=True),
    "ck_entries_kind": _enum("entries", "kind", EntryKind),
    "ck_entries_source": _enum("entries", "source", Source),
    "ck_entries_mood": _bound("entries", "mood", MOOD, nullable=True),
    "ck_entries_energy": _bound("entries", "energy", ENERGY, nullable=True),
    "ck_day_words_mood": _bound("day_words", "mood", MOOD, nullable=True),
    "ck_day_words_energy": _bound("day_words", "energy", ENERGY, nullable=True),
    "ck_llm_calls_status": _enum("llm_calls", "status", CallStatus),
    "ck_llm_calls_amounts": ("llm_calls", "cost_usd", [0, 0.25], [-0.01]),
    "ck_llm_calls_first_token": ("llm_calls", "first_token_ms", [None, 0, 900], [-1]),
    "ck_reflections_kind": _enum("reflections", "kind", ReflectionKind),
    "ck_summaries_kind": _enum("summaries", "kind", SummaryKind),
    "ck_summaries_source": _enum("summaries", "source", SummarySource),
    # the first summary is of 2026-03-02
    "ck_summaries_period": ("summaries", "period_end", ["2026-03-02", "2026-03-09"],
                            ["2026-03-01"]),
    "ck_feedback_target_kind": _enum("feedback", "target_kind", FeedbackTarget),
    "ck_feedback_rating": _bound("feedback", "rating", RATING),
    "ck_nudges_style": _enum("nudges", "style", NudgeStyle),
    "ck_nudges_source": _enum("nudges", "source", NudgeSource),
    "ck_nudges_response": ("nudges", "response",
                           [*(r.value for r in NudgeResponse), None], [OUTSIDE]),
    "ck_nudges_hour": _bound("nudges", "hour_bucket", HOUR),
    "ck_job_runs_status": _enum("job_runs", "last_status", JobStatus),
    "ck_focus_sessions_planned": ("focus_sessions", "planned_seconds", [60, 86400],
                                  [59, 86401]),
    "ck_focus_sessions_paused": ("focus_sessions", "paused_seconds", [0, 30], [-1]),
    # the session in the journal has ended: it has an outcome, never none (0013)
    "ck_focus_sessions_outcome": ("focus_sessions", "outcome",
                                  [o.value for o in FocusOutcome], [OUTSIDE, None]),
    "ck_schema_repairs_row_count": ("schema_repairs", "row_count", [1, 40], [0, -3]),
    "ck_sync_state_one_row": ("sync_state", "id", [1], [2]),
}


def _declared_checks() -> dict[str, tuple[str, str]]:
    """Every CHECK of the models: name -> (table, its SQL)."""
    return {str(c.name): (table.name, str(c.sqltext))
            for table in Base.metadata.tables.values() for c in table.constraints
            if isinstance(c, CheckConstraint)}


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The released 0010 journal (every table filled), migrated to head."""
    folder = tmp_path_factory.mktemp("filled")
    db = folder / "wise.db"
    conn = sqlite3.connect(db)
    conn.executescript((FIXTURES / "0010_focus.sql").read_text(encoding="utf-8"))
    conn.close()
    db.chmod(0o600)
    ensure_schema(db, folder / "backups", keep_backups=1)
    conn = sqlite3.connect(db)
    conn.execute("INSERT INTO schema_repairs (revision, tbl, col, old_value, new_value, "
                 "row_count, repaired_at) VALUES ('r', 'nudges', 'style', 'x', 'plain', 1, "
                 "'2026-03-03 07:05:59.999999')")
    conn.commit()
    conn.close()
    return db


def test_every_check_is_a_case_and_every_vocabulary_is_enforced() -> None:
    assert set(_declared_checks()) | {"ck_sync_state_one_row"} == set(CASES)
    enforced = {tuple(case[2]) for case in CASES.values()}
    for name, words in inspect.getmembers(vocabulary, inspect.isclass):
        if issubclass(words, StrEnum) and words is not StrEnum:
            assert any(set(w.value for w in words) <= set(values) for values in enforced), (
                f"{name} is declared but no column is held to it")


def test_the_database_holds_every_check_of_the_models_word_for_word(filled: Path) -> None:
    conn = sqlite3.connect(filled)
    try:
        for name, (table, sql) in _declared_checks().items():
            (schema,) = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?",
                                     (table,)).fetchone()
            assert f"CONSTRAINT {name} CHECK ({sql})" in schema, (name, schema)
    finally:
        conn.close()


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_check_takes_its_words_and_refuses_others(filled: Path, name: str) -> None:
    table, column, accepted, refused = CASES[name]
    conn = sqlite3.connect(filled, isolation_level=None)
    try:
        (rowid,) = conn.execute(f"SELECT min(rowid) FROM {table}").fetchone()
        assert rowid is not None, f"{table} has no row to try values on"
        conn.execute("BEGIN")
        for value in accepted:
            conn.execute(f"UPDATE {table} SET {column} = ? WHERE rowid = ?", (value, rowid))
        for value in refused:
            with pytest.raises(sqlite3.IntegrityError, match=name):
                conn.execute(f"UPDATE {table} SET {column} = ? WHERE rowid = ?",
                             (value, rowid))
        conn.execute("ROLLBACK")
    finally:
        conn.close()


# Values no released code wrote, but that a hand-edited or damaged journal may hold.
_OUTSIDE_AT_0010 = [
    "UPDATE reflections SET kind = 'weekly' WHERE id = 2",
    "UPDATE summaries SET source = 'guess' WHERE id = 1",  # names a model: 'model'
    "UPDATE summaries SET source = 'guess' WHERE id = 2",  # names none: 'plain'
    "INSERT INTO summaries (kind, period_start, period_end, content, source, created_at) "
    "VALUES ('year', '2026-01-01', '2026-12-31', 'A year.', 'plain', '2026-03-03 07:05:59')",
    "UPDATE feedback SET rating = 5 WHERE id = 1",
    "INSERT INTO feedback (uid, target_kind, target_id, rating, created_at) VALUES "
    "('f-9', 'goal', 1, 1, '2026-03-03 07:05:59')",
    "UPDATE nudges SET style = 'gentle', hour_bucket = 25, source = 'llm' WHERE id = 1",
    "UPDATE nudges SET style = 'gentle', hour_bucket = -1 WHERE id = 2",
    "UPDATE job_runs SET last_status = 'running' WHERE job_id = 'evening_reflection'",
    "UPDATE llm_calls SET input_tokens = -4, first_token_ms = -1 WHERE id = 1",
]


def test_values_outside_the_vocabulary_are_repaired_counted_and_synced_again(
        tmp_path: Path) -> None:
    db = tmp_path / "wise.db"
    conn = sqlite3.connect(db)
    conn.executescript((FIXTURES / "0010_focus.sql").read_text(encoding="utf-8"))
    for statement in _OUTSIDE_AT_0010:
        conn.execute(statement)
    conn.commit()
    conn.close()
    db.chmod(0o600)
    upgrade_to_head(db)
    conn = sqlite3.connect(db)
    try:
        rows = lambda sql: conn.execute(sql).fetchall()  # noqa: E731
        assert rows("SELECT kind FROM reflections ORDER BY id") == [("daily",), ("daily",)]
        assert rows("SELECT kind, source FROM summaries ORDER BY id") == [
            ("day", "model"), ("week", "plain")]  # the year's digest is gone
        assert rows("SELECT target_kind, rating FROM feedback ORDER BY id") == [
            ("reflection", 1), ("nudge", -1)]
        assert rows("SELECT style, hour_bucket, source FROM nudges ORDER BY id") == [
            ("plain", 1, "plain"), ("plain", 23, "model")]
        assert rows("SELECT last_status FROM job_runs ORDER BY job_id") == [
            ("error",), ("skipped",)]
        assert rows("SELECT input_tokens, first_token_ms FROM llm_calls WHERE id = 1") == [
            (0, None)]
        repairs = {(r.table, r.column, r.old_value): (r.became, r.rows)
                   for r in schema_repairs(conn)}
        assert repairs[("nudges", "style", "gentle")] == ("plain", 2)
        assert repairs[("summaries", "kind", "year")] == (None, 1)
        assert repairs[("feedback", "target_kind", "goal")] == (None, 1)
        assert repairs[("reflections", "kind", "weekly")] == ("daily", 1)
        assert len(repairs) == 12  # hours 25 and -1 are two old values
        # The copied tables are watched by sync again.
        triggers = {name for (name,) in rows("SELECT name FROM sqlite_master "
                                             "WHERE type = 'trigger'")}
        for table in ("reflections", "summaries", "feedback", "nudges"):
            assert {f"sync_{table}_{s}" for s in ("ai", "au", "ad")} <= triggers
        assert rows("PRAGMA foreign_key_check") == []
        assert rows("PRAGMA integrity_check") == [("ok",)]
    finally:
        conn.close()
