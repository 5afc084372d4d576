"""The journal's vocabulary, declared once: statuses, kinds, sources and responses.

Standard library only, so that the sqlite3 writers (capture, the ritual windows) and the
tray check against the same words as the SQLAlchemy models, the exporter and the
importer; the database refuses anything else (CHECK constraints).
"""

from __future__ import annotations

from enum import StrEnum


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


class CallStatus(StrEnum):
    OK = "ok"
    ERROR = "error"
    CANCELLED = "cancelled"


class NudgeResponse(StrEnum):
    DONE = "done"
    SNOOZE = "snooze"
    NOT_TODAY = "not_today"
    IGNORED = "ignored"  # no response before it expired
    OPENED = "opened"  # clicked through to a window, no verdict
    STARTED = "started"  # a focus session was started from it (the learner's best news)


class FocusOutcome(StrEnum):
    """How a focus session ended. A running session has none."""

    DONE = "done"  # the step was done
    STOPPED = "stopped"  # the user stopped here (never a failure)
    INTERRUPTED = "interrupted"  # Wise quit or crashed while it ran; found on restart
