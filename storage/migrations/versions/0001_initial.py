"""The first journal schema: goals, actions, entries, tags, and FTS5 search.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None

# Frozen copies: a migration must keep doing what it did when it was released, whatever
# later code does, so nothing here is imported from the models.
_TIMESTAMPS = ("created_at", "updated_at")

_FTS_TABLES = {
    # fts table: (content table, indexed column)
    "entries_fts": ("entries", "text"),
    "actions_fts": ("actions", "title"),
}


def _timestamps() -> list[sa.Column]:
    return [sa.Column(name, sa.DateTime(), nullable=False) for name in _TIMESTAMPS]


def upgrade() -> None:
    op.create_table(
        "goals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(36), nullable=False),
        sa.Column("slug", sa.String(80), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("why", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("cadence_per_week", sa.Integer(), nullable=True),
        *_timestamps(),
        sa.CheckConstraint("status IN ('active', 'paused', 'done', 'archived')",
                           name=op.f("ck_goals_status")),
        sa.CheckConstraint("cadence_per_week IS NULL OR cadence_per_week BETWEEN 1 AND 21",
                           name=op.f("ck_goals_cadence")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goals")),
        sa.UniqueConstraint("uid", name=op.f("uq_goals_uid")),
        sa.UniqueConstraint("slug", name=op.f("uq_goals_slug")),
    )
    op.create_table(
        "tags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tags")),
        sa.UniqueConstraint("name", name=op.f("uq_tags_name")),
    )
    op.create_table(
        "actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(36), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("estimate_minutes", sa.Integer(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("due_at", sa.DateTime(), nullable=True),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("raw_text", sa.Text(), nullable=True),
        *_timestamps(),
        sa.CheckConstraint("status IN ('open', 'done', 'dropped')",
                           name=op.f("ck_actions_status")),
        sa.CheckConstraint("estimate_minutes IS NULL OR estimate_minutes > 0",
                           name=op.f("ck_actions_estimate")),
        sa.ForeignKeyConstraint(["goal_id"], ["goals.id"], ondelete="SET NULL",
                                name=op.f("fk_actions_goal_id_goals")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actions")),
        sa.UniqueConstraint("uid", name=op.f("uq_actions_uid")),
    )
    op.create_index(op.f("ix_actions_goal_id"), "actions", ["goal_id"])
    op.create_index(op.f("ix_actions_done_at"), "actions", ["done_at"])
    op.create_index(op.f("ix_actions_created_at"), "actions", ["created_at"])
    op.create_index("ix_actions_status_due_on", "actions", ["status", "due_on"])
    op.create_table(
        "entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(36), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=True),
        sa.Column("mood", sa.Integer(), nullable=True),
        sa.Column("energy", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("raw_text", sa.Text(), nullable=True),
        *_timestamps(),
        sa.CheckConstraint("kind IN ('note')", name=op.f("ck_entries_kind")),
        sa.CheckConstraint("mood IS NULL OR mood BETWEEN 1 AND 5", name=op.f("ck_entries_mood")),
        sa.CheckConstraint("energy IS NULL OR energy BETWEEN 1 AND 5",
                           name=op.f("ck_entries_energy")),
        sa.ForeignKeyConstraint(["goal_id"], ["goals.id"], ondelete="SET NULL",
                                name=op.f("fk_entries_goal_id_goals")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entries")),
        sa.UniqueConstraint("uid", name=op.f("uq_entries_uid")),
    )
    op.create_index(op.f("ix_entries_goal_id"), "entries", ["goal_id"])
    op.create_index(op.f("ix_entries_created_at"), "entries", ["created_at"])
    for owner, owners in (("entry", "entries"), ("action", "actions")):
        op.create_table(
            f"{owner}_tags",
            sa.Column(f"{owner}_id", sa.Integer(), nullable=False),
            sa.Column("tag_id", sa.Integer(), nullable=False),
            sa.ForeignKeyConstraint([f"{owner}_id"], [f"{owners}.id"], ondelete="CASCADE",
                                    name=op.f(f"fk_{owner}_tags_{owner}_id_{owners}")),
            sa.ForeignKeyConstraint(["tag_id"], ["tags.id"], ondelete="CASCADE",
                                    name=op.f(f"fk_{owner}_tags_tag_id_tags")),
            sa.PrimaryKeyConstraint(f"{owner}_id", "tag_id", name=op.f(f"pk_{owner}_tags")),
        )
        op.create_index(op.f(f"ix_{owner}_tags_tag_id"), f"{owner}_tags", ["tag_id"])

    if op.get_bind().dialect.name == "sqlite":
        for fts, (table, column) in _FTS_TABLES.items():
            _create_sqlite_fts(fts, table, column)


def _create_sqlite_fts(fts: str, table: str, column: str) -> None:
    """An external-content FTS5 index over table.column, kept in sync by triggers."""
    op.execute(
        f"CREATE VIRTUAL TABLE {fts} USING fts5({column}, content='{table}', "
        f"content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='2 3')"
    )
    op.execute(
        f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN "
        f"INSERT INTO {fts}(rowid, {column}) VALUES (new.id, new.{column}); END"
    )
    op.execute(
        f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, {column}) VALUES ('delete', old.id, old.{column}); END"
    )
    op.execute(
        f"CREATE TRIGGER {fts}_au AFTER UPDATE OF {column} ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, {column}) VALUES ('delete', old.id, old.{column}); "
        f"INSERT INTO {fts}(rowid, {column}) VALUES (new.id, new.{column}); END"
    )


def downgrade() -> None:
    for fts in _FTS_TABLES:
        op.execute(f"DROP TABLE IF EXISTS {fts}")
    for table in ("action_tags", "entry_tags", "entries", "actions", "tags", "goals"):
        op.drop_table(table)
