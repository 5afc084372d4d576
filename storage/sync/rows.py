"""Rows of synced tables by their key: read as they travel (references as keys), written
from what travelled (keys back to local ids).

The SQL is built from storage.sync.tables once per table and kept.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from storage.sync.tables import BY_NAME, Ref, SyncedTable, key_parts

Value = str | int | float | None


def _key_column(table: SyncedTable) -> str:
    """The one column that names a row of a table referenced by others."""
    assert len(table.key) == 1, table.name
    return table.key[0]


def _ref_to_key_sql(ref: Ref, column: str) -> str:
    """SQL over `t` giving the referenced row's key instead of its local id."""
    if ref.table is not None:
        target = BY_NAME[ref.table]
        return f"(SELECT {_key_column(target)} FROM {target.name} WHERE id = t.{column})"
    cases = " ".join(
        f"WHEN '{value}' THEN (SELECT {_key_column(BY_NAME[name])} FROM {name} "
        f"WHERE id = t.{column})" for value, name in ref.choices)
    return f"(CASE t.{ref.by} {cases} END)"


@dataclass(frozen=True)
class _TableSql:
    where: str  # the row with a given key, over alias t
    select: str  # every field as it travels, for the row with a given key


class Unresolved(Exception):
    """A reference that a row cannot do without names a row this device does not have."""


class Rows:
    """Reading and writing synced rows by key, over one connection."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._sql: dict[str, _TableSql] = {}

    def _table_sql(self, table: SyncedTable) -> _TableSql:
        found = self._sql.get(table.name)
        if found is None:
            conditions = []
            for column in table.key:
                ref = table.refs.get(column)
                if ref is None:
                    conditions.append(f"t.{column} = ?")
                else:
                    target = BY_NAME[ref.table or ""]
                    conditions.append(f"t.{column} = (SELECT id FROM {target.name} "
                                      f"WHERE {_key_column(target)} = ?)")
            where = " AND ".join(conditions)
            columns = [(_ref_to_key_sql(table.refs[f], f) if f in table.refs else f"t.{f}")
                       for f in table.fields]
            select = (f"SELECT t.rowid{''.join(', ' + c for c in columns)} FROM {table.name} t "
                      f"WHERE {where}")
            found = self._sql[table.name] = _TableSql(where, select)
        return found

    # ----------------------------------------------------------------- reading

    def local_id(self, table: SyncedTable, key: str) -> int | None:
        sql = self._table_sql(table)
        row = self.conn.execute(f"SELECT t.rowid FROM {table.name} t WHERE {sql.where}",
                                key_parts(key)).fetchone()
        return None if row is None else row[0]

    def read(self, table: SyncedTable, key: str) -> dict[str, Value] | None:
        """Every field of the row as it travels, or None when there is no such row."""
        row = self.conn.execute(self._table_sql(table).select, key_parts(key)).fetchone()
        if row is None:
            return None
        return dict(zip(table.fields, row[1:], strict=True))

    def all_keys(self, table: SyncedTable) -> Iterable[str]:
        """The key of every row (for the first sync of a journal), in id order."""
        if table.refs and any(c in table.refs for c in table.key):
            parts = [_ref_to_key_sql(table.refs[c], c) for c in table.key]
            expression = " || char(31) || ".join(parts)
        else:
            expression = " || char(31) || ".join(f"t.{c}" for c in table.key)
        sql = f"SELECT {expression} FROM {table.name} t ORDER BY t.rowid"
        for (key,) in self.conn.execute(sql):
            if key is not None:
                yield key

    # ----------------------------------------------------------------- writing

    def local_ref(self, table: SyncedTable, column: str, key: object,
                  values: dict[str, Value]) -> int | None:
        """The local id of the row a travelling reference names (None when absent)."""
        if key is None:
            return None
        target_name = table.refs[column].table_for(values.get(table.refs[column].by or ""))
        if target_name is None:
            return None
        target = BY_NAME[target_name]
        row = self.conn.execute(
            f"SELECT id FROM {target.name} WHERE {_key_column(target)} = ?", (key,)).fetchone()
        return None if row is None else row[0]

    def insert(self, table: SyncedTable, key: str, values: dict[str, Value]) -> int:
        """Create the row from travelled values (references already made local)."""
        columns: list[str] = []
        params: list[Value] = []
        for column, part in zip(table.key, key_parts(key), strict=True):
            columns.append(column)
            if column in table.refs:
                local = self.local_ref(table, column, part, {})
                if local is None:
                    raise Unresolved(column)
                params.append(local)
            else:
                params.append(part)
        for name, value in values.items():
            columns.append(name)
            params.append(value)
        marks = ", ".join("?" * len(params))
        cursor = self.conn.execute(
            f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})", params)
        return int(cursor.lastrowid or 0)

    def update(self, table: SyncedTable, row_id: int, values: dict[str, Value]) -> None:
        if values:
            sets = ", ".join(f"{name} = ?" for name in values)
            self.conn.execute(f"UPDATE {table.name} SET {sets} WHERE rowid = ?",
                              (*values.values(), row_id))

    def delete(self, table: SyncedTable, row_id: int) -> None:
        self.conn.execute(f"DELETE FROM {table.name} WHERE rowid = ?", (row_id,))
