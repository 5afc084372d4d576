"""A real, migrated journal file per test."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage.engine import Journal
from storage.migrate import ensure_schema


@pytest.fixture
def journal(tmp_path: Path):
    db = tmp_path / "journal" / "wise.db"
    ensure_schema(db, tmp_path / "backups", keep_backups=3)
    opened = Journal(db)
    yield opened
    opened.close()
