"""Due expressions of the capture language ("fri 3pm", "in 2h", "by 2026-12-01") and durations.

Relative words are read against the user's journal day, so a 1 am "tomorrow" is the coming
morning. Stdlib only and cheap to import: this sits on the CLI's capture path.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from app.daytime import journal_day

# Longest due expression in words: "by this friday at 3 pm" (two prefixes + four words), or
# "due at 3 pm on fri". The parser never looks further back than this.
MAX_DUE_WORDS = 7

# Consumed together with the day they introduce: "by friday", "due tomorrow", "on fri".
PREFIXES = frozenset({"by", "due", "on", "this", "before"})

# A day right after one of these is not a due: "last friday", "every monday", "since tuesday".
BLOCKERS = frozenset({"last", "next", "every", "each", "since", "until", "till", "from", "after"})

TONIGHT_HOUR = 20

# A due moment further from today than this is not taken as one: "0226-12-01" is a slip
# of the keyboard, and "born 1950-03-04" in a note is a fact, not a deadline. The words
# stay in the text as typed, and the capture says why (see `Due.far`).
MAX_DAYS_OVERDUE = 366
MAX_DAYS_AHEAD = 20 * 366

Clock = tuple[int, int, bool]  # hour 0-23, minute, whether am/pm was written

_RELATIVE_DAYS = {"today": 0, "tomorrow": 1, "tmrw": 1}
_WEEKDAYS = {
    "monday": 0, "mon": 0,
    "tuesday": 1, "tue": 1, "tues": 1,
    "wednesday": 2, "wed": 2,
    "thursday": 3, "thu": 3, "thur": 3, "thurs": 3,
    "friday": 4, "fri": 4,
    "saturday": 5, "sat": 5,
    "sunday": 6, "sun": 6,
}
# Alone, these are too often plain words to make a line a to-do: "felt great today",
# "lay in the sun". They count only with a to-do marker or an estimate (see parser).
_WEAK_WORDS = frozenset({"today", "tonight", "sat", "sun"})

_MINUTES_PER_UNIT = {
    "m": 1, "min": 1, "mins": 1, "minute": 1, "minutes": 1,
    "h": 60, "hr": 60, "hrs": 60, "hour": 60, "hours": 60,
}
_DAYS_PER_UNIT = {"d": 1, "day": 1, "days": 1, "w": 7, "wk": 7, "wks": 7, "week": 7, "weeks": 7}

# Every number is bounded in length: no int() of a 5,000-digit string, no deep backtracking.
_NUMBER = r"[0-9]{1,4}(?:\.[0-9]{1,2})?"
_AMOUNT = re.compile(_NUMBER)
_DURATION = re.compile(rf"({_NUMBER})([a-z]+)(?:([0-9]{{1,4}})([a-z]+))?")  # 2h, 1h30m, 90min
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})(?:t([01]?[0-9]|2[0-3]):([0-5][0-9]))?")
_CLOCK_12 = re.compile(r"(1[0-2]|0?[1-9])(?::([0-5][0-9]))?(?:([ap])\.?m\.?)?")  # 3pm, 3:30
_CLOCK_24 = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])")
_MERIDIEM = re.compile(r"([ap])\.?m\.?")
_BARE_HOUR = re.compile(r"[01]?[0-9]|2[0-3]")

# How a day's date is read when a time is attached to it.
_JOURNAL = "journal"    # a journal day: times before the day-start hour fall after midnight
_TONIGHT = "tonight"    # journal today, evening by default
_CALENDAR = "calendar"  # an ISO date: taken literally


class Context:
    """What relative words are read against: the moment of capture and its journal day.

    `local`: `now` is the system's local time, so a wall time on another day takes the
    offset in force on that day ("tomorrow 9am" the evening before the clocks go forward
    is 9 by the clock then, not 10); otherwise wall times keep `now`'s own tzinfo."""

    __slots__ = ("day_start_hour", "earliest", "latest", "local", "now", "today")

    def __init__(self, now: datetime, day_start_hour: int, local: bool = False) -> None:
        self.now = now
        self.day_start_hour = day_start_hour
        self.local = local
        self.today = journal_day(now, day_start_hour)
        # The days a due may fall on (clamped at the calendar's ends).
        self.earliest = _shifted(self.today, -MAX_DAYS_OVERDUE, date.min)
        self.latest = _shifted(self.today, MAX_DAYS_AHEAD, date.max)

    def wall(self, day: date, hour: int = 0, minute: int = 0) -> datetime:
        """The moment a wall clock shows hour:minute on `day`."""
        naive = datetime(day.year, day.month, day.day, hour, minute)
        if not self.local:
            return naive.replace(tzinfo=self.now.tzinfo)
        moment = naive.astimezone()  # a time the clocks show twice: the first one
        if moment.replace(tzinfo=None) != naive:
            # A time the clocks skip (02:30 as they go forward) is the moment an hour
            # later, as a schedule would run it; Python's fold=0 would go an hour back.
            moment = naive.replace(fold=1).astimezone()
        return moment

    def later(self, minutes: int) -> datetime:
        """`minutes` of real time after now (shown by the wall clock then, when local)."""
        moment = self.now + timedelta(minutes=minutes)
        return moment.astimezone() if self.local else moment


def _shifted(day: date, days: int, edge: date) -> date:
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return edge


class Due:
    """An understood due moment; `weak` when it is a lone word such as "today" (see above);
    `far` when it lies outside the days a due may fall on: then it is not taken as one."""

    __slots__ = ("all_day", "far", "weak", "when")

    def __init__(self, when: datetime, all_day: bool, weak: bool, far: bool = False) -> None:
        self.when = when
        self.all_day = all_day
        self.weak = weak
        self.far = far


def parse_due(words: list[str], ctx: Context) -> Due | None:
    """Read all of `words` (lowercased tokens) as one due expression, or return None."""
    n_prefix = 0
    while n_prefix < min(2, len(words)) and words[n_prefix] in PREFIXES:
        n_prefix += 1
    body = words[n_prefix:]
    if not body:
        return None
    try:
        found = (
            _in_form(body, ctx)
            or _day_first(body, ctx)
            or _clock_first(body, ctx)
            or _clock_only(body, ctx, has_prefix=n_prefix > 0)
        )
    except (OverflowError, ValueError):
        # Impossible dates (2026-02-30) and dates past year 9999 are simply not understood.
        return None
    if found is None:
        return None
    weak = n_prefix == 0 and len(body) == 1 and body[0] in _WEAK_WORDS
    far = not ctx.earliest <= found[0].date() <= ctx.latest
    return Due(found[0], found[1], weak, far)


def far_phrase(day: date, today: date) -> str:
    """How far a due that was not taken lies from today: '1,800 years ago', '120 years from
    now', 'more than a year ago'."""
    early, late = sorted((day, today))
    years = late.year - early.year - ((late.month, late.day) < (early.month, early.day))
    if day < today and years < 2:
        return "more than a year ago"
    return f"{years:,} years {'ago' if day < today else 'from now'}"


def parse_duration(words: list[str]) -> tuple[int, int] | None:
    """Read "2h", "1h30m", "90min", "45 min", "2 hours", "3 days", "a week" as (minutes, days).

    Exactly one of the two is non-zero; anything else (zero, fractional days) is None.
    """
    if len(words) == 2:
        amount, unit = words
        if amount in ("a", "an"):
            amount = "1"
        return _scaled(amount, unit) if _AMOUNT.fullmatch(amount) else None
    if len(words) != 1 or not (match := _DURATION.fullmatch(words[0])):
        return None
    amount, unit, minutes, minute_unit = match.groups()
    if minutes is None:
        return _scaled(amount, unit)
    if _MINUTES_PER_UNIT.get(unit) != 60 or _MINUTES_PER_UNIT.get(minute_unit) != 1:
        return None  # only hours-then-minutes compounds: "1h30m"
    return round(float(amount) * 60) + int(minutes), 0


def _scaled(amount: str, unit: str) -> tuple[int, int] | None:
    if unit in _MINUTES_PER_UNIT:
        minutes = round(float(amount) * _MINUTES_PER_UNIT[unit])
        return (minutes, 0) if minutes > 0 else None
    if unit in _DAYS_PER_UNIT and "." not in amount:
        days = int(amount) * _DAYS_PER_UNIT[unit]
        return (0, days) if days > 0 else None
    return None


# --- the four shapes of a due expression (after its prefixes) ------------------------------
# Each reads the whole of `body` or returns None; they return (when, all_day).


def _in_form(body: list[str], ctx: Context) -> tuple[datetime, bool] | None:
    """in 2h, in 45 min, in 3 days, in a week."""
    if body[0] != "in" or (duration := parse_duration(body[1:])) is None:
        return None
    minutes, days = duration
    if days:
        return _midnight(ctx.today + timedelta(days=days), ctx), True
    # Whole minutes: a due of 10:42:17.3 would only look odd in a list.
    return ctx.later(minutes).replace(second=0, microsecond=0), False


def _day_first(body: list[str], ctx: Context) -> tuple[datetime, bool] | None:
    """tomorrow, fri 3pm, friday at 15:00, 2026-12-01 9:30am, tonight at 9."""
    if (day := _day(body, 0, ctx)) is None:
        return None
    when, reading, clock, i = day
    if i < len(body):
        if clock is not None:
            return None  # "2026-12-01t09:00 10am": two times
        at = body[i] == "at"
        # A bare hour needs "at": "fri 9" is more likely "chapter 9" than a time.
        found = _clock(body, i + 1 if at else i, allow_bare=at)
        if found is None or found[1] != len(body):
            return None
        clock = found[0]
    return _resolve(when, reading, clock, ctx)


def _clock_first(body: list[str], ctx: Context) -> tuple[datetime, bool] | None:
    """at 3pm tomorrow, 15:00 on friday."""
    at = body[0] == "at"
    if (found := _clock(body, 1 if at else 0, allow_bare=at)) is None:
        return None
    clock, i = found
    if i < len(body) and body[i] == "on":
        i += 1
    day = _day(body, i, ctx)
    if day is None or day[2] is not None or day[3] != len(body):
        return None
    return _resolve(day[0], day[1], clock, ctx)


def _clock_only(body: list[str], ctx: Context, has_prefix: bool) -> tuple[datetime, bool] | None:
    """at 15:00, at 9, by 5pm: the next time the clock shows it."""
    at = body[0] == "at"
    if not (at or has_prefix):
        return None  # a lone "3pm" at the end of a sentence is too often just a fact
    found = _clock(body, 1 if at else 0, allow_bare=at)
    if found is None or found[1] != len(body):
        return None
    when = _on_journal_day(ctx.today, found[0], ctx)
    if when <= ctx.now:
        when = _on_journal_day(ctx.today + timedelta(days=1), found[0], ctx)
    return when, False


# --- pieces ----------------------------------------------------------------------------------


def _clock(words: list[str], i: int, allow_bare: bool) -> tuple[Clock, int] | None:
    """Read a time of day at words[i:]: (clock, index after it)."""
    if i >= len(words):
        return None
    word = words[i]
    if match := _CLOCK_12.fullmatch(word):
        hour, minute, meridiem = match.groups()
        after = _MERIDIEM.fullmatch(words[i + 1]) if i + 1 < len(words) else None
        if meridiem is None and after:  # "3 pm"
            meridiem, i = after[1], i + 1
        if meridiem is not None:
            hour_24 = int(hour) % 12 + (12 if meridiem == "p" else 0)
            return (hour_24, int(minute or 0), True), i + 1
    if match := _CLOCK_24.fullmatch(word):
        return (int(match[1]), int(match[2]), False), i + 1
    if allow_bare and _BARE_HOUR.fullmatch(word):
        return (int(word), 0, False), i + 1
    return None


def _day(words: list[str], i: int, ctx: Context) -> tuple[date, str, Clock | None, int] | None:
    """Read a day at words[i:]: (date, how to read a time on it, time given with it, next i)."""
    if i >= len(words):
        return None
    word = words[i]
    if word in _RELATIVE_DAYS:
        return ctx.today + timedelta(days=_RELATIVE_DAYS[word]), _JOURNAL, None, i + 1
    if word == "tonight":
        return ctx.today, _TONIGHT, None, i + 1
    if word in _WEEKDAYS:
        # The next such journal day, today included.
        ahead = (_WEEKDAYS[word] - ctx.today.weekday()) % 7
        return ctx.today + timedelta(days=ahead), _JOURNAL, None, i + 1
    if match := _ISO_DATE.fullmatch(word):
        year, month, day, hour, minute = match.groups()
        clock = None if hour is None else (int(hour), int(minute), False)
        return date(int(year), int(month), int(day)), _CALENDAR, clock, i + 1
    return None


def _resolve(day: date, reading: str, clock: Clock | None, ctx: Context) -> tuple[datetime, bool]:
    if reading == _TONIGHT:
        return _tonight(day, clock, ctx)
    if clock is None:
        return _midnight(day, ctx), True
    if reading == _CALENDAR:
        hour, minute, _ = clock
        return ctx.wall(day, hour, minute), False
    return _on_journal_day(day, clock, ctx), False


def _tonight(day: date, clock: Clock | None, ctx: Context) -> tuple[datetime, bool]:
    if clock is None:
        when = _on_journal_day(day, (TONIGHT_HOUR, 0, True), ctx)
        # After 8 pm "tonight" still means "before bed", not "two hours ago": due today.
        return (when, False) if when > ctx.now else (_midnight(day, ctx), True)
    hour, minute, has_meridiem = clock
    if not has_meridiem and ctx.day_start_hour <= hour < 12:
        hour += 12  # "tonight at 9" is 21:00; "tonight at 1" stays 1 am
    return _on_journal_day(day, (hour, minute, True), ctx), False


def _on_journal_day(day: date, clock: Clock, ctx: Context) -> datetime:
    """The moment a clock time happens on a journal day: 1 am on Friday's is Saturday 01:00."""
    hour, minute, _ = clock
    if hour < ctx.day_start_hour:
        day += timedelta(days=1)
    return ctx.wall(day, hour, minute)


def _midnight(day: date, ctx: Context) -> datetime:
    return ctx.wall(day)
