"""The `--date` option, read the same way by every command that takes one: an ISO day
(2026-11-26) or today, yesterday, tomorrow (journal days: the day-start hour counts)."""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from app.daytime import MONTHS, journal_day, local_now
from app.errors import BadInput

_WORDS = {"today": 0, "yesterday": -1, "tomorrow": 1}
_ISO_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


def parse_day_option(text: str | None, start_hour: int, *, option: str = "--date") -> date:
    """The day `text` names; None (the option left out) is today. BadInput says what is
    wrong in one line: a shape it cannot read, or a day the calendar does not have."""
    today = journal_day(local_now(), start_hour)
    if text is None:
        return today
    word = text.strip().casefold()
    if word in _WORDS:
        return today + timedelta(days=_WORDS[word])
    shape = _ISO_DAY.fullmatch(word)
    if shape is None:
        raise BadInput(f"{option} must be a day like 2026-11-26, or today, yesterday or "
                       f"tomorrow; not {text!r}")
    year, month, day = (int(part) for part in shape.groups())
    if year < 1:
        raise BadInput(f"{option} {text} does not exist: there is no year 0")
    if not 1 <= month <= 12:
        raise BadInput(f"{option} {text} does not exist: there is no month {month} "
                       "(months go from 01 to 12)")
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        raise BadInput(f"{option} {text} does not exist: {MONTHS[month - 1]} {year} has "
                       f"{last} days")
    return date(year, month, day)
