"""Bring your past: import another app's journal or list (jrnl, Day One, todo.txt, Markdown
or plain text) as notes, to-dos and wins, all or nothing and safe to repeat.

The API the CLI (`wise import --from …`) and the welcome window's "Bring your past" step
use (the window from a `wise` child, since importing loads the data layer):

- `SOURCES`: the apps, with their names and file filters, for a window to offer;
- `detect_format(path)`: which format a file or folder looks like (cheap: it reads at most
  the file's start; standard library only, so a window may call it itself);
- `import_file(context, path, fmt)`: import it, returning an `ImportSummary` (frozen;
  `as_dict()` is what `wise import --json` prints).

Each importer turns the source's records into `Item`s with uids derived from the record
itself (app.importers.items) and streams them into storage's one importer
(storage.import_json.import_records), so the checks, the transaction and the batching
are those of `wise import` of a Wise export.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from app.errors import BadInput
from app.importers.summary import ImportSummary, Tally
from app.importers.zones import resolve_zone

if TYPE_CHECKING:
    from app.importers.items import Item
    from app.importers.reading import Reading
    from app.journal import Context

__all__ = ["SOURCES", "Format", "ImportSummary", "Source", "detect_format", "import_file"]


class Format(StrEnum):
    JRNL = "jrnl"
    DAYONE = "dayone"
    TODOTXT = "todotxt"
    MARKDOWN = "markdown"


@dataclass(frozen=True)
class Source:
    """An app Wise imports from, as a window offers it."""

    format: Format  # the `wise import --from` word
    name: str  # as people know it
    files: str  # a file dialog's filter (a Day One export may also be its unpacked folder)


SOURCES = (
    Source(Format.DAYONE, "Day One", "Day One export (*.zip *.json)"),
    Source(Format.JRNL, "jrnl", "jrnl JSON export (*.json)"),
    Source(Format.TODOTXT, "todo.txt", "todo.txt (*.txt)"),
    Source(Format.MARKDOWN, "Markdown or text", "Markdown or text (*.md *.markdown *.txt)"),
)


_SNIFF = 64 * 1024
_TODO_LINE = re.compile(r"(?:x \d{4}-\d{2}-\d{2} |\([A-Z]\) |\d{4}-\d{2}-\d{2} )"
                        r"|.*(?:\s[+@]\S+|\sdue:\d{4}-\d{2}-\d{2})\s*$")


def detect_format(path: Path) -> Format | None:
    """The format `path` looks like, from its name and start; None when it looks like none
    (or is a Wise export, which plain `wise import` reads)."""
    path = Path(path)
    try:
        if path.is_dir():
            return Format.DAYONE if any(path.glob("*.json")) or any(
                path.glob("*/*.json")) else None
        with open(path, "rb") as handle:
            start = handle.read(_SNIFF)
    except OSError:
        return None
    if start.startswith(b"PK\x03\x04"):
        return Format.DAYONE if _zip_has_json(path) else None
    text = start.decode("utf-8", "replace").lstrip("\ufeff \t\r\n")
    if text.startswith("{"):
        return _json_format(text)
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    if path.name.lower() in ("todo.txt", "done.txt") or (
            lines and sum(bool(_TODO_LINE.match(line)) for line in lines) * 2 > len(lines)):
        return Format.TODOTXT
    if path.suffix.lower() in (".md", ".markdown", ".txt", ".text") or lines:
        return Format.MARKDOWN
    return None


def _zip_has_json(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            return any(name.lower().endswith(".json") for name in archive.namelist())
    except (zipfile.BadZipFile, OSError):
        return False


def _json_format(start: str) -> Format | None:
    if re.search(r'"format"\s*:\s*"wise-journal"', start):
        return None
    if re.search(r'"(?:creationDate|metadata)"\s*:', start):
        return Format.DAYONE
    if re.search(r'"(?:entries|title|body)"\s*:', start):
        return Format.JRNL
    return None


def _reader(fmt: Format) -> Callable[[Path, Reading], Iterator[Item]]:
    """The importer of a format, imported only when it is used."""
    if fmt is Format.JRNL:
        from app.importers.jrnl import read
    elif fmt is Format.DAYONE:
        from app.importers.dayone import read
    elif fmt is Format.TODOTXT:
        from app.importers.todotxt import read
    else:
        from app.importers.markdown import read
    return read


def import_file(context: Context, path: Path, fmt: Format | str, *, tz: str | None = None,
                dry_run: bool = False, now: datetime | None = None) -> ImportSummary:
    """Import `path`, read as `fmt` ("auto": as detect_format says), into the journal of
    `context`, all at once or not at all.

    `tz`: the zone for times the file writes without one (default: this computer's).
    `dry_run`: read and check everything, count what would come in, write nothing.
    Raises BadInput (a missing file, an unknown format or zone) or ImportRejected (the
    first unusable record, with its file and line): then nothing was imported.
    """
    from app.daytime import local_now
    from app.importers.reading import Reading
    from storage.import_json import import_records

    path = Path(path).expanduser()
    if not path.exists():
        raise BadInput(f"no such file or folder: {path}")
    if fmt == "auto":
        found = detect_format(path)
        if found is None:
            raise BadInput(f"cannot tell what {path} is; say it with --from jrnl, dayone, "
                           "todotxt or markdown (a Wise export needs no --from)")
        fmt = found
    fmt = Format(fmt)
    zone = resolve_zone(tz)
    tally = Tally(fmt.value, str(path), zone)
    reading = Reading(zone, context.day_start_hour, now or local_now(), tally)
    context.prepare_storage()
    records = (tally.count(item).record() for item in _reader(fmt)(path, reading))
    done = import_records(context.paths.db, records, dry_run=dry_run)
    return tally.summary(new_entries=done.counts.entries, new_actions=done.counts.actions,
                         already_there=done.already_there, repeated=done.repeated,
                         linked_to_goals=done.linked_to_goals, dry_run=dry_run)
