"""`wise capture`: text from the command line or standard input into the journal."""

from __future__ import annotations

import sys
from argparse import Namespace

from app.capture.parser import MAX_CAPTURE_CHARS
from app.capture.service import CaptureOutcome, capture
from app.cli.output import emit, short_day, warn
from app.daytime import journal_day, local_now
from app.errors import BadInput
from app.journal import Context

KIND_WORDS = {"note": "note", "todo": "to-do", "win": "win"}


def run(args: Namespace) -> int:
    if args.text == ["-"]:
        text = read_stdin()
    elif args.text:
        text = " ".join(args.text)
    else:
        raise BadInput("nothing to capture: give the text in quotes, or '-' to read "
                       "standard input")
    context = Context.from_environment()
    for message in context.settings.warnings:
        warn(message)
    outcome = capture(context, text, source="capture")
    emit(args, describe_json(outcome), describe(outcome, context.day_start_hour))
    return 0


def read_stdin() -> str:
    # Read bytes, not text: the decoding decisions below are ours to make and to explain.
    limit = MAX_CAPTURE_CHARS * 4 + 1  # the most bytes MAX_CAPTURE_CHARS UTF-8 chars can take
    data = sys.stdin.buffer.read(limit + 1)
    if len(data) > limit:
        raise BadInput(f"standard input is longer than a capture may be "
                       f"({MAX_CAPTURE_CHARS:,} characters); nothing was saved")
    if b"\x00" in data:
        raise BadInput("standard input contains NUL bytes (is it a binary file?); "
                       "nothing was saved")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        warn("standard input is not valid UTF-8; undecodable bytes were replaced by �")
        return data.decode("utf-8", errors="replace")


def describe(outcome: CaptureOutcome, day_start_hour: int) -> str:
    parsed, saved = outcome.parsed, outcome.saved
    details = []
    if saved.goal_title:
        details.append(f"goal {saved.goal_title}")
    if parsed.due is not None:
        today = journal_day(local_now(), day_start_hour)
        due = f"due {short_day(parsed.due.date(), today)}"
        if not parsed.due_all_day:
            due += f" at {parsed.due:%H:%M}"
        details.append(due)
    if parsed.estimate_minutes:
        details.append(f"~{parsed.estimate_minutes} min")
    if saved.tags:
        details.append(" ".join(f"#{tag}" for tag in saved.tags))
    suffix = f" ({', '.join(details)})" if details else ""
    return f"Saved {KIND_WORDS[parsed.kind]} {saved.id}: {_one_line(parsed.text)}{suffix}"


def describe_json(outcome: CaptureOutcome) -> dict:
    parsed, saved = outcome.parsed, outcome.saved
    return {
        "saved": True,
        "kind": parsed.kind,
        "table": saved.table,
        "id": saved.id,
        "uid": saved.uid,
        "text": parsed.text,
        "goal": saved.goal_slug,
        "tags": list(saved.tags),
        "due_on": parsed.due.date().isoformat() if parsed.due else None,
        "due_at": None if parsed.due is None or parsed.due_all_day else parsed.due.isoformat(),
        "estimate_minutes": parsed.estimate_minutes,
    }


def _one_line(text: str, width: int = 70) -> str:
    line = text.replace("\n", " ⏎ ")
    return line if len(line) <= width else line[: width - 1] + "…"
