"""Required fields, enforced: an ended focus session has its outcome.

The audit (every column of every table against the models, every foreign key, every
CHECK, on a journal migrated from 0001): NOT NULL and the foreign keys are where the
models say (tests/unit/storage/test_required_fields.py keeps it so), and the nullable
columns left are optional by meaning (a step's goal, a note's mood, a plain reflection's
model...). One gap remained, closed here:

- focus_sessions' outcome CHECK let NULL through on an ended session (`outcome IN (...)`
  is NULL, not false, for a NULL outcome, and a CHECK passes on NULL). It now reads "no
  end and no outcome, or an end and one of the outcomes". An ended session without one is
  repaired to 'interrupted' (how it ended is not known; it did not run to its end as
  planned), counted. SQLite changes a CHECK by copying the table, which drops its two
  one-session-at-a-time triggers (0010_focus): they are made again here. The table is
  local (not synced): it has no sync triggers.

A row pointing at nothing is not repaired here: every upgrade already refuses to commit
with one (storage.migrate.check_foreign_keys), so a migration that broke a reference is
rolled back rather than quietly mended.

Not given a foreign key, on purpose: feedback.target_id names a reflection or a nudge
(target_kind says which), so no single parent table can be named.

Revision ID: 0013_required_fields
Revises: 0012_goal_why_ladder
Create Date: 2026-12-04
"""

from alembic import op

revision = "0013_required_fields"
down_revision = "0012_goal_why_ladder"
branch_labels = None
depends_on = None

# Frozen copies (a migration never imports the vocabulary it migrates for).
_OUTCOMES = "('done', 'stopped', 'interrupted')"
_OUTCOME_BEFORE = (f"(ended_at IS NULL AND outcome IS NULL) OR (ended_at IS NOT NULL AND "
                   f"outcome IN {_OUTCOMES})")
_OUTCOME = (f"(ended_at IS NULL AND outcome IS NULL) OR (ended_at IS NOT NULL AND "
            f"outcome IS NOT NULL AND outcome IN {_OUTCOMES})")
_RUNNING = "EXISTS (SELECT 1 FROM focus_sessions WHERE ended_at IS NULL)"


def upgrade() -> None:
    _count("focus_sessions", "outcome", "ended_at IS NOT NULL AND outcome IS NULL",
           "interrupted")
    op.execute("UPDATE focus_sessions SET outcome = 'interrupted' "
               "WHERE ended_at IS NOT NULL AND outcome IS NULL")
    _rebuild_focus_sessions(_OUTCOME)


def downgrade() -> None:
    _rebuild_focus_sessions(_OUTCOME_BEFORE)


def _rebuild_focus_sessions(check: str) -> None:
    op.execute("DROP TRIGGER IF EXISTS focus_sessions_one_running")
    op.execute("DROP TRIGGER IF EXISTS focus_sessions_one_running_again")
    with op.batch_alter_table("focus_sessions", recreate="always") as batch:
        batch.drop_constraint(op.f("ck_focus_sessions_outcome"), type_="check")
        batch.create_check_constraint(op.f("ck_focus_sessions_outcome"), check)
    op.execute(
        "CREATE TRIGGER focus_sessions_one_running BEFORE INSERT ON focus_sessions "
        f"WHEN new.ended_at IS NULL AND {_RUNNING} "
        "BEGIN SELECT RAISE(ABORT, 'a focus session is already running'); END")
    op.execute(
        "CREATE TRIGGER focus_sessions_one_running_again BEFORE UPDATE OF ended_at "
        f"ON focus_sessions WHEN new.ended_at IS NULL AND old.ended_at IS NOT NULL "
        f"AND {_RUNNING} "
        "BEGIN SELECT RAISE(ABORT, 'a focus session is already running'); END")


def _count(table: str, column: str, failing: str, became: str) -> None:
    bind = op.get_bind()
    counts = bind.exec_driver_sql(
        f"SELECT {column}, count(*) FROM {table} WHERE {failing} GROUP BY {column}").fetchall()
    for old_value, count in counts:
        _record(table, column, None if old_value is None else str(old_value), became, count)


def _record(table: str, column: str, old_value: str | None, became: str | None,
            count: int) -> None:
    op.get_bind().exec_driver_sql(
        "INSERT INTO schema_repairs (revision, tbl, col, old_value, new_value, row_count, "
        "repaired_at) VALUES (?, ?, ?, ?, ?, ?, strftime('%Y-%m-%d %H:%M:%f000', 'now'))",
        (revision, table, column, old_value, became, count))
