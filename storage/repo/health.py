"""The journal's health as `wise doctor` and the nightly maintenance see it: its schema
version, stored values in the wrong form, repairs the upgrade made, the search index."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from storage.db import writing
from storage.schema_repairs import Repair, schema_repairs
from storage.schema_version import current_revision
from storage.sqlite import BUSY_TIMEOUT_MS, connect_readonly
from storage.timestamp_check import StoredValue, find_misstored, repair

FTS_TABLES = (("entries", "entries_fts"), ("actions", "actions_fts"))


def schema_revision(db: Path) -> str | None:
    conn = connect_readonly(db)
    try:
        return current_revision(conn)
    finally:
        conn.close()


def misstored_values(db: Path) -> list[StoredValue]:
    """Stored moments and days not in the one form Wise writes."""
    conn = connect_readonly(db)
    try:
        return list(find_misstored(conn))
    finally:
        conn.close()


def upgrade_repairs(db: Path) -> list[Repair]:
    """Values the schema's upgrade found outside the vocabulary, and what became of them."""
    conn = connect_readonly(db)
    try:
        return schema_repairs(conn)
    finally:
        conn.close()


def repair_misstored_values(db: Path) -> tuple[int, int]:
    """Rewrite every misstored moment and day into the one form (the caller has taken a
    backup). Returns (rewritten, still unreadable)."""
    conn = sqlite3.connect(db, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    try:
        rewritten, unreadable = repair(conn)
    finally:
        conn.close()
    return rewritten, len(unreadable)


@dataclass(frozen=True)
class SearchIndexState:
    in_step: bool
    busy: bool = False  # not checked: another program held the write lock
    problem: str = ""  # what is out of step, when it is


def search_index_state(db: Path) -> SearchIndexState:
    """Whether the full-text index is in step with the journal. FTS5's integrity check is
    spelled as an INSERT, so it needs the write lock: a writer holding it is "busy, try
    again", not a broken index."""
    conn = sqlite3.connect(db, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    try:
        for table, fts in FTS_TABLES:
            conn.execute(f"INSERT INTO {fts}({fts}) VALUES ('integrity-check')")
            # The index keeps its own copy (schema 0005): one row for every item.
            if conn.execute(f"SELECT (SELECT count(*) FROM {table}) != "
                            f"(SELECT count(*) FROM {fts})").fetchone()[0]:
                return SearchIndexState(False, problem=f"{table} and their index differ")
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            return SearchIndexState(False, busy=True)
        return SearchIndexState(False, problem=str(exc))
    except sqlite3.DatabaseError as exc:
        return SearchIndexState(False, problem=str(exc))
    finally:
        conn.close()
    return SearchIndexState(True)


def optimize_search_index(db: Path) -> None:
    """Merge the full-text index's segments (the nightly tidy-up)."""
    with writing(db) as tx:
        for _table, fts in FTS_TABLES:
            tx.execute(f"INSERT INTO {fts}({fts}) VALUES ('optimize')")
