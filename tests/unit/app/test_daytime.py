"""Journal days begin at the day-start hour, not at midnight."""

from datetime import UTC, date, datetime, timedelta, timezone

from app.daytime import day_bounds_utc, journal_day

TZ = timezone(timedelta(hours=1))


def test_a_1am_capture_belongs_to_the_evening_before() -> None:
    assert journal_day(datetime(2026, 11, 27, 1, 30, tzinfo=TZ), 4) == date(2026, 11, 26)
    assert journal_day(datetime(2026, 11, 27, 4, 0, tzinfo=TZ), 4) == date(2026, 11, 27)
    assert journal_day(datetime(2026, 11, 27, 1, 30, tzinfo=TZ), 0) == date(2026, 11, 27)


def test_day_bounds_are_24_hours_from_the_start_hour_in_utc() -> None:
    start, end = day_bounds_utc(date(2026, 11, 26), 4, TZ)
    assert start == datetime(2026, 11, 26, 3, 0, tzinfo=UTC)
    assert end - start == timedelta(hours=24)


def test_days_ago_says_how_long_ago_in_words() -> None:
    from datetime import date

    from app.daytime import days_ago

    today = date(2026, 11, 26)
    cases = {date(2026, 11, 26): "today", date(2026, 11, 27): "today",
             date(2026, 11, 25): "yesterday", date(2026, 11, 13): "13 days ago",
             date(2026, 11, 12): "2 weeks ago", date(2026, 9, 28): "8 weeks ago",
             date(2026, 9, 27): "on 27 Sep 2026"}
    assert {then: days_ago(then, today) for then in cases} == cases


def test_days_in_prose_have_english_names_and_no_zero_padding() -> None:
    from app.daytime import long_day, short_day

    day = date(2026, 12, 3)
    assert long_day(day) == "Thursday 3 December 2026"
    assert long_day(day, year=False) == "Thursday 3 December"
    assert long_day(day, weekday=False, year=False) == "3 December"
    assert short_day(day) == "Thu 3 Dec"


def test_a_quiet_goal_says_since_when_without_a_zero() -> None:
    from app.goal_review import GoalFacts, plain_verdict

    facts = GoalFacts(id=1, slug="family", title="Family", why="", status="active",
                      cadence_per_week=None, created=date(2026, 1, 1), done_recent=0,
                      notes_recent=0, added_recent=0, last_activity=date(2026, 9, 3),
                      open_count=0, smallest_open=None, recent_notes=[])
    verdict = plain_verdict(facts, date(2026, 12, 3))
    assert "nothing done, added or noted since 3 September." in verdict.observation
