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

    def _long_texts(self, table: SyncedTable, key: str, rv: versions.RowVersions,
                    names: list[str], hlc: int) -> dict[str, versions.Vector]:
        """New vectors for the long texts written now: all this device has seen, and this."""
        vectors = {}
        for name in names:
            if name in table.long_texts:
                vector = versions.join(rv.known_of(name), {self.device: hlc})
                rv.fields[name] = versions.FieldVersion((hlc, self.device), vector, vector)
                vectors[name] = vector
        return vectors

    def _announce(self, table: SyncedTable, key: str, names: list[str]) -> list[list]:
        """Conflicts the user answered here, on these texts, not yet told to the others."""
        answered = []
        for name in names:
            if name in table.long_texts:
                found = self.conn.execute(
                    "SELECT id, other_device, other_hlc FROM sync_conflicts WHERE tbl = ? "
                    "AND key = ? AND field = ? AND resolved_at IS NOT NULL AND announced = 0",
                    (table.name, key, name)).fetchall()
                for conflict_id, device, hlc in found:
                    answered.append([name, device, hlc])
                    self.conn.execute("UPDATE sync_conflicts SET announced = 1 WHERE id = ?",
                                      (conflict_id,))
        return answered

    def _op(self, table: SyncedTable, key: str, hlc: int, kind: str, names: list[str],
            values: dict | None, vectors: dict) -> dict:
        op: dict = {"t": table.name, "k": key, "h": hlc, "o": kind}
        if values is not None:
            op["f"] = values
        if vectors:
            op["vv"] = vectors
        answered = self._announce(table, key, names)
        if answered:
            op["r"] = answered
        return op

    def _create(self, table: SyncedTable, key: str, hlc: int) -> int:
        values = self.rows.read(table, key)
        if values is None:
            return 0  # deleted again before this fold: its delete follows in the outbox
        rv = versions.load(self.conn, table.name, key)
        rv.dead, rv.dead_known = None, {}
        rv.made((hlc, self.device))
        names = list(table.fields)
        vectors = self._long_texts(table, key, rv, names, hlc)
        versions.save(self.conn, table.name, key, rv)
        self._forget_pending(table, key)
        return self._queue(self._op(table, key, hlc, "c", names, values, vectors))

    def _update(self, table: SyncedTable, key: str, hlc: int, changed: list[str]) -> int:
        if not changed:
            return 0
        values = self.rows.read(table, key)
        if values is None:
            return 0
        rv = versions.load(self.conn, table.name, key)
        for name in changed:
            if name not in table.long_texts:
                rv.fields[name] = versions.FieldVersion((hlc, self.device))
        vectors = self._long_texts(table, key, rv, changed, hlc)
        versions.save(self.conn, table.name, key, rv)
        self.conn.executemany(
            "DELETE FROM sync_dangling WHERE tbl = ? AND key = ? AND field = ?",
            [(table.name, key, name) for name in changed])
        return self._queue(self._op(table, key, hlc, "u", changed,
                                    {name: values[name] for name in changed}, vectors))

    def _delete(self, table: SyncedTable, key: str, hlc: int) -> int:
        rv = versions.load(self.conn, table.name, key)
        known = rv.all_known()
        rv.dead, rv.dead_known = (hlc, self.device), known
        versions.save(self.conn, table.name, key, rv)
        self._forget_pending(table, key)
        op = {"t": table.name, "k": key, "h": hlc, "o": "d"}
        if known:
            op["vv"] = known
        return self._queue(op)

    def _forget_pending(self, table: SyncedTable, key: str) -> None:
        self.conn.execute("DELETE FROM sync_pending WHERE tbl = ? AND key = ?",
                          (table.name, key))
        self.conn.execute("DELETE FROM sync_dangling WHERE tbl = ? AND key = ?",
                          (table.name, key))


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
