"""The focus keeper's record: written once per session (private), beaten sparingly, gone
when the session ends; this process never settles its own session."""

from __future__ import annotations

import json
import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.focus_keeper import RECORD_NAME, FocusKeeper
from storage.focus import FocusStore
from storage.migrate import ensure_schema

T0 = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


def test_the_record_is_private_beaten_sparingly_and_removed(tmp_path: Path) -> None:
    ensure_schema(tmp_path / "wise.db", tmp_path / "backups", keep_backups=1)
    store = FocusStore(tmp_path / "wise.db", clock=lambda: T0)
    session = store.start(text="write the intro", minutes=25)
    keeper = FocusKeeper(tmp_path)
    record = tmp_path / RECORD_NAME
    keeper.keep(session, T0)
    assert json.loads(record.read_text())["session"] == session.uid
    assert stat.S_IMODE(record.stat().st_mode) == 0o600
    assert record.stat().st_mtime == T0.timestamp()

    def seen() -> datetime:
        return datetime.fromtimestamp(record.stat().st_mtime, UTC)

    keeper.beat(T0 + timedelta(seconds=3))
    assert seen() == T0  # too soon: no write at all
    keeper.beat(T0 + timedelta(seconds=6))
    assert seen() == T0 + timedelta(seconds=6)
    keeper.keep(session, T0 + timedelta(seconds=7))  # the same session again: no rewrite
    assert seen() == T0 + timedelta(seconds=6)
    # This process's own record is never taken for an orphan, whatever it is asked.
    assert keeper.settle(store, owner_gone=True) is None
    assert FocusKeeper(tmp_path).settle(store, owner_gone=True) is None
    assert store.running() is not None and record.exists()
    keeper.release()
    assert not record.exists()
    keeper.beat(T0 + timedelta(seconds=20))  # nothing kept: nothing written
    assert not record.exists()
    store.close()


def test_an_unreadable_record_is_dropped_and_the_session_left_running(tmp_path: Path) -> None:
    ensure_schema(tmp_path / "wise.db", tmp_path / "backups", keep_backups=1)
    store = FocusStore(tmp_path / "wise.db", clock=lambda: T0)
    store.start(text="call the bank", minutes=10)
    record = tmp_path / RECORD_NAME
    record.write_bytes(b"")  # a power cut in the middle of writing it
    os.utime(record, (T0.timestamp(), T0.timestamp()))
    assert FocusKeeper(tmp_path).settle(store, owner_gone=True) is None
    assert not record.exists() and store.running() is not None
    store.close()
