"""Per-row, per-field versions of synced rows, and tombstones (the table sync_rows).

Each field's value carries the version (hlc, device) that wrote it; a row made in one go
shares one version ("*"), and only fields changed since carry their own. A long text also
keeps the stamp of the version its writer had before (its *base*): two edits that did not
know each other are a conflict, not just an older and a newer value. A tombstone keeps the
version of the delete and the newest stamp the deleter had seen of the row.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field

from storage.sync.hlc import ZERO, Version


@dataclass
class RowVersions:
    created: Version | None = None  # the version that made (or last made again) the row
    fields: dict[str, tuple[Version, int]] = field(default_factory=dict)  # (version, base)
    dead: tuple[Version, int] | None = None  # (version of the delete, newest stamp it knew)
    known: bool = False  # a row for it is in sync_rows

    def version_of(self, name: str) -> Version:
        own = self.fields.get(name)
        if own is not None:
            return own[0]
        return self.created or ZERO

    def base_of(self, name: str) -> int:
        own = self.fields.get(name)
        return own[1] if own is not None else 0

    def newest(self) -> int:
        stamps = [self.created[0] if self.created else 0]
        stamps += [version[0] for version, _base in self.fields.values()]
        return max(stamps)

    def set_field(self, name: str, version: Version, base: int) -> None:
        self.fields[name] = (version, base)

    def made(self, version: Version, bases: dict[str, int] | None = None) -> None:
        """Made (again) at `version`: every field at that version, except newer ones."""
        self.created = version
        kept = {name: own for name, own in self.fields.items() if own[0] > version}
        for name, base in (bases or {}).items():
            if name not in kept and base:
                kept[name] = (version, base)
        self.fields = kept


def load(conn: sqlite3.Connection, table: str, key: str) -> RowVersions:
    row = conn.execute("SELECT ver, dead FROM sync_rows WHERE tbl = ? AND key = ?",
                       (table, key)).fetchone()
    if row is None:
        return RowVersions()
    ver = json.loads(row[0])
    created = ver.get("*")
    fields = {name: ((value[0], value[1]), value[2] if len(value) > 2 else 0)
              for name, value in ver.get("f", {}).items()}
    dead = None
    if row[1] is not None:
        h, device, base = json.loads(row[1])
        dead = ((h, device), base)
    return RowVersions(None if created is None else (created[0], created[1]), fields, dead,
                       known=True)


def save(conn: sqlite3.Connection, table: str, key: str, versions: RowVersions) -> None:
    ver: dict[str, object] = {}
    if versions.created is not None:
        ver["*"] = list(versions.created)
    if versions.fields:
        ver["f"] = {name: [v[0], v[1], base] if base else [v[0], v[1]]
                    for name, (v, base) in versions.fields.items()}
    dead = None
    if versions.dead is not None:
        (h, device), base = versions.dead
        dead = json.dumps([h, device, base])
    conn.execute(
        "INSERT INTO sync_rows (tbl, key, ver, dead) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (tbl, key) DO UPDATE SET ver = excluded.ver, dead = excluded.dead",
        (table, key, json.dumps(ver, separators=(",", ":")), dead))
    versions.known = True
