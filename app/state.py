"""Small runtime state that survives restarts but is not a setting (e.g. nudges paused until)."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path


@dataclass
class RuntimeState:
    nudges_paused_until: str | None = None  # ISO moment, aware
    learning_since: str | None = None  # ISO moment: the nudge learner forgets what came before

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
                            learning_since=data.get("learning_since"))
    except (OSError, ValueError, AttributeError):
        return RuntimeState()  # missing or damaged: start fresh rather than fail


def save_state(path: Path, state: RuntimeState) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    fd = os.open(partial, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(asdict(state), handle)
    os.replace(partial, path)
