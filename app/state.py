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
        if not self.nudges_paused_until:
            return False
        try:
            return datetime.fromisoformat(self.nudges_paused_until) > now
        except ValueError:
            return False


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
