"""The journal's tables as typed SQLAlchemy 2.0 models: goals, actions, entries and tags."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.dialects.sqlite import DATETIME as SQLITE_DATETIME
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from storage.ids import new_uid
from storage.limits import (
    CADENCE_PER_WEEK,
    ENERGY,
    HOUR,
    MODEL_CHARS,
    MOOD,
    NUDGE_SOURCE_CHARS,
    NUDGE_STYLE_CHARS,
    PROMPT_NAME_CHARS,
    PROMPT_VERSION_CHARS,
    RATING,
    REFLECTION_KIND_CHARS,
    TAG_CHARS,
    UID_CHARS,
)
from storage.timeutil import from_db, to_db, utc_now

# The vocabulary lives in a module of its own (no SQLAlchemy) so that the sqlite3 writers
# and the tray can use it too; imported here so that storage.models names it as before.
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
    sql_in,
)


class _CodecDateTime(SQLITE_DATETIME):
    """SQLite's DATETIME column, written and read by storage.timeutil's one codec, so the
    ORM and the sqlite3 paths store every year alike and read each other's rows."""

    def bind_processor(self, dialect: object) -> Callable[[datetime | None], str | None]:
        return lambda value: None if value is None else to_db(value)

    def result_processor(self, dialect: object, coltype: object
                         ) -> Callable[[str | None], datetime | None]:
        return lambda value: None if value is None else from_db(value)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores naive UTC text, hands back aware UTC datetimes; refuses naive input."""

    impl = _CodecDateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetimes are not stored: their time zone is unknown")
        return value


# Explicit constraint names keep Alembic's batch migrations on SQLite predictable.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _in(column: str, enum: type[StrEnum]) -> str:
    return sql_in(column, enum)


def _between(column: str, limit: tuple[int, int], *, nullable: bool = False) -> str:
    """The CHECK for a bounded number, from storage.limits."""
    check = f"{column} BETWEEN {limit[0]} AND {limit[1]}"
    return f"{column} IS NULL OR {check}" if nullable else check


def _not_negative(*columns: str) -> str:
    return " AND ".join(f"{column} >= 0" for column in columns)


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
    name: Mapped[str] = mapped_column(String(TAG_CHARS[1]), unique=True)


class Goal(Base):
    __tablename__ = "goals"
    __table_args__ = (
        CheckConstraint(_in("status", GoalStatus), name="status"),
        CheckConstraint(_between("cadence_per_week", CADENCE_PER_WEEK, nullable=True),
                        name="cadence"),
        CheckConstraint("why_ladder IS NULL OR (json_valid(why_ladder) AND "
                        "json_type(why_ladder) = 'array')", name="why_ladder"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(UID_CHARS[1]), unique=True, default=new_uid)
    slug: Mapped[str] = mapped_column(String(TAG_CHARS[1]), unique=True)
    title: Mapped[str] = mapped_column(Text)
    why: Mapped[str] = mapped_column(Text, default="")
    # The answers to "why does that matter to you?" that led to `why`, first asked first
    # (a JSON list of texts; the last is `why`), or None for a goal made without them.
    why_ladder: Mapped[str | None] = mapped_column(Text)
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
        CheckConstraint(_in("source", Source), name="source"),
        Index("ix_actions_status_due_on", "status", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(UID_CHARS[1]), unique=True, default=new_uid)
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
        CheckConstraint(_between("mood", MOOD, nullable=True), name="mood"),
        CheckConstraint(_between("energy", ENERGY, nullable=True), name="energy"),
        CheckConstraint(_in("source", Source), name="source"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(UID_CHARS[1]), unique=True, default=new_uid)
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


class LLMCall(Base):
    """One attempt at a model call, kept as data: what it was for, what it cost, how it went.
    Never the messages or the key: those stay out of the database."""

    __tablename__ = "llm_calls"
    __table_args__ = (
        CheckConstraint(_in("status", CallStatus), name="status"),
        CheckConstraint(_not_negative("input_tokens", "output_tokens", "cost_usd",
                                      "latency_ms"), name="amounts"),
        CheckConstraint("first_token_ms IS NULL OR first_token_ms >= 0", name="first_token"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utc_now, index=True)
    purpose: Mapped[str] = mapped_column(String(40))  # "daily_reflection", "llm_test", ...
    model: Mapped[str] = mapped_column(String(MODEL_CHARS[1]))
    prompt_name: Mapped[str | None] = mapped_column(String(PROMPT_NAME_CHARS[1]))
    prompt_version: Mapped[str | None] = mapped_column(String(PROMPT_VERSION_CHARS[1]))
    input_tokens: Mapped[int] = mapped_column(Integer, default=0)
    output_tokens: Mapped[int] = mapped_column(Integer, default=0)
    cost_usd: Mapped[float] = mapped_column(Float, default=0.0)
    latency_ms: Mapped[int] = mapped_column(Integer, default=0)
    first_token_ms: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    error_kind: Mapped[str | None] = mapped_column(String(40))
    error: Mapped[str | None] = mapped_column(Text)  # redacted: never a key


class Reflection(Base):
    """What the companion said about a period (a day, for now), and what the user said."""

    __tablename__ = "reflections"
    __table_args__ = (
        CheckConstraint(_in("kind", ReflectionKind), name="kind"),
        Index("ix_reflections_kind_period", "kind", "period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(UID_CHARS[1]), unique=True, default=new_uid)
    kind: Mapped[str] = mapped_column(String(REFLECTION_KIND_CHARS[1]))  # "daily"
    period: Mapped[date]  # the journal day it reflects on
    prompt_name: Mapped[str | None] = mapped_column(String(PROMPT_NAME_CHARS[1]))
    prompt_version: Mapped[str | None] = mapped_column(String(PROMPT_VERSION_CHARS[1]))
    # None: the plain, data-based one
    model: Mapped[str | None] = mapped_column(String(MODEL_CHARS[1]))
    content: Mapped[str] = mapped_column(Text)  # what was shown
    structured: Mapped[str | None] = mapped_column(Text)  # the parsed JSON, when it parsed
    raw: Mapped[str | None] = mapped_column(Text)  # the reply as received, when it did not
    user_words: Mapped[str | None] = mapped_column(Text)  # how the user said the day went
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now, onupdate=utc_now)


class DayWords(Base):
    """The user's own words on a journal day: how it went, what got in the way, mood and
    energy (1-5). One row a day, saved as they type."""

    __tablename__ = "day_words"
    __table_args__ = (
        CheckConstraint(_between("mood", MOOD, nullable=True), name="mood"),
        CheckConstraint(_between("energy", ENERGY, nullable=True), name="energy"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(unique=True)
    how_it_went: Mapped[str] = mapped_column(Text, default="")
    in_the_way: Mapped[str] = mapped_column(Text, default="")
    mood: Mapped[int | None] = mapped_column(Integer)
    energy: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now, onupdate=utc_now)


class Summary(Base):
    """A digest of a day or a week, made once and reused as memory at a bounded cost."""

    __tablename__ = "summaries"
    __table_args__ = (
        UniqueConstraint("kind", "period_start", name="uq_summaries_kind_start"),
        CheckConstraint(_in("kind", SummaryKind), name="kind"),
        CheckConstraint(_in("source", SummarySource), name="source"),
        CheckConstraint("period_end >= period_start", name="period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))  # "day" | "week" | "month"
    period_start: Mapped[date]
    period_end: Mapped[date]  # inclusive
    content: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(16))  # "model" | "plain"
    model: Mapped[str | None] = mapped_column(String(MODEL_CHARS[1]))
    prompt_version: Mapped[str | None] = mapped_column(String(PROMPT_VERSION_CHARS[1]))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class Feedback(Base):
    """The user's word on something the companion did (did it help?)."""

    __tablename__ = "feedback"
    __table_args__ = (
        CheckConstraint(_in("target_kind", FeedbackTarget), name="target_kind"),
        CheckConstraint(_between("rating", RATING), name="rating"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uid)
    target_kind: Mapped[str] = mapped_column(String(16))  # "reflection" | "nudge"
    target_id: Mapped[int] = mapped_column(Integer)
    rating: Mapped[int] = mapped_column(Integer)  # -1 not helpful, 0 neutral, 1 helpful
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class Nudge(Base):
    """One nudge shown to the user, and what they did with it: the learner's evidence."""

    __tablename__ = "nudges"
    __table_args__ = (
        CheckConstraint(f"response IS NULL OR {_in('response', NudgeResponse)}",
                        name="response"),
        CheckConstraint(_in("style", NudgeStyle), name="style"),
        CheckConstraint(_in("source", NudgeSource), name="source"),
        CheckConstraint(_between("hour_bucket", HOUR), name="hour"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uid)
    created_at: Mapped[datetime] = mapped_column(default=utc_now, index=True)  # when shown
    action_id: Mapped[int | None] = mapped_column(
        ForeignKey("actions.id", ondelete="SET NULL"), index=True)
    goal_id: Mapped[int | None] = mapped_column(ForeignKey("goals.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    # the wording style the learner tried
    style: Mapped[str] = mapped_column(String(NUDGE_STYLE_CHARS[1]))
    hour_bucket: Mapped[int] = mapped_column(Integer)  # local hour it was shown, 0-23
    reason: Mapped[str] = mapped_column(Text, default="")  # the rule that chose it
    source: Mapped[str] = mapped_column(String(NUDGE_SOURCE_CHARS[1]),
                                        default="plain")  # "model" | "plain"
    response: Mapped[str | None] = mapped_column(String(16))
    responded_at: Mapped[datetime | None]


class FocusSession(Base):
    """Time given to one step: local to this device (see storage.sync.tables)."""

    __tablename__ = "focus_sessions"
    __table_args__ = (
        CheckConstraint("planned_seconds BETWEEN 60 AND 86400", name="planned"),
        CheckConstraint("paused_seconds >= 0", name="paused"),
        # "outcome IS NOT NULL": `NULL IN (...)` is NULL, and a CHECK passes on NULL.
        CheckConstraint("(ended_at IS NULL AND outcome IS NULL) OR (ended_at IS NOT NULL AND "
                        f"outcome IS NOT NULL AND {_in('outcome', FocusOutcome)})",
                        name="outcome"),
        # At most one session runs at a time: a trigger (0010_focus) refuses a second.
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(UID_CHARS[1]), unique=True, default=new_uid)
    action_id: Mapped[int | None] = mapped_column(
        ForeignKey("actions.id", ondelete="SET NULL"), index=True)
    nudge_id: Mapped[int | None] = mapped_column(ForeignKey("nudges.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(Text)  # the step's words when it was started
    estimate_minutes: Mapped[int | None] = mapped_column(Integer)  # the guess it started with
    started_at: Mapped[datetime] = mapped_column(index=True)
    planned_seconds: Mapped[int] = mapped_column(Integer)  # grows with "5 more minutes"
    paused_at: Mapped[datetime | None]  # set while paused
    paused_seconds: Mapped[int] = mapped_column(Integer, default=0)
    ended_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(16))


class JobRun(Base):
    """The last run of each scheduled job, so a restart neither repeats nor skips work."""

    __tablename__ = "job_runs"
    __table_args__ = (CheckConstraint(_in("last_status", JobStatus), name="status"),)

    job_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_run_at: Mapped[datetime]
    last_status: Mapped[str] = mapped_column(String(16))  # "ok" | "error" | "skipped"
    detail: Mapped[str | None] = mapped_column(Text)


class SchemaRepair(Base):
    """Rows a migration changed or removed because they held a value outside the
    vocabulary (0011_vocabulary_checks): counted by old value, reported by `wise doctor`.
    Local to this device and never exported: it describes this file's history."""

    __tablename__ = "schema_repairs"
    __table_args__ = (CheckConstraint("row_count > 0", name="row_count"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    revision: Mapped[str] = mapped_column(String(40))
    tbl: Mapped[str] = mapped_column(String(40))
    col: Mapped[str] = mapped_column(String(40))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)  # in words; None: rows removed
    row_count: Mapped[int] = mapped_column(Integer)
    repaired_at: Mapped[datetime]
