"""Devices for the sync tests: journals on one machine, each with its own copy of the sync
folder (as Syncthing gives each machine its own), and a courier that carries batch files
between the copies late, out of order, twice, or half-written first.

Journals are copied from one migrated template (migrating each costs half a second).
"""

from __future__ import annotations

import random
import shutil
import sqlite3
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from app.sync import batch as batches
from app.sync import crypto
from app.sync.engine import SyncResult, SyncRun
from app.sync.folder import FolderTransport
from app.sync.transport import DEVICES, KEY_FILE
from storage.migrate import ensure_schema
from storage.sync.rows import Rows
from storage.sync.store import SyncStore
from storage.sync.tables import TABLES
from storage.timeutil import utc_now

CHEAP_KDF = crypto.KdfParams(memory_kib=8 * 1024, iterations=1, lanes=1)
_TEMPLATE: dict[str, Path] = {}


def template_journal(cache: Path) -> Path:
    if "db" not in _TEMPLATE or not _TEMPLATE["db"].exists():
        db = cache / "template" / "wise.db"
        ensure_schema(db, cache / "template-backups", keep_backups=1)
        conn = sqlite3.connect(db)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
        _TEMPLATE["db"] = db
    return _TEMPLATE["db"]


def new_journal(template: Path, home: Path) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    db = home / "wise.db"
    shutil.copyfile(template, db)
    return db


class Device:
    def __init__(self, root: Path, name: str, key: bytes, template: Path,
                 skew: timedelta = timedelta(0)) -> None:
        self.name = name
        self.db = new_journal(template, root / name)
        self.folder = root / f"{name}-sync"
        self.skew = skew
        self.key = key
        self.clock: Callable[[], datetime] = lambda: utc_now() + self.skew
        self.store = SyncStore(self.db, clock=self.clock)
        # (a device id is letters and digits: a WISE_HOME named "wise-home" makes one too)
        self.device_id = f"dev{''.join(filter(str.isalnum, name))}x{len(name):02d}pad"
        self.store.enable(self.device_id, crypto.key_id(key))
        self.transport = FolderTransport(self.folder)
        self.transport.put(KEY_FILE, crypto.wrap(key, "correct horse battery", CHEAP_KDF))

    def sync(self) -> SyncResult:
        return SyncRun(self.store, self.transport, self.key).run()

    def sql(self, statement: str, *params: object) -> list[tuple]:
        conn = sqlite3.connect(self.db)
        conn.execute("PRAGMA foreign_keys=ON")
        try:
            rows = conn.execute(statement, params).fetchall()
            conn.commit()
            return rows
        finally:
            conn.close()

    def dump(self) -> dict[str, dict[str, dict]]:
        """Every synced row by its key, as it travels: what must be equal everywhere."""
        rows = Rows(self.store.conn)
        return {table.name: {key: rows.read(table, key) for key in rows.all_keys(table)}
                for table in TABLES}

    def conflict_texts(self) -> set[str]:
        return {other for (other,) in self.sql("SELECT other FROM sync_conflicts")}

    def close(self) -> None:
        self.store.close()


def batch_files(device: Device) -> list[Path]:
    """The batches in a device's copy of the folder (not the sync tool's copies)."""
    return sorted(path for path in (device.folder / DEVICES).glob("*/*.wsb")
                  if batches.NAME.match(path.name))


class Courier:
    """Carries batch files from one device's copy of the folder to another's."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def carry(self, source: Device, target: Device, *, share: float = 1.0,
              half_written: bool = False) -> int:
        missing = [p for p in batch_files(source)
                   if not (target.folder / p.relative_to(source.folder)).exists()]
        self.rng.shuffle(missing)
        chosen = missing[:max(0, round(len(missing) * share))] if share < 1 else missing
        for path in chosen:
            destination = target.folder / path.relative_to(source.folder)
            destination.parent.mkdir(parents=True, exist_ok=True)
            data = path.read_bytes()
            if half_written and self.rng.random() < 0.5:
                # A tool writing in place, caught mid-way: the batch's name, half its bytes.
                destination.write_bytes(data[: len(data) // 2])
                continue
            # A sync tool's own temporary and conflict copies, which Wise must ignore.
            (destination.parent / f".syncthing.{path.name}.tmp").write_bytes(data[:10])
            (destination.parent / f"{path.stem}.sync-conflict-20261126-1.wsb").write_bytes(data)
            destination.write_bytes(data)
            (destination.parent / f".syncthing.{path.name}.tmp").unlink()
        return len(chosen)

    def carry_all(self, devices: list[Device]) -> None:
        for source in devices:
            for target in devices:
                if source is not target:
                    self.carry(source, target)


def meet(*devices: Device) -> None:
    """Each syncs, the folder copies meet, each syncs again: after it, every device has
    every other's changes (and any conflict they made)."""
    courier = Courier(random.Random(1))
    for device in devices:
        device.sync()
    courier.carry_all(list(devices))
    for device in devices:
        device.sync()
