"""Every path that writes the journal, then `wise export`, `wise import` into a fresh journal
and `wise export` again: the same file but for the moment it was made (the README calls
the export "complete and re-importable"). The quick-capture window and the socket are in
tests/ui/test_tray_round_trip.py."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import pytest

from app.journal import Context
from storage.ritual_writes import RitualWriter
from tests.helpers import export_import_export, sql

TZ = timezone(timedelta(hours=1))
DAY = date(2026, 11, 26)


def at(hour: int, day: date = DAY) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=TZ)


@pytest.fixture
def writer(wise, wise_home: Path):
    """The reflection and review windows' writer, on the journal `wise` made."""
    assert wise("migrate").code == 0
    opened = RitualWriter(wise_home / "wise.db")
    yield opened
    opened.close()


def sources(journal: dict) -> set[str]:
    return {row["source"] for kind in ("actions", "entries") for row in journal[kind]}


def test_the_cli_round_trips(wise, tmp_path: Path) -> None:
    assert wise("goals", "add", "Family", "--why", "be there", "--cadence", "2").code == 0
    assert wise("goals", "edit", "family", "--why", "be there for them").code == 0
    for line in ("[ ] call dad about christmas #family ~10m tomorrow 18:00",
                 "+ walked to the park #health", "felt calm after the walk #calm #family",
                 "[ ] renew the passport", "[ ] a step let go"):
        assert wise("capture", line).code == 0
    assert wise("actions", "done", "3").code == 0
    assert wise("actions", "drop", "4").code == 0
    assert wise("goals", "pause", "family").code == 0
    journal = export_import_export(wise, tmp_path)
    assert sources(journal) == {"capture"}
    assert [a["status"] for a in journal["actions"]] == ["open", "done", "done", "dropped"]


def test_the_reflection_windows_writes_round_trip(wise, writer: RitualWriter, wise_home: Path,
                                                 tmp_path: Path) -> None:
    assert wise("capture", "[ ] call mum").code == 0
    writer.save_day_words(DAY, how_it_went="slow, then good", in_the_way="the rain",
                          mood=3, energy=2)
    writer.plan_for_day([1], DAY + timedelta(days=1))
    assert wise("reflect", "--date", DAY.isoformat()).code == 0  # the plain reflection
    [(reflection_id,)] = sql(wise_home, "SELECT id FROM reflections")
    feedback = writer.add_feedback(reflection_id, 1, "it helped")
    writer.edit_feedback_note(feedback, "it helped a lot")
    journal = export_import_export(wise, tmp_path)
    assert [d["how_it_went"] for d in journal["day_words"]] == ["slow, then good"]
    assert [f["note"] for f in journal["feedback"]] == ["it helped a lot"]
    assert journal["reflections"][0]["user_words"].startswith("How the day went: slow")


def test_the_review_windows_writes_round_trip(wise, writer: RitualWriter,
                                              tmp_path: Path) -> None:
    goal = writer.add_goal("Learn Spanish", why="talk with my in-laws", cadence_per_week=3)
    writer.update_goal(goal, title="Learn Spanish, slowly", cadence_per_week=None)
    # Break it down, Review with Wise's "Add this step", a step added by hand.
    steps = writer.add_actions([("open the app", 2), ("one lesson", 10)], goal_id=goal).ids
    writer.add_actions([("find the old textbook", None)], goal_id=goal, source="capture")
    writer.set_action_status(steps[0], "done")
    writer.set_goal_status(goal, "paused")
    journal = export_import_export(wise, tmp_path)
    assert [(g["title"], g["status"]) for g in journal["goals"]] == [
        ("Learn Spanish, slowly", "paused")]
    assert sources(journal) == {"companion", "capture"}


def test_nudges_and_their_answers_round_trip(wise, writer: RitualWriter,
                                             tmp_path: Path) -> None:
    from app.capture.service import capture
    from app.nudges.service import NudgeService

    context = Context.from_environment()
    for line in ("[ ] water the plants ~5m", "[ ] call the bank ~5m"):
        capture(context, line, now=at(9))
    journal = context.open_journal()
    try:
        service = NudgeService(context, journal, rng=random.Random(3), learn_timing=False)
        first = service.tick(at(10))
        service.respond(first.nudge_id, "done", at(10))
        second = service.tick(at(13))
        service.respond(second.nudge_id, "not_today", at(13))
    finally:
        journal.close()
    exported = export_import_export(wise, tmp_path)
    assert [n["response"] for n in exported["nudges"]] == ["done", "not_today"]


def test_maintenance_summaries_round_trip(wise, writer: RitualWriter, wise_home: Path,
                                         tmp_path: Path) -> None:
    from app.capture.service import capture
    from app.maintenance import run_nightly

    context = Context.from_environment()
    for day in range(3):
        capture(context, f"+ a walk on day {day}", now=at(12, DAY + timedelta(days=day)))
    journal = context.open_journal()
    try:
        report = run_nightly(context, journal, use_model=False, today=DAY + timedelta(days=9))
    finally:
        journal.close()
    assert report.summaries_made >= 3
    [(first,), (second,)] = sql(wise_home, "SELECT id FROM summaries ORDER BY id LIMIT 2")
    writer.edit_summary(first, "My own words for that day.")
    writer.delete_summary(second)  # kept as a tombstone, so it is not made again
    exported = export_import_export(wise, tmp_path)
    assert {"deleted", "plain"} <= {s["source"] for s in exported["summaries"]}
