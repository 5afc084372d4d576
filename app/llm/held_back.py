"""The model replies the quality gate held back, as a window shows them (typed, newest
first, each with the reason in words). Kept by app.llm.model_memory; never shown as the
companion's words, only as "what the model said" for a person who wants to look."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from app.llm.gate import RULES
from app.llm.model_memory import ModelMemory

PURPOSE_WORDS = {"daily_reflection": "reflection", "goal_review": "goal review",
                 "breakdown": "break-down", "nudge": "nudge", "llm_test": "model test"}


@dataclass(frozen=True)
class HeldBackReply:
    at: datetime | None  # local time
    purpose: str  # in words: "reflection", "nudge"...
    model: str
    reason: str  # "The reply kept repeating itself."
    detail: str  # the rule's own finding, e.g. the repeated words
    text: str  # what the model said, as it said it


def held_back_replies(data_dir: Path) -> list[HeldBackReply]:
    """The kept replies, newest first (at most model_memory.REFUSED_KEEP)."""
    replies = []
    for record in reversed(ModelMemory(data_dir).refused()):
        try:
            at = datetime.fromtimestamp(float(record.get("at") or 0))
        except (TypeError, ValueError, OverflowError, OSError):
            at = None
        purpose = str(record.get("purpose") or "")
        rule = str(record.get("rule") or "")
        replies.append(HeldBackReply(
            at=at, purpose=PURPOSE_WORDS.get(purpose, purpose.replace("_", " ")),
            model=str(record.get("model") or ""),
            reason=f"The reply {RULES.get(rule, 'was not usable')}.",
            detail=str(record.get("detail") or ""), text=str(record.get("text") or "")))
    return replies
