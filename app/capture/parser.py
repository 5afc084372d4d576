"""The capture language: one typed line becomes a note, a to-do or a win, with tags, a due
moment and an estimate. A pure function, stdlib only, cheap to import (CLI fast path).

Reading order: a marker at the start decides the kind; then, from the end of the line
backwards, the trailing run of metadata (tags, one due expression, one estimate) is
consumed; an estimate elsewhere in the line is consumed too. Everything else stays in
`text` as typed, so nothing the user wrote is ever lost (see `parse_capture`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from app.capture import dates
from app.capture.validate import MAX_CAPTURE_CHARS  # noqa: F401 - part of this API
from storage.limits import STEP_MINUTES, TAG_CHARS

MAX_ESTIMATE_MINUTES = STEP_MINUTES[1]
MAX_TAG_CHARS = TAG_CHARS[1]  # a longer "#word" stays text: the journal could not keep it


@dataclass(frozen=True, slots=True)
class Span:
    start: int  # index into raw
    end: int
    kind: str  # "marker" | "tag" | "due" | "estimate"


@dataclass(frozen=True, slots=True)
class ParsedCapture:
    raw: str  # the input exactly as typed
    kind: str  # "note" | "todo" | "win"
    text: str  # raw minus the consumed spans (see _remove_spans), stripped
    tags: tuple[str, ...]  # lowercased, in order of appearance, de-duplicated, without '#'
    due: datetime | None  # same tzinfo as `now` (with local=True: local, that day's offset)
    due_all_day: bool  # True when only a day was given: local midnight of that date
    estimate_minutes: int | None
    spans: tuple[Span, ...]  # every part understood and removed from text, sorted by start
    # A due expression too far from today to be one (a mistyped year): left in `text`,
    # and said so (`FarDue.notice`); None when there was none.
    far_due: FarDue | None = None


@dataclass(frozen=True, slots=True)
class FarDue:
    words: str  # as typed: "0226-12-01 09:30"
    day: date
    today: date  # the journal day it was read against

    def notice(self) -> str:
        return (f"{self.words} is kept as text, not as a due date: it is "
                f"{dates.far_phrase(self.day, self.today)}")


# Markers, case-insensitive, after leading whitespace. A lone "+" needs a space or a letter
# after it, so "+1" and "+33 6 12 34 56 78" stay notes.
_MARKER = re.compile(
    r"\s*(?:"
    r"(?P<todo>\[ ?\]|todo:|t:)"
    r"|(?P<win>\[x\]|done:|did:|\+(?=\s|[^\W\d_]))"
    r"|(?P<note>note:)"
    r")",
    re.IGNORECASE,
)
_TOKEN = re.compile(r"\S+")
# Not after a word character ("C#", "a#b"), a slash (URL fragments) or another '#'.
_TAG = re.compile(r"(?<![\w/#])#([\w-]+)")
_TAG_TOKEN = re.compile(r"#[\w-]+")
_LETTER = re.compile(r"[^\W\d_]")  # a tag needs one: "#1" is a number, not a tag


class _Reading:
    """What was understood in the body of the line (after the marker)."""

    __slots__ = ("due", "estimate", "far_due", "spans")

    def __init__(self) -> None:
        self.spans: list[Span] = []
        self.due: dates.Due | None = None
        self.estimate: int | None = None
        self.far_due: FarDue | None = None


def parse_capture(raw: str, now: datetime, day_start_hour: int = 4, *,
                  local: bool = False) -> ParsedCapture:
    """Read one capture. Never raises for a str; `now` is the aware local moment of capture.
    Wise passes `local=True` (its clock's local time): a due time on another day then takes
    that day's offset, across a daylight-saving change too (see dates.Context).

    Guarantees: every non-space character of `raw` is in exactly one span or in `text`;
    spans are sorted, disjoint and in bounds; the same input and `now` give the same result.
    """
    marker_kind, marker_spans, body_start = _read_marker(raw)
    tokens = [(m.start(), m.end()) for m in _TOKEN.finditer(raw, body_start)]
    ctx = _context(now, day_start_hour, local) if marker_kind in (None, "todo") else None
    allow_estimate = marker_kind != "note"  # "note:" is the escape hatch: tags only

    reading = _read_body(raw, tokens, ctx, allow_estimate)
    if _is_weak(reading, marker_kind):
        reading = _read_body(raw, tokens, None, allow_estimate)

    spans = sorted(marker_spans + reading.spans, key=lambda span: span.start)
    text = _remove_spans(raw, spans)
    if not text and reading.spans:
        # The line is all metadata ("tomorrow", "#family"): keep its words as the title.
        reading, spans = _Reading(), marker_spans
        text = _remove_spans(raw, spans)

    due = reading.due
    understood_todo = due is not None or reading.estimate is not None
    return ParsedCapture(
        raw=raw,
        kind=marker_kind or ("todo" if understood_todo else "note"),
        text=text,
        tags=_tags(raw, body_start),
        due=due.when if due else None,
        due_all_day=due.all_day if due else False,
        estimate_minutes=reading.estimate,
        spans=tuple(spans),
        far_due=reading.far_due,
    )


def _read_marker(raw: str) -> tuple[str | None, list[Span], int]:
    """(kind the marker sets or None, its span, where the body starts)."""
    match = _MARKER.match(raw)
    if match is None:
        return None, [], 0
    kind = match.lastgroup
    assert kind is not None  # each of _MARKER's alternatives is a named group
    start, end = match.span(kind)
    return kind, [Span(start, end, "marker")], end


def _context(now: datetime, day_start_hour: int, local: bool) -> dates.Context | None:
    try:
        return dates.Context(now, day_start_hour, local)
    except (OverflowError, ValueError, TypeError, AttributeError):
        return None  # a `now` at the edge of the calendar: understand no due rather than crash


def _read_body(
    raw: str, tokens: list[tuple[int, int]], ctx: dates.Context | None, allow_estimate: bool
) -> _Reading:
    """Consume the trailing run of metadata, then an estimate anywhere before it."""
    reading = _Reading()
    first_kept = _read_trailing_run(raw, tokens, ctx, allow_estimate, reading)
    if allow_estimate and reading.estimate is None:
        _read_inline_estimate(raw, tokens[:first_kept], reading)
    return reading


def _read_trailing_run(
    raw: str,
    tokens: list[tuple[int, int]],
    ctx: dates.Context | None,
    allow_estimate: bool,
    reading: _Reading,
) -> int:
    """Walk back from the end while tokens are metadata; return the index where it stopped.

    Only one due and one estimate count: a second, earlier one ends the run and stays text.
    """
    j = len(tokens)
    while j > 0:
        start, end = tokens[j - 1]
        word = raw[start:end]
        if _is_tag_token(word):
            reading.spans.append(Span(start, end, "tag"))
            j -= 1
        elif allow_estimate and reading.estimate is None and (minutes := _estimate(word)):
            reading.estimate = minutes
            reading.spans.append(Span(start, end, "estimate"))
            j -= 1
        elif ctx and reading.due is None and (found := _due_ending_at(raw, tokens, j, ctx)):
            n_words, due = found
            start = tokens[j - n_words][0]
            if due.far:  # not a due: its words stay text, and the run of metadata ends
                reading.far_due = FarDue(raw[start:end], due.when.date(), ctx.today)
                break
            reading.due = due
            reading.spans.append(Span(start, end, "due"))
            j -= n_words
        else:
            break
    return j


def _read_inline_estimate(raw: str, tokens: list[tuple[int, int]], reading: _Reading) -> None:
    """The last estimate in the sentence itself: "write ~30m report"."""
    for start, end in reversed(tokens):
        if raw[start] == "~" and (minutes := _estimate(raw[start:end])):
            reading.estimate = minutes
            reading.spans.append(Span(start, end, "estimate"))
            return


def _due_ending_at(
    raw: str, tokens: list[tuple[int, int]], j: int, ctx: dates.Context
) -> tuple[int, dates.Due] | None:
    """The longest due expression made of the tokens just before index j: (its length, due)."""
    first = max(0, j - dates.MAX_DUE_WORDS)
    words = [raw[start:end].lower() for start, end in tokens[first:j]]
    for n_words in range(len(words), 0, -1):
        due = dates.parse_due(words[-n_words:], ctx)
        if due is None:
            continue
        before = j - n_words - 1
        if before >= 0 and raw[slice(*tokens[before])].lower() in dates.BLOCKERS:
            return None  # "last friday", "every monday at 9": not a due, and not a shorter one
        return n_words, due
    return None


def _is_weak(reading: _Reading, marker_kind: str | None) -> bool:
    """A lone "today"/"tonight"/"sat"/"sun" makes a to-do only with a marker or an estimate.

    People write "felt great today" as a note.
    """
    due = reading.due
    return (
        due is not None and due.weak and marker_kind != "todo" and reading.estimate is None
    )


def _estimate(word: str) -> int | None:
    """Minutes for "~10m", "~1.5h", "~1h30m", "~90min"; None outside (0, 24h]."""
    if not word.startswith("~"):
        return None
    duration = dates.parse_duration([word[1:].lower()])
    if duration is None or duration[1]:
        return None  # days are not an estimate
    minutes = duration[0]
    return minutes if 0 < minutes <= MAX_ESTIMATE_MINUTES else None


def _is_tag_token(word: str) -> bool:
    return (_TAG_TOKEN.fullmatch(word) is not None and _has_letter(word)
            and len(word) - 1 <= MAX_TAG_CHARS)


def _has_letter(name: str) -> bool:
    return _LETTER.search(name) is not None


def _tags(raw: str, body_start: int) -> tuple[str, ...]:
    """Every tag in the line, in or out of the text: lowercased, first occurrence first."""
    seen: dict[str, None] = {}
    for match in _TAG.finditer(raw, body_start):
        name = match[1]
        if _has_letter(name) and len(name) <= MAX_TAG_CHARS:
            seen.setdefault(name.lower(), None)
    return tuple(seen)


def _remove_spans(raw: str, spans: list[Span]) -> str:
    """raw without the spans, stripped.

    Only the whitespace around a removed span is touched: it collapses to one space, or to
    one newline if it held a line break, so multi-line captures keep their lines. All other
    spacing stays exactly as typed.
    """
    if not spans:
        return raw.strip()
    pieces = []
    position = 0
    for span in spans:
        pieces.append(raw[position : span.start])
        position = span.end
    pieces.append(raw[position:])

    out: list[str] = []
    gap = ""  # the separator owed before the next kept text: "", " " or "\n"
    last = len(pieces) - 1
    for index, piece in enumerate(pieces):
        if index > 0:  # preceded by a removed span
            kept = piece.lstrip()
            gap = _widest(gap, piece[: len(piece) - len(kept)])
            piece = kept
        trailing = ""
        if index < last:  # followed by a removed span
            kept = piece.rstrip()
            trailing = piece[len(kept) :]
            piece = kept
        if piece:
            if out:
                out.append(gap)
            out.append(piece)
            gap = ""
        gap = _widest(gap, trailing)
    return "".join(out).strip()


def _widest(gap: str, whitespace: str) -> str:
    if gap == "\n" or "\n" in whitespace:
        return "\n"
    return " " if gap or whitespace else ""
