"""The rhythm's jobs, derived from settings: pure data, no scheduler, no I/O.

Five jobs with explicit, stable ids (they key the `job_runs` table and the scheduler):

| id                    | when (defaults)                      | event          |
| --------------------- | ------------------------------------ | -------------- |
| `checkin`             | daily at schedule.checkin_time 09:00 | checkin        |
| `evening_reflection`  | daily at schedule.reflection_time    | reflection_ready |
| `nudge_tick`          | every quarter hour (:00 :15 :30 :45) | nudge_tick     |
| `weekly_review`       | schedule.weekly_review_day at 18:00  | review_due     |
| `nightly_maintenance` | daily at (day.start_hour - 1):30     | maintenance    |

Nudge ticks run around the clock: the nudge policy, not the schedule, enforces quiet
hours, the cap, the gap and pauses (one place for those rules).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.errors import BadInput
from app.rhythm.clock import Recurrence, parse_hhmm

CHECKIN = "checkin"
REFLECTION = "evening_reflection"
NUDGE = "nudge_tick"
REVIEW = "weekly_review"
MAINTENANCE = "nightly_maintenance"
JOB_IDS = (CHECKIN, REFLECTION, NUDGE, REVIEW, MAINTENANCE)

# Jobs whose missed runs are made up for once (while Wise was closed or asleep), and the
# event kind that says so. Missed check-ins and nudge ticks are simply dropped.
CATCH_UP_EVENT = {
    REFLECTION: "missed_reflection",
    REVIEW: "missed_review",
    MAINTENANCE: "maintenance",
}

DEFAULT_REVIEW_TIME = "18:00"  # until a schedule.weekly_review_time setting exists
NUDGE_EVERY_MINUTES = 15

# How late APScheduler may still start a job (seconds). Never its default of 1 s, which
# silently drops whatever was due while the laptop slept. A late reflection or review is
# not shown as if on time: the scheduler turns it into a "missed_*" offer that respects
# quiet hours (and once past the grace, the missed-run check offers it).
GRACE_CHECKIN = 3 * 3600  # a check-in at 11:30 after a 09:00 resume still helps; later not
GRACE_REFLECTION = 12 * 3600
GRACE_NUDGE = 5 * 60  # a stale nudge is worse than none: dropped
GRACE_REVIEW = 24 * 3600
GRACE_MAINTENANCE = 12 * 3600


@dataclass(frozen=True)
class JobSpec:
    id: str
    title: str
    trigger: str  # "cron" | "interval": the APScheduler trigger's name
    fields: dict[str, Any] = field(hash=False)  # its keyword arguments (no time zone)
    misfire_grace_s: int
    purpose: str
    event: str  # the RhythmEvent kind an on-time run emits
    when: str  # the schedule in words, for `wise schedule`

    def __post_init__(self) -> None:
        if self.trigger not in {"cron", "interval"}:
            raise ValueError(f"unknown trigger {self.trigger!r}")

    @property
    def recurrence(self) -> Recurrence | None:
        """The single time of day (or of the week) the job repeats at, if it has one."""
        return Recurrence.from_fields(self.fields) if self.trigger == "cron" else None


def _setting(settings: Any, key: str, default: Any) -> Any:
    try:
        return settings.get(key)
    except BadInput:  # a setting this version does not declare (yet)
        return default


def _clock(text: str) -> dict[str, int]:
    t = parse_hhmm(text)
    return {"hour": t.hour, "minute": t.minute}


def job_specs(settings: Any) -> list[JobSpec]:
    """Settings -> the rhythm's five jobs, in a fixed order."""
    checkin = settings.get("schedule.checkin_time")
    reflection = settings.get("schedule.reflection_time")
    review_day = settings.get("schedule.weekly_review_day")
    review_time = _setting(settings, "schedule.weekly_review_time", DEFAULT_REVIEW_TIME)
    maintenance_hour = (int(settings.get("day.start_hour")) - 1) % 24
    day_name = {"mon": "Mondays", "tue": "Tuesdays", "wed": "Wednesdays", "thu": "Thursdays",
                "fri": "Fridays", "sat": "Saturdays", "sun": "Sundays"}[review_day]
    return [
        JobSpec(CHECKIN, "Morning check-in", "cron", _clock(checkin), GRACE_CHECKIN,
                "asks for the one thing that matters today", "checkin",
                f"daily at {checkin}"),
        JobSpec(REFLECTION, "Evening reflection", "cron", _clock(reflection),
                GRACE_REFLECTION, "prepares the day's reflection and invites you to it",
                "reflection_ready", f"daily at {reflection}"),
        JobSpec(NUDGE, "Nudge check", "cron", {"minute": f"*/{NUDGE_EVERY_MINUTES}"},
                GRACE_NUDGE, "asks the nudge policy whether one small step is worth a nudge "
                "now (it keeps quiet hours, the daily cap and the gap)", "nudge_tick",
                f"every {NUDGE_EVERY_MINUTES} minutes"),
        JobSpec(REVIEW, "Weekly goal review", "cron",
                {"day_of_week": review_day, **_clock(review_time)}, GRACE_REVIEW,
                "invites you to look at each goal and its next step", "review_due",
                f"{day_name} at {review_time}"),
        JobSpec(MAINTENANCE, "Nightly maintenance", "cron",
                {"hour": maintenance_hour, "minute": 30}, GRACE_MAINTENANCE,
                "day and week summaries, a rotating backup, search index tidy-up",
                "maintenance", f"daily at {maintenance_hour:02d}:30"),
    ]
