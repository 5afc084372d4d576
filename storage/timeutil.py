"""UTC timestamps as stored in the journal, shared by the ORM and the fast capture path."""

from __future__ import annotations

from datetime import UTC, datetime

# The exact text form SQLAlchemy's SQLite DateTime type writes and reads, so that rows
# written by the sqlite3-only capture path and by the ORM are indistinguishable.
DB_FORMAT = "%Y-%m-%d %H:%M:%S.%f"


def utc_now() -> datetime:
    return datetime.now(UTC)


def to_db(moment: datetime) -> str:
    """Aware datetime -> naive-UTC text as stored in the database."""
    if moment.tzinfo is None:
        raise ValueError("refusing to store a naive datetime: its time zone is unknown")
    return moment.astimezone(UTC).strftime(DB_FORMAT)


def from_db(text: str) -> datetime:
    """Stored text -> aware UTC datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)
