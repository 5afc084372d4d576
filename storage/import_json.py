"""Import a "wise-journal" JSON export: all or nothing, streamed, and safe to repeat.

The format, and what importing does with existing goals and uids, is described in
`storage.export_json`. Files in the export's own layout (one record per line) are read
line by line, so memory stays flat however large they are (a line is read no further
than any record can be long); any other valid JSON layout (say, after `jq .`) is read
with `json.load` as a whole, which needs memory in proportion to the file, so it is
bounded (256 MB). Nesting and numbers beyond anything an export holds are refused.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, BinaryIO, TypeGuard

from storage import limits
from storage.db import Tx, writing
from storage.errors import ImportRejected
from storage.export_json import (
    CHUNK_SIZE,
    FORMAT_NAME,
    FORMAT_VERSION,
    SECTIONS,
    SECTIONS_BY_VERSION,
    TransferCounts,
)
from storage.ids import new_uid
from storage.ritual_writes import SUMMARY_DELETED
from storage.timeutil import to_db
from storage.vocabulary import (
    ActionStatus,
    EntryKind,
    FeedbackTarget,
    FocusOutcome,
    GoalStatus,
    NudgeResponse,
    NudgeSource,
    NudgeStyle,
    ReflectionKind,
    Source,
    SummaryKind,
    SummarySource,
)

# The header line is short; reading at most this much of line 1 keeps a huge one-line file
# (say, `jq -c` output) from being read twice before we fall back to json.load.
_HEADER_LIMIT = 64 * 1024
# A pipe is copied aside (in memory up to this size, then to a temporary file).
_SPOOL_IN_MEMORY = 16 * 1024 * 1024
# How much of the start is checked for signs of a binary file.
_SNIFF_SIZE = 8192
# No record of an export is near this long (a day's words, the longest text, are at most
# 100,000 characters); a longer line is read no further than this.
_MAX_LINE_BYTES = limits.IMPORT_RECORD_BYTES
# A file in another layout is read whole (json.load needs several times its size in
# memory): above this, it is refused instead of exhausting the machine.
_MAX_DOCUMENT_BYTES = 256 * 1024 * 1024
# A pipe is copied aside to be read (it cannot be read twice), so it takes that much disk:
# bounded as a document is (a larger export imports from a file, read where it lies).
_MAX_PIPE_BYTES = _MAX_DOCUMENT_BYTES
_COPY_CHUNK = 1024 * 1024
# Every number in an export fits SQLite's 64-bit integers (19 digits); a longer one is
# refused before Python spends time converting it (and it refuses 4,300 digits anyway).
_MAX_DIGITS = limits.IMPORT_NUMBER_DIGITS

_NOUN = {"goals": "goal", "actions": "action", "entries": "entry", "day_words": "day words",
         "reflections": "reflection", "summaries": "summary", "nudges": "nudge",
         "feedback": "feedback", "focus_sessions": "focus session"}
# Feedback about something no longer in the journal keeps its rating with this target id,
# which no row has (SQLite's row ids start at 1).
_NO_TARGET = 0

# A record as the reader hands it on: its list, where it is (for messages), its fields.
_Record = tuple[str, str, dict[str, Any]]


def import_json(db: Path, source: BinaryIO) -> TransferCounts:
    """Import an export into the journal at `db` in one transaction; returns the counts of
    NEW rows.

    Raises ImportRejected, naming the first problem, and imports nothing, if anything in
    the file is unusable.
    """
    if source.seekable():
        return _import_seekable(db, source)
    # A pipe cannot be re-read for the json.load fallback, so it is copied aside first.
    with tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY) as spool:
        if _copy_at_most(source, spool, _MAX_PIPE_BYTES + 1) > _MAX_PIPE_BYTES:
            raise ImportRejected(
                f"the export came through a pipe and is larger than "
                f"{_MAX_PIPE_BYTES // 2**20} MB, more than Wise copies aside to read; "
                "nothing was imported. Save it to a file and import the file (a file as "
                "`wise export` wrote it is read where it lies, whatever its size).")
        spool.seek(0)
        return _import_seekable(db, spool)  # type: ignore[arg-type]  # a binary file, typed apart


def _copy_at_most(source: BinaryIO, target: Any, limit: int) -> int:
    """Copy until the source ends or `limit` bytes were copied; how many were."""
    copied = 0
    while copied < limit and (chunk := source.read(min(_COPY_CHUNK, limit - copied))):
        target.write(chunk)
        copied += len(chunk)
    return copied


def _import_seekable(db: Path, source: BinaryIO) -> TransferCounts:
    start = source.tell()
    _refuse_non_text(source.read(_SNIFF_SIZE))
    source.seek(start)
    try:
        return _import(db, _line_records(source))
    except _NotOurLayout:
        # The transaction was rolled back; read the file again, as a whole this time.
        source.seek(start)
        return _import(db, _document_records(source))


class _NotOurLayout(Exception):
    """The file is not laid out one record per line (it may still be valid JSON)."""


def _import(db: Path, records: Iterator[_Record]) -> TransferCounts:
    # One write transaction (BEGIN IMMEDIATE): committed once every record is in, rolled
    # back whole at the first refusal.
    with writing(db) as tx:
        importer = _Importer(tx)
        for section, where, data in records:
            importer.add(section, where, data)
        importer.finish()
    return importer.counts()


@dataclass(frozen=True)
class RecordsImported:
    """What `import_records` did with the actions and entries it was given."""

    counts: TransferCounts  # rows added
    already_there: int  # records whose uid the journal had (an earlier import): left as is
    repeated: int  # records the source held more than once, word for word: written once
    linked_to_goals: int  # records joined to a goal because one of their tags is its #tag


class _DryRun(Exception):
    """Raised inside the transaction to roll back an import that was only a rehearsal."""


def import_records(db: Path, records: Iterable[_Record], *,
                   dry_run: bool = False) -> RecordsImported:
    """Import actions and entries made from another app's export (app.importers), as
    (section, where, fields) in the export's record form, in one transaction.

    As for an export, the first unusable record raises ImportRejected (`where` starts its
    message) and nothing is imported, and a uid already in the journal is skipped. Unlike
    an export, a uid the source gives twice is a record given twice (the same entry in two
    of Day One's journals, a line written twice): written once if the two agree, refused
    if they differ. The first tag naming a goal links the record to that goal, as in a
    capture. `dry_run`: everything is checked and counted, then rolled back.
    """
    importer: _Importer | None = None
    try:
        with writing(db) as tx:
            importer = _Importer(tx, from_other_app=True)
            for section, where, data in records:
                if section not in _OTHER_APP_SECTIONS:
                    raise ValueError(f"{section} cannot come from another app")
                importer.add(section, where, data)
            importer.finish()
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    assert importer is not None
    return RecordsImported(importer.counts(), importer.already_there, importer.repeated,
                           importer.linked_to_goals)


# --- Reading ------------------------------------------------------------------------------


def _line_records(source: BinaryIO) -> Iterator[_Record]:
    """Records of a file in the export's own layout, read one line at a time.

    Raises _NotOurLayout at the first line that does not fit the layout, so that the
    caller can retry with json.load (which also gives the exact message for invalid JSON).
    """
    first = source.readline(_HEADER_LIMIT)
    if not first.strip():
        raise _NotOurLayout  # maybe empty, maybe just a blank first line: let json.load say
    header_line = _decode(first, 1).removeprefix("\ufeff").strip()
    if not (header_line.startswith("{") and header_line.endswith(",")):
        raise _NotOurLayout
    try:
        header = _loads(header_line[:-1] + "}")
    except (ValueError, RecursionError, _NumberTooLong):
        raise _NotOurLayout from None
    sections = SECTIONS_BY_VERSION[_check_header(header)]
    lines = _numbered_lines(source, first_number=2)
    for index, section in enumerate(sections):
        opening = next(lines, (0, ""))[1]
        if opening.strip() != f'"{section}": [':
            raise _NotOurLayout
        closing = "]}" if index == len(sections) - 1 else "],"
        yield from _list_records(lines, section, closing)
    if any(text.strip() for _, text in lines):
        raise _NotOurLayout


def _list_records(lines: Iterator[tuple[int, str]], section: str,
                  closing: str) -> Iterator[_Record]:
    comma_owed: bool | None = None  # None: no record yet in this list
    for number, text in lines:
        text = text.strip()
        if text == closing:
            if comma_owed:  # a comma before "]" is not JSON
                raise _NotOurLayout
            return
        if comma_owed is False:  # two records with no comma between them
            raise _NotOurLayout
        body = text.removesuffix(",")
        comma_owed = body != text
        try:
            record = _loads(body)
        except ValueError:
            raise _NotOurLayout from None
        except RecursionError:
            raise ImportRejected(f"line {number}: the JSON is nested far deeper than any "
                                 "record of a Wise export, so it is not one") from None
        except _NumberTooLong as exc:
            raise ImportRejected(f"line {number}: {exc}") from None
        if not isinstance(record, dict):
            raise _NotOurLayout
        yield section, f"line {number}", record
    raise _NotOurLayout  # the file ended inside the list


def _numbered_lines(source: BinaryIO, first_number: int) -> Iterator[tuple[int, str]]:
    number = first_number
    while raw := source.readline(_MAX_LINE_BYTES + 1):
        if len(raw) > _MAX_LINE_BYTES:  # read no further: no record is this long
            raise ImportRejected(
                f"line {number} is longer than {_MAX_LINE_BYTES // 2**20} MB; no record of a "
                "Wise export is, so the file is damaged or not an export")
        yield number, _decode(raw, number)
        number += 1


class _NumberTooLong(Exception):
    """A number in the file with more digits than any number in an export."""


def _whole_number_text(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > _MAX_DIGITS:
        raise _NumberTooLong(f"a number with {digits:,} digits; the numbers in a Wise export "
                             f"have at most {_MAX_DIGITS}, so it is not one")
    return int(text)


def _loads(text: str) -> Any:
    return json.loads(text, parse_int=_whole_number_text)


def _decode(raw: bytes, number: int) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ImportRejected(
            f"line {number}: the file is not UTF-8 text, so it is not a Wise export"
        ) from None


def _refuse_non_text(start: bytes) -> None:
    if start.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportRejected("the file is UTF-16 text; a Wise export is UTF-8 (save it as "
                             "UTF-8, or use the file `wise export` wrote)")
    if start.startswith(b"SQLite format 3\x00"):
        raise ImportRejected("this is an SQLite database (perhaps a journal itself), not an "
                             "export; make one with `wise export --format json`")
    if b"\x00" in start:
        raise ImportRejected("this is a binary file, not a Wise export (which is JSON text)")


def _document_records(source: BinaryIO) -> Iterator[_Record]:
    """Records of an export in any JSON layout; reads the whole file into memory, so a file
    above _MAX_DOCUMENT_BYTES is refused unread."""
    start = source.tell()
    size = source.seek(0, os.SEEK_END) - start
    source.seek(start)
    if size > _MAX_DOCUMENT_BYTES:
        raise ImportRejected(
            f"the file is larger than {_MAX_DOCUMENT_BYTES // 2**20} MB and not laid out one "
            "record per line, as `wise export` writes it; Wise would have to read it into "
            "memory whole, so it refuses. Import the file as `wise export` wrote it.")
    data = source.read()
    if not data.strip():
        raise ImportRejected("the file is empty, so it is not a Wise export")
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        number = data[:exc.start].count(b"\n") + 1
        raise ImportRejected(
            f"line {number}: the file is not UTF-8 text, so it is not a Wise export") from None
    del data
    try:
        document = _loads(text)
    except json.JSONDecodeError as exc:
        raise ImportRejected(
            f"line {exc.lineno}: this is not valid JSON ({exc.msg} at column {exc.colno}), "
            "so it is not a Wise export (or it was cut short)") from None
    except RecursionError:
        raise ImportRejected("the JSON is nested far deeper than a Wise export, so it is "
                             "not one") from None
    except _NumberTooLong as exc:
        raise ImportRejected(str(exc)) from None
    del text
    for section in SECTIONS_BY_VERSION[_check_header(document)]:
        records = document.get(section)
        if not isinstance(records, list):
            raise ImportRejected(f"the export has no {section!r} list; it is incomplete")
        for index, record in enumerate(records):
            where = f".{section}[{index}]"  # the jq path, to find it with `jq '.goals[3]'`
            if not isinstance(record, dict):
                raise ImportRejected(
                    f"{where}: expected a JSON object describing one {_NOUN[section]}")
            yield section, where, record


def _check_header(header: object) -> int:
    """The file's format version, once the header shows it is an export Wise can read."""
    if not isinstance(header, dict) or "format" not in header:
        raise ImportRejected("this is not a Wise export: it has no 'format' field "
                             f"(a Wise export says \"format\": \"{FORMAT_NAME}\")")
    if header["format"] != FORMAT_NAME:
        raise ImportRejected(f"this is not a Wise export: its format is "
                             f"{_show(header['format'])}, not '{FORMAT_NAME}'")
    version = header.get("version")
    if not _is_int(version):
        raise ImportRejected("the export has no valid 'version' (expected a whole number)")
    if version > FORMAT_VERSION:
        raise ImportRejected(
            f"this export was written by a newer Wise (format version {version}; this Wise "
            f"reads version {FORMAT_VERSION}); update Wise to import it")
    if version not in SECTIONS_BY_VERSION:
        raise ImportRejected(f"the export has an unknown format version {version}")
    return int(version)


# --- Checking fields ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Field:
    """One field of a record: how to turn its JSON value into a column value."""

    name: str
    parse: Callable[[Any], Any]  # raises ValueError when the value is unusable
    expected: str  # completes "…; expected ___"
    nullable: bool = False
    absent_ok: bool = False  # a field older versions did not write: the column's default
    # Added in this format version: older files have no such field, read as null (a
    # newer file without it is read the same way: nothing is lost by that).
    since_version: int = 1


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)  # JSON true is not 1


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError
    if not value.isascii():
        value.encode("utf-8")  # a lone surrogate (from a "\ud800" escape) cannot be stored
    return value


def _text_of_length(low: int, high: int) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        if not low <= len(_text(value)) <= high:
            raise ValueError
        return value
    return parse


def _whole_number(low: int, high: int) -> Callable[[Any], int]:
    def parse(value: Any) -> int:
        if not _is_int(value) or not low <= value <= high:
            raise ValueError
        return int(value)
    return parse


def _timestamp(value: Any) -> datetime:
    moment = datetime.fromisoformat(_text(value))
    if moment.tzinfo is None:
        raise ValueError
    return moment.astimezone(UTC)


def _day(value: Any) -> date:
    return date.fromisoformat(_text(value))


def _chars(limit: tuple[int, int]) -> str:
    low, high = limit
    return f"text of {low} to {high} characters" if low else f"text of up to {high} characters"


def _text_field(name: str, limit: tuple[int, int], *, nullable: bool = False) -> _Field:
    return _Field(name, _text_of_length(*limit), _chars(limit), nullable=nullable)


def _number_field(name: str, limit: tuple[int, int], *, nullable: bool = False) -> _Field:
    return _Field(name, _whole_number(*limit), f"a whole number from {limit[0]} to {limit[1]}",
                  nullable=nullable)


_UID_TEXT = _text_of_length(*limits.UID_CHARS)
_TAG = _text_of_length(*limits.TAG_CHARS)


def _why_ladder(value: Any) -> str:
    """The answers as the journal keeps them: JSON text of the list."""
    if not isinstance(value, list) or len(value) > limits.WHY_LADDER_STEPS[1]:
        raise ValueError
    return json.dumps([_text(step) for step in value], ensure_ascii=False)


def _tag_list(value: Any) -> list[str]:
    if not isinstance(value, list):
        raise ValueError
    return sorted({_TAG(name) for name in value})  # a repeated tag is still one tag


def _enum_field(name: str, enum: type[StrEnum]) -> _Field:
    values = [member.value for member in enum]

    def parse(value: Any) -> str:
        if value not in values:  # also refuses non-strings
            raise ValueError
        return str(value)
    expected = values[0] if len(values) == 1 else f"{', '.join(values[:-1])} or {values[-1]}"
    return _Field(name, parse, expected)


# A nudge has no uid: feedback names it by its key, (when it was shown, its action's uid).
_NudgeKey = tuple[datetime, str | None]


def _nudge_key(value: Any) -> _NudgeKey:
    if not isinstance(value, dict):
        raise ValueError
    key = _feedback_target(value)
    if isinstance(key, str):
        raise ValueError
    return key


def _feedback_target(value: Any) -> str | _NudgeKey:
    if isinstance(value, dict):
        if set(value) != {"created_at", "action"}:
            raise ValueError
        action = value["action"]
        return (_timestamp(value["created_at"]),
                None if action is None else _UID_TEXT(action))
    return _UID_TEXT(value)


_UID = _Field("uid", _UID_TEXT, _chars(limits.UID_CHARS))
_TIMESTAMP_EXPECTED = "an ISO 8601 time with its UTC offset, like 2026-11-26T18:00:00+00:00"
_CREATED = _Field("created_at", _timestamp, _TIMESTAMP_EXPECTED)
_UPDATED = _Field("updated_at", _timestamp, _TIMESTAMP_EXPECTED)
_GOAL_REF = _Field("goal", _UID_TEXT, "a goal's uid", nullable=True)
_SOURCE = _enum_field("source", Source)
_RAW_TEXT = _Field("raw_text", _text, "text", nullable=True)
_TAGS = _Field("tags", _tag_list, f"a list of tag names ({_chars(limits.TAG_CHARS)} each)")

_FIELDS: dict[str, tuple[_Field, ...]] = {
    "goals": (
        _UID,
        _Field("slug", _TAG, _chars(limits.TAG_CHARS)),
        _Field("title", _text, "text"),
        _Field("why", _text, "text"),
        _Field("why_ladder", _why_ladder,
               f"a list of at most {limits.WHY_LADDER_STEPS[1]} texts", nullable=True,
               since_version=4),
        _enum_field("status", GoalStatus),
        _number_field("cadence_per_week", limits.CADENCE_PER_WEEK, nullable=True),
        _CREATED,
        _UPDATED,
    ),
    "actions": (
        _UID,
        _Field("title", _text, "text"),
        _GOAL_REF,
        _enum_field("status", ActionStatus),
        # The upper bound is SQLite's integer range, not a judgement about long tasks.
        _Field("estimate_minutes", _whole_number(*limits.ESTIMATE_MINUTES),
               "a whole number of minutes above 0", nullable=True),
        _Field("due_on", _day, "a date like 2026-11-27", nullable=True),
        _Field("due_at", _timestamp, _TIMESTAMP_EXPECTED, nullable=True),
        _Field("done_at", _timestamp, _TIMESTAMP_EXPECTED, nullable=True),
        _SOURCE,
        _RAW_TEXT,
        _TAGS,
        _CREATED,
        _UPDATED,
    ),
    "entries": (
        _UID,
        _Field("text", _text, "text"),
        _enum_field("kind", EntryKind),
        _GOAL_REF,
        _number_field("mood", limits.MOOD, nullable=True),
        _number_field("energy", limits.ENERGY, nullable=True),
        _SOURCE,
        _RAW_TEXT,
        _TAGS,
        _CREATED,
        _UPDATED,
    ),
    "day_words": (
        _Field("day", _day, "a date like 2026-11-27"),
        _Field("how_it_went", _text, "text"),
        _Field("in_the_way", _text, "text"),
        _number_field("mood", limits.MOOD, nullable=True),
        _number_field("energy", limits.ENERGY, nullable=True),
        _CREATED,
        _UPDATED,
    ),
    "reflections": (
        _UID,
        _enum_field("kind", ReflectionKind),
        _Field("period", _day, "a date like 2026-11-27"),
        _text_field("prompt_name", limits.PROMPT_NAME_CHARS, nullable=True),
        _text_field("prompt_version", limits.PROMPT_VERSION_CHARS, nullable=True),
        _text_field("model", limits.MODEL_CHARS, nullable=True),
        _Field("content", _text, "text"),
        _Field("structured", _text, "text", nullable=True),
        _Field("raw", _text, "text", nullable=True),
        _Field("user_words", _text, "text", nullable=True),
        _CREATED,
        _UPDATED,
    ),
    "summaries": (
        _enum_field("kind", SummaryKind),
        _Field("period_start", _day, "a date like 2026-11-27"),
        _Field("period_end", _day, "a date like 2026-11-27"),
        _Field("content", _text, "text"),
        _enum_field("source", SummarySource),
        _text_field("model", limits.MODEL_CHARS, nullable=True),
        _text_field("prompt_version", limits.PROMPT_VERSION_CHARS, nullable=True),
        _CREATED,
    ),
    "nudges": (
        replace(_UID, absent_ok=True),  # since version 3
        _CREATED,
        _Field("action", _UID_TEXT, "an action's uid", nullable=True),
        _GOAL_REF,
        _Field("text", _text, "text"),
        _enum_field("style", NudgeStyle),
        _number_field("hour_bucket", limits.HOUR),
        _Field("reason", _text, "text"),
        _enum_field("source", NudgeSource),
        replace(_enum_field("response", NudgeResponse), nullable=True),
        _Field("responded_at", _timestamp, _TIMESTAMP_EXPECTED, nullable=True),
    ),
    "focus_sessions": (
        _UID,
        _Field("action", _UID_TEXT, "an action's uid", nullable=True),
        _Field("nudge", _nudge_key, 'a nudge\'s key {"created_at": …, "action": …}',
               nullable=True),
        _Field("title", _text, "text"),
        _number_field("estimate_minutes", limits.STEP_MINUTES, nullable=True),
        _Field("started_at", _timestamp, _TIMESTAMP_EXPECTED),
        _number_field("planned_seconds", limits.FOCUS_SECONDS),
        _Field("paused_at", _timestamp, _TIMESTAMP_EXPECTED, nullable=True),
        _number_field("paused_seconds", limits.FOCUS_PAUSED_SECONDS),
        _Field("ended_at", _timestamp, _TIMESTAMP_EXPECTED, nullable=True),
        replace(_enum_field("outcome", FocusOutcome), nullable=True),
    ),
    "feedback": (
        replace(_UID, absent_ok=True),  # since version 3
        _enum_field("target_kind", FeedbackTarget),
        _Field("target", _feedback_target, "a reflection's uid, or a nudge's key "
               '{"created_at": …, "action": …}', nullable=True),
        _Field("rating", _whole_number(*limits.RATING), "-1, 0 or 1"),
        _Field("note", _text, "text", nullable=True),
        _CREATED,
    ),
}


def _show(value: object) -> str:
    """A field's value as quoted in a message, cut short if long."""
    if isinstance(value, str):
        # backslashreplace: a lone surrogate must not make the message itself unprintable
        shown = "'" + value.encode("utf-8", "backslashreplace").decode("utf-8") + "'"
    else:
        shown = json.dumps(value, ensure_ascii=False)
    return shown if len(shown) <= 60 else shown[:57] + "…"


def _checked(section: str, where: str, data: dict[str, Any]) -> dict[str, Any]:
    """The record's fields as column values, or ImportRejected naming the first bad one."""
    noun = _NOUN[section]
    values: dict[str, Any] = {}
    for spec in _FIELDS[section]:
        if spec.name not in data and spec.since_version > 1:
            values[spec.name] = None
            continue
        if spec.name not in data:
            if spec.absent_ok:
                continue
            raise ImportRejected(f"{where}: {noun} has no '{spec.name}' field")
        value = data[spec.name]
        if value is None and spec.nullable:
            values[spec.name] = None
            continue
        try:
            values[spec.name] = spec.parse(value)
        except (ValueError, TypeError, OverflowError):
            expected = spec.expected + (" or null" if spec.nullable else "")
            raise ImportRejected(
                f"{where}: {noun} has {spec.name} {_show(value)}; expected {expected}"
            ) from None
    return values


# --- Writing ------------------------------------------------------------------------------


# The tables of the lists that are written as they are (goals have their own path).
_TABLES = {"actions": "actions", "entries": "entries", "day_words": "day_words",
           "reflections": "reflections", "summaries": "summaries", "nudges": "nudges",
           "feedback": "feedback", "focus_sessions": "focus_sessions"}
_TARGETS = {"reflection": "reflections", "nudge": "nudges"}
# The link table of each tagged list, and its column naming the tagged row.
_TAG_LINKS = {"actions": ("action_tags", "action_id"), "entries": ("entry_tags", "entry_id")}


def _stored(value: object) -> object:
    """A checked field's value as the journal stores it (the models' column types did this
    before: a moment as naive UTC text through the one codec, a day as ISO text)."""
    if isinstance(value, datetime):
        return to_db(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _same(column: str, value: int | None) -> tuple[str, tuple[object, ...]]:
    """column = value, where NULL matches NULL (a nudge with no action)."""
    return (f"{column} IS NULL", ()) if value is None else (f"{column} = ?", (value,))


def _placeholders(count: int) -> str:
    return ", ".join("?" * count)


# A checked action or entry waiting to be written: where it was, its columns, its tags.
_Row = tuple[str, dict[str, Any], list[str]]


# What another app's export can bring: to-dos, wins and notes.
_OTHER_APP_SECTIONS = frozenset({"actions", "entries"})
# What must agree for a record given twice by another app's export to be the same one.
_SAME_RECORD = {"actions": ("title", "status", "due_on", "done_at", "created_at"),
                "entries": ("text", "created_at")}


class _Importer:
    """Writes checked records in batches, resolving uids, goals and tags as it goes.

    `from_other_app`: records made from another app's export (see import_records).
    """

    def __init__(self, tx: Tx, *, from_other_app: bool = False) -> None:
        self.tx = tx
        self.from_other_app = from_other_app
        self.created = dict.fromkeys(SECTIONS, 0)
        self.already_there = self.repeated = self.linked_to_goals = 0
        # Goals are few (tens), so all of them are kept at hand; actions and entries are
        # only ever held a batch at a time.
        self.goal_id_by_uid: dict[str, int] = dict(
            tx.execute("SELECT uid, id FROM goals").fetchall())
        self.goal_id_by_slug: dict[str, int] = dict(
            tx.execute("SELECT slug, id FROM goals").fetchall())
        self.goal_uids_in_file: set[str] = set()
        # Rows with an id from here on were written by this import: finding one of them
        # under a uid we are about to write means the file holds that uid twice.
        self.first_new_id = {section: self._next_id(table)
                             for section, table in _TABLES.items()}
        # Rows of one list waiting to be written together, one batch at a time.
        self.pending_section = ""
        self.pending: list[_Row] = []

    def _next_id(self, table: str) -> int:
        return self.tx.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()[0] + 1

    def counts(self) -> TransferCounts:
        return TransferCounts(**self.created)

    def add(self, section: str, where: str, data: dict[str, Any]) -> None:
        values = _checked(section, where, data)
        if section == "goals":
            self._add_goal(where, values)
            return
        add_ritual = _RITUAL_WRITERS.get(section)
        if add_ritual is not None:
            self.finish()  # the actions they may refer to are written first
            add_ritual(self, where, values)
            return
        values["goal_id"] = self._goal_id(values.pop("goal"), where, section)
        tags = values.pop("tags")
        if self.from_other_app and values["goal_id"] is None:
            tags = self._link_goal_by_tag(values, data["tags"], tags)
        if section != self.pending_section:
            self.finish()
            self.pending_section = section
        self.pending.append((where, values, tags))
        if len(self.pending) >= CHUNK_SIZE:
            self.finish()

    def finish(self) -> None:
        """Write whatever is waiting."""
        if self.pending:
            self._write_batch(self.pending_section, self.pending)
        self.pending = []

    def _add_goal(self, where: str, values: dict[str, Any]) -> None:
        uid, slug = values["uid"], values["slug"]
        if uid in self.goal_uids_in_file:
            raise ImportRejected(f"{where}: goal '{uid}' appears twice in the file")
        self.goal_uids_in_file.add(uid)
        if uid in self.goal_id_by_uid:
            return  # already in the journal: kept as it is
        if slug in self.goal_id_by_slug:
            # The same goal made separately elsewhere (or re-created): merge into ours,
            # and let the file's references to this uid follow.
            self.goal_id_by_uid[uid] = self.goal_id_by_slug[slug]
            return
        goal_id = self._insert_row("goals", values)
        self.goal_id_by_uid[uid] = self.goal_id_by_slug[slug] = goal_id
        self.created["goals"] += 1

    def _link_goal_by_tag(self, values: dict[str, Any], in_order: list[str],
                          tags: list[str]) -> list[str]:
        """As a capture does: the first tag that is a goal's #tag links the record to the
        goal instead of being kept as a tag. Returns the tags left."""
        for name in in_order:
            goal_id = self.goal_id_by_slug.get(name)
            if goal_id is not None:
                values["goal_id"] = goal_id
                self.linked_to_goals += 1
                return [tag for tag in tags if tag != name]
        return tags

    def _goal_id(self, goal_uid: str | None, where: str, section: str) -> int | None:
        if goal_uid is None:
            return None
        goal_id = self.goal_id_by_uid.get(goal_uid)
        if goal_id is None:
            raise ImportRejected(
                f"{where}: {_NOUN[section]} refers to goal '{goal_uid}', which is neither in "
                "this file nor in the journal")
        return goal_id

    # --- The rituals' records: few (at most a handful a day), so one at a time.

    def _known(self, section: str, where: str, key: str, found: int | None) -> bool:
        """Whether the row with this key is already in the journal (then it is skipped);
        a row written by this very import means the file holds the key twice."""
        if found is None:
            return False
        if found >= self.first_new_id[section]:
            raise ImportRejected(f"{where}: {_NOUN[section]} {key} appears twice in the file")
        return True

    def _insert_row(self, table: str, values: dict[str, Any]) -> int:
        """INSERT one row of these columns (the checked fields' names); its id."""
        columns = ", ".join(values)
        cursor = self.tx.execute(
            f"INSERT INTO {table} ({columns}) VALUES ({_placeholders(len(values))})",
            tuple(_stored(value) for value in values.values()))
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def _insert(self, section: str, values: dict[str, Any]) -> None:
        self._insert_row(_TABLES[section], values)
        self.created[section] += 1

    def _find(self, table: str, *conditions: tuple[str, tuple[object, ...]]) -> int | None:
        """The id of a row of `table` meeting every (SQL, parameters) condition, or None."""
        sql = " AND ".join(condition for condition, _ in conditions)
        params = tuple(_stored(value) for _, values in conditions for value in values)
        row = self.tx.execute(f"SELECT id FROM {table} WHERE {sql} LIMIT 1",
                              params).fetchone()
        return None if row is None else row[0]

    def _add_day_words(self, where: str, values: dict[str, Any]) -> None:
        found = self._find("day_words", ("day = ?", (values["day"],)))
        if not self._known("day_words", where, f"'{values['day']}'", found):
            self._insert("day_words", values)

    def _add_reflections(self, where: str, values: dict[str, Any]) -> None:
        found = self._find("reflections", ("uid = ?", (values["uid"],)))
        if not self._known("reflections", where, f"'{values['uid']}'", found):
            self._insert("reflections", values)

    def _add_summaries(self, where: str, values: dict[str, Any]) -> None:
        deleted = values["source"] == SUMMARY_DELETED
        if deleted:
            values["content"] = ""  # a deleted summary keeps no text, whatever the file says
        found = self._find("summaries", ("kind = ?", (values["kind"],)),
                           ("period_start = ?", (values["period_start"],)))
        key = f"({values['kind']}, {values['period_start']})"
        if values["period_end"] < values["period_start"]:
            raise ImportRejected(f"{where}: summary {key} ends on {values['period_end']}, "
                                 "before it starts")
        if not self._known("summaries", where, key, found):
            self._insert("summaries", values)
        elif deleted:
            # The user deleted this memory (elsewhere, or before a restore): that decision
            # holds here too, or the nightly job's summary would bring it back. (Summaries
            # have no updated_at: the row itself is the user's word, as the file has it.)
            sets = ", ".join(f"{column} = ?" for column in values)
            self.tx.execute(f"UPDATE summaries SET {sets} WHERE id = ? AND source != ?",
                            (*(_stored(value) for value in values.values()), found,
                             SUMMARY_DELETED))

    def _add_nudges(self, where: str, values: dict[str, Any]) -> None:
        action_uid = values.pop("action")
        values["action_id"] = self._action_id(action_uid, where, "nudges")
        values["goal_id"] = self._goal_id(values.pop("goal"), where, "nudges")
        # The same nudge: its uid (version 3), or its key (what a version 2 file gives).
        found = ("uid" in values and self._find("nudges", ("uid = ?", (values["uid"],)))) or (
            self._find("nudges", ("created_at = ?", (values["created_at"],)),
                       _same("action_id", values["action_id"])))
        key = f"(shown {values['created_at'].isoformat()}, action {action_uid})"
        if not self._known("nudges", where, key, found):
            self._insert("nudges", {"uid": new_uid(), **values})

    def _add_feedback(self, where: str, values: dict[str, Any]) -> None:
        kind, target = values["target_kind"], values.pop("target")
        target_id = self._target_id(kind, target, where)
        same_target = (("target_id = ?", (target_id,)) if target_id != _NO_TARGET else
                       (f"target_id NOT IN (SELECT id FROM {_TARGETS[kind]})", ()))
        found = ("uid" in values and self._find("feedback", ("uid = ?", (values["uid"],)))) or (
            self._find("feedback", ("target_kind = ?", (kind,)), same_target,
                       ("created_at = ?", (values["created_at"],))))
        key = f"(on the {kind}, given {values['created_at'].isoformat()})"
        if not self._known("feedback", where, key, found):
            self._insert("feedback", {"uid": new_uid(), **values, "target_id": target_id})

    def _add_focus_sessions(self, where: str, values: dict[str, Any]) -> None:
        if (values["ended_at"] is None) != (values["outcome"] is None):
            raise ImportRejected(f"{where}: a focus session has both an end and an outcome, "
                                 "or neither (while it runs)")
        found = self._find("focus_sessions", ("uid = ?", (values["uid"],)))
        if self._known("focus_sessions", where, f"'{values['uid']}'", found):
            return
        values["action_id"] = self._action_id(values.pop("action"), where, "focus_sessions")
        nudge = values.pop("nudge")
        values["nudge_id"] = None if nudge is None else self._target_id(
            FeedbackTarget.NUDGE, nudge, where)
        if values["ended_at"] is None and self._find("focus_sessions",
                                                     ("ended_at IS NULL", ())):
            # One session runs at a time: this journal's own keeps running, and the file's
            # is kept as interrupted at its planned end (its time is not lost).
            paused = values["paused_seconds"]
            values["ended_at"] = values["started_at"] + timedelta(
                seconds=values["planned_seconds"] + paused)
            values["outcome"] = FocusOutcome.INTERRUPTED.value
            values["paused_at"] = None
        self._insert("focus_sessions", values)

    def _action_id(self, action_uid: str | None, where: str, section: str) -> int | None:
        if action_uid is None:
            return None
        action_id = self._find("actions", ("uid = ?", (action_uid,)))
        if action_id is None:
            raise ImportRejected(
                f"{where}: {_NOUN[section]} refers to action '{action_uid}', which is neither "
                "in this file nor in the journal")
        return action_id

    def _target_id(self, kind: str, target: str | _NudgeKey | None, where: str) -> int:
        """The row id of what a feedback is about (looked up by uid or by nudge key)."""
        if target is None:
            return _NO_TARGET
        if kind == FeedbackTarget.REFLECTION:
            if not isinstance(target, str):
                raise ImportRejected(f"{where}: feedback on a reflection names it by its uid, "
                                     "not by a nudge's key")
            found = self._find("reflections", ("uid = ?", (target,)))
            shown = f"reflection '{target}'"
        else:
            if isinstance(target, str):
                raise ImportRejected(f"{where}: feedback on a nudge names it by its key "
                                     '{"created_at": …, "action": …}, not by a uid')
            shown_at, action_uid = target
            action_id = self._action_id(action_uid, where, "feedback")
            found = self._find("nudges", ("created_at = ?", (shown_at,)),
                               _same("action_id", action_id))
            shown = f"the nudge shown {shown_at.isoformat()}"
        if found is None:
            raise ImportRejected(f"{where}: feedback refers to {shown}, which is neither in "
                                 "this file nor in the journal")
        return found

    def _write_batch(self, section: str, rows: list[_Row]) -> None:
        table = _TABLES[section]
        existing = self._existing_ids(table, [values["uid"] for _, values, _ in rows])
        fresh: list[tuple[dict[str, Any], list[str]]] = []
        seen: dict[str, dict[str, Any]] = {}
        for where, values, tags in rows:
            uid = values["uid"]
            if uid in seen or existing.get(uid, 0) >= self.first_new_id[section]:
                if not self.from_other_app:
                    raise ImportRejected(
                        f"{where}: {_NOUN[section]} '{uid}' appears twice in the file")
                earlier = seen.get(uid) or self._stored_fields(table, section, existing[uid])
                self._same_again(section, where, earlier, values)
                continue
            seen[uid] = values
            if uid in existing:
                self.already_there += 1
            else:
                fresh.append((values, tags))
        if not fresh:
            return
        # Every record of a list has the same fields (checked above), so one statement
        # with many rows: sqlite3's executemany.
        columns = list(fresh[0][0])
        self.tx.conn.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) "
            f"VALUES ({_placeholders(len(columns))})",
            [tuple(_stored(values[column]) for column in columns) for values, _ in fresh])
        self.created[section] += len(fresh)
        tagged = [(values["uid"], tags) for values, tags in fresh if tags]
        if tagged:
            self._link_tags(section, tagged)

    def _stored_fields(self, table: str, section: str, row_id: int) -> dict[str, Any]:
        """The fields of a row this import wrote that tell whether a record is the same
        (as stored: _same_again compares stored forms)."""
        names = _SAME_RECORD[section]
        row = self.tx.execute(f"SELECT {', '.join(names)} FROM {table} WHERE id = ?",
                              (row_id,)).fetchone()
        return dict(zip(names, row, strict=True))

    def _same_again(self, section: str, where: str, earlier: dict[str, Any],
                    values: dict[str, Any]) -> None:
        """A record another app's export gave twice: counted once if the two agree."""
        differ = [name for name in _SAME_RECORD[section]
                  if _stored(earlier[name]) != _stored(values[name])]
        if differ:
            raise ImportRejected(
                f"{where}: the same {_NOUN[section]} as an earlier one in the file (the same "
                f"id), but with another {differ[0].replace('_', ' ')}, so Wise cannot tell "
                "which one is right")
        self.repeated += 1

    def _link_tags(self, section: str, tagged: list[tuple[str, list[str]]]) -> None:
        link, owner = _TAG_LINKS[section]
        row_ids = self._existing_ids(_TABLES[section], [uid for uid, _ in tagged])
        tag_ids = self._tag_ids({name for _, tags in tagged for name in tags})
        self.tx.conn.executemany(
            f"INSERT INTO {link} ({owner}, tag_id) VALUES (?, ?)",
            [(row_ids[uid], tag_ids[name]) for uid, tags in tagged for name in tags])

    def _existing_ids(self, table: str, uids: list[str]) -> dict[str, int]:
        """uid -> id of the rows of this batch that are already in the journal: one query."""
        return dict(self.tx.execute(
            f"SELECT uid, id FROM {table} WHERE uid IN ({_placeholders(len(uids))})",
            tuple(uids)).fetchall())

    def _tag_ids(self, names: set[str]) -> dict[str, int]:
        """Ids of these tag names, creating the ones the journal does not have yet."""
        query = f"SELECT name, id FROM tags WHERE name IN ({_placeholders(len(names))})"
        ids: dict[str, int] = dict(self.tx.execute(query, tuple(names)).fetchall())
        missing = names - ids.keys()
        if missing:
            self.tx.conn.executemany("INSERT INTO tags (name) VALUES (?)",
                                     [(name,) for name in sorted(missing)])
            ids = dict(self.tx.execute(query, tuple(names)).fetchall())
        return ids


# How each of the rituals' lists is added: one typed method per list, named here rather
# than found by name, so a list without a writer fails at import time, not mid-import.
_RitualWriter = Callable[[_Importer, str, dict[str, Any]], None]
_RITUAL_WRITERS: dict[str, _RitualWriter] = {
    "day_words": _Importer._add_day_words,
    "reflections": _Importer._add_reflections,
    "summaries": _Importer._add_summaries,
    "nudges": _Importer._add_nudges,
    "feedback": _Importer._add_feedback,
    "focus_sessions": _Importer._add_focus_sessions,
}
assert tuple(_RITUAL_WRITERS) == SECTIONS[3:], "every ritual list needs its writer"
