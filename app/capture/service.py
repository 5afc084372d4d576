"""Capture: one line of text, understood and durably committed, or kept safe if it cannot be.

Imports only the standard library and the sqlite3 capture path: this is the hot path of
`wise capture`, and the tray uses the same function.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime

from app.capture.parser import MAX_CAPTURE_CHARS, ParsedCapture, parse_capture
from app.errors import BadInput, WiseError
from app.journal import Context
from storage.capture_writer import CaptureRow, SavedCapture, write_capture
from storage.errors import StorageError


@dataclass(frozen=True)
class CaptureOutcome:
    parsed: ParsedCapture
    saved: SavedCapture


def validate_capture_text(text: str) -> str:
    """The text to save, or BadInput saying what is wrong with it."""
    if "\x00" in text:
        raise BadInput("the text contains NUL bytes (is it a binary file?); nothing was saved")
    if not text.strip():
        raise BadInput("nothing to capture: the text is empty")
    if len(text) > MAX_CAPTURE_CHARS:
        raise BadInput(f"the text is {len(text):,} characters long; a capture holds at most "
                       f"{MAX_CAPTURE_CHARS:,}. Nothing was saved.")
    # Line endings from Windows clipboards and trailing newlines from pipes are not content.
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def capture(context: Context, text: str, *, source: str = "capture",
            now: datetime | None = None) -> CaptureOutcome:
    text = validate_capture_text(text)
    now = now or datetime.now().astimezone()
    parsed = parse_capture(text, now, context.day_start_hour)
    row = CaptureRow(
        kind=parsed.kind,
        text=parsed.text,
        raw_text=parsed.raw,
        tags=parsed.tags,
        due_on=parsed.due.date() if parsed.due else None,
        due_at=None if parsed.due is None or parsed.due_all_day else parsed.due,
        estimate_minutes=parsed.estimate_minutes,
        source=source,
    )
    try:
        context.prepare_storage()
        saved = write_capture(context.paths.db, row, now.astimezone(UTC))
    except StorageError as exc:
        raise WiseError(f"{exc}\n{rescue(context, text)}") from exc
    return CaptureOutcome(parsed, saved)


def rescue(context: Context, text: str) -> str:
    """Keep text that could not be saved; returns a sentence saying where it is."""
    path = context.paths.rescue_file
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_CREAT | os.O_APPEND | os.O_WRONLY, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as handle:
            stamp = datetime.now().astimezone().isoformat(timespec="seconds")
            handle.write(f"{stamp}\t{text!r}\n")
            handle.flush()
            os.fsync(handle.fileno())
    except OSError:
        return f"Your text could not be kept on disk either; here it is to copy:\n{text}"
    return f"Your text is kept in {path} and nothing is lost."
