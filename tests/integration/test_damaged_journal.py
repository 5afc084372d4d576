"""A journal with one damaged page: captures may still work, but no backup copies the damage
over the good backups, every backup is kept, and Wise says so (the command, the mark the
tray reads, `wise doctor` naming the newest backup that is sound)."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from storage.integrity import MARK_NAME
from tests.helpers import damage_one_page


def _backups(home: Path) -> list[str]:
    return sorted(p.name for p in (home / "backups").glob("wise-*.db"))


@pytest.fixture
def damaged(wise, wise_home: Path) -> list[str]:
    """Two good backups (keep = 2), a capture, then one damaged page; the good backups."""
    assert wise("config", "set", "backup.keep", "2").code == 0
    assert wise("capture", "before the damage").code == 0
    for _ in range(2):
        assert wise("backup").code == 0
    good = _backups(wise_home)
    assert len(good) == 2
    damage_one_page(wise_home / "wise.db")
    return good


def test_a_damaged_journal_is_not_backed_up_and_every_backup_is_kept(
        wise, wise_home: Path, damaged: list[str]) -> None:
    # As in the report: a capture is still accepted (it never reads that page) ...
    assert wise("capture", "after the damage").code == 0
    # ... but the backup refuses, loudly, and rotates nothing out.
    result = wise("backup")
    assert result.code == 1, result.out
    assert "Traceback" not in result.err
    assert "damaged" in result.err and "NOT backed up" in result.err
    assert "all 2 existing backups" in result.err
    assert _backups(wise_home) == damaged
    assert not list((wise_home / "backups").glob("*.partial"))
    mark = json.loads((wise_home / MARK_NAME).read_text())
    assert mark["found_by"] == "backup" and mark["problems"]
    # The nightly maintenance refuses the same way.
    nightly = wise("maintenance")
    assert nightly.code == 1 and "NOT backed up" in nightly.err, nightly.err
    assert _backups(wise_home) == damaged


def test_doctor_fails_and_names_the_newest_sound_backup(
        wise, wise_home: Path, damaged: list[str]) -> None:
    # A damaged copy made by an older Wise is the newest backup: it must not be the advice.
    backups = wise_home / "backups"
    newest_but_bad = backups / "wise-29991231T000000000000Z-manual.db"
    shutil.copyfile(wise_home / "wise.db", newest_but_bad)
    doctor = wise("doctor", "--json")
    assert doctor.code == 1
    checks = {c["name"]: c for c in doctor.json()["checks"]}
    integrity = checks["journal integrity"]
    assert integrity["status"] == "problem"
    assert str(backups / damaged[-1]) in integrity["detail"]
    assert newest_but_bad.name not in integrity["detail"].split("restore")[-1]
    assert f"{newest_but_bad.name} is damaged too" in integrity["detail"]
    assert (wise_home / MARK_NAME).exists()


def test_restoring_the_sound_backup_clears_the_mark(
        wise, wise_home: Path, damaged: list[str]) -> None:
    assert wise("backup").code == 1
    db = wise_home / "wise.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(wise_home / "backups" / damaged[-1], db)
    doctor = wise("doctor", "--json")
    checks = {c["name"]: c["status"] for c in doctor.json()["checks"]}
    assert checks["journal integrity"] == "ok"
    assert not (wise_home / MARK_NAME).exists()
    assert wise("backup").code == 0
    assert len(_backups(wise_home)) == 2


def test_the_tray_checks_the_journal_at_start(wise, wise_home: Path, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A real `wise` tray process on a damaged journal: it starts, keeps taking captures, and
    leaves the mark (the tray's own icon and notice are tested in tests/ui)."""
    from tests.integration.test_tray_process import client_for, start_tray, wait_until_ready

    assert wise("capture", "before the damage").code == 0
    damage_one_page(wise_home / "wise.db")
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(wise_home.parent))
    tray = start_tray(wise_home)
    try:
        wait_until_ready(wise_home, tray)
        mark = wise_home / MARK_NAME
        deadline = time.monotonic() + 60
        while not mark.exists():
            assert time.monotonic() < deadline, "the tray did not check the journal"
            time.sleep(0.1)
        assert json.loads(mark.read_text())["found_by"] == "tray"
        saved = client_for(wise_home).request({"cmd": "capture", "text": "still taken"})
        assert saved["saved"] is True
        log = (wise_home / "logs" / "wise.log").read_text()
        assert "the journal is damaged" in log
    finally:
        tray.terminate()
        tray.wait(15)
