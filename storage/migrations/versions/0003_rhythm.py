"""Rhythm: nudges with their responses, and the last run of each scheduled job.

Revision ID: 0003_rhythm
Revises: 0002_model_layer
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_rhythm"
down_revision = "0002_model_layer"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "nudges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=True),
        sa.Column("goal_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("style", sa.String(24), nullable=False),
        sa.Column("hour_bucket", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("response", sa.String(16), nullable=True),
        sa.Column("responded_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("response IS NULL OR response IN ('done', 'snooze', 'not_today', "
                           "'ignored', 'opened')", name=op.f("ck_nudges_response")),
        sa.ForeignKeyConstraint(["action_id"], ["actions.id"], ondelete="SET NULL",
                                name=op.f("fk_nudges_action_id_actions")),
        sa.ForeignKeyConstraint(["goal_id"], ["goals.id"], ondelete="SET NULL",
                                name=op.f("fk_nudges_goal_id_goals")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nudges")),
    )
    op.create_index(op.f("ix_nudges_created_at"), "nudges", ["created_at"])
    op.create_index(op.f("ix_nudges_action_id"), "nudges", ["action_id"])
    op.create_table(
        "job_runs",
        sa.Column("job_id", sa.String(40), nullable=False),
        sa.Column("last_run_at", sa.DateTime(), nullable=False),
        sa.Column("last_status", sa.String(16), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("job_id", name=op.f("pk_job_runs")),
    )


def downgrade() -> None:
    op.drop_table("job_runs")
    op.drop_table("nudges")
