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


def export_import_export(wise, tmp_path: Path) -> dict:
    """The README's promise for `wise export`: complete and re-importable. Export the
    journal of the `wise` runner's WISE_HOME, import it into a fresh journal, export that:
    the two files are the same but for the moment each was made (the header's
    exported_at). Returns the first export, parsed."""
    import json

    first, second = tmp_path / "first.json", tmp_path / "second.json"
    made = wise("export", "--format", "json", "-o", str(first))
    assert made.code == 0, made.err
    fresh = {"WISE_HOME": str(tmp_path / "fresh-journal")}
    imported = wise("import", str(first), env=fresh)
    assert imported.code == 0, imported.err
    made = wise("export", "--format", "json", "-o", str(second), env=fresh)
    assert made.code == 0, made.err

    def header_and_records(text: str) -> tuple[dict, str]:
        header, records = text.split("\n", 1)  # line 1: the header's fields, then a comma
        fields = json.loads(header.rstrip(",") + "}")
        fields.pop("exported_at")
        return fields, records

    before = first.read_text("utf-8")
    assert header_and_records(second.read_text("utf-8")) == header_and_records(before)
    return json.loads(before)
