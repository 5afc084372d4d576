"""UTC timestamps as stored in the journal, shared by the ORM and the fast capture path."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo

# Re-exported: the journal's timestamps and every other "now" read the one clock.
from storage.clock import utc_now as utc_now

# Every moment in the journal is stored as naive UTC text in exactly one form, the one
# SQLAlchemy's SQLite DateTime writes: "2026-11-26 18:00:00.000000", the year always four
# digits. (strftime("%Y") does not pad years below 1000 on glibc: "226-12-01 …" was
# stored once and then crashed every reader; to_db is the one writer of this form.)
# The models' column type and the sqlite3 paths all go through to_db and from_db.


def to_db(moment: datetime) -> str:
    """Aware datetime -> naive-UTC text as stored in the database (any year 1-9999)."""
    if moment.tzinfo is None:
        raise ValueError("refusing to store a naive datetime: its time zone is unknown")
    try:
        utc = moment.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"{moment.isoformat()} is outside the years 1-9999 in UTC, so it "
                         "cannot be stored") from None
    return utc.replace(tzinfo=None).isoformat(" ", "microseconds")


def from_db(text: str) -> datetime:
    """Stored text -> aware UTC datetime. Also reads the unpadded years (below 1000) that
    Wise once wrote, so such a journal stays usable until `wise doctor --repair`."""
    try:
        return datetime.fromisoformat(text).replace(tzinfo=UTC)
    except ValueError:
        year, dash, rest = text.partition("-")
        if not (dash and year.isdigit() and 0 < len(year) < 4):
            raise ValueError(f"{text!r} is not a moment as Wise stores them") from None
        return datetime.fromisoformat(f"{int(year):04d}-{rest}").replace(tzinfo=UTC)


def aware_utc(value: datetime | str) -> datetime:
    """A stored moment however a reader got it -> aware UTC: the text SQLite hands back
    for an aggregate (max, coalesce bypass the column type), a naive UTC datetime, or an
    aware one. The one place that turns stored text into a moment, with from_db."""
    if isinstance(value, str):
        return from_db(value)
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def is_canonical(text: str) -> bool:
    """Whether stored text is exactly what to_db writes (what `wise doctor` checks)."""
    try:
        return to_db(from_db(text)) == text
    except ValueError:
        return False


def journal_day(moment: datetime, start_hour: int) -> date:
    """The journal day an aware moment belongs to, in the moment's own time zone: with a
    day start of 4, 01:30 belongs to the day before (wall-clock arithmetic, so a DST
    night does not move it). The one rule; journal_day_bounds is its inverse."""
    return (moment - timedelta(hours=start_hour)).date()


def journal_day_bounds(day: date, start_hour: int, tz: tzinfo | None = None
                       ) -> tuple[datetime, datetime]:
    """[start, end) of a journal day as aware UTC moments.

    Without `tz`, the system's local time zone *on that day* is used (a naive local time
    through astimezone), so a day across a DST change is 23 or 25 hours long, as lived;
    a fixed offset taken from "now" would shift every day on the other side of the change.
    """
    start = _bound(day, start_hour, tz)
    end = _bound(day + timedelta(days=1), start_hour, tz) if day < date.max else _LATEST
    return start, end


# The first and last moments a datetime can hold: the edges of the calendar, where a day's
# bounds in UTC would fall outside it (year 1 east of Greenwich, 9999 west of it).
_EARLIEST = datetime.min.replace(tzinfo=UTC)
_LATEST = datetime.max.replace(tzinfo=UTC)


def _bound(day: date, start_hour: int, tz: tzinfo | None) -> datetime:
    try:
        return datetime.combine(day, time(start_hour), tzinfo=tz).astimezone(UTC)
    except (OverflowError, ValueError):
        return _EARLIEST if day.year == 1 else _LATEST
