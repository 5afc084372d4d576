"""Sync's transactions on one journal: its identity and switches, folding the change log,
what waits to be sent, applying a batch from another device, conflicts and the run log.

Each method that writes is one BEGIN IMMEDIATE transaction, so a sync killed at any point
leaves the journal as it was before that transaction: a batch is applied and remembered as
applied together, or not at all.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from storage.db import connect, transaction
from storage.sync.fold import Folder, seed
from storage.sync.hlc import ms_of
from storage.sync.merge import Merger, MergeStats
from storage.timeutil import to_db, utc_now


@dataclass(frozen=True)
class SyncState:
    enabled: bool
    device: str | None
    key_id: str | None
    hlc: int
    next_seq: int
    applying: bool


@dataclass(frozen=True)
class Conflict:
    id: int
    table: str
    key: str
    field: str
    other: str  # the version that was not kept
    other_device: str
    reason: str  # "edited" (both edited it) | "deleted" (edited here, deleted there)
    current: str | None  # the version kept, as it is now (None: the row is gone)
    created_at: str
    resolved_at: str | None
    other_hlc: int = 0  # when the other version was written (its clock stamp)
    current_version: tuple[int, str] = (0, "")  # (hlc, device) of the text as it is now


class SyncStore:
    """Sync's view of one journal file, over one connection; use it from one thread."""

    def __init__(self, db: Path, *, clock: Callable[[], datetime] = utc_now) -> None:
        self.db_path = db
        self.clock = clock  # tests give each device a clock of its own (skew)
        self.conn = connect(db)

    def close(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")
        self.conn.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with transaction(self.conn, db_path=self.db_path) as tx:
            yield tx.conn

    def _now(self) -> str:
        return to_db(self.clock())

    def skew_ms(self) -> int:
        """This device's clock minus SQLite's (which stamps the change log): zero unless
        the clock is moved (WISE_CLOCK_SHIFT, a test's device with a clock of its own)."""
        (sqlite_ms,) = self.conn.execute(
            "SELECT CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)").fetchone()
        skew = ms_of(self.clock()) - sqlite_ms
        return 0 if abs(skew) < 1000 else skew

    # -------------------------------------------------------------- identity

    def state(self) -> SyncState:
        row = self.conn.execute("SELECT enabled, device, key_id, hlc, next_seq, applying "
                                "FROM sync_state WHERE id = 1").fetchone()
        return SyncState(bool(row[0]), row[1], row[2], row[3], row[4], bool(row[5]))

    def enable(self, device: str, key_id: str) -> int:
        """Start logging changes as `device`; the first time, log the whole journal so the
        first sync sends it. Returns how many rows were logged."""
        with self._write() as conn:
            state = self.state()
            seeded = 0
            if not state.enabled or state.device != device:
                conn.execute("DELETE FROM sync_outbox")
                seeded = seed(conn)
            conn.execute("UPDATE sync_state SET enabled = 1, applying = 0, device = ?, "
                         "key_id = ? WHERE id = 1", (device, key_id))
            return seeded

    def disable(self) -> None:
        """Stop logging (sync turned off). What was logged is dropped: turning sync on
        again logs the whole journal afresh."""
        with self._write() as conn:
            conn.execute("UPDATE sync_state SET enabled = 0, applying = 0 WHERE id = 1")
            conn.execute("DELETE FROM sync_outbox")
            conn.execute("DELETE FROM sync_unsent")

    def reidentify(self) -> str:
        """Continue as a new device (this journal was restored or copied): a device id
        that two journals share would let their changes collide."""
        from storage.sync.ids import new_device_id

        device = new_device_id()
        with self._write() as conn:
            conn.execute("UPDATE sync_state SET device = ?, next_seq = 1 WHERE id = 1",
                         (device,))
        return device

    def repair_switch(self) -> bool:
        """`applying` is set only inside a transaction; found set, it would silence the
        change log. Clear it (True when it had to be)."""
        if not self.state().applying:
            return False
        with self._write() as conn:
            conn.execute("UPDATE sync_state SET applying = 0 WHERE id = 1")
        return True

    # ----------------------------------------------------------------- sending

    def fold(self) -> int:
        state = self.state()
        if not state.enabled or state.device is None:
            return 0
        with self._write() as conn:
            return Folder(conn, state.device, self.skew_ms()).fold()

    def unsent(self, limit: int) -> list[tuple[int, str]]:
        return self.conn.execute("SELECT seq, op FROM sync_unsent ORDER BY seq LIMIT ?",
                                 (limit,)).fetchall()

    def next_batch_seq(self) -> int:
        return self.state().next_seq

    def planned(self, name: str, seq: int, count: int) -> None:
        """Batch `name` is about to be written: remember it first, so that finding it in
        our own folder later (after a crash right after writing it) is not mistaken for a
        batch of a copy of this journal."""
        with self._write() as conn:
            conn.execute("INSERT OR IGNORE INTO sync_batches (name, device, seq, ops, mine, at) "
                         "VALUES (?, (SELECT device FROM sync_state), ?, ?, 1, ?)",
                         (name, seq, count, self._now()))

    def published(self, upto: int, seq: int) -> None:
        """The operations up to `upto` are in batch number `seq`, safely written."""
        with self._write() as conn:
            conn.execute("DELETE FROM sync_unsent WHERE seq <= ?", (upto,))
            conn.execute("UPDATE sync_state SET next_seq = max(next_seq, ?) WHERE id = 1",
                         (seq + 1,))

    # ---------------------------------------------------------------- receiving

    def known_batches(self) -> set[str]:
        return {name for (name,) in self.conn.execute("SELECT name FROM sync_batches")}

    def apply_batch(self, name: str, device: str, seq: int, wall: int,
                    ops: Sequence[dict]) -> MergeStats:
        """Apply another device's batch and remember it, in one transaction."""
        state = self.state()
        with self._write() as conn:
            if conn.execute("SELECT 1 FROM sync_batches WHERE name = ?", (name,)).fetchone():
                return MergeStats()
            # Local changes are stamped first: they are compared as this device knew them.
            if state.enabled and state.device:
                Folder(conn, state.device, self.skew_ms()).fold()
            conn.execute("UPDATE sync_state SET applying = 1 WHERE id = 1")
            now = self._now()
            merger = Merger(conn, now)
            for op in ops:
                merger.apply(op, device)
            merger.settle()
            conn.execute("UPDATE sync_state SET applying = 0, hlc = max(hlc, ?) WHERE id = 1",
                         (merger.stats.max_hlc,))
            conn.execute("INSERT INTO sync_batches (name, device, seq, ops, mine, at) "
                         "VALUES (?, ?, ?, ?, 0, ?)", (name, device, seq, len(ops), now))
            ahead = max(0, wall - ms_of(self.clock()))
            conn.execute(
                "INSERT INTO sync_peers (device, last_seq, last_wall, seen_at, ahead_ms) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (device) DO UPDATE SET "
                "last_seq = max(last_seq, excluded.last_seq), "
                "last_wall = max(last_wall, excluded.last_wall), seen_at = excluded.seen_at, "
                "ahead_ms = excluded.ahead_ms", (device, seq, wall, now, ahead))
            return merger.stats

    # ---------------------------------------------------------------- reading

    def missing_triggers(self) -> list[str]:
        """Synced tables without their three change-log triggers (a migration that rebuilt
        a table and forgot them): changes there would silently not sync."""
        from storage.sync.tables import TABLES

        present = {name for (name,) in self.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'sync_%'")}
        return [table.name for table in TABLES
                if not {f"sync_{table.name}_{s}" for s in ("ai", "au", "ad")} <= present]

    def goal_title(self, uid: str) -> str | None:
        row = self.conn.execute("SELECT title FROM goals WHERE uid = ?", (uid,)).fetchone()
        return None if row is None else row[0]

    def uid_known(self, uid: str) -> bool:
        """An entry or action with this uid is here, or was here and was deleted."""
        for table in ("entries", "actions"):
            if self.conn.execute(f"SELECT 1 FROM {table} WHERE uid = ?", (uid,)).fetchone():
                return True
        return self.conn.execute("SELECT 1 FROM sync_rows WHERE tbl IN ('entries', "
                                 "'actions') AND key = ?", (uid,)).fetchone() is not None

    def counts(self) -> dict[str, int]:
        one = lambda sql: self.conn.execute(sql).fetchone()[0]  # noqa: E731
        return {
            "waiting": one("SELECT count(*) FROM sync_outbox") + one(
                "SELECT count(*) FROM sync_unsent"),
            "pending": one("SELECT count(*) FROM sync_pending"),
            "tombstones": one("SELECT count(*) FROM sync_rows WHERE dead IS NOT NULL"),
            "batches_sent": one("SELECT count(*) FROM sync_batches WHERE mine = 1"),
            "batches_applied": one("SELECT count(*) FROM sync_batches WHERE mine = 0"),
            "open_conflicts": one("SELECT count(*) FROM sync_conflicts "
                                  "WHERE resolved_at IS NULL"),
        }

    def peers(self) -> list[tuple[str, int, int, str, int]]:
        return self.conn.execute("SELECT device, last_seq, last_wall, seen_at, ahead_ms "
                                 "FROM sync_peers ORDER BY device").fetchall()

    def conflicts(self, *, open_only: bool = True, table: str | None = None,
                  key: str | None = None) -> list[Conflict]:
        """Conflicts (open ones only by default), of one row when `table` and `key` say
        which (a window shows those of the text it holds)."""
        from storage.sync import versions
        from storage.sync.rows import Rows
        from storage.sync.tables import BY_NAME

        rows = Rows(self.conn)
        where, params = ["resolved_at IS NULL"] if open_only else [], []
        if table is not None and key is not None:
            where.append("tbl = ? AND key = ?")
            params += [table, key]
        found = []
        for (cid, tbl, row_key, name, other, device, reason, created, resolved,
             other_hlc) in self.conn.execute(
                "SELECT id, tbl, key, field, other, other_device, reason, created_at, "
                "resolved_at, other_hlc FROM sync_conflicts "
                f"{'WHERE ' + ' AND '.join(where) if where else ''} ORDER BY id",
                params).fetchall():
            values = rows.read(BY_NAME[tbl], row_key) if tbl in BY_NAME else None
            current = None if values is None else values.get(name)
            version = versions.load(self.conn, tbl, row_key).version_of(name)
            found.append(Conflict(cid, tbl, row_key, name, other, device, reason,
                                  None if current is None else str(current), created,
                                  resolved, other_hlc, version))
        return found

    def goal_uid(self, goal_id: int) -> str | None:
        row = self.conn.execute("SELECT uid FROM goals WHERE id = ?", (goal_id,)).fetchone()
        return None if row is None else row[0]

    def goal_id(self, uid: str) -> int | None:
        row = self.conn.execute("SELECT id FROM goals WHERE uid = ?", (uid,)).fetchone()
        return None if row is None else row[0]

    def resolve(self, conflict_id: int, *, use_other: bool = False,
                text: str | None = None) -> Conflict:
        """Answer a conflict: keep the text as it is, put the other version back
        (`use_other`), or write `text` (the two merged by the user). Each way an edit is
        logged, so every device closes the conflict when it gets it."""
        from storage.sync.tables import BY_NAME

        found = [c for c in self.conflicts(open_only=True) if c.id == conflict_id]
        if not found:
            raise ValueError(f"there is no open conflict {conflict_id}")
        conflict = found[0]
        table = BY_NAME[conflict.table]
        chosen = conflict.other if use_other else text
        with self._write() as conn:
            from storage.sync.rows import Rows

            row_id = Rows(conn).local_id(table, conflict.key)
            if chosen is not None:
                if row_id is None:
                    raise ValueError("that text's row was deleted; copy the other version "
                                     "from `wise sync status` if you want it")
                conn.execute(f"UPDATE {table.name} SET {conflict.field} = ? WHERE rowid = ?",
                             (chosen, row_id))
            if row_id is not None and (chosen is None or chosen == conflict.current):
                # The same text again, as an edit of its own: it answers the conflict.
                conn.execute(
                    "INSERT INTO sync_outbox (tbl, key, cols, wall) VALUES (?, ?, ?, "
                    "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER))",
                    (table.name, conflict.key, f"{conflict.field},"))
            conn.execute("UPDATE sync_conflicts SET resolved_at = ?, announced = ? WHERE id = ?",
                         (self._now(), 0 if row_id is not None else 1, conflict_id))
        return conflict

    # -------------------------------------------------------------------- log

    def log_run(self, started: datetime, outcome: str, sent: int, received: int,
                captured: int, problems: Sequence[str]) -> None:
        with self._write() as conn:
            conn.execute(
                "INSERT INTO sync_log (started_at, finished_at, outcome, sent, received, "
                "captured, problems) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (to_db(started), self._now(), outcome, sent, received, captured,
                 json.dumps(list(problems), ensure_ascii=False)))
            # A year of syncs every few minutes is 100,000 rows: keep the last 1,000.
            conn.execute("DELETE FROM sync_log WHERE id <= (SELECT max(id) FROM sync_log) "
                         "- 1000")

    def runs(self, limit: int) -> list[tuple]:
        return self.conn.execute(
            "SELECT started_at, finished_at, outcome, sent, received, captured, problems "
            "FROM sync_log ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
