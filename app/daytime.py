"""Journal days: with a day-start hour of 4, a 1 am capture still belongs to "today"."""

from __future__ import annotations

from datetime import date, datetime

from storage.clock import ClockShiftInvalid as ClockShiftInvalid
from storage.clock import local_now as local_now  # the one clock (WISE_CLOCK_SHIFT)
from storage.clock import shift as shift
from storage.timeutil import journal_day as journal_day  # the one rule
from storage.timeutil import journal_day_bounds

# Fixed English names: the interface is English, and a locale (Qt sets the process's own
# from the environment) must not change the words. Days are never zero-padded in prose.
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


def day_bounds_utc(day: date, start_hour: int, tz=None) -> tuple[datetime, datetime]:
    """[start, end) of a journal day in UTC, for queries over stored UTC timestamps."""
    return journal_day_bounds(day, start_hour, tz)


def to_local(moment: datetime) -> datetime:
    return moment.astimezone()


def short_day(day: date, today: date | None = None) -> str:
    """'today', 'tomorrow', 'Fri 27 Nov', or with the year when it is not this year's."""
    if today is not None:
        delta = (day - today).days
        if delta == 0:
            return "today"
        if delta == 1:
            return "tomorrow"
        if delta == -1:
            return "yesterday"
    text = f"{WEEKDAYS[day.weekday()][:3]} {day.day} {MONTHS[day.month - 1][:3]}"
    if today is not None and day.year != today.year:
        text += f" {day.year}"
    return text


def days_ago(then: date, today: date) -> str:
    """'today', 'yesterday', '3 days ago', '2 weeks ago', or 'on 4 Mar 2026' (the one way
    Wise says how long ago something was: in prompts, the CLI and the windows)."""
    days = (today - then).days
    if days <= 0:
        return "today"
    if days == 1:
        return "yesterday"
    if days < 14:
        return f"{days} days ago"
    if days < 60:
        return f"{days // 7} weeks ago"
    return f"on {then.day} {MONTHS[then.month - 1][:3]} {then.year}"


def long_day(day: date, *, weekday: bool = True, year: bool = True) -> str:
    """'Thursday 3 December 2026' (without the weekday or the year when asked): a day in
    prose, never '03 December'."""
    text = f"{day.day} {MONTHS[day.month - 1]}"
    if weekday:
        text = f"{WEEKDAYS[day.weekday()]} {text}"
    return f"{text} {day.year}" if year else text
