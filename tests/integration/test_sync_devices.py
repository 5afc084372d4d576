"""Two or three Wise homes on one machine, each a real `wise` in subprocesses, syncing
through a shared folder and through a real WebDAV server (rclone serve webdav) on
127.0.0.1: what they did apart is the same journal on each after one sync each way."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from storage.sync.rows import Rows
from storage.sync.tables import TABLES
from tests.conftest import ROOT
from tests.webdav_server import rclone_webdav

PASSPHRASE = "correct horse battery staple"


class Home:
    def __init__(self, root: Path, name: str) -> None:
        self.path = root / name
        self.name = name

    def run(self, *args: str, stdin: str | None = None, check: bool = True,
            timeout: float = 120) -> subprocess.CompletedProcess:
        proc = subprocess.run(
            [sys.executable, "-m", "app.cli.main", *args], input=stdin, text=True,
            capture_output=True, cwd=ROOT, timeout=timeout, check=False,
            env={**os.environ, "WISE_HOME": str(self.path)})
        if check:
            assert proc.returncode == 0, (args, proc.stdout, proc.stderr)
        return proc

    def json(self, *args: str, stdin: str | None = None) -> dict:
        return json.loads(self.run(*args, "--json", stdin=stdin).stdout)

    def sql(self, statement: str, *params: object) -> list[tuple]:
        conn = sqlite3.connect(self.path / "wise.db")
        try:
            rows = conn.execute(statement, params).fetchall()
            conn.commit()
            return rows
        finally:
            conn.close()

    def dump(self) -> dict:
        conn = sqlite3.connect(self.path / "wise.db")
        try:
            rows = Rows(conn)
            return {t.name: {k: rows.read(t, k) for k in rows.all_keys(t)} for t in TABLES}
        finally:
            conn.close()


@pytest.fixture
def homes(tmp_path: Path, file_keyring: Path):
    return lambda name: Home(tmp_path, name)


def _live_apart_then_sync(a: Home, b: Home, setup_args: list[str], stdin_b: str) -> None:
    a.run("goals", "add", "Family", "--why", "be there")
    a.run("capture", "call mum #family tomorrow")
    a.run("capture", "+ went for a walk ~20m")
    b.run("capture", "[ ] buy bread #errands")
    b.run("capture", "a thought to delete later")

    made = a.json("sync", "setup", *setup_args, stdin=stdin_b)
    assert made["joined"] is False and len(made["recovery_key"].split("-")) == 11
    joined = b.json("sync", "setup", *setup_args, stdin=stdin_b)
    assert joined["joined"] is True and joined["recovery_key"] is None
    a.run("sync", "now")
    b.run("sync", "now")
    a.run("sync", "now")
    assert a.dump() == b.dump()
    # The why-ladder (0009) travels with its goal.
    a.sql("UPDATE goals SET why_ladder = '[\"to be there\", \"be there\"]'")
    a.run("sync", "now")
    b.run("sync", "now")
    assert b.sql("SELECT why_ladder FROM goals") == [('["to be there", "be there"]',)]

    # Apart: each does things, including the same day's words and a delete.
    a.run("actions", "done", str(a.sql("SELECT id FROM actions WHERE title LIKE 'call%'")[0][0]))
    a.run("goals", "edit", "family", "--why", "be there for them, from the laptop")
    b.run("goals", "edit", "family", "--why", "be there, said the desktop")
    b.sql("DELETE FROM entries WHERE text = 'a thought to delete later'")
    a.run("reflect", "--words", "a calm day on the laptop", "--date", "2026-11-26")
    b.run("capture", "note: the desktop's note")

    b.run("sync", "now")
    a.run("sync", "now")
    b.run("sync", "now")
    dump = a.dump()
    assert dump == b.dump()
    texts = {v["text"] for v in dump["entries"].values()}
    assert "a thought to delete later" not in texts and "the desktop's note" in texts
    whys = {v["why"] for v in dump["goals"].values()}
    assert len(whys) == 1
    status = a.json("sync", "status")
    assert len(status["conflicts"]) == 1  # the two whys: both kept
    kept = {status["conflicts"][0]["other"], whys.pop()}
    assert kept == {"be there for them, from the laptop", "be there, said the desktop"}


def test_two_homes_through_a_folder(homes, tmp_path: Path) -> None:
    a, b = homes("laptop"), homes("desktop")
    folder = tmp_path / "Sync" / "Wise"
    _live_apart_then_sync(a, b, ["--folder", str(folder)], PASSPHRASE + "\n")
    # Unreadable without the passphrase: no journal word in any file but the inbox.
    for path in folder.rglob("*"):
        if path.is_file() and path.name != "inbox.txt":
            assert b"mum" not in path.read_bytes() and b"laptop" not in path.read_bytes()
    assert (folder / "inbox.txt").exists()


@pytest.fixture
def webdav(tmp_path: Path):
    served = tmp_path / "dav"
    with rclone_webdav(served) as url:
        yield url, served


def test_two_homes_through_webdav(homes, webdav) -> None:
    url, served = webdav
    a, b = homes("laptop"), homes("desktop")
    _live_apart_then_sync(a, b, ["--webdav", url, "--user", "me"],
                          f"dav-password\n{PASSPHRASE}\n")
    assert list((served / "wise" / "devices").iterdir())
    for path in (served / "wise").rglob("*.wsb"):
        assert b"mum" not in path.read_bytes()
    # The WebDAV password is in the keyring, not in the settings.
    assert "dav-password" not in (a.path / "settings.toml").read_text()
    # The phone's inbox on the server, written through WebDAV as a phone's app does
    # (rclone caches what it serves: files changed behind its back are not seen at once).
    from app.sync.webdav import WebDavTransport

    phone = WebDavTransport(url, "me", "dav-password")
    phone.put("inbox.txt", (phone.get("inbox.txt") or b"") + b"+ watered the plants\n")
    assert a.json("sync", "now")["captured"] == 1
    assert "watered the plants" in (phone.get("inbox.txt") or b"").decode().split(
        "## Captured")[1]
    phone.close()
    b.run("sync", "now")
    assert b.sql("SELECT title FROM actions WHERE title = 'watered the plants'") == [
        ("watered the plants",)]


def test_a_wrong_passphrase_changes_nothing(homes, tmp_path: Path) -> None:
    a, b = homes("a"), homes("b")
    folder = tmp_path / "shared"
    a.run("sync", "setup", "--folder", str(folder), stdin=PASSPHRASE + "\n")
    b.run("capture", "mine")
    before = sorted(p.name for p in b.path.iterdir())
    settings = (b.path / "settings.toml").read_bytes() if (b.path / "settings.toml"
                                                           ).exists() else None
    listing = sorted(str(p) for p in folder.rglob("*"))
    proc = b.run("sync", "setup", "--folder", str(folder), stdin="not the passphrase\n",
                 check=False)
    assert proc.returncode == 1
    assert proc.stderr.strip() == ("wise: that is not the passphrase this sync folder was "
                                   "set up with; nothing was changed")
    assert sorted(p.name for p in b.path.iterdir()) == before
    assert ((b.path / "settings.toml").read_bytes() if (b.path / "settings.toml").exists()
            else None) == settings
    assert b.sql("SELECT enabled FROM sync_state") == [(0,)]
    assert sorted(str(p) for p in folder.rglob("*")) == listing
    status = b.json("sync", "status")
    assert status["enabled"] is False


def test_a_device_joins_with_the_recovery_key(homes, tmp_path: Path) -> None:
    a, b = homes("a"), homes("b")
    folder = tmp_path / "shared"
    a.run("capture", "from a")
    recovery = a.json("sync", "setup", "--folder", str(folder),
                      stdin=PASSPHRASE + "\n")["recovery_key"]
    a.run("sync", "now")
    typo = recovery[:-1] + ("0" if recovery[-1] != "0" else "1")
    bad = b.run("sync", "setup", "--folder", str(folder), "--recovery-key", stdin=typo + "\n",
                check=False)
    assert bad.returncode == 2 and "typo" in bad.stderr
    b.run("sync", "setup", "--folder", str(folder), "--recovery-key",
          stdin=recovery.lower().replace("-", " ") + "\n")
    b.run("sync", "now")
    assert b.sql("SELECT text FROM entries") == [("from a",)]


def test_the_inbox_is_captured_once_by_two_devices(homes, tmp_path: Path) -> None:
    a, b = homes("a"), homes("b")
    shared_a, shared_b = tmp_path / "copy-a", tmp_path / "copy-b"
    a.run("sync", "setup", "--folder", str(shared_a), stdin=PASSPHRASE + "\n")
    # b's copy of the folder: as a sync tool would make it
    subprocess.run(["cp", "-a", f"{shared_a}/.", str(shared_b)], check=True)
    b.run("sync", "setup", "--folder", str(shared_b), stdin=PASSPHRASE + "\n")
    lines = "buy oat milk\n[ ] call the dentist tomorrow\n+ ran 5k\nbuy oat milk\n"
    for copy in (shared_a, shared_b):  # the phone's lines reached both copies
        inbox = copy / "inbox.txt"
        inbox.write_text(inbox.read_text() + lines)
    # a sync tool's conflict copy with one more line, written on the phone meanwhile
    (shared_b / "inbox.sync-conflict-20261126-120000-PHONE.txt").write_text(
        lines + "water the plants\n")
    first_a, first_b = a.json("sync", "now"), b.json("sync", "now")
    assert first_a["captured"] == 4 and first_b["captured"] == 5
    text_b = (shared_b / "inbox.txt").read_text()
    pending = text_b.split("## Captured")[0]
    assert "oat milk" not in pending and "water the plants" in text_b.split("## Captured")[1]
    assert not list(shared_b.glob("inbox.sync-conflict*"))
    # The copies meet (batches both ways) and every line is in both journals once.
    for source, target in ((shared_a, shared_b), (shared_b, shared_a)):
        subprocess.run(["cp", "-an", f"{source}/devices/.", f"{target}/devices/"], check=True)
    for home in (a, b, a):
        home.run("sync", "now")
    assert a.dump() == b.dump()
    rows = sorted(a.sql("SELECT raw_text FROM entries UNION ALL SELECT raw_text FROM actions"))
    assert rows == sorted([("buy oat milk",), ("buy oat milk",), ("[ ] call the dentist "
                                                                   "tomorrow",),
                           ("+ ran 5k",), ("water the plants",)])


def _kill_sync_at(home: Home, fraction: float, whole: float | None) -> None:
    proc = subprocess.Popen([sys.executable, "-m", "app.cli.main", "sync", "now"], cwd=ROOT,
                            env={**os.environ, "WISE_HOME": str(home.path)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if whole is None:  # the sender: kill it once it has written its first batch
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not list(
                (home.path.parent / "shared" / "devices").glob("*/*.wsb")):
            time.sleep(0.005)
    else:
        time.sleep(whole * fraction)
    proc.send_signal(signal.SIGKILL)
    proc.wait()


def test_kill_9_during_a_sync_loses_nothing(homes, tmp_path: Path) -> None:
    a, b = homes("a"), homes("b")
    folder = tmp_path / "shared"
    a.run("capture", "seed the journal")
    conn = sqlite3.connect(a.path / "wise.db")
    conn.executemany(
        "INSERT INTO entries (uid, text, kind, source, created_at, updated_at) VALUES "
        "(lower(hex(randomblob(16))), ?, 'note', 'cli', '2026-01-01 00:00:00.000000', "
        "'2026-01-01 00:00:00.000000')", [(f"note {i}",) for i in range(20_000)])
    conn.commit()
    conn.close()
    a.run("sync", "setup", "--folder", str(folder), stdin=PASSPHRASE + "\n")
    # The sender killed while it writes batches: what it had not recorded is sent again.
    _kill_sync_at(a, 0.0, whole=None)
    a.run("sync", "now")
    c = homes("c")  # measures how long a whole receive takes
    c.run("sync", "setup", "--folder", str(folder), stdin=PASSPHRASE + "\n")
    started = time.monotonic()
    c.run("sync", "now")
    whole = time.monotonic() - started
    total = c.sql("SELECT count(*) FROM sync_batches WHERE mine = 0")[0][0]
    b.run("sync", "setup", "--folder", str(folder), stdin=PASSPHRASE + "\n")
    progress = []
    for fraction in (0.3, 0.5, 0.7):
        _kill_sync_at(b, fraction, whole)
        progress.append(b.sql("SELECT count(*) FROM sync_batches WHERE mine = 0")[0][0])
        assert b.sql("PRAGMA integrity_check") == [("ok",)]
    assert any(0 < done < total for done in progress), (progress, total)  # hit mid-way
    b.run("sync", "now")
    assert b.sql("SELECT count(*) FROM entries") == [(20_001,)]
    assert a.dump() == b.dump()
    assert b.sql("SELECT applying FROM sync_state") == [(0,)]


def test_status_log_doctor_and_off(homes, tmp_path: Path) -> None:
    a = homes("a")
    not_set_up = a.run("sync", "now", check=False)
    assert not_set_up.returncode == 1 and not_set_up.stderr.count("\n") == 1
    assert "wise sync setup" in not_set_up.stderr
    folder = tmp_path / "shared"
    a.run("sync", "setup", "--folder", str(folder), stdin=PASSPHRASE + "\n")
    a.run("capture", "hello")
    now = a.json("sync", "now")
    assert now["outcome"] == "ok" and now["sent_ops"] >= 1 and now["sent_batches"] == 1
    status = a.json("sync", "status")
    assert status["enabled"] is True and status["target"] == str(folder)
    assert status["waiting"] == 0 and status["last_outcome"] == "ok"
    log = a.json("sync", "log")
    assert log[0]["outcome"] == "ok" and log[0]["sent"] >= 1
    import fcntl

    with open(a.path / "sync.lock", "a") as held:  # another sync of this journal runs
        fcntl.flock(held, fcntl.LOCK_EX)
        busy = a.run("sync", "now", check=False)
    assert busy.returncode == 1 and "another sync of this journal is running" in busy.stderr
    doctor = a.run("doctor")
    assert "sync" in doctor.stdout and "last sync" in doctor.stdout
    a.sql("DROP TRIGGER sync_entries_ai")  # as a migration that rebuilt the table might
    broken = a.run("doctor", check=False)
    assert broken.returncode == 1 and "lost its triggers on entries" in broken.stdout
    a.run("sync", "off")
    assert a.json("sync", "status")["enabled"] is False
    a.run("capture", "after off")
    assert a.sql("SELECT count(*) FROM sync_outbox") == [(0,)]
