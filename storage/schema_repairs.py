"""What the migrations repaired: rows whose values were outside the vocabulary when the
database began to refuse them (0011_vocabulary_checks), read for `wise doctor`."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True)
class Repair:
    revision: str
    table: str
    column: str
    old_value: str | None
    became: str | None  # in words; None: the rows were removed
    rows: int

    def describe(self) -> str:
        old = "NULL" if self.old_value is None else repr(self.old_value)
        outcome = "removed" if self.became is None else f"now {self.became}"
        return f"{self.rows} {self.table} with {self.column} {old} ({outcome})"


def schema_repairs(conn: sqlite3.Connection) -> list[Repair]:
    """Every repair recorded, oldest first; none on a journal older than the record."""
    try:
        rows = conn.execute("SELECT revision, tbl, col, old_value, new_value, row_count "
                            "FROM schema_repairs ORDER BY id").fetchall()
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return []
        raise
    return [Repair(*row) for row in rows]
