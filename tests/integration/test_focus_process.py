"""A focus session and the real tray process: killed with SIGKILL mid-session, the next tray
ends the session as interrupted at the dead tray's last sign of life; frozen (SIGSTOP)
across the session's end, the tray wakes to say its time ended then, and stopping it keeps
that real end. Qt runs on the offscreen platform."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.focus import FocusStore
from app.focus_keeper import RECORD_NAME, FocusKeeper
from storage.migrate import ensure_schema
from storage.timeutil import from_db, to_db
from tests.integration.test_tray_process import (
    client_for,
    rows,
    start_tray,
    stop,
    wait_until_ready,
    wise_cli,
)


def focus_seen(home: Path, timeout: float = 30, **wanted) -> dict:
    """Until the tray's ping reports a focus session with these values."""
    client = client_for(home)
    deadline = time.monotonic() + timeout
    focus: dict = {}
    while time.monotonic() < deadline:
        info = client.is_running()
        focus = info.get("focus", {}) if isinstance(info, dict) else {}
        if all(focus.get(key) == value for key, value in wanted.items()):
            return focus
        time.sleep(0.05)
    raise AssertionError(f"the tray's focus is {focus}, not {wanted}")


def start_here(home: Path, began: datetime, words: str, minutes: int) -> None:
    store = FocusStore(home / "wise.db", clock=lambda: began)
    try:
        store.start(text=words, minutes=minutes)
    finally:
        store.close()
    client_for(home).request({"cmd": "focus-changed"})


@pytest.fixture
def runtime(wise_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(wise_home.parent))
    return wise_home


def test_the_cli_settles_a_session_whose_tray_is_gone(wise, wise_home: Path) -> None:
    ensure_schema(wise_home / "wise.db", wise_home / "backups", keep_backups=1)
    began = datetime.now(UTC) - timedelta(minutes=5)
    store = FocusStore(wise_home / "wise.db", clock=lambda: began)
    session = store.start(text="call the bank", minutes=10)
    store.close()
    beat = began + timedelta(minutes=2)  # its tray's last sign of life

    def record_of(pid: int) -> None:
        record.write_text(json.dumps({"session": session.uid, "pid": pid, "owner": "a tray"}))
        os.utime(record, (beat.timestamp(), beat.timestamp()))

    record = wise_home / RECORD_NAME
    keeper = FocusKeeper(wise_home)
    # A tray that is stopped or busy still exists, and keeps its session.
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        record_of(alive.pid)
        store = FocusStore(wise_home / "wise.db")
        assert keeper.settle(store, owner_gone=False) is None
        assert store.running() is not None and record.exists()
        store.close()
    finally:
        alive.kill()
        alive.wait()
    record_of(alive.pid)  # now surely gone
    status = wise("focus", "status")
    assert status.code == 0, status.err
    assert "No focus session is running. Wise stopped while you were on “call the bank”: " \
           "2 min given" in status.out
    [(ended, outcome)] = rows(wise_home, "SELECT ended_at, outcome FROM focus_sessions")
    assert (outcome, ended) == ("interrupted", to_db(beat))
    assert not record.exists()


@pytest.mark.timeout(150)
def test_a_tray_frozen_across_the_end_then_killed_mid_session(runtime) -> None:
    """One tray's life (a tray start is the slow part): frozen across a session's end, it
    says when the time really ended; killed during the next session, the next tray ends
    that one as interrupted at the dead tray's last sign of life."""
    home = runtime
    ensure_schema(home / "wise.db", home / "backups", keep_backups=1)
    tray = start_tray(home)
    try:
        wait_until_ready(home, tray)
        # Begun 54 s ago, of one minute: six seconds left (started here, as `wise focus
        # start` would, and the tray told).
        began = datetime.now(UTC) - timedelta(seconds=54)
        start_here(home, began, "water the plants", 1)
        before = focus_seen(home, over=False, ends_at=(began + timedelta(minutes=1)).isoformat())
        end = datetime.fromisoformat(before["ends_at"])
        tray.send_signal(signal.SIGSTOP)  # as a suspend looks to the process
        try:
            time.sleep(max(0.0, (end - datetime.now(UTC)).total_seconds()) + 6.5)
        finally:
            tray.send_signal(signal.SIGCONT)
        focus = focus_seen(home, over=True)
        assert focus["slept_past_end"] is True
        assert focus["last_cue"] == (f"Your time ended at {end.astimezone():%H:%M} while the "
                                     "computer was asleep.")
        assert focus["cues"] == sorted({*before["cues"], "end"})  # on waking: the end only
        stopped = wise_cli(home, "focus", "stop")
        assert stopped.returncode == 0, stopped.stderr
        [(ended, outcome)] = rows(home, "SELECT ended_at, outcome FROM focus_sessions")
        assert (outcome, from_db(ended)) == ("stopped", end)  # its real end, not now
        focus_seen(home, session=None)

        # The next session, and a crash: nothing of the tray's runs after SIGKILL.
        start_here(home, datetime.now(UTC), "write the intro", 25)
        [(session_id, started_at)] = rows(
            home, "SELECT id, started_at FROM focus_sessions WHERE ended_at IS NULL")
        focus_seen(home, session=session_id)
        record = home / RECORD_NAME
        assert record.exists()
        tray.send_signal(signal.SIGKILL)
        tray.wait(10)
    finally:
        stop(tray)
    last_beat = datetime.fromtimestamp(record.stat().st_mtime, UTC)
    assert rows(home, f"SELECT ended_at FROM focus_sessions WHERE id = {session_id}") == [
        (None,)]  # still "running" in the journal
    time.sleep(1)  # the restart comes later than the last beat: the session must not
    restarted_at = datetime.now(UTC)  # be charged with the time the tray was down
    again = start_tray(home)
    try:
        wait_until_ready(home, again)
        deadline = time.monotonic() + 30
        query = f"SELECT outcome, ended_at FROM focus_sessions WHERE id = {session_id}"
        while rows(home, query)[0][0] != "interrupted":
            assert time.monotonic() < deadline, rows(home, query)
            time.sleep(0.05)
        [(_outcome, ended)] = rows(home, query)
        assert from_db(started_at) <= from_db(ended) < restarted_at
        assert abs((from_db(ended) - last_beat).total_seconds()) < 0.01
        focus_seen(home, session=None)
        while record.exists():  # removed just after the session's end is committed
            assert time.monotonic() < deadline
            time.sleep(0.05)
        log = home / "logs" / "wise.log"
        while "a session left by a crash ended as interrupted" not in log.read_text():
            assert time.monotonic() < deadline, log.read_text()  # it is told once
            time.sleep(0.05)
        assert "write the intro" not in log.read_text()  # the journal's words stay out
    finally:
        again.send_signal(signal.SIGTERM)
        assert again.wait(15) == 0
