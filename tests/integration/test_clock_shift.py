"""WISE_CLOCK_SHIFT reaches every process: `wise` commands and the tray live at the shifted
moment, and a shift that is not a number of seconds is refused in one line."""

from __future__ import annotations

import signal
from datetime import UTC, date, datetime
from pathlib import Path

from tests.helpers import sql
from tests.integration.test_tray_process import start_tray, wait_until_ready, wise_cli

# 01:30 on Monday 3 February 2031, local time: before the day-start hour (4 am), so the
# journal's today is still Sunday 2 February, and "tomorrow" is Monday.
MOMENT = datetime(2031, 2, 3, 1, 30)


def stored_hour(moment: datetime) -> str:
    """The stored (UTC) text of `moment`, to the hour."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H")


def test_wise_commands_live_at_the_shifted_moment(wise, wise_home: Path, clock_at) -> None:
    moment = clock_at(MOMENT.astimezone())
    saved = wise("capture", "--json", "call mum tomorrow")
    assert saved.code == 0, saved.err
    assert saved.json()["due_on"] == "2031-02-03"

    today = wise("today", "--json")
    assert today.code == 0, today.err
    assert today.json()["day"] == "2031-02-02"
    assert [a["title"] for a in today.json()["captured"]] == ["call mum"]
    assert wise("today").out.startswith("Today — Sunday 2 February")
    [(created,)] = sql(wise_home, "SELECT created_at FROM actions")
    assert created.startswith(stored_hour(moment))


def test_tomorrow_9am_the_evening_before_the_clocks_change_is_9_by_the_clock(
        wise, clock_at, in_zone) -> None:
    berlin = in_zone("Europe/Berlin")  # for this process and the `wise` children
    for evening, due in (("2026-03-28 20:00", "2026-03-29T09:00:00+02:00"),
                         ("2026-10-24 20:00", "2026-10-25T09:00:00+01:00")):
        clock_at(datetime.fromisoformat(evening).replace(tzinfo=berlin))
        saved = wise("capture", "--json", "call mum tomorrow 9am")
        assert saved.code == 0, saved.err
        assert saved.json()["due_at"] == due
        assert saved.json()["summary"].endswith("(due tomorrow 09:00)")
        listed = wise("actions", "list")
        assert f"{saved.json()['id']}  ☐ call mum  ·  due tomorrow 09:00\n" in listed.out


def test_the_tray_and_its_captures_live_at_the_shifted_moment(wise_home: Path, clock_at,
                                                              monkeypatch) -> None:
    moment = clock_at(MOMENT.astimezone())
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(wise_home.parent))
    tray = start_tray(wise_home)
    try:
        wait_until_ready(wise_home, tray)
        result = wise_cli(wise_home, "capture", "--json", "through the tray tomorrow")
        assert result.returncode == 0, result.stderr
        [(created, due)] = sql(wise_home, "SELECT created_at, due_on FROM actions")
        assert created.startswith(stored_hour(moment))
        assert date.fromisoformat(due) == date(2031, 2, 3)
        assert "capture request over the socket" in (wise_home / "logs" / "wise.log").read_text()
    finally:
        tray.send_signal(signal.SIGTERM)
        tray.wait(30)
    assert "clock is shifted by" in (wise_home / "logs" / "wise.log").read_text()


def test_a_shift_that_is_not_seconds_is_one_clear_line(wise) -> None:
    for args in (("today",), ("capture", "call mum"), ("tray",)):
        result = wise(*args, env={"WISE_CLOCK_SHIFT": "next tuesday"})
        assert result.code == 2, (args, result.err)
        assert result.err == ("wise: WISE_CLOCK_SHIFT must be a number of seconds "
                              "(e.g. -3600 for an hour ago), not 'next tuesday'\n")
