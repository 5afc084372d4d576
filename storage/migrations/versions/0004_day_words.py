"""The user's words on a day: how it went, what got in the way, mood and energy.

Revision ID: 0004_day_words
Revises: 0003_rhythm
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_day_words"
down_revision = "0003_rhythm"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A frozen copy of the DayWords model as it is in this revision (never import models).
    op.create_table(
        "day_words",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("how_it_went", sa.Text(), nullable=False),
        sa.Column("in_the_way", sa.Text(), nullable=False),
        sa.Column("mood", sa.Integer(), nullable=True),
        sa.Column("energy", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("mood IS NULL OR mood BETWEEN 1 AND 5",
                           name=op.f("ck_day_words_mood")),
        sa.CheckConstraint("energy IS NULL OR energy BETWEEN 1 AND 5",
                           name=op.f("ck_day_words_energy")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_day_words")),
        sa.UniqueConstraint("day", name=op.f("uq_day_words_day")),
    )


def downgrade() -> None:
    op.drop_table("day_words")
