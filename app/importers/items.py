"""What every importer makes of a record of another app: an `Item` (a note, a to-do or a
win, in the journal's terms), with a uid that the source record alone decides, so that
importing the same file twice finds the first import's rows and adds nothing."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from app.capture.validate import broken_characters
from storage.limits import TAG_CHARS
from storage.vocabulary import ActionStatus, EntryKind, Source

# Wise's own namespace for the uids of imported records (a UUID5 of the source record's
# identity in it): fixed forever, or a second import would not find the first.
_NAMESPACE = uuid.UUID("6b1d5a3e-8f0c-5d2e-9a47-3c1e0f6b2d90")
_NOT_TAG_CHARACTERS = re.compile(r"[^\w-]+")
_LETTER = re.compile(r"[^\W\d_]")
_BROKEN = re.compile("[\ud800-\udfff\x00]")  # lone surrogates (from JSON "\ud83d"), NUL

NOTE, TODO, WIN = "note", "todo", "win"
# What the summary says of tags and text an importer could not take as written.
UNUSABLE_TAGS = "tags with no letter, or longer than 80 characters (the words stay in the text)"
BROKEN_TEXT = "records with characters that are not Unicode, each replaced by �"


def stable_uid(*identity: str) -> str:
    """A uid that the same identity always gives (UUID5), and another identity never."""
    name = "\x1f".join(identity)
    # A lone surrogate (an id escaped as "\ud800" in JSON) has no UTF-8 form: spelled out.
    name = name.encode("utf-8", "backslashreplace").decode("utf-8")
    return str(uuid.uuid5(_NAMESPACE, name))


def tag_name(written: str) -> str | None:
    """The journal's #tag for a tag as another app wrote it ("@Work", "+GarageSale",
    "road trip"): lowercased, with runs of anything but letters, digits, _ and - made one
    "-", as the capture language would read it. None when nothing is left that a capture
    could type (no letter), or it is longer than a tag can be."""
    name = _NOT_TAG_CHARACTERS.sub("-", written.lstrip("#@+").lower()).strip("-")
    if not name or _LETTER.search(name) is None or len(name) > TAG_CHARS[1]:
        return None
    return name


def clean_text(text: str) -> tuple[str, bool]:
    """The text without characters SQLite cannot keep or a capture refuses (half an emoji
    escaped alone in JSON, NUL), each replaced by U+FFFD; and whether any was."""
    if broken_characters(text) or "\x00" in text:
        return _BROKEN.sub("\ufffd", text), True
    return text, False


@dataclass(frozen=True)
class Item:
    """One record of the source, ready for the journal."""

    kind: str  # NOTE, TODO or WIN
    uid: str
    text: str
    created: datetime  # aware
    where: str  # "journal.json, line 120": starts any message about it
    tags: tuple[str, ...] = ()  # in the order written; the first naming a goal links it
    updated: datetime | None = None
    raw_text: str | None = None  # the line as written, when it went through the capture
    due_on: date | None = None
    due_at: datetime | None = None
    done_at: datetime | None = None
    estimate_minutes: int | None = None

    def record(self) -> tuple[str, str, dict[str, Any]]:
        """(section, where, fields) in the export's record form, for storage's importer."""
        created = _iso(self.created)
        common = {"uid": self.uid, "goal": None, "source": Source.IMPORT.value,
                  "raw_text": self.raw_text, "tags": list(dict.fromkeys(self.tags)),
                  "created_at": created,
                  "updated_at": _iso(self.updated) if self.updated else created}
        if self.kind == NOTE:
            return "entries", self.where, {
                "text": self.text, "kind": EntryKind.NOTE.value, "mood": None,
                "energy": None, **common}
        done = self.kind == WIN
        return "actions", self.where, {
            "title": self.text,
            "status": (ActionStatus.DONE if done else ActionStatus.OPEN).value,
            "estimate_minutes": self.estimate_minutes,
            "due_on": self.due_on.isoformat() if self.due_on else None,
            "due_at": _iso(self.due_at) if self.due_at else None,
            "done_at": _iso(self.done_at or self.created) if done else None,
            **common}


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()
