"""The one wall clock of Wise: every "now" in product code comes from here.

`WISE_CLOCK_SHIFT` (seconds, may be negative or fractional) moves this clock by a fixed
amount, so the CLI, the tray and every child they start live at the same shifted moment,
and time still runs on from there. The test suite uses it to run as if it were 00:30 or a
daylight-saving morning (`pytest --as-of`); a developer can use it to try tonight's
reflection now. Sleeps, timeouts and the monotonic clock stay real: only the answer to
"what time is it?" moves.

Standard library only, and cheap to import: `wise capture` reads the clock too.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

SHIFT_ENV = "WISE_CLOCK_SHIFT"

_NO_SHIFT = timedelta(0)
# (the variable's text, its meaning): parsed again only when the text changes, so a test
# that sets the variable moves this process's clock at once.
_parsed: tuple[str, timedelta] = ("", _NO_SHIFT)


class ClockShiftInvalid(ValueError):
    """WISE_CLOCK_SHIFT is set but is not a number of seconds."""


def shift() -> timedelta:
    """How far this clock is from the real one (zero unless WISE_CLOCK_SHIFT says so)."""
    global _parsed
    text = os.environ.get(SHIFT_ENV, "").strip()
    if text == _parsed[0]:
        return _parsed[1]
    try:
        seconds = float(text) if text else 0.0
        moved = timedelta(seconds=seconds)
    except (ValueError, OverflowError):
        # A clock that silently did not move would make a test "at 03:59" pass at noon.
        raise ClockShiftInvalid(
            f"{SHIFT_ENV} must be a number of seconds (e.g. -3600 for an hour ago), "
            f"not {text!r}") from None
    _parsed = (text, moved)
    return moved


def utc_now() -> datetime:
    """Now, as an aware UTC datetime."""
    return datetime.now(UTC) + shift()


def local_now() -> datetime:
    """Now, aware, in the system's local time zone (the offset in force at that moment)."""
    return utc_now().astimezone()


def to_real(moment: datetime) -> datetime:
    """The real moment at which this clock shows `moment`: for timers that run by the real
    clock (APScheduler's waits) but must fire at a time of day on this one."""
    moved = shift()
    return (moment.astimezone(UTC) - moved).astimezone(moment.tzinfo) if moved else moment


def from_real(moment: datetime) -> datetime:
    """What this clock shows at the real moment `moment` (the inverse of `to_real`)."""
    moved = shift()
    return (moment.astimezone(UTC) + moved).astimezone(moment.tzinfo) if moved else moment
