"""Read-only sqlite3 connections for the repository's reads, and the stored-text codecs
they share (no SQLAlchemy: the tray and the CLI's fast paths use these too).

A journal that does not exist yet, or has no tables yet, raises NoJournal, which a read
answers with its empty result; any other SQLite error becomes a StorageError worded for
a person."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import overload

from storage.errors import StorageError, explain_sqlite_error
from storage.sqlite import connect_readonly
from storage.timeutil import from_db

# An open read of the journal, as app/ code passes it from one repository call to the
# next (app/ names it without importing sqlite3: only storage/ touches the database).
Reader = sqlite3.Connection


class NoJournal(Exception):
    """The file or its tables do not exist yet: the caller answers with an empty result."""


@contextmanager
def reading(db: Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection, in one read transaction (one snapshot of the journal);
    NoJournal when there is nothing to read yet."""
    if not db.exists() or db.stat().st_size == 0:
        raise NoJournal
    try:
        conn = connect_readonly(db)
    except sqlite3.Error as exc:
        raise read_error(exc, db) from exc
    try:
        conn.execute("BEGIN")  # deferred: a snapshot for the whole block, no write lock
        yield conn
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            raise NoJournal from exc
        raise read_error(exc, db) from exc
    except sqlite3.Error as exc:
        raise read_error(exc, db) from exc
    finally:
        conn.close()


def read_error(exc: sqlite3.Error, db: Path) -> StorageError:
    explained = explain_sqlite_error(exc, db)
    if type(explained) is StorageError:  # the generic wording speaks of writing
        return StorageError(f"the journal at {db} could not be read: {exc}")
    return explained


@overload
def local_moment(text: str) -> datetime: ...
@overload
def local_moment(text: None) -> None: ...
def local_moment(text: str | None) -> datetime | None:
    """Stored text -> aware datetime in the local time zone (None stays None)."""
    if text is None:
        return None
    return from_db(text).astimezone()


@overload
def stored_day(text: str) -> date: ...
@overload
def stored_day(text: None) -> None: ...
def stored_day(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)
