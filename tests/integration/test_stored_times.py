"""A mistyped year never makes the journal unusable: through the real `wise` command, a far
due stays text (and is named), a journal an older Wise wrote unpadded years into stays
readable, `wise doctor` finds such values and `--repair` rewrites them; the calendar's
edges give one clear line, never a traceback."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

READERS = (("today",), ("actions",), ("export",), ("export", "--format", "markdown"),
           ("reflect", "--dry-run"), ("reflect",), ("search", "bank"))


def _clean(result) -> None:
    assert "Traceback" not in result.err, result.err
    assert result.code == 0, result.err


def test_a_mistyped_year_is_kept_as_text_and_every_command_still_works(wise) -> None:
    saved = wise("capture", "--json", "call the bank 0226-12-01 09:30")
    _clean(saved)
    reply = saved.json()
    assert reply["kind"] == "note" and reply["due_at"] is None
    assert reply["text"] == "call the bank 0226-12-01 09:30"
    assert "0226-12-01 09:30 is kept as text, not as a due date" in saved.err
    assert reply["notice"] in saved.err
    for args in READERS:
        _clean(wise(*args))


@pytest.fixture
def older_journal(wise, wise_home: Path) -> Path:
    """A journal holding what an older Wise stored for that capture: a year not padded."""
    _clean(wise("capture", "[ ] call the bank tomorrow"))
    db = wise_home / "wise.db"
    conn = sqlite3.connect(db)
    conn.execute("UPDATE actions SET due_at = '226-12-01 09:30:00.000000', "
                 "due_on = '0226-12-01'")
    conn.commit()
    conn.close()
    return db


def test_a_journal_with_an_unpadded_year_is_read_and_repaired(wise, older_journal: Path) -> None:
    for args in (*READERS, ("actions", "drop", "1")):
        _clean(wise(*args))
    doctor = wise("doctor", "--json")
    assert doctor.code == 1
    stored = {c["name"]: c for c in doctor.json()["checks"]}["stored times"]
    assert stored["status"] == "problem"
    assert "'226-12-01 09:30:00.000000'" in stored["detail"]
    assert "wise doctor --repair" in stored["detail"]

    repaired = wise("doctor", "--repair", "--json")
    assert repaired.json()["repaired"] == {"rewritten": 1, "unreadable": 0}
    stored = {c["name"]: c for c in repaired.json()["checks"]}["stored times"]
    assert stored["status"] == "ok"
    conn = sqlite3.connect(older_journal)
    assert conn.execute("SELECT due_at FROM actions").fetchall() == [
        ("0226-12-01 09:30:00.000000",)]
    conn.close()
    assert list((older_journal.parent / "backups").glob("wise-*-before-repair.db"))


@pytest.mark.parametrize("zone", ["Asia/Tokyo", "America/New_York"])
@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_the_edges_of_the_calendar_give_one_clear_line(wise, zone: str, day: str) -> None:
    _clean(wise("capture", "something"))
    env = {"TZ": zone}
    _clean(wise("today", "--date", day, env=env))
    for args in (("reflect", "--date", day), ("reflect", "--dry-run", "--date", day)):
        refused = wise(*args, env=env)
        assert refused.code == 2, refused.err
        assert refused.err.startswith("wise: ") and len(refused.err.splitlines()) == 1
        assert "too near the edge of the calendar" in refused.err
    _clean(wise("reflect", "--dry-run", "--date", "0002-01-01" if day < "5" else "9998-12-31",
                env=env))
