"""What every importer reads with: the zone for times written without one, the journal's
day-start hour, the moment of the import, and the tally of what came in."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO

from app.errors import BadInput
from app.importers.summary import Tally
from app.importers.zones import Zone
from storage.errors import ImportRejected

_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


@dataclass(frozen=True)
class Reading:
    zone: Zone
    day_start_hour: int
    now: datetime  # the import's moment, aware: for records the source gives no time
    tally: Tally


def open_source(path: Path) -> BinaryIO:
    """The file, opened for reading, or BadInput saying in words why it cannot be."""
    try:
        return open(path, "rb")
    except FileNotFoundError:
        raise BadInput(f"no such file: {path}") from None
    except IsADirectoryError:
        raise BadInput(f"{path} is a folder; give the file itself") from None
    except PermissionError:
        raise BadInput(f"cannot read {path}: permission denied") from None


def iso_day(text: str, where: str, what: str) -> date:
    """A YYYY-MM-DD date, or ImportRejected naming where it was: a date that has the
    shape but not the substance (2024-02-30) is a damaged record, not words."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ImportRejected(f"{where}: {what} {text!r} is not a date (expected one like "
                             "2024-03-05)") from None


def find_iso_day(text: str) -> date | None:
    """The first real YYYY-MM-DD date in `text` (a file's name, a heading), if any."""
    for match in _ISO_DAY.finditer(text):
        try:
            return date(*map(int, match.groups()))
        except ValueError:
            continue
    return None
