"""Small helpers several test modules share (fixtures live in conftest.py)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

# A daily reflection as a model would return it (prompts.schemas.DailyReflection).
GOOD_REFLECTION = {
    "celebrate": "You went for a walk, and it helped.",
    "reflection": "Being there for your family seems to matter a lot to you.",
    "question": None, "next_step": "Open mum's contact after lunch and press call",
    "next_step_minutes": 2, "goal": "family"}


def connect_model(wise, server) -> None:
    """Point Wise at the fake OpenAI-compatible server (through the real `wise config`)."""
    assert wise("config", "set", "llm.model", "openai/test-model").code == 0
    assert wise("config", "set", "llm.api_base", server.base_url).code == 0


def sql(home: Path, statement: str, *params) -> list[tuple]:
    """One statement on the journal in `home`, committed; its rows."""
    conn = sqlite3.connect(home / "wise.db")
    try:
        rows = conn.execute(statement, params).fetchall()
        conn.commit()
        return rows
    finally:
        conn.close()


def assert_write_lock_free(db: Path) -> None:
    """No connection holds the journal's write lock: another writer gets it at once."""
    conn = sqlite3.connect(db, timeout=0, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")  # "database is locked" if a writer kept it
        conn.execute("ROLLBACK")
    finally:
        conn.close()


def quiesce(db: Path) -> None:
    """Fold the WAL into the main file and close, so no -wal/-shm file is left behind."""
    conn = sqlite3.connect(db)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)


class ReadOnlyFolder:
    """Make the data folder and journal read-only in a way the current user respects."""

    def __init__(self, home: Path) -> None:
        self.home, self.db = home, home / "wise.db"
        self.as_root = os.geteuid() == 0
        self.applied = False

    def __enter__(self) -> ReadOnlyFolder:
        if self.as_root:
            # Root ignores permission bits; the immutable attribute stops root too.
            if shutil.which("chattr") is None:
                pytest.skip("running as root and chattr is not installed: cannot make "
                            "the data folder read-only for root")
            done = subprocess.run(["chattr", "+i", str(self.db), str(self.home)],
                                  capture_output=True, check=False)
            if done.returncode != 0:
                subprocess.run(["chattr", "-i", str(self.db), str(self.home)],
                               capture_output=True, check=False)
                pytest.skip(f"running as root and this file system refuses chattr +i "
                            f"({done.stderr.decode().strip()})")
        else:
            self.db.chmod(0o400)
            self.home.chmod(0o500)
        self.applied = True
        # Check it took: writing a file into the folder must now fail.
        with pytest.raises(PermissionError):
            (self.home / "probe").write_text("x")
        return self

    def __exit__(self, *exc: object) -> None:
        if not self.applied:
            return
        if self.as_root:
            subprocess.run(["chattr", "-i", str(self.db), str(self.home)], check=True)
        else:
            self.home.chmod(0o700)
            self.db.chmod(0o600)
