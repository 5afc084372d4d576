"""Apply other devices' operations: last writer wins per field by (hlc, device), deletes
win over every edit of a uid-named row (final) and are last-writer-wins for rows named by a
natural key (a tag link can come back), long texts written without knowing each other (by
their version vectors) keep the losing version as a conflict for the user.

Every operation can arrive late, twice or out of order: applying is idempotent and the
result does not depend on the order. A row whose fields or parent have not arrived yet waits
in sync_pending; an optional reference to a row not here yet is NULL until it comes
(sync_dangling). Runs inside the caller's write transaction, with sync_state.applying set
so that the triggers do not log these writes back.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field

from storage.sync import versions
from storage.sync.hlc import Version
from storage.sync.rows import Rows, Unresolved, Value
from storage.sync.tables import BY_NAME, SyncedTable
from storage.sync.versions import FieldVersion, RowVersions, Vector, covers, join


@dataclass
class MergeStats:
    applied: int = 0  # operations that changed something
    ignored: int = 0  # already known, older, or for a table this version does not have
    conflicts: int = 0
    refused: int = 0  # values this device's schema refuses (kept waiting or as they were)
    max_hlc: int = 0
    unknown_tables: set[str] = field(default_factory=set)


def _empty(value: Value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class Merger:
    def __init__(self, conn: sqlite3.Connection, now_text: str) -> None:
        self.conn = conn
        self.rows = Rows(conn)
        self.now_text = now_text
        self.stats = MergeStats()
        self._made = False  # a row was made: waiting rows may now find their parent

    # ------------------------------------------------------------------ entry

    def apply(self, op: dict, origin: str) -> None:
        table = BY_NAME.get(op.get("t", ""))
        if table is None:
            self.stats.ignored += 1
            self.stats.unknown_tables.add(str(op.get("t")))
            return
        key, hlc = op["k"], int(op["h"])
        self.stats.max_hlc = max(self.stats.max_hlc, hlc)
        version = (hlc, origin)
        rv = versions.load(self.conn, table.name, key)
        if op["o"] == "d":
            changed = self._delete(table, key, rv, version, dict(op.get("vv") or {}))
        else:
            values = {name: value for name, value in (op.get("f") or {}).items()
                      if name in table.fields}
            changed = self._upsert(table, key, rv, version, op["o"] == "c", values,
                                   dict(op.get("vv") or {}))
        if op.get("r"):
            self.answered(table.name, key, op["r"])
        if changed:
            self.stats.applied += 1
        else:
            self.stats.ignored += 1

    # ----------------------------------------------------------------- delete

    def _delete(self, table: SyncedTable, key: str, rv: RowVersions, version: Version,
                known: Vector) -> bool:
        if rv.dead is not None and rv.dead >= version:
            return False
        if table.revivable and rv.created is not None and rv.created > version:
            return False  # made again after this delete
        row_id = self.rows.local_id(table, key)
        current = self.rows.read(table, key) if row_id is not None else self._pending(table,
                                                                                      key)
        for name in table.long_texts:
            text = (current or {}).get(name)
            if not covers(known, rv.vector_of(name)) and not _empty(text):
                self._conflict(table, key, name, text, rv.version_of(name), version,
                               "deleted")
        if row_id is not None:
            self.rows.delete(table, row_id)
        self.conn.execute("DELETE FROM sync_pending WHERE tbl = ? AND key = ?",
                          (table.name, key))
        self.conn.execute("DELETE FROM sync_dangling WHERE tbl = ? AND key = ?",
                          (table.name, key))
        rv.dead, rv.dead_known = version, join(known, rv.dead_known)
        versions.save(self.conn, table.name, key, rv)
        return True

    # ----------------------------------------------------------------- upsert

    def _upsert(self, table: SyncedTable, key: str, rv: RowVersions, version: Version,
                create: bool, values: dict[str, Value], vectors: dict[str, Vector]) -> bool:
        if rv.dead is not None:
            if not (table.revivable and create and version > rv.dead):
                # Stays deleted; a text written without knowing of the delete is kept.
                for name in table.long_texts:
                    vector = vectors.get(name) or {version[1]: version[0]}
                    if (name in values and not covers(rv.dead_known, vector)
                            and not _empty(values[name])):
                        self._conflict(table, key, name, values[name], version, rv.dead,
                                       "deleted")
                return False
            rv.dead, rv.dead_known = None, {}
        if rv.known:
            row_id = self.rows.local_id(table, key)
            current = (self.rows.read(table, key) if row_id is not None
                       else self._pending(table, key)) or {}
        else:  # a key never seen here (every local row is folded first): nothing to read
            row_id, current = None, {}
        taken: dict[str, Value] = {}
        for name, value in values.items():
            mine = rv.version_of(name)
            if version == mine:
                continue
            if name in table.long_texts:
                self._long_text(table, key, rv, name, value, version,
                                vectors.get(name) or {version[1]: version[0]},
                                current.get(name), taken)
            elif version > mine:
                taken[name] = value
                rv.fields[name] = FieldVersion(version)
        if create and (rv.created is None or version > rv.created):
            rv.made(version)
        if row_id is not None:
            if taken:
                self._write(table, key, row_id, taken)
        else:
            merged = dict(current)
            merged.update(taken)
            self._materialize(table, key, merged, may_wait=rv.known)
        versions.save(self.conn, table.name, key, rv)
        return bool(taken) or create

    def _long_text(self, table: SyncedTable, key: str, rv: RowVersions, name: str,
                   value: Value, version: Version, vector: Vector, current: Value,
                   taken: dict[str, Value]) -> None:
        """Last writer wins; a text written without knowing the other is kept as a
        conflict (whichever of the two lost)."""
        mine, my_vector = rv.version_of(name), rv.vector_of(name)
        concurrent = not covers(vector, my_vector) and not covers(my_vector, vector)
        known = versions.join(rv.known_of(name), vector)
        if version > mine:
            taken[name] = value
            rv.fields[name] = FieldVersion(version, vector, known)
            if concurrent and not _empty(current) and current != value:
                self._conflict(table, key, name, current, mine, version, "edited")
        else:
            own = rv.fields.get(name) or FieldVersion(mine, my_vector)
            rv.fields[name] = FieldVersion(own.version, own.vector or my_vector, known)
            if concurrent and not _empty(value) and current != value:
                self._conflict(table, key, name, value, version, mine, "edited")

    def answered(self, table_name: str, key: str, answers: list) -> None:
        """Another device's user answered these conflicts: close them here too (and
        remember the answer if this device has not met the conflict yet)."""
        for name, device, hlc in answers:
            self.conn.execute(
                "INSERT INTO sync_conflicts (tbl, key, field, other, other_hlc, other_device,"
                " kept_hlc, reason, created_at, resolved_at) VALUES (?, ?, ?, '', ?, ?, 0, "
                "'edited', ?, ?) ON CONFLICT (tbl, key, field, other_hlc, other_device) DO "
                "UPDATE SET resolved_at = coalesce(resolved_at, excluded.resolved_at)",
                (table_name, key, name, hlc, device, self.now_text, self.now_text))

    def _conflict(self, table: SyncedTable, key: str, name: str, text: Value,
                  other: Version, kept: Version, reason: str) -> None:
        cursor = self.conn.execute(
            "INSERT OR IGNORE INTO sync_conflicts (tbl, key, field, other, other_hlc, "
            "other_device, kept_hlc, reason, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (table.name, key, name, str(text), other[0], other[1], kept[0], reason,
             self.now_text))
        self.stats.conflicts += cursor.rowcount

    # --------------------------------------------------------- local writes

    def _local_values(self, table: SyncedTable, key: str, values: dict[str, Value]
                      ) -> dict[str, Value] | None:
        """Travelled values -> local ones (references to ids); None when a reference the
        row cannot do without names a row that is not here (yet)."""
        local = dict(values)
        dangling = []
        for name, ref in table.refs.items():
            if name not in values or name in table.key:
                continue
            target = values[name]
            row_id = self.rows.local_ref(table, name, target, values)
            if target is not None and row_id is None:
                gone = self._is_dead(ref.table_for(values.get(ref.by or "")), str(target))
                if ref.required:
                    return None
                if not gone:
                    dangling.append((name, str(target)))
            local[name] = row_id
        for name, target in dangling:
            self.conn.execute(
                "INSERT OR REPLACE INTO sync_dangling (tbl, key, field, target) "
                "VALUES (?, ?, ?, ?)", (table.name, key, name, target))
        return local

    def _is_dead(self, table: str | None, key: str) -> bool:
        if table is None:
            return True
        row = self.conn.execute("SELECT dead IS NOT NULL FROM sync_rows WHERE tbl = ? AND "
                                "key = ?", (table, key)).fetchone()
        return bool(row and row[0])

    def _write(self, table: SyncedTable, key: str, row_id: int, taken: dict[str, Value]
               ) -> None:
        self.conn.execute("DELETE FROM sync_dangling WHERE tbl = ? AND key = ? AND field IN "
                          f"({', '.join('?' * len(taken))})", (table.name, key, *taken))
        local = self._local_values(table, key, taken)
        if local is None:  # a required reference moved to a row not here: keep the old one
            local = {name: value for name, value in taken.items() if name not in table.refs}
        if table.name == "goals" and "slug" in local:
            local["slug"] = self._free_slug(key, str(local["slug"]))
        try:
            self.rows.update(table, row_id, local)  # one statement: undone alone if refused
        except sqlite3.IntegrityError:
            self.stats.refused += 1  # kept as it was; see _materialize

    def _materialize(self, table: SyncedTable, key: str, values: dict[str, Value],
                     *, may_wait: bool = True) -> None:
        """Make the row when everything it needs is here; otherwise keep it waiting."""
        local = None
        if all(values.get(name) is not None for name in table.required):
            local = self._local_values(table, key, values)
        if local is not None:
            if table.name == "goals":
                local["slug"] = self._free_slug(key, str(local["slug"]))
            try:
                # One statement: if it fails, SQLite undoes just it (no savepoint needed).
                self.rows.insert(table, key, local)
            except Unresolved:
                local = None
            except sqlite3.IntegrityError:
                # A value this version of Wise refuses (a newer device's vocabulary): the
                # row waits, whole, for an update of Wise, instead of stopping the batch.
                self.stats.refused += 1
                local = None
        if local is None:
            self.conn.execute(
                "INSERT OR REPLACE INTO sync_pending (tbl, key, vals) VALUES (?, ?, ?)",
                (table.name, key, json.dumps(values, ensure_ascii=False)))
            self.conn.execute("DELETE FROM sync_dangling WHERE tbl = ? AND key = ?",
                              (table.name, key))
            return
        if may_wait:  # a key never seen before cannot be waiting
            self.conn.execute("DELETE FROM sync_pending WHERE tbl = ? AND key = ?",
                              (table.name, key))
        self._made = True

    def _pending(self, table: SyncedTable, key: str) -> dict[str, Value] | None:
        row = self.conn.execute("SELECT vals FROM sync_pending WHERE tbl = ? AND key = ?",
                                (table.name, key)).fetchone()
        return None if row is None else json.loads(row[0])

    def _free_slug(self, uid: str, slug: str) -> str:
        """Two goals made apart with the same #tag: the one with the greater uid gets the
        tag with its uid's first letters added, on every device alike (and says so as an
        edit of its own, so devices that learn of it later agree too)."""
        other = self.conn.execute("SELECT id, uid FROM goals WHERE slug = ? AND uid != ?",
                                  (slug, uid)).fetchone()
        if other is None:
            return slug
        if uid > other[1]:
            renamed = _renamed(self.conn, slug, uid)
            self._log_rename(uid)
            return renamed
        self.conn.execute("UPDATE goals SET slug = ? WHERE id = ?",
                          (_renamed(self.conn, slug, other[1]), other[0]))
        self._log_rename(other[1])
        return slug

    def _log_rename(self, uid: str) -> None:
        self.conn.execute(
            "INSERT INTO sync_outbox (tbl, key, cols, wall) VALUES ('goals', ?, 'slug,', "
            "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER))", (uid,))

    # --------------------------------------------------------------- settle

    def settle(self) -> None:
        """Rows waiting for a parent, and references waiting for their row: try again."""
        if not self._made:
            return
        while self._made:
            self._made = False
            for name, key, vals in self.conn.execute(
                    "SELECT tbl, key, vals FROM sync_pending").fetchall():
                self._materialize(BY_NAME[name], key, json.loads(vals))
        for name, key, column, target in self.conn.execute(
                "SELECT tbl, key, field, target FROM sync_dangling").fetchall():
            table = BY_NAME[name]
            row_id = self.rows.local_id(table, key)
            if row_id is None:
                continue
            values = self.rows.read(table, key) or {}
            values[column] = target
            local = self.rows.local_ref(table, column, target, values)
            ref = table.refs[column]
            if local is not None or self._is_dead(ref.table_for(values.get(ref.by or "")),
                                                  target):
                self.rows.update(table, row_id, {column: local})
                self.conn.execute("DELETE FROM sync_dangling WHERE tbl = ? AND key = ? AND "
                                  "field = ?", (name, key, column))


def _renamed(conn: sqlite3.Connection, slug: str, uid: str) -> str:
    for length in (4, 8, 12, 32):
        candidate = f"{slug}-{uid.replace('-', '')[:length]}"[-80:]
        if conn.execute("SELECT 1 FROM goals WHERE slug = ?", (candidate,)).fetchone() is None:
            return candidate
    return f"{slug}-{uid}"[-80:]
