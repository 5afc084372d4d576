"""The one clock: real by default, shifted by WISE_CLOCK_SHIFT, still running either way."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from storage import clock

BERLIN = ZoneInfo("Europe/Berlin")


def test_without_a_shift_it_is_the_real_clock(monkeypatch) -> None:
    monkeypatch.delenv(clock.SHIFT_ENV, raising=False)
    before = datetime.now(UTC)
    now = clock.utc_now()
    after = datetime.now(UTC)
    assert before <= now <= after and now.tzinfo is UTC
    assert clock.shift() == timedelta(0)


def test_a_shift_moves_every_reading_and_time_runs_on(monkeypatch) -> None:
    monkeypatch.setenv(clock.SHIFT_ENV, "-90061.5")  # a day, an hour, a minute, 1.5 s ago
    moved = -timedelta(days=1, hours=1, minutes=1, seconds=1.5)
    before = datetime.now(UTC)
    first = clock.utc_now()
    second = clock.utc_now()
    after = datetime.now(UTC)
    assert before + moved <= first <= second <= after + moved
    assert before + moved <= clock.local_now() <= datetime.now(UTC) + moved


def test_local_now_has_the_offset_in_force_at_the_shifted_moment(in_zone, clock_at) -> None:
    in_zone("Europe/Berlin")
    clock_at(datetime(2026, 7, 1, 12, 0, tzinfo=BERLIN))  # summer time, whatever the date
    now = clock.local_now()
    assert now.utcoffset() == timedelta(hours=2) and (now.month, now.hour) == (7, 12)
    clock_at(datetime(2026, 12, 1, 12, 0, tzinfo=BERLIN))
    assert clock.local_now().utcoffset() == timedelta(hours=1)


def test_a_changed_variable_moves_the_clock_at_once(monkeypatch) -> None:
    monkeypatch.setenv(clock.SHIFT_ENV, "3600")
    assert clock.shift() == timedelta(hours=1)
    monkeypatch.setenv(clock.SHIFT_ENV, " -60 ")
    assert clock.shift() == timedelta(minutes=-1)
    monkeypatch.setenv(clock.SHIFT_ENV, "")
    assert clock.shift() == timedelta(0)


@pytest.mark.parametrize("text", ["tomorrow", "1h", "nan", "inf", "1e30"])
def test_a_shift_that_is_not_seconds_is_refused_not_ignored(monkeypatch, text) -> None:
    monkeypatch.setenv(clock.SHIFT_ENV, text)
    with pytest.raises(clock.ClockShiftInvalid, match="WISE_CLOCK_SHIFT must be a number"):
        clock.utc_now()


def test_real_and_shifted_moments_convert_both_ways_across_a_dst_change(monkeypatch) -> None:
    # Wise's clock an hour ahead: 01:30 CET real is 03:30 CEST on Wise's clock that night.
    monkeypatch.setenv(clock.SHIFT_ENV, "3600")
    real = datetime(2026, 3, 29, 1, 30, tzinfo=BERLIN)
    shown = clock.from_real(real)
    assert shown == datetime(2026, 3, 29, 3, 30, tzinfo=BERLIN)
    assert shown.tzinfo is BERLIN and shown.utcoffset() == timedelta(hours=2)
    assert clock.to_real(shown) == real and clock.to_real(shown).utcoffset() == timedelta(hours=1)
    monkeypatch.delenv(clock.SHIFT_ENV)
    assert clock.from_real(real) is real and clock.to_real(real) is real
