"""Per-row, per-field versions of synced rows, and tombstones (the table sync_rows).

Each field's value carries the version (hlc, device) that wrote it; a row made in one go
shares one version ("*"), and only fields changed since carry their own. A long text
also carries a version vector (device -> newest stamp of that device's edits of the text
its writer had seen), and this device keeps the join of every vector it has seen of it:
two texts whose vectors do not contain one another were written without knowing each
other, and the one that loses is kept as a conflict. A tombstone keeps the version of
the delete and the join of the vectors its writer had seen.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field

from storage.sync.hlc import ZERO, Version

Vector = dict[str, int]


def covers(big: Vector, small: Vector) -> bool:
    """`big` had seen everything `small` had."""
    return all(big.get(device, 0) >= stamp for device, stamp in small.items())


def join(*vectors: Vector) -> Vector:
    joined: Vector = {}
    for vector in vectors:
        for device, stamp in vector.items():
            if stamp > joined.get(device, 0):
                joined[device] = stamp
    return joined


@dataclass
class FieldVersion:
    version: Version
    vector: Vector | None = None  # long texts: what the writer of this value had seen
    known: Vector | None = None  # long texts: everything this device has seen of it


@dataclass
class RowVersions:
    created: Version | None = None  # the version that made (or last made again) the row
    fields: dict[str, FieldVersion] = field(default_factory=dict)
    dead: Version | None = None  # the version of the delete
    dead_known: Vector = field(default_factory=dict)  # what the deleter had seen
    known: bool = False  # in sync_rows: this device has seen the key before

    def version_of(self, name: str) -> Version:
        own = self.fields.get(name)
        if own is not None:
            return own.version
        return self.created or ZERO

    def vector_of(self, name: str) -> Vector:
        own = self.fields.get(name)
        return dict(own.vector or {}) if own is not None else {}

    def known_of(self, name: str) -> Vector:
        own = self.fields.get(name)
        return dict(own.known or {}) if own is not None else {}

    def all_known(self) -> Vector:
        return join(*(own.known or {} for own in self.fields.values()))

    def made(self, version: Version) -> None:
        """Made (again) at `version`: every field at that version, except newer ones and
        long texts (which keep their own entry)."""
        self.created = version
        self.fields = {name: own for name, own in self.fields.items()
                       if own.version > version or own.vector is not None}


def load(conn: sqlite3.Connection, table: str, key: str) -> RowVersions:
    row = conn.execute("SELECT ver, dead FROM sync_rows WHERE tbl = ? AND key = ?",
                       (table, key)).fetchone()
    if row is None:
        return RowVersions()
    ver = json.loads(row[0])
    created = ver.get("*")
    fields = {}
    for name, value in ver.get("f", {}).items():
        fields[name] = FieldVersion((value[0], value[1]), *(value[2:4] if len(value) > 2
                                                            else (None, None)))
    versions = RowVersions(None if created is None else (created[0], created[1]), fields,
                           known=True)
    if row[1] is not None:
        h, device, known = json.loads(row[1])
        versions.dead, versions.dead_known = (h, device), known
    return versions


def save(conn: sqlite3.Connection, table: str, key: str, versions: RowVersions) -> None:
    ver: dict[str, object] = {}
    if versions.created is not None:
        ver["*"] = list(versions.created)
    if versions.fields:
        ver["f"] = {name: ([*own.version, own.vector, own.known] if own.vector is not None
                           else list(own.version))
                    for name, own in versions.fields.items()}
    dead = None
    if versions.dead is not None:
        dead = json.dumps([*versions.dead, versions.dead_known], separators=(",", ":"))
    conn.execute(
        "INSERT INTO sync_rows (tbl, key, ver, dead) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (tbl, key) DO UPDATE SET ver = excluded.ver, dead = excluded.dead",
        (table, key, json.dumps(ver, separators=(",", ":")), dead))
