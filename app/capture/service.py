"""Capture: one line of text, understood and durably committed, or kept safe if it cannot be.

Imports only the standard library and the sqlite3 capture path: this is the hot path of
`wise capture`, and the tray uses the same function.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from app.capture.ack import CaptureAck
from app.capture.parser import ParsedCapture, parse_capture
from app.capture.preview import due_phrase
from app.capture.rescue import keep_unsaved
from app.capture.validate import REPLACED_WARNING, broken_characters, validate_capture_text
from app.daytime import journal_day, local_now
from app.errors import WiseError
from app.journal import Context
from storage.capture_writer import CaptureRow, CaptureWriter, SavedCapture, write_capture
from storage.errors import StorageError

KIND_WORDS = {"note": "note", "todo": "to-do", "win": "win"}


class CaptureNotSaved(WiseError):
    """The journal could not take a capture. The message says why and where the text was
    kept, never the text itself: it may end up in a log. `text` is there for the person's
    own screen (a terminal, the capture window) when it could not be kept on disk."""

    def __init__(self, reason: str, kept_in: Path | None, text: str) -> None:
        self.reason = reason
        self.kept_in = kept_in
        self.text = text
        where = (f"Your text is kept in {kept_in} and nothing is lost." if kept_in else
                 "Your text could not be kept on disk either.")
        super().__init__(f"{reason}\n{where}")

    def for_terminal(self) -> str:
        """The message, with the text to copy when it is nowhere else."""
        if self.kept_in is not None:
            return str(self)
        return f"{self}\nHere it is to copy:\n{self.text}"


@dataclass(frozen=True)
class CaptureOutcome:
    parsed: ParsedCapture
    saved: SavedCapture
    summary: str  # "to-do 12: call mum (goal Family, due tomorrow)", for people
    warnings: tuple[str, ...] = ()  # what was changed in the text to save it

    def ack(self) -> CaptureAck:
        """The acknowledgement: what the CLI prints with --json and the tray sends back."""
        parsed, saved = self.parsed, self.saved
        return CaptureAck(
            saved=True,
            kind=parsed.kind,
            table=saved.table,
            id=saved.id,
            uid=saved.uid,
            text=parsed.text,
            goal=saved.goal_slug,
            goal_title=saved.goal_title,
            tags=tuple(saved.tags),
            due_on=parsed.due.date().isoformat() if parsed.due else None,
            due_at=(None if parsed.due is None or parsed.due_all_day
                    else parsed.due.isoformat()),
            estimate_minutes=parsed.estimate_minutes,
            already_open=saved.already_open,
            summary=self.summary,
            notice=parsed.far_due.notice() if parsed.far_due else None,
            warnings=tuple(self.warnings),
        )


def capture(context: Context, text: str, *, source: str = "capture",
            now: datetime | None = None, uid: str | None = None,
            writer: CaptureWriter | None = None) -> CaptureOutcome:
    """Validate, understand and durably commit one capture. `uid` (optional) makes a retry
    of the same capture harmless: a second write with it finds the first. A long-lived
    process passes its `writer` (one kept-open connection); others get a one-shot write.
    `now`, when given, is a local time, as Wise's clock gives it."""
    warnings = (REPLACED_WARNING,) if broken_characters(text) else ()
    text = validate_capture_text(text)
    now = now or local_now()
    parsed = parse_capture(text, now, context.day_start_hour, local=True)
    row = CaptureRow(
        kind=parsed.kind,
        text=parsed.text,
        raw_text=parsed.raw,
        tags=parsed.tags,
        due_on=parsed.due.date() if parsed.due else None,
        due_at=None if parsed.due is None or parsed.due_all_day else parsed.due,
        estimate_minutes=parsed.estimate_minutes,
        source=source,
        uid=uid,
    )
    try:
        context.prepare_storage()
        moment = now.astimezone(UTC)
        saved = (writer.write(row, moment) if writer is not None
                 else write_capture(context.paths.db, row, moment))
    except StorageError as exc:
        raise CaptureNotSaved(str(exc), keep_unsaved(context.paths.rescue_file, text),
                              text) from exc
    return CaptureOutcome(parsed, saved, summarize(parsed, saved,
                                                   journal_day(now, context.day_start_hour)),
                          warnings)


def capture_step(context: Context, text: str, *,
                 writer: CaptureWriter | None = None) -> CaptureOutcome:
    """A step typed where steps are planned (the reflection window's "add"): the capture
    language as everywhere, but text that says nothing of its kind is a to-do."""
    parsed = parse_capture(text, local_now(), context.day_start_hour, local=True)
    return capture(context, text if parsed.kind == "todo" else f"[ ] {text}", writer=writer)


def summarize(parsed: ParsedCapture, saved: SavedCapture, today: date) -> str:
    details = []
    if saved.goal_title:
        details.append(f"goal {saved.goal_title}")
    if parsed.due is not None:
        details.append(f"due {due_phrase(parsed.due, parsed.due_all_day, today)}")
    if parsed.estimate_minutes:
        details.append(f"~{parsed.estimate_minutes} min")
    if saved.tags:
        details.append(" ".join(f"#{tag}" for tag in saved.tags))
    suffix = f" ({', '.join(details)})" if details else ""
    line = parsed.text.replace("\n", " ⏎ ")
    if len(line) > 70:
        line = line[:69] + "…"
    if saved.already_open:  # the goal had this step open: that step is the one (see storage)
        return f"already open as {KIND_WORDS[parsed.kind]} {saved.id}: {line}{suffix}"
    return f"{KIND_WORDS[parsed.kind]} {saved.id}: {line}{suffix}"
