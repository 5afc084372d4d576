"""Whatever Wise accepts, its export writes and its import reads back: for every limit
declared in storage.limits, a value at the edge goes in through a real writer (the `wise`
command where there is one), out through `wise export` and back in through `wise import`
into a fresh journal; past the edge, the writer does not store it."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from storage import limits

Case = Callable[..., None]
CASES: dict[str, Case] = {}


def case(*names: str) -> Callable[[Case], Case]:
    def register(check: Case) -> Case:
        for name in names:
            CASES[name] = check
        return check
    return register


def round_trip(wise, tmp_path: Path) -> Path:
    """Export this journal, import the file into a fresh one; that one's database."""
    exported = tmp_path / "export.json"
    done = wise("export", "-o", str(exported))
    assert done.code == 0, done.err
    fresh = tmp_path / "fresh-home"
    imported = wise("import", str(exported), env={"WISE_HOME": str(fresh)})
    assert imported.code == 0, imported.err
    return fresh / "wise.db"


def rows(db: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


@case("TAG_CHARS")
def _tags(wise, home: Path, tmp_path: Path, low: int, high: int) -> None:
    at, past = "t" * high, "p" * (high + 1)
    saved = wise("capture", "--json", f"note #{'a' * low} #{at} #{past}")
    assert saved.json()["tags"] == ["a" * low, at]
    assert f"#{past}" in saved.json()["text"]  # too long to be a tag: kept as text
    assert wise("goals", "add", "Edge", "--slug", "g" * high).code == 0
    assert wise("goals", "add", "Past", "--slug", "h" * (high + 1)).code == 2
    db = round_trip(wise, tmp_path)
    assert sorted(rows(db, "SELECT name FROM tags")) == [("a" * low,), (at,)]
    assert rows(db, "SELECT slug FROM goals") == [("g" * high,)]


@case("UID_CHARS")
def _uids(wise, home: Path, tmp_path: Path, low: int, high: int) -> None:
    uid = wise("capture", "--json", "a note").json()["uid"]
    assert low <= len(uid) <= high
    assert rows(round_trip(wise, tmp_path), "SELECT uid FROM entries") == [(uid,)]


@case("GOAL_TITLE_CHARS", "GOAL_WHY_CHARS")
def _goal_words(wise, home: Path, tmp_path: Path, low: int, high: int) -> None:
    title_high, why_high = limits.GOAL_TITLE_CHARS[1], limits.GOAL_WHY_CHARS[1]
    assert wise("goals", "add", "T" * title_high, "--why", "w" * why_high).code == 0
    assert wise("goals", "add", "U" * (title_high + 1)).code == 2
    assert wise("goals", "add", "V", "--why", "w" * (why_high + 1)).code == 2
    db = round_trip(wise, tmp_path)
    assert rows(db, "SELECT length(title), length(why) FROM goals") == [(title_high, why_high)]


@case("WHY_LADDER_STEPS")
def _why_ladder(wise, home: Path, tmp_path: Path, low: int, high: int) -> None:
    from storage.ritual_writes import RitualWriter

    assert wise("capture", "a note").code == 0  # makes the journal
    writer = RitualWriter(home / "wise.db")
    try:
        writer.add_goal("Edge", why="w0", why_ladder=[f"w{n}" for n in range(high)])
        writer.add_goal("None", why_ladder=["  "] * low)
        with pytest.raises(ValueError, match=f"at most {high}"):
            writer.add_goal("Past", why_ladder=[f"w{n}" for n in range(high + 1)])
    finally:
        writer.close()
    db = round_trip(wise, tmp_path)
    ladders = rows(db, "SELECT title, why_ladder FROM goals ORDER BY title")
    assert [(title, None if ladder is None else json.loads(ladder))
            for title, ladder in ladders] == [("Edge", [f"w{n}" for n in range(high)]),
                                              ("None", None)]


@case("FOCUS_SECONDS", "FOCUS_PAUSED_SECONDS")
def _focus(wise, home: Path, tmp_path: Path, low: int, high: int) -> None:
    shortest, longest = limits.FOCUS_SECONDS
    assert wise("focus", "start", "shortest", "--minutes", str(shortest // 60)).code == 0
    assert wise("focus", "done").code == 0
    assert wise("focus", "start", "too short", "--minutes", "0").code == 2
    assert wise("focus", "start", "longest", "--minutes", str(limits.STEP_MINUTES[1])).code == 0
    while wise("focus", "status", "--json").json()["session"]["planned_seconds"] < longest:
        assert wise("focus", "extend", str(limits.STEP_MINUTES[1])).code == 0  # capped
    assert wise("focus", "done").code == 0
    db = round_trip(wise, tmp_path)
    assert rows(db, "SELECT planned_seconds, paused_seconds FROM focus_sessions "
                    "ORDER BY started_at") == [(shortest, 0), (longest, 0)]
    # No writer pauses for ten years: the edge of the paused time is the importer's.
    exported = tmp_path / "export.json"
    most = limits.FOCUS_PAUSED_SECONDS[1]
    for paused, code in ((most, 0), (most + 1, 2)):
        edited = tmp_path / f"paused-{paused}.json"
        edited.write_text(exported.read_text(encoding="utf-8").replace(
            '"paused_seconds": 0', f'"paused_seconds": {paused}', 1), encoding="utf-8")
        done = wise("import", str(edited), env={"WISE_HOME": str(tmp_path / f"h{paused}")})
        assert done.code == code, done.err
    assert rows(tmp_path / f"h{most}" / "wise.db",
                "SELECT max(paused_seconds) FROM focus_sessions") == [(most,)]


@case("CADENCE_PER_WEEK")
def _cadence(wise, home: Path, tmp_path: Path, low: int, high: int) -> None:
    assert wise("goals", "add", "Low", "--cadence", str(low)).code == 0
    assert wise("goals", "add", "High", "--cadence", str(high)).code == 0
    assert wise("goals", "add", "Past", "--cadence", str(high + 1)).code == 2
    assert wise("goals", "add", "Under", "--cadence", str(low - 1)).code == 2
    db = round_trip(wise, tmp_path)
    assert sorted(rows(db, "SELECT cadence_per_week FROM goals")) == [(low,), (high,)]


@case("MOOD", "ENERGY")
def _scales(wise, home: Path, tmp_path: Path, low: int, high: int) -> None:
    from storage.ritual_writes import RitualWriter

    assert wise("capture", "a note").code == 0  # makes the journal
    writer = RitualWriter(home / "wise.db")
    try:
        writer.save_day_words(date(2026, 11, 25), how_it_went="", in_the_way="",
                              mood=low, energy=high)
        writer.save_day_words(date(2026, 11, 26), how_it_went="", in_the_way="",
                              mood=high, energy=low)
        for past in (low - 1, high + 1):
            with pytest.raises(ValueError, match="1 to 5"):
                writer.save_day_words(date(2026, 11, 27), how_it_went="", in_the_way="",
                                      mood=past, energy=None)
    finally:
        writer.close()
    db = round_trip(wise, tmp_path)
    assert rows(db, "SELECT mood, energy FROM day_words ORDER BY day") == [(low, high),
                                                                          (high, low)]


@case("STEP_MINUTES", "ESTIMATE_MINUTES")
def _estimates(wise, home: Path, tmp_path: Path, low: int, high: int) -> None:
    most = limits.STEP_MINUTES[1]
    assert most <= limits.ESTIMATE_MINUTES[1]  # every step a writer makes, the import takes
    assert wise("capture", f"[ ] a long one ~{most}m").code == 0
    assert wise("capture", f"[ ] too long ~{most + 1}m").code == 0
    assert wise("capture", f"[ ] short ~{limits.STEP_MINUTES[0]}m").code == 0
    db = round_trip(wise, tmp_path)
    assert rows(db, "SELECT title, estimate_minutes FROM actions ORDER BY id") == [
        ("a long one", most), (f"too long ~{most + 1}m", None),
        ("short", limits.STEP_MINUTES[0])]


@case("MODEL_CHARS", "PROMPT_NAME_CHARS", "PROMPT_VERSION_CHARS", "REFLECTION_KIND_CHARS",
      "RATING")
def _reflections(wise, home: Path, tmp_path: Path, low: int, high: int) -> None:
    """The model's name comes from a setting, the prompt's from the prompt files; the kind
    is the vocabulary's (the database refuses others)."""
    from prompts.loader import list_prompts, load_prompt
    from storage.engine import Journal
    from storage.models import Feedback, Reflection
    from storage.vocabulary import ReflectionKind

    kind = max(ReflectionKind, key=len).value
    assert all(len(k) <= limits.REFLECTION_KIND_CHARS[1] for k in ReflectionKind)

    model_high = limits.MODEL_CHARS[1]
    assert wise("config", "set", "llm.model", "m" * (model_high + 1)).code == 2
    assert wise("config", "set", "llm.model", "m" * model_high).code == 0
    for name in list_prompts():
        prompt = load_prompt(name)
        assert len(prompt.name) <= limits.PROMPT_NAME_CHARS[1]
        assert len(prompt.version) <= limits.PROMPT_VERSION_CHARS[1]
    assert wise("capture", "a note").code == 0
    journal = Journal(home / "wise.db")
    try:
        with journal.write() as session:
            reflection = Reflection(kind=kind,
                                    period=date(2026, 11, 26), content="Well done.",
                                    model="m" * model_high,
                                    prompt_name="p" * limits.PROMPT_NAME_CHARS[1],
                                    prompt_version="v" * limits.PROMPT_VERSION_CHARS[1])
            session.add(reflection)
            session.flush()
            session.add_all([Feedback(target_kind="reflection", target_id=reflection.id,
                                      rating=rating, created_at=datetime(2026, 11, 26, i,
                                                                         tzinfo=UTC))
                             for i, rating in enumerate(range(limits.RATING[0],
                                                              limits.RATING[1] + 1))])
    finally:
        journal.close()
    db = round_trip(wise, tmp_path)
    assert rows(db, "SELECT length(kind), length(model), length(prompt_name), "
                    "length(prompt_version) FROM reflections") == [
        (len(kind), model_high, limits.PROMPT_NAME_CHARS[1],
         limits.PROMPT_VERSION_CHARS[1])]
    assert sorted(rows(db, "SELECT rating FROM feedback")) == [
        (r,) for r in range(limits.RATING[0], limits.RATING[1] + 1)]


@case("NUDGE_STYLE_CHARS", "NUDGE_SOURCE_CHARS", "HOUR")
def _nudges(wise, home: Path, tmp_path: Path, low: int, high: int) -> None:
    """Styles and sources are the vocabulary's (the database refuses others): each one fits
    its column, and a nudge of each, at the edge hours, travels."""
    from app.nudges.learner import STYLES
    from storage.engine import Journal
    from storage.models import Nudge
    from storage.vocabulary import NudgeSource, NudgeStyle

    assert tuple(NudgeStyle) == STYLES
    assert all(len(style) <= limits.NUDGE_STYLE_CHARS[1] for style in NudgeStyle)
    assert all(len(source) <= limits.NUDGE_SOURCE_CHARS[1] for source in NudgeSource)
    assert wise("capture", "a note").code == 0
    made = [(hour, style.value, source.value) for hour in limits.HOUR
            for style in NudgeStyle for source in NudgeSource]
    journal = Journal(home / "wise.db")
    try:
        with journal.write() as session:
            for minute, (hour, style, source) in enumerate(made):
                session.add(Nudge(created_at=datetime(2026, 11, 26, hour, minute, tzinfo=UTC),
                                  text="a step", style=style, hour_bucket=hour, reason="",
                                  source=source))
    finally:
        journal.close()
    db = round_trip(wise, tmp_path)
    assert rows(db, "SELECT hour_bucket, style, source FROM nudges ORDER BY created_at") == made


def test_every_declared_limit_has_a_round_trip() -> None:
    assert set(CASES) == set(limits.LIMITS), "give a new limit its case here"


@pytest.mark.parametrize("check", sorted(set(CASES.values()), key=lambda c: c.__name__),
                         ids=lambda c: c.__name__.strip("_"))
def test_what_wise_accepts_at_each_limit_travels(wise, wise_home: Path, tmp_path: Path,
                                                 check: Case) -> None:
    covered = [limit for limit, found in CASES.items() if found is check]
    low, high = limits.LIMITS[covered[0]]
    check(wise, wise_home, tmp_path, low, high)

