"""The rhythm's pure parts: jobs from settings, occurrences, quiet hours, missed periods and
clock jumps, all with a fake clock."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.cron import CronTrigger
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from app.rhythm.clock import (
    QuietHours,
    Recurrence,
    clock_jump,
    elapsed,
    missed_occurrence,
)
from app.rhythm.jobs import JOB_IDS, job_specs
from app.rhythm.scheduler import RecurrenceTrigger
from app.settings.store import Settings, defaults

BERLIN = ZoneInfo("Europe/Berlin")


def make_settings(**values: object) -> Settings:
    return Settings(values={**defaults(), **{k.replace("__", "."): v
                                             for k, v in values.items()}}, explicit={})


def at(text: str, tz=BERLIN) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=tz)


# -- jobs from settings ----------------------------------------------------------------


def test_default_jobs_have_explicit_ids_times_and_grace() -> None:
    specs = {spec.id: spec for spec in job_specs(make_settings())}
    assert tuple(specs) == JOB_IDS == ("checkin", "evening_reflection", "nudge_tick",
                                       "weekly_review", "nightly_maintenance")
    assert specs["checkin"].fields == {"hour": 9, "minute": 0}
    assert specs["evening_reflection"].fields == {"hour": 21, "minute": 0}
    assert specs["nudge_tick"].fields == {"minute": "*/15"}
    assert specs["weekly_review"].fields == {"day_of_week": "sun", "hour": 18, "minute": 0}
    # Before the new day (day.start_hour 4): summaries, backup, FTS optimize.
    assert specs["nightly_maintenance"].fields == {"hour": 3, "minute": 30}
    # Never APScheduler's default grace of 1 s; nudges short, the rest hours.
    assert specs["nudge_tick"].misfire_grace_s == 300
    assert all(specs[i].misfire_grace_s >= 3 * 3600 for i in JOB_IDS if i != "nudge_tick")
    assert {spec.event for spec in specs.values()} == {
        "checkin", "reflection_ready", "nudge_tick", "review_due", "maintenance"}


def test_jobs_follow_the_settings() -> None:
    specs = {spec.id: spec for spec in job_specs(make_settings(
        schedule__checkin_time="07:45", schedule__reflection_time="22:10",
        schedule__weekly_review_day="wed", day__start_hour=0))}
    assert specs["checkin"].fields == {"hour": 7, "minute": 45}
    assert specs["evening_reflection"].fields == {"hour": 22, "minute": 10}
    assert specs["weekly_review"].fields["day_of_week"] == "wed"
    assert specs["weekly_review"].when == "Wednesdays at 18:00"
    assert specs["nightly_maintenance"].fields == {"hour": 23, "minute": 30}  # wraps
    assert specs["evening_reflection"].recurrence == Recurrence(22, 10)
    assert specs["weekly_review"].recurrence == Recurrence(18, 0, weekday=2)
    assert specs["nudge_tick"].recurrence is None  # no single time of day


# -- occurrences -----------------------------------------------------------------------


def test_next_and_latest_occurrence_of_a_daily_time() -> None:
    nine = Recurrence(9, 0)
    assert nine.next_after(at("2026-11-26 08:59")) == at("2026-11-26 09:00")
    assert nine.next_after(at("2026-11-26 09:00")) == at("2026-11-27 09:00")  # strictly
    assert nine.latest_at_or_before(at("2026-11-26 09:00")) == at("2026-11-26 09:00")
    assert nine.latest_at_or_before(at("2026-11-26 08:59")) == at("2026-11-25 09:00")


def test_weekly_occurrences_land_on_their_weekday() -> None:
    sunday = Recurrence(18, 0, weekday=6)
    thursday = at("2026-11-26 12:00")
    assert sunday.next_after(thursday) == at("2026-11-29 18:00")
    assert sunday.latest_at_or_before(thursday) == at("2026-11-22 18:00")
    assert sunday.period_of(at("2026-11-29 18:05")) == (at("2026-11-29 18:00"),
                                                        at("2026-12-06 18:00"))


def test_occurrences_keep_wall_time_across_daylight_saving() -> None:
    # Berlin leaves summer time on 25 October 2026: 21:00 stays 21:00, 25 hours apart.
    nine_pm = Recurrence(21, 0)
    before = nine_pm.latest_at_or_before(at("2026-10-24 22:00"))
    after = nine_pm.next_after(before)
    assert after == at("2026-10-25 21:00") and elapsed(before, after) == timedelta(hours=25)


@settings(max_examples=300, deadline=None)
@given(moment=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31)),
       # From 03:00: 02:xx may not exist (DST gap), and CronTrigger itself is wrong for
       # 00:xx-01:xx the day after clocks go forward (see the test below).
       hour=st.integers(3, 23),
       minute=st.integers(0, 59), weekday=st.none() | st.integers(0, 6))
def test_next_occurrence_agrees_with_apscheduler(moment, hour, minute, weekday) -> None:
    moment = moment.replace(tzinfo=BERLIN, second=30)
    assume(moment.astimezone(UTC).astimezone(BERLIN).replace(tzinfo=None)
           == moment.replace(tzinfo=None))  # not an instant that does not exist
    fields = {"hour": hour, "minute": minute}
    if weekday is not None:
        fields["day_of_week"] = weekday
    recurrence = Recurrence.from_fields(fields)
    trigger = CronTrigger(timezone=BERLIN, **fields)
    assert recurrence.next_after(moment) == trigger.get_next_fire_time(None, moment)
    latest = recurrence.latest_at_or_before(moment)
    assert trigger.get_next_fire_time(None, latest) == latest
    assert recurrence.next_after(latest) == recurrence.next_after(moment)


def test_the_scheduler_trigger_fires_at_the_occurrences_even_where_crontrigger_skips() -> None:
    monday_half_past_midnight = {"day_of_week": "mon", "hour": 0, "minute": 30}
    trigger = RecurrenceTrigger(Recurrence.from_fields(monday_half_past_midnight), BERLIN)
    week_before_dst = at("2026-03-23 01:00")
    assert trigger.get_next_fire_time(None, week_before_dst) == at("2026-03-30 00:30")
    # APScheduler 3.11's CronTrigger skips that Monday (agronholm/apscheduler#529).
    cron = CronTrigger(timezone=BERLIN, **monday_half_past_midnight)
    assert cron.get_next_fire_time(None, week_before_dst) == at("2026-04-06 00:30")


def test_the_scheduler_trigger_keeps_crontrigger_s_contract() -> None:
    trigger = RecurrenceTrigger(Recurrence(21, 0), BERLIN)
    nine = at("2026-11-26 21:00")
    assert trigger.get_next_fire_time(None, nine) == nine  # inclusive of now
    assert trigger.get_next_fire_time(nine, nine) == at("2026-11-27 21:00")
    # With a previous fire time long ago, it answers the first one missed since (so that
    # APScheduler can coalesce the missed runs into one).
    assert trigger.get_next_fire_time(at("2026-11-20 21:00"), nine) == at("2026-11-21 21:00")
    # A time the spring change skips runs at the real instant an hour later.
    gap = RecurrenceTrigger(Recurrence(2, 30), BERLIN)
    fire = gap.get_next_fire_time(None, at("2026-03-29 00:00"))
    assert fire.astimezone(UTC) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 03:30 CEST


def test_cron_fields_without_a_single_time_are_not_a_recurrence() -> None:
    assert Recurrence.from_fields({"minute": "*/15"}) is None
    assert Recurrence.from_fields({"hour": 9, "minute": 0, "day_of_week": "sun"}) == \
        Recurrence(9, 0, weekday=6)
    assert Recurrence.from_fields({"hour": 9, "minute": 0, "second": 5}) == Recurrence(9, 0, 5)
    assert Recurrence.from_fields({"hour": "9-17", "minute": 0}) is None


# -- quiet hours -----------------------------------------------------------------------


@pytest.mark.parametrize(("moment", "quiet", "ends"), [
    ("2026-11-26 21:59", False, None),
    ("2026-11-26 22:00", True, "2026-11-27 08:00"),  # wraps past midnight
    ("2026-11-27 00:30", True, "2026-11-27 08:00"),
    ("2026-11-27 07:59", True, "2026-11-27 08:00"),
    ("2026-11-27 08:00", False, None),
])
def test_quiet_hours_wrapping_past_midnight(moment, quiet, ends) -> None:
    window = QuietHours.parse("22:00", "08:00")
    assert window.contains(at(moment)) is quiet
    assert window.end_after(at(moment)) == (at(ends) if ends else None)
    assert window.first_moment_from(at(moment)) == at(ends or moment)


def test_quiet_hours_within_one_day_and_empty() -> None:
    lunch = QuietHours.parse("12:00", "13:30")
    assert not lunch.contains(at("2026-11-26 11:59"))
    assert lunch.end_after(at("2026-11-26 12:10")) == at("2026-11-26 13:30")
    assert not lunch.contains(at("2026-11-26 13:30"))
    never = QuietHours.parse("00:00", "00:00")
    assert never.empty and not never.contains(at("2026-11-26 00:00"))
    assert QuietHours.parse("8:05", "9:00").start == time(8, 5)


# -- missed periods, with a fake clock -------------------------------------------------


def test_a_restart_after_the_run_owes_nothing() -> None:
    reflection = Recurrence(21, 0)
    ran = at("2026-11-26 21:00:00.2")
    assert missed_occurrence(reflection, ran, at("2026-11-26 21:05")) is None
    assert missed_occurrence(reflection, ran, at("2026-11-27 20:59")) is None


def test_a_reflection_missed_while_closed_is_owed_once_for_the_latest_period() -> None:
    reflection = Recurrence(21, 0)
    yesterday = at("2026-11-25 21:00:01")
    now = at("2026-11-26 23:30")
    assert missed_occurrence(reflection, yesterday, now) == at("2026-11-26 21:00")
    # Away for three days: one offer, for the latest evening (with the count for wording).
    long_ago = at("2026-11-23 21:00:01")
    assert missed_occurrence(reflection, long_ago, now) == at("2026-11-26 21:00")
    assert reflection.count_between(long_ago, now) == 3
    # Once offered (a run recorded after the occurrence), it is not owed again.
    assert missed_occurrence(reflection, now, now + timedelta(minutes=5)) is None


def test_a_job_never_run_owes_nothing() -> None:
    assert missed_occurrence(Recurrence(21, 0), None, at("2026-11-26 23:30")) is None


def test_a_weekly_review_missed_on_sunday_is_owed_on_monday() -> None:
    review = Recurrence(18, 0, weekday=6)
    last = at("2026-11-22 18:00:00.5")
    assert missed_occurrence(review, last, at("2026-11-29 17:59")) is None
    assert missed_occurrence(review, last, at("2026-11-30 09:00")) == at("2026-11-29 18:00")


def test_missed_periods_work_in_utc_across_zones() -> None:
    # The last run is stored in UTC; the clock reads local time.
    last = datetime(2026, 11, 25, 20, 0, 1, tzinfo=UTC)  # 21:00:01 in Berlin
    assert missed_occurrence(Recurrence(21, 0), last, at("2026-11-26 21:00:00")) == at(
        "2026-11-26 21:00")
    assert missed_occurrence(Recurrence(21, 0), last, at("2026-11-26 20:59:59")) is None


# -- clock jumps -----------------------------------------------------------------------


def test_a_resume_from_suspend_is_a_jump() -> None:
    # Linux: CLOCK_MONOTONIC stood still while the wall clock moved 10 hours.
    jump = clock_jump(timedelta(hours=10, seconds=60), 60.0, expected_gap=60)
    assert jump == timedelta(hours=10)


def test_a_monotonic_clock_that_counts_suspend_still_shows_the_jump() -> None:
    assert clock_jump(timedelta(hours=10), 36000.0, expected_gap=60) == timedelta(
        hours=10) - timedelta(seconds=60)


def test_the_clock_set_back_is_a_jump_and_drift_is_not() -> None:
    assert clock_jump(timedelta(hours=-1), 60.0, expected_gap=60) < timedelta(0)
    assert clock_jump(timedelta(seconds=61.5), 60.0, expected_gap=60) is None
    assert clock_jump(timedelta(seconds=150), 150.0, expected_gap=60) is None
