"""Pure time helpers for the rhythm: occurrences of a time of day, quiet hours, clock jumps.

Everything here takes aware datetimes and does no I/O, so it is tested with a fake clock.

Two rules keep the arithmetic honest across daylight-saving changes:

- wall-clock times ("21:00 every day") are built in the moment's own time zone, which
  should be a real zone (``zoneinfo``), not a fixed offset;
- comparisons and differences are made in UTC: Python compares two datetimes that share a
  ``tzinfo`` by their wall time, which is off by an hour around a DST change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # APScheduler's order: 0 = Monday

# A wall-clock step larger than this (either way) is a jump: a resume from sleep, a manual
# clock change. NTP slews the clock by far less.
JUMP_THRESHOLD = timedelta(minutes=2)


def utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetimes have no place in the rhythm: their zone is unknown")
    return moment.astimezone(UTC)


def elapsed(start: datetime, end: datetime) -> timedelta:
    """Real time from start to end (not wall-clock time: a DST change is not an hour)."""
    return utc(end) - utc(start)


def parse_hhmm(text: str | time) -> time:
    """"21:30" (or a time already) -> a time of day: the one reading of an HH:MM setting."""
    if isinstance(text, time):
        return text
    hour, minute = str(text).strip().split(":")
    return time(int(hour), int(minute))


@dataclass(frozen=True)
class Recurrence:
    """A time of day, every day or on one weekday: what a check-in or a review repeats on."""

    hour: int
    minute: int
    second: int = 0
    weekday: int | None = None  # 0 = Monday; None = every day

    @classmethod
    def from_fields(cls, fields: Mapping[str, Any]) -> Recurrence | None:
        """APScheduler cron fields -> a Recurrence, or None when they say something richer
        (e.g. ``minute="*/15"``) that has no single time of day."""
        if not set(fields) <= {"hour", "minute", "second", "day_of_week"}:
            return None
        try:
            hour, minute = int(fields.get("hour", -1)), int(fields.get("minute", 0))
            second = int(fields.get("second", 0))
        except (TypeError, ValueError):
            return None
        if not (0 <= hour < 24 and 0 <= minute < 60 and 0 <= second < 60):
            return None
        day = fields.get("day_of_week")
        if day is None:
            return cls(hour, minute, second)
        if isinstance(day, int) and 0 <= day < 7:
            return cls(hour, minute, second, day)
        if isinstance(day, str) and day.lower() in WEEKDAYS:
            return cls(hour, minute, second, WEEKDAYS.index(day.lower()))
        return None

    def _on(self, day: date, tz) -> datetime | None:
        if self.weekday is not None and day.weekday() != self.weekday:
            return None
        wall = datetime.combine(day, time(self.hour, self.minute, self.second), tzinfo=tz)
        # Normalised through UTC: a time skipped by a DST change (02:30 on the spring
        # morning) becomes the real instant an hour later, as cron would run it.
        return wall.astimezone(UTC).astimezone(tz)

    def latest_at_or_before(self, moment: datetime) -> datetime:
        """The last occurrence at or before `moment` (in `moment`'s zone)."""
        tz, limit = moment.tzinfo, utc(moment)
        for back in range(9):
            candidate = self._on(moment.date() - timedelta(days=back), tz)
            if candidate is not None and utc(candidate) <= limit:
                return candidate
        raise AssertionError("unreachable: a weekly time occurs within 8 days")

    def next_after(self, moment: datetime) -> datetime:
        """The first occurrence strictly after `moment`."""
        tz, limit = moment.tzinfo, utc(moment)
        for ahead in range(9):
            candidate = self._on(moment.date() + timedelta(days=ahead), tz)
            if candidate is not None and utc(candidate) > limit:
                return candidate
        raise AssertionError("unreachable: a weekly time occurs within 8 days")

    def period_of(self, moment: datetime) -> tuple[datetime, datetime]:
        """[start, end) of the period a run at `moment` belongs to: from the last occurrence
        at or before it to the next one. A run covers every occurrence up to its own time."""
        return self.latest_at_or_before(moment), self.next_after(moment)

    def count_between(self, since: datetime, until: datetime, *, cap: int = 60) -> int:
        """How many occurrences fall in (since, until], counting at most `cap`."""
        count, moment = 0, since.astimezone(until.tzinfo)
        while count < cap:
            moment = self.next_after(moment)
            if utc(moment) > utc(until):
                break
            count += 1
        return count


def missed_occurrence(recurrence: Recurrence, last_run: datetime | None,
                      now: datetime) -> datetime | None:
    """The occurrence a job owes, if any: the latest one at or before `now` that came after
    the job's last run. Only the latest: a job missed for three days is owed once.

    With no last run there is nothing to owe: Wise did not know of the job before."""
    if last_run is None:
        return None
    due = recurrence.latest_at_or_before(now)
    return due if utc(last_run) < utc(due) else None


@dataclass(frozen=True)
class QuietHours:
    """[start, end) in local wall time; it may wrap past midnight (22:00-08:00). A window
    whose start equals its end is empty: no quiet hours."""

    start: time
    end: time

    @classmethod
    def parse(cls, start: str, end: str) -> QuietHours:
        return cls(parse_hhmm(start), parse_hhmm(end))

    @classmethod
    def from_settings(cls, settings: Any) -> QuietHours:
        """The user's quiet hours (nudges.quiet_start, nudges.quiet_end), as the scheduler
        and the nudge policy both read them."""
        return cls.parse(settings.get("nudges.quiet_start"), settings.get("nudges.quiet_end"))

    @property
    def empty(self) -> bool:
        return self.start == self.end

    def contains(self, moment: datetime) -> bool:
        return self.covers(moment.time())

    def covers(self, t: time) -> bool:
        """Whether a wall-clock time of day is quiet (the one rule, wrap included)."""
        if self.empty:
            return False
        if self.start < self.end:
            return self.start <= t < self.end
        return t >= self.start or t < self.end

    def end_after(self, moment: datetime) -> datetime | None:
        """When the quiet window that contains `moment` ends; None when it is not quiet."""
        if not self.contains(moment):
            return None
        day = moment.date()
        if self.start > self.end and moment.time() >= self.start:
            day += timedelta(days=1)  # 23:00 in a 22:00-08:00 window: ends tomorrow
        return datetime.combine(day, self.end, tzinfo=moment.tzinfo)

    def first_moment_from(self, moment: datetime) -> datetime:
        """`moment` itself, or the end of the quiet hours it falls in."""
        return self.end_after(moment) or moment


def clock_jump(wall_delta: timedelta, monotonic_delta: float, *, expected_gap: float,
               threshold: timedelta = JUMP_THRESHOLD) -> timedelta | None:
    """Between two checks: did the wall clock jump? Returns the jump (negative when the
    clock went back), or None.

    Two signs, because platforms differ on whether the monotonic clock runs during
    suspend:

    - the wall clock moved by more than the monotonic clock (Linux CLOCK_MONOTONIC and
      macOS stop during suspend, so a resume shows up here; so does a manual clock change,
      in either direction);
    - far more wall time passed than the checks' own period (`expected_gap` seconds): the
      process did not run for a while although both clocks agree (a monotonic clock that
      counts suspend, as on Windows; a stopped process).
    """
    skew = wall_delta - timedelta(seconds=monotonic_delta)
    if abs(skew) > threshold:
        return skew
    unseen = wall_delta - timedelta(seconds=expected_gap)
    if unseen > threshold:
        return unseen
    return None
