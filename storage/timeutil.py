"""UTC timestamps as stored in the journal, shared by the ORM and the fast capture path."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo

# Re-exported: the journal's timestamps and every other "now" read the one clock.
from storage.clock import utc_now as utc_now

# The exact text form SQLAlchemy's SQLite DateTime type writes and reads, so that rows
# written by the sqlite3-only capture path and by the ORM are indistinguishable.
DB_FORMAT = "%Y-%m-%d %H:%M:%S.%f"


def to_db(moment: datetime) -> str:
    """Aware datetime -> naive-UTC text as stored in the database."""
    if moment.tzinfo is None:
        raise ValueError("refusing to store a naive datetime: its time zone is unknown")
    return moment.astimezone(UTC).strftime(DB_FORMAT)


def from_db(text: str) -> datetime:
    """Stored text -> aware UTC datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def journal_day_bounds(day: date, start_hour: int, tz: tzinfo | None = None
                       ) -> tuple[datetime, datetime]:
    """[start, end) of a journal day as aware UTC moments.

    Without `tz`, the system's local time zone *on that day* is used (a naive local time
    through astimezone), so a day across a DST change is 23 or 25 hours long, as lived;
    a fixed offset taken from "now" would shift every day on the other side of the change.
    """
    start = datetime.combine(day, time(start_hour), tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time(start_hour), tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)
