"""Sync: a stable uid for nudges and feedback, the change log kept by triggers, and sync's
local bookkeeping.

- nudges and feedback get a `uid` (the other synced tables have one, or a natural key that
  is the same on every device). Existing rows get a random one; the column's default makes
  one for any writer that gives none, so no code path can write a row without it.
- Every synced table gets three triggers that append to `sync_outbox` in the same
  transaction as the change, whichever code wrote it (the ORM, sqlite3, an import). They do
  nothing until sync is set up (`sync_state.enabled`) and nothing while the sync engine
  applies another device's changes (`sync_state.applying`, set only inside that write
  transaction), so those are never logged back.
- sync_state, sync_rows (per-field versions and tombstones), sync_unsent, sync_pending,
  sync_dangling, sync_batches, sync_conflicts, sync_peers, sync_log: see SYNC.md.

A later migration that rebuilds a synced table (batch mode copies it) drops its triggers and
must create them again; tests/unit/storage/test_sync_schema.py fails until it does.

Revision ID: 0008_sync
Revises: 0004_day_words
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_sync"
down_revision = "0005_sources_and_tag_search"
branch_labels = None
depends_on = None

# Frozen copies (a migration never imports the code it migrates for).
_UID_DEFAULT = (
    "(lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || "
    "substr(lower(hex(randomblob(2))), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1)"
    " || substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6))))")
_NOW_MS = "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)"
_SEP = "char(31)"
_LINK_KEY = ("(SELECT uid FROM {owners} WHERE id = {r}.{owner}) || " + _SEP
             + " || (SELECT name FROM tags WHERE id = {r}.tag_id)")
_TIMES = ("created_at", "updated_at")
# table: (its key as SQL over the row `{r}` (new or old), every column but the id)
_TABLES = {
    "goals": ("{r}.uid", ("uid", "slug", "title", "why", "status", "cadence_per_week",
                          *_TIMES)),
    "tags": ("{r}.name", ("name",)),
    "actions": ("{r}.uid", ("uid", "title", "goal_id", "status", "estimate_minutes", "due_on",
                            "due_at", "done_at", "source", "raw_text", *_TIMES)),
    "entries": ("{r}.uid", ("uid", "text", "kind", "goal_id", "mood", "energy", "source",
                            "raw_text", *_TIMES)),
    "entry_tags": (_LINK_KEY.replace("{owners}", "entries").replace("{owner}", "entry_id"),
                   ("entry_id", "tag_id")),
    "action_tags": (_LINK_KEY.replace("{owners}", "actions").replace("{owner}", "action_id"),
                    ("action_id", "tag_id")),
    "day_words": ("{r}.day", ("day", "how_it_went", "in_the_way", "mood", "energy", *_TIMES)),
    "reflections": ("{r}.uid", ("uid", "kind", "period", "prompt_name", "prompt_version",
                                "model", "content", "structured", "raw", "user_words",
                                *_TIMES)),
    "summaries": ("{r}.kind || " + _SEP + " || {r}.period_start",
                  ("kind", "period_start", "period_end", "content", "source", "model",
                   "prompt_version", "created_at")),
    "nudges": ("{r}.uid", ("uid", "created_at", "action_id", "goal_id", "text", "style",
                           "hour_bucket", "reason", "source", "response", "responded_at")),
    "feedback": ("{r}.uid", ("uid", "target_kind", "target_id", "rating", "note",
                             "created_at")),
}
# A link deleted because its item or tag was deleted needs no operation of its own: the
# item's (or tag's) delete says it, and by then its key can no longer be computed.
_ONLY_WHEN = {
    "entry_tags": "EXISTS (SELECT 1 FROM entries WHERE id = old.entry_id) AND "
                  "EXISTS (SELECT 1 FROM tags WHERE id = old.tag_id)",
    "action_tags": "EXISTS (SELECT 1 FROM actions WHERE id = old.action_id) AND "
                   "EXISTS (SELECT 1 FROM tags WHERE id = old.tag_id)",
}
_LOGGING = "(SELECT enabled AND NOT applying FROM sync_state WHERE id = 1)"


def upgrade() -> None:
    for table in ("nudges", "feedback"):
        with op.batch_alter_table(table, recreate="always") as batch:
            batch.add_column(sa.Column("uid", sa.String(36), nullable=False,
                                       server_default=sa.text(_UID_DEFAULT)))
            batch.create_unique_constraint(op.f(f"uq_{table}_uid"), ["uid"])
    _create_local_tables()
    for table, (key, columns) in _TABLES.items():
        _create_triggers(table, key, columns)


def downgrade() -> None:
    for table in _TABLES:
        for suffix in ("ai", "au", "ad"):
            op.execute(f"DROP TRIGGER IF EXISTS sync_{table}_{suffix}")
    for table in ("sync_log", "sync_peers", "sync_conflicts", "sync_batches",
                  "sync_dangling", "sync_pending", "sync_unsent", "sync_rows", "sync_outbox",
                  "sync_state"):
        op.drop_table(table)
    for table in ("feedback", "nudges"):
        with op.batch_alter_table(table, recreate="always") as batch:
            batch.drop_constraint(op.f(f"uq_{table}_uid"), type_="unique")
            batch.drop_column("uid")


def _create_triggers(table: str, key: str, columns: tuple[str, ...]) -> None:
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
    only_when = f" AND {_ONLY_WHEN[table]}" if table in _ONLY_WHEN else ""
    op.execute(
        f"CREATE TRIGGER sync_{table}_ad AFTER DELETE ON {table} WHEN {_LOGGING}{only_when} "
        f"BEGIN INSERT INTO sync_outbox (tbl, key, cols, wall) "
        f"VALUES ('{table}', {old_key}, '-', {_NOW_MS}); END")


def _create_local_tables() -> None:
    op.create_table(
        "sync_state",  # one row: this device's identity, clock and switches
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("enabled", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("applying", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("device", sa.String(32), nullable=True),
        sa.Column("key_id", sa.String(32), nullable=True),
        sa.Column("hlc", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("next_seq", sa.Integer(), nullable=False, server_default="1"),
        sa.CheckConstraint("id = 1", name=op.f("ck_sync_state_one_row")),
    )
    op.execute("INSERT INTO sync_state (id) VALUES (1)")
    op.create_table(
        "sync_outbox",  # written by the triggers only
        sa.Column("seq", sa.Integer(), primary_key=True),
        sa.Column("tbl", sa.String(40), nullable=False),
        sa.Column("key", sa.Text(), nullable=True),
        sa.Column("old_key", sa.Text(), nullable=True),
        sa.Column("cols", sa.Text(), nullable=False),
        sa.Column("wall", sa.Integer(), nullable=False),
    )
    op.create_table(
        "sync_rows",
        sa.Column("tbl", sa.String(40), primary_key=True),
        sa.Column("key", sa.Text(), primary_key=True),
        sa.Column("ver", sa.Text(), nullable=False),
        sa.Column("dead", sa.Text(), nullable=True),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "sync_unsent",
        sa.Column("seq", sa.Integer(), primary_key=True),
        sa.Column("op", sa.Text(), nullable=False),
    )
    op.create_table(
        "sync_pending",
        sa.Column("tbl", sa.String(40), primary_key=True),
        sa.Column("key", sa.Text(), primary_key=True),
        sa.Column("vals", sa.Text(), nullable=False),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "sync_dangling",
        sa.Column("tbl", sa.String(40), primary_key=True),
        sa.Column("key", sa.Text(), primary_key=True),
        sa.Column("field", sa.String(40), primary_key=True),
        sa.Column("target", sa.Text(), nullable=False),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "sync_batches",
        sa.Column("name", sa.String(80), primary_key=True),
        sa.Column("device", sa.String(32), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=True),
        sa.Column("ops", sa.Integer(), nullable=False),
        sa.Column("mine", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "sync_conflicts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("tbl", sa.String(40), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("field", sa.String(40), nullable=False),
        sa.Column("other", sa.Text(), nullable=False),
        sa.Column("other_hlc", sa.Integer(), nullable=False),
        sa.Column("other_device", sa.String(32), nullable=False),
        sa.Column("kept_hlc", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        # 0: answered here, not yet told to the other devices (the next edit of the text
        # carries it)
        sa.Column("announced", sa.Integer(), nullable=False, server_default="1"),
        sa.UniqueConstraint("tbl", "key", "field", "other_hlc", "other_device",
                            name=op.f("uq_sync_conflicts_version")),
    )
    op.create_table(
        "sync_peers",
        sa.Column("device", sa.String(32), primary_key=True),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("last_wall", sa.Integer(), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
        sa.Column("ahead_ms", sa.Integer(), nullable=False, server_default="0"),
    )
    op.create_table(
        "sync_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("sent", sa.Integer(), nullable=False),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.Column("captured", sa.Integer(), nullable=False),
        sa.Column("problems", sa.Text(), nullable=False),
    )
