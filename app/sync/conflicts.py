"""Sync conflicts as the windows show them, and their answer: the same text was changed on
two devices that had not seen each other's edit, so both versions were kept (SYNC.md,
"Long texts"). A window shows the conflicts of the text it holds (the day's words, a
goal's why) and answers them here, as `wise sync resolve` does: keep the text as it is,
the other version, or the two merged by hand. Standard library only: the tray imports it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from storage.ritual_writes import MAX_WHY_CHARS, MAX_WORDS_CHARS
from storage.sync.hlc import to_datetime
from storage.sync.store import Conflict, SyncStore

KEEPS = ("current", "other", "merged")  # the answers to a conflict
FIELD_NAMES = {("day_words", "how_it_went"): "How the day went",
               ("day_words", "in_the_way"): "What got in the way",
               ("goals", "why"): "Why it matters"}
_LIMITS = {("day_words", "how_it_went"): MAX_WORDS_CHARS,
           ("day_words", "in_the_way"): MAX_WORDS_CHARS, ("goals", "why"): MAX_WHY_CHARS}
DEVICE_SHOWN = 6  # characters of a device id shown to tell devices apart


@dataclass(frozen=True)
class TextConflict:
    """One open conflict on a text, as its window says it."""

    id: int
    field: str  # the column: "how_it_went", "in_the_way", "why"
    label: str  # "How the day went"
    current: str | None  # the text as it is now (None: its row was deleted)
    other: str  # the version that was not kept
    other_device: str  # "this device" or "device 4f2kq7"
    other_at: datetime | None  # when the other version was written (local time)
    current_device: str
    current_at: datetime | None
    reason: str  # "edited" (both edited it) | "deleted" (edited here, deleted there)


def _device_words(device: str, this_device: str | None) -> str:
    if not device:
        return "another device"
    return "this device" if device == this_device else f"device {device[:DEVICE_SHOWN]}"


def _moment(hlc: int) -> datetime | None:
    return to_datetime(hlc).astimezone() if hlc > 0 else None


def _view(conflict: Conflict, this_device: str | None) -> TextConflict:
    current_hlc, current_device = conflict.current_version
    return TextConflict(
        conflict.id, conflict.field,
        FIELD_NAMES.get((conflict.table, conflict.field), conflict.field.replace("_", " ")),
        conflict.current, conflict.other, _device_words(conflict.other_device, this_device),
        _moment(conflict.other_hlc), _device_words(current_device, this_device),
        _moment(current_hlc), conflict.reason)


def _open(db: Path, table: str, key: str | None) -> list[TextConflict]:
    if key is None:
        return []
    store = SyncStore(db)
    try:
        this_device = store.state().device
        return [_view(c, this_device) for c in store.conflicts(table=table, key=key)]
    finally:
        store.close()


def day_conflicts(db: Path, day: date) -> list[TextConflict]:
    """Open conflicts on the day's words of `day` (how it went, what got in the way)."""
    return _open(db, "day_words", day.isoformat())


def goal_conflicts(db: Path, goal_id: int) -> list[TextConflict]:
    """Open conflicts on a goal's why."""
    store = SyncStore(db)
    try:
        uid = store.goal_uid(goal_id)
    finally:
        store.close()
    return _open(db, "goals", uid)


@dataclass(frozen=True)
class ConflictPlace:
    """Where an open conflict's text lives: the day's words of `day`, or the why of goal
    `goal_id` (one of the two is set)."""

    day: date | None = None
    goal_id: int | None = None


def first_conflict_place(db: Path) -> ConflictPlace | None:
    """Where the first open conflict a window can show lives (the tray's "N conflicts to
    answer" takes the user there); None when there is none. A conflict on a goal deleted
    here has no page to show it on: `wise sync resolve` answers it."""
    store = SyncStore(db)
    try:
        for conflict in store.conflicts():
            if conflict.table == "day_words":
                return ConflictPlace(day=date.fromisoformat(conflict.key))
            if conflict.table == "goals":
                goal_id = store.goal_id(conflict.key)
                if goal_id is not None:
                    return ConflictPlace(goal_id=goal_id)
        return None
    finally:
        store.close()


def open_conflict_count(db: Path) -> int:
    store = SyncStore(db)
    try:
        return store.counts()["open_conflicts"]
    finally:
        store.close()


def resolve_conflict(db: Path, conflict_id: int, keep: str,
                     text: str | None = None) -> Conflict:
    """Answer conflict `conflict_id` for every device: keep the text as it is ("current"),
    the other version ("other"), or `text`, the two merged by the user ("merged"). Raises
    ValueError with a sentence for the user when it cannot be done; then nothing changed."""
    if keep not in KEEPS:
        raise ValueError(f"keep is one of {', '.join(KEEPS)}, not {keep!r}")
    if (keep == "merged") != (text is not None):
        raise ValueError("a merged text is given when, and only when, keep is 'merged'")
    store = SyncStore(db)
    try:
        if text is not None:
            text = text.strip()
            found = [c for c in store.conflicts() if c.id == conflict_id]
            limit = _LIMITS.get((found[0].table, found[0].field)) if found else None
            if limit is not None and len(text) > limit:
                raise ValueError(f"the merged text holds at most {limit:,} characters "
                                 f"({len(text):,} given)")
        return store.resolve(conflict_id, use_other=keep == "other", text=text)
    finally:
        store.close()
