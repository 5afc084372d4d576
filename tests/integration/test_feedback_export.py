"""`wise feedback export`: every feedback record as JSON lines, to stdout or a file."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest


@pytest.fixture
def rated(wise, wise_home: Path) -> list[int]:
    """Two reflections, one rated helpful with a note, one not quite; a nudge rated too."""
    from storage.engine import Journal
    from storage.models import Feedback, Reflection

    assert wise("capture", "+ went for a walk").code == 0  # makes the journal
    journal = Journal(wise_home / "wise.db")
    try:
        with journal.write() as session:
            first = Reflection(kind="daily", period=date(2026, 11, 24), content="Well done.",
                               model="openai/test-model", prompt_name="daily_reflection",
                               prompt_version="1.2")
            second = Reflection(kind="daily", period=date(2026, 11, 25), content="Plain.")
            session.add_all([first, second])
            session.flush()
            rows = [Feedback(target_kind="reflection", target_id=first.id, rating=1,
                             note="the tiny step — «ça marche»"),
                    Feedback(target_kind="reflection", target_id=second.id, rating=-1),
                    Feedback(target_kind="nudge", target_id=7, rating=0)]
            session.add_all(rows)
            session.flush()
            return [row.id for row in rows]
    finally:
        journal.close()


def lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def test_export_to_standard_output_is_one_record_a_line(wise, rated: list[int]) -> None:
    for flags in ([], ["--json"]):
        result = wise("feedback", "export", *flags)
        assert result.code == 0, result.err
        helpful, not_quite, nudge = lines(result.out)
        assert [helpful["id"], not_quite["id"], nudge["id"]] == rated
        assert helpful["rating"] == 1 and helpful["note"] == "the tiny step — «ça marche»"
        assert helpful["reflection_day"] == "2026-11-24"
        assert (helpful["prompt_name"], helpful["prompt_version"], helpful["model"]) == (
            "daily_reflection", "1.2", "openai/test-model")
        assert not_quite["rating"] == -1 and not_quite["model"] is None
        assert nudge["target_kind"] == "nudge" and nudge["reflection_day"] is None
        assert helpful["created_at"]


def test_export_to_a_file(wise, rated: list[int], tmp_path: Path) -> None:
    target = tmp_path / "out" / "feedback.jsonl"
    result = wise("feedback", "export", "-o", str(target), "--json")
    assert result.code == 0, result.err
    assert result.json() == {"path": str(target), "count": 3}
    written = target.read_text(encoding="utf-8")
    assert [r["id"] for r in lines(written)] == rated
    assert written == wise("feedback", "export").out  # the same lines as on stdout
    human = wise("feedback", "export", "--output", str(target))
    assert human.code == 0 and f"Wrote 3 feedback records to {target}" in human.out


def test_an_empty_journal_exports_nothing(wise, tmp_path: Path) -> None:
    result = wise("feedback", "export")
    assert result.code == 0 and result.out == ""
    target = tmp_path / "empty.jsonl"
    assert wise("feedback", "export", "-o", str(target)).code == 0
    assert target.read_text() == ""


def test_a_folder_as_the_output_is_refused(wise, rated: list[int], tmp_path: Path) -> None:
    result = wise("feedback", "export", "-o", str(tmp_path))
    assert result.code == 2 and "is a folder" in result.err
    assert list(tmp_path.glob(".feedback-*")) == []
