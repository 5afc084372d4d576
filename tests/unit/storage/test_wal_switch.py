"""A new journal's switch to WAL mode waits for another process's first migration."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from storage.sqlite import ensure_wal


def _mode(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("PRAGMA journal_mode").fetchone()[0]
    finally:
        conn.close()


def test_the_switch_waits_longer_than_the_busy_timeout_for_a_held_journal(tmp_path: Path) -> None:
    db = tmp_path / "wise.db"
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # as a first migration holds the new file
    holder.execute("CREATE TABLE t (x)")
    newcomer = sqlite3.connect(db, isolation_level=None, timeout=0.05, check_same_thread=False)
    refused = threading.Event()
    outcome: list[BaseException | None] = []

    def switch() -> None:
        try:
            # Proves the newcomer met the lock: with only the busy timeout it fails.
            try:
                newcomer.execute("PRAGMA journal_mode=WAL")
            except sqlite3.OperationalError:
                refused.set()
            ensure_wal(newcomer, wait_s=60)
            outcome.append(None)
        except BaseException as exc:  # reported by the assertion below
            outcome.append(exc)

    thread = threading.Thread(target=switch)
    thread.start()
    assert refused.wait(60), "the newcomer never met the held lock"
    holder.execute("COMMIT")
    holder.close()
    thread.join(60)
    newcomer.close()
    assert outcome == [None]
    assert _mode(db) == "wal"


def test_a_journal_already_in_wal_mode_is_only_read(tmp_path: Path) -> None:
    db = tmp_path / "wise.db"
    first = sqlite3.connect(db, isolation_level=None)
    first.execute("PRAGMA journal_mode=WAL")
    first.execute("BEGIN IMMEDIATE")  # a writer at work: WAL readers are never blocked
    first.execute("CREATE TABLE t (x)")
    second = sqlite3.connect(db, isolation_level=None, timeout=0.05)
    try:
        ensure_wal(second, wait_s=0)
    finally:
        second.close()
        first.execute("COMMIT")
        first.close()
