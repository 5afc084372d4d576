"""Small helpers several test modules share (fixtures live in conftest.py)."""

from __future__ import annotations

import os
import shutil
import sqlite3
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


def require_tools(*names: str, install: str) -> None:
    """Skip, saying what to install, when a tool is not on PATH (in CI, which installs
    them all, that skip is a failure: tests/skip_policy.py)."""
    missing = [name for name in names if shutil.which(name) is None]
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed (Debian: apt-get install {install})")


def outside_the_fence(content: str) -> str:
    """A prompt's text with every <journal-data>...</journal-data> span taken out: what
    the model reads as instructions rather than as the user's data."""
    from prompts.loader import FENCE_CLOSE, FENCE_OPEN

    outside, rest = [], content
    while FENCE_OPEN in rest:
        before, _, after = rest.partition(FENCE_OPEN)
        assert FENCE_CLOSE in after, "a fence opened and never closed"
        outside.append(before)
        rest = after.partition(FENCE_CLOSE)[2]
    return "".join([*outside, rest])
def damage_one_page(db: Path) -> int:
    """Scribble over the page of a table no capture touches (summaries), as a failing disk
    would: captures still work, SQLite's integrity check does not pass. Its page number."""
    conn = sqlite3.connect(db)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        (page,) = conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = 'summaries'").fetchone()
        (page_size,) = conn.execute("PRAGMA page_size").fetchone()
    finally:
        conn.close()
    with open(db, "r+b") as handle:
        handle.seek((page - 1) * page_size)
        handle.write(b"\xff" * 64)  # the page header: no valid page type any more
        handle.flush()
        os.fsync(handle.fileno())
    return page
