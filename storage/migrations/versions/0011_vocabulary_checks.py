"""The database refuses what Wise would not export or import back: CHECK constraints for
every enumerated column and bounded number that had none, and a record of what was repaired.

- New CHECKs: reflections.kind; summaries.kind, .source and period_end >= period_start;
  feedback.target_kind and .rating (-1..1); nudges.style, .source and .hour_bucket (0..23);
  job_runs.last_status; llm_calls' token counts, cost and times not negative. (goals,
  actions, entries, day_words and nudges.response had theirs already.)
- Rows outside the vocabulary are repaired first, each mapped to its meaning (a reflection
  of an unknown kind is the daily one, the only kind Wise has written; a summary's source
  follows whether a model made it; a rating keeps its sign; an hour wraps onto the clock;
  an unknown nudge style or source is the plain one; a job's unknown status an error). Two
  kinds of rows have no meaning to map to and are removed: a summary of an unknown kind (a
  cache: the nightly job makes its digests again) and feedback on an unknown kind of target.
  Each repair is counted in `schema_repairs` (local, never synced), which `wise doctor`
  reports.
- SQLite adds a CHECK by copying the table (batch mode). The synced tables among them
  (reflections, summaries, feedback, nudges) lose their sync triggers with the old copy:
  they are made again here, from the same frozen recipe as 0008_sync. No view or search
  index reads these tables.

Revision ID: 0011_vocabulary_checks
Revises: 0010_focus
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_vocabulary_checks"
down_revision = "0010_focus"
branch_labels = None
depends_on = None


def _in(column: str, *values: str) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


# Frozen copies (a migration never imports the vocabulary it migrates for).
# table: [(constraint name, its CHECK, the repair: SQL to run on failing rows or None to
# remove them, the column whose old values are counted, what they became in words)]
_CHECKS: dict[str, list[tuple[str, str, str | None, str, str | None]]] = {
    "reflections": [("kind", _in("kind", "daily"), "kind = 'daily'", "kind", "daily")],
    "summaries": [
        ("kind", _in("kind", "day", "week", "month"), None, "kind", None),
        ("source", _in("source", "model", "plain", "deleted"),
         "source = CASE WHEN model IS NULL THEN 'plain' ELSE 'model' END", "source",
         "model when a model is named, else plain"),
        ("period", "period_end >= period_start", "period_end = period_start", "period_end",
         "period_start"),
    ],
    "feedback": [
        ("target_kind", _in("target_kind", "reflection", "nudge"), None, "target_kind",
         None),
        ("rating", "rating BETWEEN -1 AND 1",
         "rating = CASE WHEN rating > 0 THEN 1 WHEN rating < 0 THEN -1 ELSE 0 END", "rating",
         "its sign: -1, 0 or 1"),
    ],
    "nudges": [
        ("style", _in("style", "plain", "why_first", "tiny_step", "question"),
         "style = 'plain'", "style", "plain"),
        ("source", _in("source", "model", "plain"), "source = 'plain'", "source", "plain"),
        ("hour", "hour_bucket BETWEEN 0 AND 23",
         "hour_bucket = ((CAST(hour_bucket AS INTEGER) % 24) + 24) % 24", "hour_bucket",
         "the hour modulo 24"),
    ],
    "job_runs": [("status", _in("last_status", "ok", "error", "skipped"),
                  "last_status = 'error'", "last_status", "error")],
    "llm_calls": [
        ("amounts", "input_tokens >= 0 AND output_tokens >= 0 AND cost_usd >= 0 AND "
                    "latency_ms >= 0",
         "input_tokens = max(input_tokens, 0), output_tokens = max(output_tokens, 0), "
         "cost_usd = max(cost_usd, 0), latency_ms = max(latency_ms, 0)", "input_tokens",
         "0 where negative"),
        ("first_token", "first_token_ms IS NULL OR first_token_ms >= 0",
         "first_token_ms = NULL", "first_token_ms", "unknown (NULL)"),
    ],
}

# The sync triggers of the synced tables copied above (0008_sync's recipe, frozen).
_NOW_MS = "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)"
_SEP = "char(31)"
_SYNCED = {
    "reflections": ("{r}.uid", ("uid", "kind", "period", "prompt_name", "prompt_version",
                                "model", "content", "structured", "raw", "user_words",
                                "created_at", "updated_at")),
    "summaries": ("{r}.kind || " + _SEP + " || {r}.period_start",
                  ("kind", "period_start", "period_end", "content", "source", "model",
                   "prompt_version", "created_at")),
    "nudges": ("{r}.uid", ("uid", "created_at", "action_id", "goal_id", "text", "style",
                           "hour_bucket", "reason", "source", "response", "responded_at")),
    "feedback": ("{r}.uid", ("uid", "target_kind", "target_id", "rating", "note",
                             "created_at")),
}
_LOGGING = "(SELECT enabled AND NOT applying FROM sync_state WHERE id = 1)"


def upgrade() -> None:
    op.create_table(
        "schema_repairs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("revision", sa.String(40), nullable=False),
        sa.Column("tbl", sa.String(40), nullable=False),
        sa.Column("col", sa.String(40), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=True),
        # what the old value became, in words; NULL: the rows were removed
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("repaired_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("row_count > 0", name=op.f("ck_schema_repairs_row_count")),
    )
    for table, checks in _CHECKS.items():
        for _name, check, repair, column, became in checks:
            _repair(table, check, repair, column, became)
        with op.batch_alter_table(table, recreate="always") as batch:
            for name, check, *_repair_and_counting in checks:
                batch.create_check_constraint(op.f(f"ck_{table}_{name}"), check)
    for table, (key, columns) in _SYNCED.items():
        _create_sync_triggers(table, key, columns)


def downgrade() -> None:
    for table, checks in _CHECKS.items():
        with op.batch_alter_table(table, recreate="always") as batch:
            for name, *_check_and_repair in checks:
                batch.drop_constraint(op.f(f"ck_{table}_{name}"), type_="check")
    for table, (key, columns) in _SYNCED.items():
        _create_sync_triggers(table, key, columns)
    op.drop_table("schema_repairs")


def _repair(table: str, check: str, repair: str | None, column: str,
            became: str | None) -> None:
    """Count the rows failing `check` by their old value, then repair or remove them."""
    bind = op.get_bind()
    failing = f"NOT ({check})"
    counts = bind.exec_driver_sql(
        f"SELECT {column}, count(*) FROM {table} WHERE {failing} GROUP BY {column}").fetchall()
    if not counts:
        return
    if repair is None:
        op.execute(f"DELETE FROM {table} WHERE {failing}")
    else:
        op.execute(f"UPDATE {table} SET {repair} WHERE {failing}")
    for old_value, count in counts:
        bind.exec_driver_sql(
            "INSERT INTO schema_repairs (revision, tbl, col, old_value, new_value, row_count, "
            "repaired_at) VALUES (?, ?, ?, ?, ?, ?, "
            "strftime('%Y-%m-%d %H:%M:%f000', 'now'))",
            (revision, table, column, None if old_value is None else str(old_value),
             became, count))


def _create_sync_triggers(table: str, key: str, columns: tuple[str, ...]) -> None:
    for suffix in ("ai", "au", "ad"):
        op.execute(f"DROP TRIGGER IF EXISTS sync_{table}_{suffix}")
    new_key, old_key = key.format(r="new"), key.format(r="old")
    op.execute(
        f"CREATE TRIGGER sync_{table}_ai AFTER INSERT ON {table} WHEN {_LOGGING} BEGIN "
        f"INSERT INTO sync_outbox (tbl, key, cols, wall) "
        f"VALUES ('{table}', {new_key}, '*', {_NOW_MS}); END")
    changed = " || ".join(f"(CASE WHEN old.{c} IS NOT new.{c} THEN '{c},' ELSE '' END)"
                          for c in columns)
    any_changed = " OR ".join(f"old.{c} IS NOT new.{c}" for c in columns)
    op.execute(
        f"CREATE TRIGGER sync_{table}_au AFTER UPDATE ON {table} "
        f"WHEN {_LOGGING} AND ({any_changed}) BEGIN "
        f"INSERT INTO sync_outbox (tbl, key, old_key, cols, wall) VALUES ('{table}', "
        f"{new_key}, CASE WHEN ({old_key}) IS NOT ({new_key}) THEN {old_key} END, "
        f"{changed}, {_NOW_MS}); END")
    op.execute(
        f"CREATE TRIGGER sync_{table}_ad AFTER DELETE ON {table} WHEN {_LOGGING} "
        f"BEGIN INSERT INTO sync_outbox (tbl, key, cols, wall) "
        f"VALUES ('{table}', {old_key}, '-', {_NOW_MS}); END")
