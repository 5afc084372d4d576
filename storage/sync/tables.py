"""Which tables sync, how each row is known on every device, and which columns travel.

A row's *key* is what names it on every device (never the local integer id, which differs
from device to device): the `uid` where a table has one, the natural unique key where it is
truly global (a day's words are the day's; a summary is its kind and period; a tag is its
name; a tag link is its item's uid and the tag's name). References to other rows travel as
the referenced row's key and become local ids again on arrival.

Migration 0008_sync writes triggers from a frozen copy of this list; a test keeps the two
and the live schema in step, so a new column cannot silently stay out of sync.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Separates the parts of a composite key (the ASCII unit separator: no tag, day or kind
# holds it).
KEY_SEP = "\x1f"


@dataclass(frozen=True)
class Ref:
    """A column holding another row's local id; it travels as that row's key."""

    table: str | None  # the referenced table; None: chosen by the value of `by`
    by: str | None = None  # the column naming the referenced kind (feedback.target_kind)
    choices: tuple[tuple[str, str], ...] = ()  # (value of `by`, table)
    required: bool = False  # True: the row cannot exist without it (NOT NULL)

    def table_for(self, by_value: object) -> str | None:
        if self.table is not None:
            return self.table
        return dict(self.choices).get(str(by_value))


@dataclass(frozen=True)
class SyncedTable:
    name: str
    key: tuple[str, ...]  # local columns forming the key
    fields: tuple[str, ...]  # the columns that travel, besides the key and the id
    required: tuple[str, ...] = ()  # fields a row cannot be created without
    refs: dict[str, Ref] = field(default_factory=dict)  # field or key column -> Ref
    long_texts: tuple[str, ...] = ()  # edited on two devices: both versions are kept
    # A natural key can be made again after a delete (a tag link removed, then added): its
    # existence is last-writer-wins. A uid is never made again: its delete is final.
    revivable: bool = False

    @property
    def key_is_uid(self) -> bool:
        return self.key == ("uid",)


_GOAL = Ref("goals")
_TIMES = ("created_at", "updated_at")

TABLES: tuple[SyncedTable, ...] = (
    SyncedTable(
        "goals", ("uid",),
        ("slug", "title", "why", "why_ladder", "status", "cadence_per_week", *_TIMES),
        required=("slug", "title", "why", "status", *_TIMES),
        long_texts=("why",)),
    SyncedTable("tags", ("name",), (), revivable=True),
    SyncedTable(
        "actions", ("uid",),
        ("title", "goal_id", "status", "estimate_minutes", "due_on", "due_at", "done_at",
         "source", "raw_text", *_TIMES),
        required=("title", "status", "source", *_TIMES),
        refs={"goal_id": _GOAL}),
    SyncedTable(
        "entries", ("uid",),
        ("text", "kind", "goal_id", "mood", "energy", "source", "raw_text", *_TIMES),
        required=("text", "kind", "source", *_TIMES),
        refs={"goal_id": _GOAL},
        long_texts=("text",)),
    SyncedTable(
        "entry_tags", ("entry_id", "tag_id"), (),
        refs={"entry_id": Ref("entries", required=True), "tag_id": Ref("tags", required=True)},
        revivable=True),
    SyncedTable(
        "action_tags", ("action_id", "tag_id"), (),
        refs={"action_id": Ref("actions", required=True),
              "tag_id": Ref("tags", required=True)},
        revivable=True),
    SyncedTable(
        "day_words", ("day",),
        ("how_it_went", "in_the_way", "mood", "energy", *_TIMES),
        required=("how_it_went", "in_the_way", *_TIMES),
        long_texts=("how_it_went", "in_the_way"),
        revivable=True),
    SyncedTable(
        "reflections", ("uid",),
        ("kind", "period", "prompt_name", "prompt_version", "model", "content", "structured",
         "raw", "user_words", *_TIMES),
        required=("kind", "period", "content", *_TIMES),
        long_texts=("user_words",)),
    SyncedTable(
        "summaries", ("kind", "period_start"),
        ("period_end", "content", "source", "model", "prompt_version", "created_at"),
        required=("period_end", "content", "source", "created_at"),
        long_texts=("content",),
        revivable=True),
    SyncedTable(
        "nudges", ("uid",),
        ("created_at", "action_id", "goal_id", "text", "style", "hour_bucket", "reason",
         "source", "response", "responded_at"),
        required=("created_at", "text", "style", "hour_bucket", "reason", "source"),
        refs={"action_id": Ref("actions"), "goal_id": _GOAL}),
    SyncedTable(
        "feedback", ("uid",),
        ("target_kind", "target_id", "rating", "note", "created_at"),
        required=("target_kind", "target_id", "rating", "created_at"),
        refs={"target_id": Ref(None, by="target_kind",
                               choices=(("reflection", "reflections"), ("nudge", "nudges")),
                               required=True)}),
)

BY_NAME: dict[str, SyncedTable] = {table.name: table for table in TABLES}

# Local to each device, never synced: the model-call log, the scheduler's bookkeeping,
# what a migration repaired (wise doctor reports it),
# and sync's own state. Settings and drafts are files, not tables.
# Focus sessions too: a running session is a timer on this device (two devices merging
# one field by field could leave a session paused here and ended there), and the time
# given is this device's record; the JSON export carries them all.
LOCAL_TABLES = ("llm_calls", "job_runs", "schema_repairs", "alembic_version",
                "focus_sessions")


def key_parts(key: str) -> list[str]:
    return key.split(KEY_SEP)


def make_key(*parts: str) -> str:
    return KEY_SEP.join(parts)
