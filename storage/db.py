"""The journal's connections and its one transaction helper, standard library only.

Every write of storage/repo/ (and of the tray's writers, which use it) runs inside
`transaction()`: BEGIN IMMEDIATE, COMMIT, a rollback whatever goes wrong, sqlite3's
errors worded for people, and one moment, `Tx.now`, read once from the one clock and
written into every `created_at` and `updated_at` of the transaction (`Tx.touch` is the one
UPDATE that changes columns of a row with an `updated_at`). So the rows one user action
changes carry the same stamp, and no write path forgets to move `updated_at` (the sync
layer's triggers log the change either way; `updated_at` is what a reader and an export see).

Reads use `reading()`: a deferred transaction, one snapshot for all its queries, never the
write lock.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import overload

from storage.clock import utc_now
from storage.errors import explain_sqlite_error
from storage.sqlite import BUSY_TIMEOUT_MS, apply_pragmas, close_connection, roll_back
from storage.timeutil import from_db, to_db

# Called with every connection connect() opens (a test counts the statements a tick sends
# with sqlite3's own trace callback, as it did through SQLAlchemy's event before).
CONNECTION_LISTENERS: list[Callable[[sqlite3.Connection], None]] = []


def connect(db_path: Path) -> sqlite3.Connection:
    """A connection with the journal's PRAGMAs, in autocommit mode so BEGIN is explicit."""
    try:
        conn = sqlite3.connect(db_path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        apply_pragmas(conn)
    except sqlite3.Error as exc:
        raise explain_sqlite_error(exc, db_path) from exc
    for listener in CONNECTION_LISTENERS:
        listener(conn)
    return conn


class JournalFile:
    """The journal as the services are handed it: where it is. Every repository call
    opens a connection of its own (`reading()`, `writing()`), so nothing is held open
    and nothing needs SQLAlchemy; close() is there so that any journal closes alike
    (storage.engine's Journal, an engine and ORM sessions for tests, is one too)."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path

    def close(self) -> None:
        """Nothing to release."""


@dataclass(frozen=True)
class Tx:
    """An open write transaction: its connection and its one moment."""

    conn: sqlite3.Connection
    moment: datetime  # aware UTC

    @property
    def now(self) -> str:
        """The moment as stored text (created_at, updated_at, done_at...)."""
        return to_db(self.moment)

    def execute(self, sql: str, params: tuple | dict = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)

    def touch(self, table: str, row_id: int, changes: dict[str, object], *,
              where: str = "") -> int:
        """UPDATE `table` SET the changes and updated_at = now WHERE id = row_id (and
        `where`, when given). Returns the number of rows changed (0 or 1)."""
        sets = ", ".join(f"{column} = ?" for column in changes)
        sets = f"{sets}, updated_at = ?" if sets else "updated_at = ?"
        extra = f" AND ({where})" if where else ""
        return self.conn.execute(f"UPDATE {table} SET {sets} WHERE id = ?{extra}",
                                 (*changes.values(), self.now, row_id)).rowcount


@contextmanager
def transaction(conn: sqlite3.Connection, *, db_path: Path | None = None,
                clock: Callable[[], datetime] = utc_now) -> Iterator[Tx]:
    """One write transaction on an open connection: committed when the block ends,
    rolled back on any error; sqlite3's errors become storage errors naming the file."""
    try:
        conn.execute("BEGIN IMMEDIATE")
        yield Tx(conn, clock())
        conn.execute("COMMIT")
    except sqlite3.Error as exc:
        roll_back(conn)
        raise explain_sqlite_error(exc, db_path or Path(_file_of(conn))) from exc
    except BaseException:
        roll_back(conn)
        raise


@contextmanager
def writing(db_path: Path, *, clock: Callable[[], datetime] = utc_now) -> Iterator[Tx]:
    """A write transaction over a connection of its own (one user operation)."""
    conn = connect(db_path)
    try:
        with transaction(conn, db_path=db_path, clock=clock) as tx:
            yield tx
    finally:
        close_connection(conn)


@contextmanager
def reading(db_path: Path) -> Iterator[sqlite3.Connection]:
    """A read transaction (deferred: never the write lock) over a connection of its own:
    every query inside sees one snapshot of the journal."""
    conn = connect(db_path)
    try:
        conn.execute("BEGIN DEFERRED")
        yield conn
    except sqlite3.Error as exc:
        raise explain_sqlite_error(exc, db_path) from exc
    finally:
        close_connection(conn)


def inserted_id(cursor: sqlite3.Cursor) -> int:
    """The id of the row an INSERT just made. (sqlite3 types lastrowid as optional: it is
    None only on a cursor that never inserted.)"""
    row_id = cursor.lastrowid
    if row_id is None:
        raise sqlite3.InterfaceError("this statement inserted no row")
    return row_id


@overload
def moment(value: str) -> datetime: ...
@overload
def moment(value: None) -> None: ...
def moment(value: str | None) -> datetime | None:
    """Stored text (or NULL) -> an aware UTC datetime (or None): the one reading of the
    journal's timestamps for rows read with sqlite3."""
    return None if value is None else from_db(value)


def _file_of(conn: sqlite3.Connection) -> str:
    try:
        return conn.execute("PRAGMA database_list").fetchone()[2] or ":memory:"
    except sqlite3.Error:
        return "the journal"
