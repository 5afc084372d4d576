"""Storage failures worded for the person who will read them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from storage.sqlite import BUSY_TIMEOUT_MS


class StorageError(Exception):
    """The journal could not be read or written; the message says why and what to do."""


class JournalBusy(StorageError):
    """Another program held the journal's write lock for longer than we wait."""


class JournalCorrupt(StorageError):
    """The database file is damaged or is not a Wise journal."""


class JournalNotWritable(StorageError):
    """The data folder or the database file cannot be written."""


class JournalTooNew(StorageError):
    """The journal was written by a newer Wise; this one must not touch it."""


class ImportRejected(StorageError):
    """An import file was refused as a whole; the message names its first problem."""


def explain_sqlite_error(exc: sqlite3.Error, db_path: Path) -> StorageError:
    """sqlite3's terse errors -> what a person can act on."""
    message = str(exc).lower()
    if "locked" in message or "busy" in message:
        return JournalBusy(
            f"the journal is busy: another program kept it locked for more than "
            f"{BUSY_TIMEOUT_MS // 1000} s. Try again in a moment.")
    if "readonly" in message or "read-only" in message or "unable to open" in message:
        return JournalNotWritable(
            f"cannot write to the journal at {db_path} ({exc}); check the folder's "
            "permissions and free space, or set WISE_HOME to a writable folder.")
    if "not a database" in message or "malformed" in message or "corrupt" in message:
        return JournalCorrupt(
            f"the journal at {db_path} is damaged ({exc}); run `wise doctor` to find the "
            "newest backup.")
    if isinstance(exc, sqlite3.OperationalError) and "disk" in message:
        return JournalNotWritable(f"cannot write to the journal at {db_path}: {exc}")
    return StorageError(f"the journal at {db_path} could not be written: {exc}")


def sqlite_error_of(exc: BaseException) -> sqlite3.Error | None:
    """The SQLite error behind `exc` (SQLAlchemy wraps it as `.orig`), or None: how the
    CLI tells a journal failure from a bug without knowing either library."""
    original = getattr(exc, "orig", None)
    if isinstance(original, sqlite3.Error):
        return original
    return exc if isinstance(exc, sqlite3.Error) else None


def is_storage_failure(exc: BaseException) -> bool:
    """A failure of the journal itself (worded or still a raw SQLite error)."""
    return isinstance(exc, StorageError) or sqlite_error_of(exc) is not None

