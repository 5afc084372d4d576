"""Small runtime state that survives restarts but is not a setting (e.g. nudges paused until)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from storage.private import write_private_atomically


@dataclass
class RuntimeState:
    nudges_paused_until: str | None = None  # ISO moment, aware
    learning_since: str | None = None  # ISO moment: the nudge learner forgets what came before
    # "finished" or "skipped": the first-run welcome is never shown on its own again.
    welcome: str | None = None

    def nudges_paused(self, now: datetime) -> bool:
        until = self.paused_until()
        return until is not None and until > now

    def paused_until(self) -> datetime | None:
        """When the nudge pause ends; None when there is none (or it cannot be read)."""
        return _moment(self.nudges_paused_until)

    def learning_reset_at(self) -> datetime | None:
        """When "What Wise has learned" was last reset; None when never."""
        return _moment(self.learning_since)


def _moment(text: str | None) -> datetime | None:
    """A moment this file holds -> an aware datetime: the one reader of them. Wise writes
    them aware; a naive one (written by hand) is taken as local time, and a damaged one
    as none, so a bad file never stops the tray."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo else moment.astimezone()


def load_state(path: Path) -> RuntimeState:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return RuntimeState(nudges_paused_until=data.get("nudges_paused_until"),
                            learning_since=data.get("learning_since"),
                            welcome=data.get("welcome"))
    except (OSError, ValueError, AttributeError):
        return RuntimeState()  # missing or damaged: start fresh rather than fail


def save_state(path: Path, state: RuntimeState) -> None:
    # Not flushed to disk: losing a pause to a power cut costs nothing worth two fsyncs.
    write_private_atomically(path, json.dumps(asdict(state)).encode("utf-8"), durable=False)
