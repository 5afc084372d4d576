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
