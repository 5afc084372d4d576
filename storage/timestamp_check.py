"""Every stored moment and day, checked and repaired: what `wise doctor` runs.

A moment is stored in exactly the form `storage.timeutil.to_db` writes, a day as
`date.isoformat()`. Text in any other form sorts wrongly in SQL (a year "226" sorts after
"2026") and once made every reader fail, so the doctor looks at every value of every such
column (the columns are read from the journal's own schema, as the models declare them,
so a new one is checked without a word here) and rewrites those it can read into the one
form.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from storage.timeutil import from_db, to_db

# The shape of the one stored form, for SQLite to skip most rows already in it (GLOB
# classes, and its time() for an hour that does not exist); a day past the 28th is looked
# at here, since SQLite's date() takes "02-30" as it is.
_MOMENT_SHAPE = ("[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] "
                 "[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]")
_DAY_SHAPE = "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]"


@dataclass(frozen=True)
class StoredValue:
    """One stored moment or day not in the one form."""

    table: str
    column: str
    rowid: int
    value: object
    repaired: str | None  # what it becomes, or None when it cannot be read at all

    def describe(self) -> str:
        return f"{self.table}.{self.column} of row {self.rowid}: {self.value!r}"


# How the models' moments (UTCDateTime) and days (Date) are declared in the file's schema.
_DECLARED = {"DATETIME": True, "DATE": False}
# The sync layer's own bookkeeping (storage/sync/) is not journal data: not checked here.
_NOT_JOURNAL = "sync_"


def time_columns(conn: sqlite3.Connection) -> list[tuple[str, str, bool]]:
    """(table, column, holds a moment rather than a day) for every such column of the
    journal's tables, read from the file's schema (a test ties it to the models)."""
    found = []
    tables = [name for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        if not name.startswith(_NOT_JOURNAL)]
    for table in tables:
        for _cid, column, declared, *_rest in conn.execute(f'PRAGMA table_info("{table}")'):
            is_moment = _DECLARED.get(declared.upper())
            if is_moment is not None:
                found.append((table, column, is_moment))
    return found


def find_misstored(conn: sqlite3.Connection) -> Iterator[StoredValue]:
    """Every stored moment or day not in the one form, with its repair when there is one."""
    for table, column, is_moment in time_columns(conn):
        shape, check = ((_MOMENT_SHAPE, f"time({column}) IS NOT substr({column}, 12, 8)")
                        if is_moment else (_DAY_SHAPE, "0"))
        rows = conn.execute(
            f"SELECT rowid, {column} FROM {table} WHERE {column} IS NOT NULL AND ("
            f"typeof({column}) != 'text' OR {column} NOT GLOB ? "
            f"OR date({column}) IS NOT substr({column}, 1, 10) OR {check} "
            f"OR substr({column}, 1, 4) = '0000' OR substr({column}, 9, 2) > '28')", (shape,))
        for rowid, value in rows:
            repaired = _repaired(value, is_moment)
            if repaired != value:
                yield StoredValue(table, column, rowid, value, repaired)


def _repaired(value: object, is_moment: bool) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        if is_moment:
            return to_db(from_db(value))
        year, dash, rest = value.partition("-")
        return date.fromisoformat(f"{int(year):04d}{dash}{rest}").isoformat()
    except ValueError:
        return None


def repair(conn: sqlite3.Connection) -> tuple[int, list[StoredValue]]:
    """Rewrite every misstored value that can be read into the one form, in one
    transaction; returns (how many were rewritten, the values that cannot be read)."""
    found = list(find_misstored(conn))
    fixable = [value for value in found if value.repaired is not None]
    conn.execute("BEGIN IMMEDIATE")
    try:
        for value in fixable:
            conn.execute(f"UPDATE {value.table} SET {value.column} = ? WHERE rowid = ?",
                         (value.repaired, value.rowid))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return len(fixable), [value for value in found if value.repaired is None]
