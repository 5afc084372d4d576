"""Write one captured line to the journal with nothing but the standard library.

`wise capture` has a budget below the cost of importing SQLAlchemy; like every read and
write of the journal (storage/db.py, storage/repo/), it speaks sqlite3 and writes what the
schema in storage/models.py declares.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from storage.db import connect as connect  # re-exported: the tray's writers use it
from storage.db import inserted_id, transaction
from storage.errors import StorageError
from storage.ids import new_uid
from storage.sqlite import close_connection
from storage.steps import open_steps_by_key, step_key
from storage.timeutil import to_db
from storage.vocabulary import Source

_SOURCES = frozenset(Source)


@dataclass(frozen=True)
class CaptureRow:
    kind: str  # "note" | "todo" | "win"
    text: str
    raw_text: str
    tags: Sequence[str]
    due_on: date | None
    due_at: datetime | None
    estimate_minutes: int | None
    source: str
    uid: str | None = None  # given by a caller that may retry; a fresh one otherwise


@dataclass(frozen=True)
class SavedCapture:
    table: str  # "entries" | "actions"
    id: int
    uid: str
    goal_slug: str | None
    goal_title: str | None
    tags: tuple[str, ...]  # tags stored as tags (the goal's tag is a link instead)
    # A to-do its goal already had open: nothing new was added; the open step took the
    # capture's due day, estimate and tags, if it gave any (see storage.steps).
    already_open: bool = False


class CaptureWriter:
    """Writes captures over one kept-open connection, for a long-lived process (the tray).

    Opening and closing a connection per capture costs four extra flushes: SQLite creates
    the WAL file anew, then checkpoints and deletes it when the last connection closes.
    Kept open, a capture costs the one flush its commit needs. Use it from one thread.
    """

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self._conn: sqlite3.Connection | None = None

    def write(self, row: CaptureRow, now: datetime) -> SavedCapture:
        """Insert the capture and commit durably before returning (the acknowledgement)."""
        if row.source not in _SOURCES:
            # A value outside the vocabulary could be written but never imported back.
            raise ValueError(f"unknown source {row.source!r}")
        if self._conn is None:
            self._conn = connect(self.db_path)
        try:
            # The one transaction helper (storage.db); `now` is the capture's moment.
            with transaction(self._conn, db_path=self.db_path, clock=lambda: now) as tx:
                return _insert(tx.conn, row, now)
        except StorageError:
            # Start afresh next time: the file may have been replaced, restored or repaired.
            self.close()
            raise

    def close(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            close_connection(conn)


def write_capture(db_path: Path, row: CaptureRow, now: datetime) -> SavedCapture:
    """One capture over a connection of its own (the CLI's one-shot path)."""
    writer = CaptureWriter(db_path)
    try:
        return writer.write(row, now)
    finally:
        writer.close()


def _insert(conn: sqlite3.Connection, row: CaptureRow, now: datetime) -> SavedCapture:
    if row.uid is not None:
        earlier = _find_by_uid(conn, row.uid)
        if earlier is not None:
            return earlier  # a retry of a capture that was already committed
    goal_id, goal_slug, goal_title = None, None, None
    plain_tags: list[str] = []
    for tag in row.tags:
        if goal_id is None:
            found = conn.execute("SELECT id, slug, title FROM goals WHERE slug = ?",
                                 (tag,)).fetchone()
            if found:
                goal_id, goal_slug, goal_title = found
                continue
        plain_tags.append(tag)
    stamp = to_db(now)
    if row.kind == "todo" and goal_id is not None:
        same = open_steps_by_key(conn, goal_id).get(step_key(row.text))
        if same is not None:
            return _onto_open_step(conn, same, row, plain_tags, stamp, goal_slug, goal_title)
    uid = row.uid or new_uid()
    if row.kind == "note":
        table = "entries"
        cursor = conn.execute(
            "INSERT INTO entries (uid, text, kind, goal_id, source, raw_text, created_at, "
            "updated_at) VALUES (?, ?, 'note', ?, ?, ?, ?, ?)",
            (uid, row.text, goal_id, row.source, row.raw_text, stamp, stamp))
    else:
        table = "actions"
        done = row.kind == "win"
        cursor = conn.execute(
            "INSERT INTO actions (uid, title, goal_id, status, estimate_minutes, due_on, "
            "due_at, done_at, source, raw_text, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (uid, row.text, goal_id, "done" if done else "open", row.estimate_minutes,
             row.due_on.isoformat() if row.due_on else None,
             to_db(row.due_at) if row.due_at else None,
             stamp if done else None, row.source, row.raw_text, stamp, stamp))
    new_id = inserted_id(cursor)
    _link_tags(conn, table, new_id, plain_tags)
    return SavedCapture(table, new_id, uid, goal_slug, goal_title, tuple(plain_tags))


def _link_tags(conn: sqlite3.Connection, table: str, row_id: int, tags: Sequence[str]) -> None:
    link, owner = ("entry_tags", "entry_id") if table == "entries" else ("action_tags",
                                                                         "action_id")
    for tag in tags:
        conn.execute("INSERT OR IGNORE INTO tags (name) VALUES (?)", (tag,))
        conn.execute(
            f"INSERT OR IGNORE INTO {link} ({owner}, tag_id) "
            "SELECT ?, id FROM tags WHERE name = ?", (row_id, tag))


def _onto_open_step(conn: sqlite3.Connection, action_id: int, row: CaptureRow,
                    tags: Sequence[str], stamp: str, goal_slug: str | None,
                    goal_title: str | None) -> SavedCapture:
    """A to-do its goal has open already: the open step stays the one step, and takes what
    the capture adds to it (a due day or time, an estimate, tags): the user's newest word
    on it, and nothing they typed is lost."""
    if row.due_on is not None:
        conn.execute("UPDATE actions SET due_on = ?, due_at = ?, updated_at = ? WHERE id = ?",
                     (row.due_on.isoformat(), to_db(row.due_at) if row.due_at else None,
                      stamp, action_id))
    if row.estimate_minutes is not None:
        conn.execute("UPDATE actions SET estimate_minutes = ?, updated_at = ? WHERE id = ?",
                     (row.estimate_minutes, stamp, action_id))
    _link_tags(conn, "actions", action_id, tags)
    (uid,) = conn.execute("SELECT uid FROM actions WHERE id = ?", (action_id,)).fetchone()
    return SavedCapture("actions", action_id, uid, goal_slug, goal_title, tuple(tags),
                        already_open=True)


def _find_by_uid(conn: sqlite3.Connection, uid: str) -> SavedCapture | None:
    for table, link, owner in (("entries", "entry_tags", "entry_id"),
                               ("actions", "action_tags", "action_id")):
        found = conn.execute(
            f"SELECT t.id, g.slug, g.title FROM {table} t LEFT JOIN goals g ON g.id = t.goal_id "
            "WHERE t.uid = ?", (uid,)).fetchone()
        if found:
            tags = tuple(name for (name,) in conn.execute(
                f"SELECT tags.name FROM {link} JOIN tags ON tags.id = {link}.tag_id "
                f"WHERE {link}.{owner} = ? ORDER BY tags.name", (found[0],)))
            return SavedCapture(table, found[0], uid, found[1], found[2], tags)
    return None
