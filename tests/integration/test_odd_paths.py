"""Data folders with URL characters in their names, and a journal that is a symlink: Wise
writes where it says it does, backs up what is really there, and keeps it private."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest


@pytest.mark.parametrize("name", ["a#b", "what?", "100%", "a#b?c%d=e&f"])
def test_a_data_folder_named_with_url_characters(wise, tmp_path: Path, name: str) -> None:
    home = tmp_path / "odd" / name
    env = {"WISE_HOME": str(home)}
    saved = wise("capture", "a thought in an odd place", env=env)
    assert saved.code == 0, saved.err
    backup = wise("backup", "--json", env=env)
    assert backup.code == 0, backup.err
    copy = Path(backup.json()["backup"])
    assert copy.parent == home / "backups"
    conn = sqlite3.connect(copy)
    try:
        assert conn.execute("SELECT text FROM entries").fetchall() == [
            ("a thought in an odd place",)]
    finally:
        conn.close()
    # Nothing was written beside the folder (the part of its name before '#' or '?').
    assert sorted(p.name for p in (tmp_path / "odd").iterdir()) == [name]
    doctor = wise("doctor", "--json", env=env)
    checks = {c["name"]: c["status"] for c in doctor.json()["checks"]}
    assert checks["journal integrity"] == "ok" and checks["schema"] == "ok", doctor.out
    assert wise("search", "thought", env=env).out.count("odd place") == 1


def test_a_journal_symlinked_to_an_empty_file_becomes_a_private_journal(
        wise, wise_home: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "other-disk"
    elsewhere.mkdir()
    target = elsewhere / "journal.db"
    target.touch()
    target.chmod(0o644)  # as `touch` makes it in a desktop session
    wise_home.mkdir(mode=0o700)
    (wise_home / "wise.db").symlink_to(target)
    assert wise("capture", "private thought").code == 0
    # Followed on purpose: the journal lives where the link points, and it is private.
    assert (wise_home / "wise.db").is_symlink()
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    conn = sqlite3.connect(target)
    try:
        assert conn.execute("SELECT text FROM entries").fetchall() == [("private thought",)]
    finally:
        conn.close()
