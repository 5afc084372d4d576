"""The why-ladder: a goal keeps the answers to "why does that matter to you?" that led to
its why (the welcome asks up to three times; the deepest answer is the goal's `why`).

- goals.why_ladder: a JSON list of the answers, first asked first (the last one equals
  `why` when the ladder was climbed), or NULL for a goal made without one. SQLite checks
  it is a JSON array, so no writer can store anything else there.
- goals is a synced table: its three sync triggers list its columns, so they are made
  again with the new column (a frozen copy of 0008_sync's trigger shape), and the column
  travels like the others. The table is altered in place, not copied: nothing else of it
  changes.

Revision ID: 0012_goal_why_ladder
Revises: 0011_vocabulary_checks
Create Date: 2026-12-04
"""

from alembic import op

revision = "0012_goal_why_ladder"
down_revision = "0011_vocabulary_checks"
branch_labels = None
depends_on = None

# Frozen copies (a migration never imports the code it migrates for).
_NOW_MS = "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)"
_LOGGING = "(SELECT enabled AND NOT applying FROM sync_state WHERE id = 1)"
_TIMES = ("created_at", "updated_at")
_BEFORE = ("uid", "slug", "title", "why", "status", "cadence_per_week", *_TIMES)
_AFTER = ("uid", "slug", "title", "why", "why_ladder", "status", "cadence_per_week",
          *_TIMES)


def upgrade() -> None:
    # ALTER TABLE, not a batch copy: the search view (0005) reads goals, and renaming a
    # copy over it would fail; SQLite adds a column with its own CHECK in place.
    _drop_triggers()
    op.execute("ALTER TABLE goals ADD COLUMN why_ladder TEXT CONSTRAINT ck_goals_why_ladder "
               "CHECK (why_ladder IS NULL OR (json_valid(why_ladder) AND "
               "json_type(why_ladder) = 'array'))")
    _create_triggers(_AFTER)


def downgrade() -> None:
    _drop_triggers()
    op.execute("ALTER TABLE goals DROP COLUMN why_ladder")
    _create_triggers(_BEFORE)


def _drop_triggers() -> None:
    for suffix in ("ai", "au", "ad"):
        op.execute(f"DROP TRIGGER IF EXISTS sync_goals_{suffix}")


def _create_triggers(columns: tuple[str, ...]) -> None:
    op.execute(
        f"CREATE TRIGGER sync_goals_ai AFTER INSERT ON goals WHEN {_LOGGING} BEGIN "
        f"INSERT INTO sync_outbox (tbl, key, cols, wall) "
        f"VALUES ('goals', new.uid, '*', {_NOW_MS}); END")
    changed = " || ".join(f"(CASE WHEN old.{c} IS NOT new.{c} THEN '{c},' ELSE '' END)"
                          for c in columns)
    any_changed = " OR ".join(f"old.{c} IS NOT new.{c}" for c in columns)
    op.execute(
        f"CREATE TRIGGER sync_goals_au AFTER UPDATE ON goals "
        f"WHEN {_LOGGING} AND ({any_changed}) BEGIN "
        f"INSERT INTO sync_outbox (tbl, key, old_key, cols, wall) VALUES ('goals', "
        f"new.uid, CASE WHEN (old.uid) IS NOT (new.uid) THEN old.uid END, "
        f"{changed}, {_NOW_MS}); END")
    op.execute(
        f"CREATE TRIGGER sync_goals_ad AFTER DELETE ON goals WHEN {_LOGGING} "
        f"BEGIN INSERT INTO sync_outbox (tbl, key, cols, wall) "
        f"VALUES ('goals', old.uid, '-', {_NOW_MS}); END")
