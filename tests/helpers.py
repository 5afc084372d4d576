"""Small helpers several test modules share (fixtures live in conftest.py)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

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
