"""The journal's vocabulary and limits for the windows and the CLI: storage declares them
once (storage/vocabulary.py, storage/limits.py) and the database refuses anything else;
ui/ reaches them here, since it reaches storage/ only through app/."""

from __future__ import annotations

from storage.limits import CADENCE_PER_WEEK, ENERGY, HOUR, MOOD, RATING, STEP_MINUTES
from storage.vocabulary import (
    ActionStatus,
    EntryKind,
    FeedbackTarget,
    GoalStatus,
    NudgeResponse,
    NudgeSource,
    NudgeStyle,
    ReflectionKind,
    Source,
    SummaryKind,
    SummarySource,
)

__all__ = ["CADENCE_PER_WEEK", "ENERGY", "HOUR", "MOOD", "RATING", "STEP_MINUTES",
           "ActionStatus", "EntryKind", "FeedbackTarget", "GoalStatus", "NudgeResponse",
           "NudgeSource", "NudgeStyle", "ReflectionKind", "Source", "SummaryKind",
           "SummarySource"]
