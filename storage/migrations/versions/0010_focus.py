"""Focus sessions: the time given to a step, and a nudge that led to a start.

- focus_sessions: one row per session (the step, its words when started, the estimate it
  was started with, start, planned length, paused time, end and how it ended). At most one
  runs at a time: a trigger refuses a second row without an end. Local to
  this device (not synced): see storage/sync/tables.py's LOCAL_TABLES for why.
- nudges.response may now be 'started' (the user started the step from the nudge). SQLite
  changes a CHECK by copying the table, which drops the table's sync triggers: they are
  made again here, from a frozen copy of 0008's.

Revision ID: 0010_focus
Revises: 0008_sync
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_focus"
down_revision = "0008_sync"
branch_labels = None
depends_on = None

# Frozen copies (a migration never imports the code it migrates for).
_UID_DEFAULT = (
    "(lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || "
    "substr(lower(hex(randomblob(2))), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1)"
    " || substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6))))")
_NOW_MS = "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)"
_LOGGING = "(SELECT enabled AND NOT applying FROM sync_state WHERE id = 1)"
_NUDGE_COLUMNS = ("uid", "created_at", "action_id", "goal_id", "text", "style", "hour_bucket",
                  "reason", "source", "response", "responded_at")
_RESPONSES_BEFORE = ("done", "snooze", "not_today", "ignored", "opened")
_RESPONSES = (*_RESPONSES_BEFORE, "started")
_OUTCOMES = ("done", "stopped", "interrupted")


def _response_check(responses: tuple[str, ...]) -> str:
    return f"response IS NULL OR response IN ({', '.join(repr(r) for r in responses)})"


def upgrade() -> None:
    _rebuild_nudges(_RESPONSES)
    op.create_table(
        "focus_sessions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("uid", sa.String(36), nullable=False,
                  server_default=sa.text(_UID_DEFAULT)),
        sa.Column("action_id", sa.Integer(),
                  sa.ForeignKey("actions.id", name=op.f("fk_focus_sessions_action_id_actions"),
                                ondelete="SET NULL"), nullable=True),
        sa.Column("nudge_id", sa.Integer(),
                  sa.ForeignKey("nudges.id", name=op.f("fk_focus_sessions_nudge_id_nudges"),
                                ondelete="SET NULL"), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("estimate_minutes", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("planned_seconds", sa.Integer(), nullable=False),
        sa.Column("paused_at", sa.DateTime(), nullable=True),
        sa.Column("paused_seconds", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("outcome", sa.String(16), nullable=True),
        sa.UniqueConstraint("uid", name=op.f("uq_focus_sessions_uid")),
        sa.CheckConstraint("planned_seconds BETWEEN 60 AND 86400",
                           name=op.f("ck_focus_sessions_planned")),
        sa.CheckConstraint("paused_seconds >= 0", name=op.f("ck_focus_sessions_paused")),
        sa.CheckConstraint(
            f"(ended_at IS NULL AND outcome IS NULL) OR (ended_at IS NOT NULL AND outcome IN "
            f"({', '.join(repr(o) for o in _OUTCOMES)}))",
            name=op.f("ck_focus_sessions_outcome")),
    )
    op.create_index(op.f("ix_focus_sessions_started_at"), "focus_sessions", ["started_at"])
    op.create_index(op.f("ix_focus_sessions_action_id"), "focus_sessions", ["action_id"])
    # One session at a time, whoever writes (the tray, the CLI, an import). A trigger, not
    # an expression index: SQLAlchemy cannot reflect one, so schema checks would trip on it.
    _running = "EXISTS (SELECT 1 FROM focus_sessions WHERE ended_at IS NULL)"
    op.execute(
        "CREATE TRIGGER focus_sessions_one_running BEFORE INSERT ON focus_sessions "
        f"WHEN new.ended_at IS NULL AND {_running} "
        "BEGIN SELECT RAISE(ABORT, 'a focus session is already running'); END")
    op.execute(
        "CREATE TRIGGER focus_sessions_one_running_again BEFORE UPDATE OF ended_at "
        f"ON focus_sessions WHEN new.ended_at IS NULL AND old.ended_at IS NOT NULL "
        f"AND {_running} "
        "BEGIN SELECT RAISE(ABORT, 'a focus session is already running'); END")


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS focus_sessions_one_running")
    op.execute("DROP TRIGGER IF EXISTS focus_sessions_one_running_again")
    op.drop_table("focus_sessions")
    op.execute("UPDATE nudges SET response = 'done' WHERE response = 'started'")
    _rebuild_nudges(_RESPONSES_BEFORE)


def _rebuild_nudges(responses: tuple[str, ...]) -> None:
    with op.batch_alter_table("nudges", recreate="always") as batch:
        batch.drop_constraint(op.f("ck_nudges_response"), type_="check")
        batch.create_check_constraint(op.f("ck_nudges_response"), _response_check(responses))
    _create_nudge_triggers()


def _create_nudge_triggers() -> None:
    for suffix in ("ai", "au", "ad"):
        op.execute(f"DROP TRIGGER IF EXISTS sync_nudges_{suffix}")
    op.execute(
        f"CREATE TRIGGER sync_nudges_ai AFTER INSERT ON nudges WHEN {_LOGGING} BEGIN "
        f"INSERT INTO sync_outbox (tbl, key, cols, wall) "
        f"VALUES ('nudges', new.uid, '*', {_NOW_MS}); END")
    changed = " || ".join(f"(CASE WHEN old.{c} IS NOT new.{c} THEN '{c},' ELSE '' END)"
                          for c in _NUDGE_COLUMNS)
    any_changed = " OR ".join(f"old.{c} IS NOT new.{c}" for c in _NUDGE_COLUMNS)
    op.execute(
        f"CREATE TRIGGER sync_nudges_au AFTER UPDATE ON nudges "
        f"WHEN {_LOGGING} AND ({any_changed}) BEGIN "
        f"INSERT INTO sync_outbox (tbl, key, old_key, cols, wall) VALUES ('nudges', "
        f"new.uid, CASE WHEN (old.uid) IS NOT (new.uid) THEN old.uid END, "
        f"{changed}, {_NOW_MS}); END")
    op.execute(
        f"CREATE TRIGGER sync_nudges_ad AFTER DELETE ON nudges WHEN {_LOGGING} "
        f"BEGIN INSERT INTO sync_outbox (tbl, key, cols, wall) "
        f"VALUES ('nudges', old.uid, '-', {_NOW_MS}); END")
