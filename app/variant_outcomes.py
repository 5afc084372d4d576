"""What the user did with a break-down's steps and a goal review's suggestions, for the
prompt variant that made them: the evidence that chooses those purposes' variants
(app/prompt_choice.py), as ratings choose the daily reflection's.

The honest signal for each:
- a break-down: of the steps the model proposed, how many the user kept (ticked and
  added) when the window closed; a proposal they added nothing from counts as 0 kept;
- a goal review: for each goal the model reviewed and the user answered, whether they took
  its suggestion (paused, retired or added the step it offered; "Keep" when it said keep)
  or declined it ("Keep" when it suggested a change). A card left unanswered says nothing.

Neither is a journal row (nothing about the journal changes, and a CHECK'd feedback kind
would need a migration), so they are kept in the data folder beside state.json:
`variant-outcomes.json`, the newest KEEP of them, local to this machine like the model
memory. "What Wise has learned"'s reset forgets them by moment (learning_since).
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from storage.private import write_private_atomically

log = logging.getLogger(__name__)

FILE = "variant-outcomes.json"
KEEP = 500  # the newest outcomes; a sampler needs no more, and the file stays small
PURPOSES = ("breakdown", "goal_review")
_lock = threading.Lock()  # the tray records from its writer thread; tests from any


@dataclass(frozen=True)
class Outcome:
    purpose: str  # "breakdown" | "goal_review"
    variant: str  # the variant's name ("fewer")
    kept: int  # steps kept / suggestions taken
    offered: int  # steps proposed / suggestions answered (>= 1)
    at: str  # ISO moment, aware


def path_in(data_dir: Path) -> Path:
    return Path(data_dir) / FILE


def record(data_dir: Path, purpose: str, variant: str, kept: int, offered: int,
           at: datetime | None = None) -> Outcome | None:
    """Remember one outcome. Nothing is kept for an unknown purpose or variant, or for
    nothing offered (so a damaged caller cannot teach the sampler nonsense)."""
    from prompts.variants import VariantError
    from prompts.variants import variant as declared

    if purpose not in PURPOSES or offered < 1 or not 0 <= kept <= offered:
        return None
    try:
        declared(purpose, variant)
    except VariantError:
        return None
    moment = (at or datetime.now(UTC)).isoformat(timespec="seconds")
    outcome = Outcome(purpose, variant, int(kept), int(offered), moment)
    path = path_in(data_dir)
    with _lock:
        kept_before = _read(path)
        data = [asdict(o) for o in [*kept_before, outcome][-KEEP:]]
        try:
            write_private_atomically(path, json.dumps(data).encode("utf-8"), durable=False)
        except OSError as exc:  # a preference lost costs little; the user's work goes on
            log.warning("could not remember which %s suited you: %s", purpose, exc)
            return None
    return outcome


def outcomes(data_dir: Path, since: datetime | None = None) -> list[Outcome]:
    """The outcomes kept, oldest first; with `since`, only those from then on."""
    found = _read(path_in(data_dir))
    if since is None:
        return found
    since = since if since.tzinfo else since.astimezone()
    return [o for o in found if _after(o.at, since)]


def _after(text: str, since: datetime) -> bool:
    moment = _moment(text)
    return moment is not None and moment >= since


def _read(path: Path) -> list[Outcome]:
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []  # missing or damaged: start afresh rather than fail
    found = []
    for row in rows if isinstance(rows, list) else []:
        try:
            outcome = Outcome(str(row["purpose"]), str(row["variant"]), int(row["kept"]),
                              int(row["offered"]), str(row["at"]))
        except (KeyError, TypeError, ValueError):
            continue
        if outcome.offered >= 1 and 0 <= outcome.kept <= outcome.offered:
            found.append(outcome)
    return found


def _moment(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
