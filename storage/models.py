"""The journal's tables as typed SQLAlchemy 2.0 models: goals, actions, entries and tags."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from storage.ids import new_uid
from storage.timeutil import utc_now


class GoalStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    DONE = "done"
    ARCHIVED = "archived"


class ActionStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    DROPPED = "dropped"


class EntryKind(StrEnum):
    NOTE = "note"


class Source(StrEnum):
    """Where a row came from; kept so later features (and the user) can tell."""

    CAPTURE = "capture"
    CLI = "cli"
    IMPORT = "import"
    COMPANION = "companion"


class UTCDateTime(TypeDecorator[datetime]):
    """Stores naive UTC text, hands back aware UTC datetimes; refuses naive input."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored: their time zone is unknown")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


# Explicit constraint names keep Alembic's batch migrations on SQLite predictable.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _in(column: str, enum: type[StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(m.value) for m in enum)})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime}  # noqa: RUF012 - SQLAlchemy's own hook


entry_tags = Table(
    "entry_tags",
    Base.metadata,
    Column("entry_id", ForeignKey("entries.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True),
)

action_tags = Table(
    "action_tags",
    Base.metadata,
    Column("action_id", ForeignKey("actions.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Tag(Base):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)


class Goal(Base):
    __tablename__ = "goals"
    __table_args__ = (
        CheckConstraint(_in("status", GoalStatus), name="status"),
        CheckConstraint("cadence_per_week IS NULL OR cadence_per_week BETWEEN 1 AND 21",
                        name="cadence"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uid)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(Text)
    why: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=GoalStatus.ACTIVE.value)
    # How many times a week the user wants to touch this goal (None: no rhythm set).
    cadence_per_week: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now, onupdate=utc_now)

    actions: Mapped[list[Action]] = relationship(back_populates="goal",
                                                 passive_deletes=True)


class Action(Base):
    __tablename__ = "actions"
    __table_args__ = (
        CheckConstraint(_in("status", ActionStatus), name="status"),
        CheckConstraint("estimate_minutes IS NULL OR estimate_minutes > 0", name="estimate"),
        Index("ix_actions_status_due_on", "status", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uid)
    title: Mapped[str] = mapped_column(Text)
    goal_id: Mapped[int | None] = mapped_column(
        ForeignKey("goals.id", ondelete="SET NULL"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=ActionStatus.OPEN.value)
    estimate_minutes: Mapped[int | None] = mapped_column(Integer)
    # A due day is a local calendar day; a due time (when one was given) is a UTC moment.
    due_on: Mapped[date | None]
    due_at: Mapped[datetime | None]
    done_at: Mapped[datetime | None] = mapped_column(index=True)
    source: Mapped[str] = mapped_column(String(16), default=Source.CLI.value)
    # The line exactly as the user typed it, when the action came from a capture.
    raw_text: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utc_now, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now, onupdate=utc_now)

    goal: Mapped[Goal | None] = relationship(back_populates="actions")
    tags: Mapped[list[Tag]] = relationship(secondary=action_tags, order_by=Tag.name)


class Entry(Base):
    __tablename__ = "entries"
    __table_args__ = (
        CheckConstraint(_in("kind", EntryKind), name="kind"),
        CheckConstraint("mood IS NULL OR mood BETWEEN 1 AND 5", name="mood"),
        CheckConstraint("energy IS NULL OR energy BETWEEN 1 AND 5", name="energy"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uid)
    text: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16), default=EntryKind.NOTE.value)
    goal_id: Mapped[int | None] = mapped_column(
        ForeignKey("goals.id", ondelete="SET NULL"), index=True)
    mood: Mapped[int | None] = mapped_column(Integer)
    energy: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(16), default=Source.CLI.value)
    raw_text: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utc_now, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now, onupdate=utc_now)

    goal: Mapped[Goal | None] = relationship()
    tags: Mapped[list[Tag]] = relationship(secondary=entry_tags, order_by=Tag.name)
