"""Rules that used to exist in several copies, each now defined once (issue 11): time
given per step, the journal day of a moment, stored text -> moment, a goal's last touch
and last progress. Each test drives the readers that share the rule."""

from __future__ import annotations

import inspect
import re
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path

from app.memory.context import focus_data
from storage.engine import Journal
from storage.export_markdown import _Clock
from storage.focus import FocusSession as StoredSession
from storage.focus import seconds_given, time_by_step
from storage.models import Action, Entry, FocusSession, Goal
from storage.repo.goal_activity import last_progress, last_touched
from storage.repo.goals import goal_facts, goals_with_activity
from storage.repo.nudges import goals_touched_since
from storage.repo.reading import reading
from storage.repo.ritual_reads import day_view
from storage.timeutil import aware_utc, journal_day, journal_day_bounds, to_db

DAY = date(2026, 11, 18)
START = 4


def test_time_given_leaves_pauses_out_and_counts_a_running_session_to_now() -> None:
    begun = datetime(2026, 11, 18, 9, tzinfo=UTC)
    assert seconds_given(begun, begun + timedelta(minutes=42), 120, begun) == 40 * 60
    now = begun + timedelta(minutes=10)
    paused_at = begun + timedelta(minutes=8)  # a pause still going on
    assert seconds_given(begun, None, 0, now, paused_at) == 8 * 60
    assert seconds_given(begun, begun, 600, begun) == 0  # never below zero


def _session(id_: int, action_id: int | None, title: str, minutes: int, paused_s: int = 0,
             planned_s: int = 120, estimate: int | None = None) -> StoredSession:
    start = datetime(2026, 11, 18, 9, id_, tzinfo=UTC)
    return StoredSession(id_, f"u{id_}", action_id, None, title, estimate, start, planned_s,
                         None, paused_s, start + timedelta(minutes=minutes), "done")


def test_time_by_step_groups_a_steps_sessions() -> None:
    now = datetime(2026, 11, 18, 12, tzinfo=UTC)
    steps = time_by_step([_session(1, 7, "intro", 10, planned_s=120),
                          _session(2, 7, "intro", 30, paused_s=60, planned_s=600, estimate=20),
                          _session(3, None, "tidy", 5)], now)
    assert [(s.action_id, s.seconds, s.sessions, s.planned_seconds, s.estimate_minutes)
            for s in steps] == [(7, 39 * 60, 2, 120, 20), (None, 5 * 60, 1, 120, None)]


def test_every_reader_of_time_given_agrees(journal: Journal) -> None:
    start, _ = journal_day_bounds(DAY, START)
    with journal.write() as s:
        goal = Goal(slug="book", title="Write the book")
        step = Action(title="write the intro", goal=goal, created_at=start)
        s.add_all([goal, step])
        s.flush()
        s.add_all([
            FocusSession(action_id=step.id, title="write the intro", planned_seconds=120,
                         started_at=start + timedelta(hours=5), paused_seconds=300,
                         ended_at=start + timedelta(hours=5, minutes=47), outcome="done"),
            FocusSession(title="tidy the desk", planned_seconds=600, paused_seconds=0,
                         started_at=start + timedelta(hours=6),
                         ended_at=start + timedelta(hours=6, minutes=10), outcome="stopped"),
        ])
    window = day_view(journal.db_path, DAY, START).focus
    with reading(journal.db_path) as conn:
        context, total = focus_data(conn, DAY, START, None, 10)
    assert window == [("write the intro", 42 * 60), ("tidy the desk", 10 * 60)]
    assert total == 2 and [(title, slug, round(seconds)) for title, slug, seconds, *_ in
                           context] == [("write the intro", "book", 42 * 60),
                                        ("tidy the desk", None, 10 * 60)]


def test_one_journal_day_rule() -> None:
    from app.daytime import journal_day as app_journal_day
    from app.nudges.policy import NudgeRules, journal_day_of

    late = datetime(2026, 11, 19, 1, 30, tzinfo=timezone(timedelta(hours=1)))
    assert app_journal_day is journal_day
    assert journal_day(late, START) == DAY  # 01:30 belongs to the day before
    assert _Clock(None, START).day(late) == journal_day(late.astimezone(), START)
    rules = NudgeRules(enabled=True, daily_cap=3, min_gap=timedelta(hours=2),
                       quiet_start=time(22), quiet_end=time(8), day_start_hour=START)
    assert journal_day_of(late, rules, late.tzinfo) == DAY
    start, end = journal_day_bounds(DAY, START, late.tzinfo)
    assert journal_day(start.astimezone(late.tzinfo), START) == DAY
    assert journal_day((end - timedelta(microseconds=1)).astimezone(late.tzinfo), START) == DAY


# Shifting a moment back by the day's start hour and taking its date: journal_day's own
# arithmetic, which nothing else may restate (a copy in the nudge service chose the wrong
# steps as "due" once its rule drifted).
_DAY_ARITHMETIC = re.compile(r"timedelta\(hours=[^)]*\)\)\.date\(\)")


def test_no_journal_day_arithmetic_outside_the_one_rule() -> None:
    root = Path(__file__).resolve().parents[3]
    copies = [str(path.relative_to(root)) for package in ("app", "storage", "ui", "packaging")
              for path in sorted((root / package).rglob("*.py"))
              if path.name != "timeutil.py" and _DAY_ARITHMETIC.search(path.read_text())]
    assert _DAY_ARITHMETIC.search(inspect.getsource(journal_day))  # the pattern still bites
    assert copies == [], f"journal-day arithmetic restated in {copies}: use journal_day"


def test_stored_text_naive_and_aware_moments_read_alike() -> None:
    moment = datetime(2026, 11, 18, 9, 30, tzinfo=UTC)
    assert aware_utc(to_db(moment)) == aware_utc(moment.replace(tzinfo=None)) == moment
    assert aware_utc(moment.astimezone(timezone(timedelta(hours=-5)))) == moment
    assert aware_utc(to_db(moment)).tzinfo is UTC


def test_last_touched_counts_a_new_step_and_last_progress_does_not(journal: Journal) -> None:
    noon = datetime(2026, 11, 10, 12, tzinfo=UTC)
    with journal.write() as s:
        goal = Goal(slug="book", title="Write the book")
        s.add(goal)
        s.flush()
        s.add_all([Entry(text="an idea", goal_id=goal.id, created_at=noon),
                   # Retitled later: a row written is no activity (updated_at is sync's).
                   Action(title="done", goal_id=goal.id, status="done", created_at=noon,
                          done_at=noon + timedelta(days=1),
                          updated_at=noon + timedelta(days=5)),
                   Action(title="just planned", goal_id=goal.id,
                          created_at=noon + timedelta(days=3))])
        goal_id = goal.id
    with reading(journal.db_path) as conn:
        assert last_touched(conn, goal_id) == noon + timedelta(days=3)
        assert aware_utc(last_progress(conn, goal_id)) == noon + timedelta(days=1)
        # `wise goals`, the goal review and the nudge policy read the same last touch.
        [listed] = goals_with_activity(conn, noon, include_all=True)
        assert listed.last_activity == noon + timedelta(days=3)
        assert goal_facts(conn, goal_id, noon, note_limit=1).last_moment == noon + timedelta(
            days=3)
        assert goals_touched_since(conn, noon) == {goal_id: noon + timedelta(days=3)}


def test_one_quiet_hours_rule() -> None:
    """The scheduler and the nudge policy read the user's quiet hours one way
    (app.rhythm.clock.QuietHours.from_settings) and judge a moment by one rule (covers),
    the policy's hours of the day included."""
    from app.nudges.policy import NudgeRules, active_hours, in_quiet_hours
    from app.rhythm.clock import QuietHours

    settings = {"nudges.enabled": True, "nudges.daily_cap": 3, "nudges.min_gap_minutes": 90,
                "nudges.quiet_start": " 22:30", "nudges.quiet_end": "07:15",
                "day.start_hour": START}
    rules = NudgeRules.from_settings(settings)
    quiet = QuietHours.from_settings(settings)
    assert (rules.quiet_start, rules.quiet_end) == (quiet.start, quiet.end) == (
        time(22, 30), time(7, 15))
    tz = timezone(timedelta(hours=-5))
    for minute in range(0, 24 * 60, 5):
        moment = datetime(2026, 11, 18, minute // 60, minute % 60, tzinfo=tz)
        assert in_quiet_hours(moment, rules) == quiet.contains(moment) == (
            not time(7, 15) <= moment.time() < time(22, 30))
    assert active_hours(rules) == list(range(7, 23))  # 07:15-07:59 and 22:00-22:29 count


def test_the_runtime_states_moments_are_read_one_way(tmp_path: Path) -> None:
    """state.json's moments (the nudge pause, the learning reset) are read by
    RuntimeState alone: the tray's pause line, the nudge service and the prompt learner
    read them alike (the learner once kept a naive one naive, which no aware moment can be
    compared with)."""
    from app.prompt_choice import learning_since
    from app.state import RuntimeState, load_state, save_state

    aware = datetime(2026, 11, 18, 9, 30, tzinfo=timezone(timedelta(hours=1)))
    save_state(tmp_path / "state.json", RuntimeState(nudges_paused_until=aware.isoformat(),
                                                     learning_since="2026-11-18T09:30"))
    state = load_state(tmp_path / "state.json")
    assert state.paused_until() == aware
    assert state.nudges_paused(aware - timedelta(seconds=1)) and not state.nudges_paused(aware)
    hand_written = datetime(2026, 11, 18, 9, 30).astimezone()  # naive: local time
    assert state.learning_reset_at() == hand_written == learning_since(tmp_path)
    assert learning_since(tmp_path).tzinfo is not None
    damaged = RuntimeState(nudges_paused_until="soon", learning_since="")
    assert damaged.paused_until() is None and damaged.learning_reset_at() is None
    assert not damaged.nudges_paused(aware)


def test_one_rule_for_a_goals_title_why_and_cadence(journal: Journal) -> None:
    """The CLI (app.goals) and the windows (storage.ritual_writes) check a goal's fields
    by one rule (storage.repo.goals): the same input is refused with the same words, and
    what is kept is folded the same way. (The CLI's edit checked them a third time.)"""
    import pytest

    from app.errors import BadInput
    from app.goals import add_goal, edit_goal
    from storage.ritual_writes import RitualWriter

    writer = RitualWriter(journal.db_path)
    try:
        for title, why, cadence in (("   ", "", None), ("x" * 201, "", None),
                                    ("ok", "y" * 5001, None), ("ok", "", 22), ("ok", "", 0)):
            with pytest.raises(ValueError, match=r"goal|cadence") as window:
                writer.add_goal(title, why=why, cadence_per_week=cadence)
            with pytest.raises(BadInput) as cli:
                add_goal(journal, title, why=why, cadence=cadence)
            assert str(cli.value) == str(window.value)
        by_cli = add_goal(journal, "  Learn   Spanish ", why=" to talk with Ana ", cadence=3)
        by_window = writer.add_goal("  Run  a 5k ", why=" to feel strong ", cadence_per_week=3)
        assert (by_cli.title, by_cli.why) == ("Learn Spanish", "to talk with Ana")
        with reading(journal.db_path) as conn:
            from storage.repo.goals import get_goal

            stored = get_goal(conn, by_window)
        assert stored is not None and (stored.title, stored.why) == ("Run a 5k", "to feel strong")
        for changes in ({"title": " "}, {"why": "y" * 5001}, {"cadence_per_week": 22}):
            with pytest.raises(ValueError, match=r"goal|cadence") as window:
                writer.update_goal(by_window, **changes)
            with pytest.raises(BadInput) as cli:
                edit_goal(journal, "learn-spanish", changes)
            assert str(cli.value) == str(window.value)
        assert edit_goal(journal, "learn-spanish", {"title": " Spanish,  slowly "}).title == (
            "Spanish, slowly")
    finally:
        writer.close()
