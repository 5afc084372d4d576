"""Turn what the triggers logged into stamped operations ready to send.

The triggers (migration 0008_sync) append (table, key, changed columns, wall-clock ms) to
sync_outbox in the transaction that made the change. Folding, inside a write transaction,
gives each entry a hybrid-logical-clock stamp taken from the moment it was made, records
the new field versions, reads the values as they are now, and queues the operation in
sync_unsent. It runs before any other device's changes are applied, so a local edit is
always compared with what this device knew when it was made.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator

from storage.sync import versions
from storage.sync.hlc import tick
from storage.sync.rows import Rows
from storage.sync.tables import BY_NAME, TABLES, SyncedTable

_CHUNK = 2000


def _outbox(conn: sqlite3.Connection) -> Iterator[tuple[int, str, str | None, str | None,
                                                        str, int]]:
    last = 0
    while True:
        chunk = conn.execute(
            "SELECT seq, tbl, key, old_key, cols, wall FROM sync_outbox WHERE seq > ? "
            "ORDER BY seq LIMIT ?", (last, _CHUNK)).fetchall()
        if not chunk:
            return
        yield from chunk
        last = chunk[-1][0]


class Folder:
    """Folds the outbox over one connection, inside the caller's write transaction."""

    def __init__(self, conn: sqlite3.Connection, device: str, skew_ms: int = 0) -> None:
        self.conn = conn
        self.rows = Rows(conn)
        self.device = device
        self.skew_ms = skew_ms  # this device's clock minus SQLite's (tests move the clock)

    def fold(self) -> int:
        """Stamp and queue everything logged so far; returns how many operations."""
        (hlc,) = self.conn.execute("SELECT hlc FROM sync_state WHERE id = 1").fetchone()
        made, last_seq = 0, None
        for seq, name, key, old_key, cols, wall in _outbox(self.conn):
            last_seq = seq
            table = BY_NAME.get(name)
            if table is None or key is None:
                continue  # a link whose item was gone before it was logged: said by the item
            hlc = tick(hlc, wall + self.skew_ms)
            if old_key is not None:  # the key itself changed: the old row is gone
                made += self._delete(table, old_key, hlc)
                cols = "*"
            if cols == "-":
                made += self._delete(table, key, hlc)
            elif cols == "*":
                made += self._create(table, key, hlc)
            else:
                changed = [c for c in cols.split(",") if c in table.fields]
                made += self._update(table, key, hlc, changed)
        if last_seq is not None:
            self.conn.execute("DELETE FROM sync_outbox WHERE seq <= ?", (last_seq,))
            self.conn.execute("UPDATE sync_state SET hlc = max(hlc, ?) WHERE id = 1", (hlc,))
        return made

    def _queue(self, op: dict) -> int:
        self.conn.execute("INSERT INTO sync_unsent (op) VALUES (?)",
                          (json.dumps(op, ensure_ascii=False, separators=(",", ":")),))
        return 1

    def _create(self, table: SyncedTable, key: str, hlc: int) -> int:
        values = self.rows.read(table, key)
        if values is None:
            return 0  # deleted again before this fold: its delete follows in the outbox
        rv = versions.load(self.conn, table.name, key)
        bases = {name: rv.version_of(name)[0] for name in table.long_texts}
        rv.dead = None
        rv.made((hlc, self.device), bases)
        versions.save(self.conn, table.name, key, rv)
        self._forget_pending(table, key)
        self._close_conflicts(table, key, bases)
        op: dict = {"t": table.name, "k": key, "h": hlc, "o": "c", "f": values}
        if any(bases.values()):
            op["b"] = {name: base for name, base in bases.items() if base}
        return self._queue(op)

    def _update(self, table: SyncedTable, key: str, hlc: int, changed: list[str]) -> int:
        if not changed:
            return 0
        values = self.rows.read(table, key)
        if values is None:
            return 0
        rv = versions.load(self.conn, table.name, key)
        bases = {}
        for name in changed:
            base = rv.version_of(name)[0]
            rv.set_field(name, (hlc, self.device), base if name in table.long_texts else 0)
            if name in table.long_texts:
                bases[name] = base
        versions.save(self.conn, table.name, key, rv)
        self.conn.executemany(
            "DELETE FROM sync_dangling WHERE tbl = ? AND key = ? AND field = ?",
            [(table.name, key, name) for name in changed])
        self._close_conflicts(table, key, bases)
        op: dict = {"t": table.name, "k": key, "h": hlc, "o": "u",
                    "f": {name: values[name] for name in changed}}
        if bases:
            op["b"] = bases
        return self._queue(op)

    def _delete(self, table: SyncedTable, key: str, hlc: int) -> int:
        rv = versions.load(self.conn, table.name, key)
        base = rv.newest()
        rv.dead = ((hlc, self.device), base)
        versions.save(self.conn, table.name, key, rv)
        self._forget_pending(table, key)
        return self._queue({"t": table.name, "k": key, "h": hlc, "o": "d", "b": base})

    def _forget_pending(self, table: SyncedTable, key: str) -> None:
        self.conn.execute("DELETE FROM sync_pending WHERE tbl = ? AND key = ?",
                          (table.name, key))
        self.conn.execute("DELETE FROM sync_dangling WHERE tbl = ? AND key = ?",
                          (table.name, key))

    def _close_conflicts(self, table: SyncedTable, key: str, bases: dict[str, int]) -> None:
        """An edit made knowing the kept version answers the conflicts about it."""
        close_conflicts(self.conn, table.name, key, bases)


def close_conflicts(conn: sqlite3.Connection, table: str, key: str,
                    bases: dict[str, int]) -> None:
    from storage.timeutil import to_db, utc_now

    for name, base in bases.items():
        if base:
            conn.execute(
                "UPDATE sync_conflicts SET resolved_at = ? WHERE tbl = ? AND key = ? AND "
                "field = ? AND resolved_at IS NULL AND kept_hlc <= ?",
                (to_db(utc_now()), table, key, name, base))


def seed(conn: sqlite3.Connection) -> int:
    """Log every existing row as made now: the first sync of a journal sends all of it.
    Parents before children (TABLES' order), so a new device rarely waits for a parent."""
    rows = Rows(conn)
    count = 0
    for table in TABLES:
        batch = [(table.name, key) for key in rows.all_keys(table)]
        conn.executemany(
            "INSERT INTO sync_outbox (tbl, key, cols, wall) VALUES (?, ?, '*', "
            "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER))", batch)
        count += len(batch)
    return count
