"""The rhythm: an APScheduler 3 BackgroundScheduler that turns settings into events.

The tray owns one `Rhythm`. Jobs run on one scheduler-owned worker thread (never the GUI
thread), record their run in `job_runs` in one short write transaction (plain sqlite3,
`storage.job_runs`: the tray process never loads SQLAlchemy), then call
`on_event(RhythmEvent)`. The callback must be quick and thread-safe: the tray turns each
event into a Qt signal and does any real work (a model call, a backup) elsewhere.

Semantics, and why:

- **Never APScheduler's defaults.** Every job gets `coalesce=True`, `max_instances=1` and
  an explicit `misfire_grace_time` (see `app.rhythm.jobs`); the default of 1 s would
  silently drop whatever was due while the laptop slept.
- **A run covers its period.** A daily job's period runs from one occurrence to the next;
  a run at (or after) an occurrence covers it. A job never runs twice for one period (a
  restart at 21:05 after the 21:00 reflection ran schedules tomorrow's, and a job that
  finds `job_runs` already past its occurrence does nothing).
- **Missed reflections and reviews are offered once.** On start, after a clock jump, when
  APScheduler reports a missed run and when settings change, the missed-run check looks
  at `job_runs`: if the latest occurrence came after the last run (Wise was closed, or the
  machine slept), ONE `missed_reflection` / `missed_review` event is emitted, for the
  latest occurrence only, at the first moment outside quiet hours (inside them, a one-off
  job waits for their end). Recording it covers the period, so a second start does not
  offer it again. An occurrence already covered by a reflection the user wrote is not
  offered. A job Wise never ran before (no `job_runs` row) owes nothing: the check writes
  a "skipped" row so that it can count from there.
- **Late is not on time.** A reflection or review APScheduler starts more than two
  minutes late goes through the same missed path (quiet hours respected); a late
  check-in is dropped when it falls in quiet hours or on another journal day; a late
  nightly maintenance is deferred by `maintenance_delay_s` (the machine just woke up).
  A missed maintenance is made up too (laptops are often off at night).
- **Stale nudges are dropped.** Nudge ticks have a five-minute grace; and after a clock
  jump every tick is skipped for one tick interval, so a resume never produces a burst.
- **Clock jumps.** A check every `jump_check_s` (default 60 s: one wake-up a minute,
  nothing more often) compares how far the wall clock moved with how far
  `time.monotonic()` moved. On Linux `time.monotonic()` is CLOCK_MONOTONIC, which stops
  during suspend (as does macOS's), so a resume makes the wall clock run ahead: that is
  the jump we rely on seeing. Where the monotonic clock counts suspend (Windows), the
  second sign catches it: far more wall time passed than the check's own period. Every
  job also runs the check first, so the first job after a resume already knows. A jump
  (more than two minutes, either way) emits one `clock_jump` event and re-runs the
  missed-run check.
- **The check is timed by the monotonic clock, not by APScheduler.** APScheduler keeps
  each job's next run as a wall-clock time, so after the clock goes back three hours
  every job, a check scheduled there included, would wait three more hours. A small
  thread waits `jump_check_s` on the monotonic clock and queues each check on the worker;
  after a jump backwards every job is rebuilt, so its next run follows the new time
  (nudge ticks resume at their next slot, after the usual settling interval).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

import app.rhythm.lean  # noqa: F401  (first: APScheduler without asyncio; see there)

# isort: split
from apscheduler.events import EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from app.daytime import journal_day, short_day
from app.rhythm.clock import (
    WEEKDAYS,
    QuietHours,
    Recurrence,
    clock_jump,
    elapsed,
    missed_occurrence,
    utc,
)
from app.rhythm.jobs import (
    CATCH_UP_EVENT,
    CHECKIN,
    MAINTENANCE,
    NUDGE,
    REFLECTION,
    JobSpec,
    job_specs,
)
from storage import clock
from storage.job_runs import LastRun, RunStore

log = logging.getLogger(__name__)

EVENT_KINDS = ("checkin", "reflection_ready", "nudge_tick", "review_due", "maintenance",
               "missed_reflection", "missed_review", "clock_jump")

CLOCK_CHECK_ID = "clock_check"
CATCH_UP_ID = "catch_up_check"
# One-off jobs that deliver a missed run later (after quiet hours, or a delay). One id per
# job: scheduling it again replaces it, so there is never more than one pending offer.
OFFER_IDS = {job_id: f"offer_{job_id}" for job_id in CATCH_UP_EVENT}

LATE = timedelta(minutes=2)  # a run later than this is a catch-up, not an on-time run
FIRST_SEEN = "first start: earlier runs are not counted as missed"


def local_zone() -> tzinfo:
    """The machine's time zone as a real zone (DST-aware), for cron arithmetic."""
    from tzlocal import get_localzone  # APScheduler 3's own dependency

    return get_localzone()


@dataclass(frozen=True)
class RhythmEvent:
    kind: str  # one of EVENT_KINDS
    due_at: datetime  # when it was scheduled (aware, local)
    fired_at: datetime  # when it was emitted
    late_by: timedelta
    data: dict[str, Any] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class JobInfo:
    id: str
    title: str
    when: str
    purpose: str
    next_run: datetime | None
    last_run: datetime | None
    last_status: str | None
    detail: str | None


class RecurrenceTrigger(BaseTrigger):
    """Fires at a time of day (every day, or on one weekday) by the zone's wall clock.

    Used instead of CronTrigger for such jobs, so that the scheduler fires exactly at the
    occurrences the missed-run check counts (`Recurrence`), and because APScheduler 3.11's
    CronTrigger skips a day for times after midnight on the day after clocks go forward
    (e.g. "mon at 00:30" in Berlin: after 23 March 2026 it answers 6 April, not 30 March;
    agronholm/apscheduler#529). Nudge ticks ("*/15") still use CronTrigger.
    """

    __slots__ = ("recurrence", "timezone")

    def __init__(self, recurrence: Recurrence, timezone: tzinfo) -> None:
        self.recurrence = recurrence
        self.timezone = timezone

    def get_next_fire_time(self, previous_fire_time: datetime | None,
                           now: datetime) -> datetime:
        # CronTrigger's contract: with a previous fire time, start right after it (so that
        # APScheduler can count the runs missed up to now); otherwise from now, inclusive.
        start = now
        if previous_fire_time is not None:
            after_previous = previous_fire_time + timedelta(microseconds=1)
            start = min(now, after_previous, key=utc)
            if utc(start) <= utc(previous_fire_time):
                start = after_previous  # never the previous fire time again
        return self.recurrence.next_after(
            start.astimezone(self.timezone) - timedelta(microseconds=1))

    def __str__(self) -> str:
        r = self.recurrence
        day = "daily" if r.weekday is None else WEEKDAYS[r.weekday]
        return f"{day} at {r.hour:02d}:{r.minute:02d}:{r.second:02d}"

    def __repr__(self) -> str:
        return f"<RecurrenceTrigger ({self}, timezone='{self.timezone}')>"


class OnWiseClock(BaseTrigger):
    """Another trigger, read on Wise's clock (`storage.clock`) rather than the real one.

    APScheduler always waits by the real clock (`datetime.now` inside it). When the clock
    is shifted (WISE_CLOCK_SHIFT: a test at 00:30, a developer trying tonight's
    reflection now), a job "daily at 21:00" must fire when *Wise's* clock shows 21:00:
    this asks the inner trigger in shifted time and answers in real time.
    """

    __slots__ = ("inner",)

    def __init__(self, inner: BaseTrigger) -> None:
        self.inner = inner

    def get_next_fire_time(self, previous_fire_time: datetime | None,
                           now: datetime) -> datetime | None:
        previous = None if previous_fire_time is None else clock.from_real(previous_fire_time)
        fire = self.inner.get_next_fire_time(previous, clock.from_real(now))
        return None if fire is None else clock.to_real(fire)

    def __str__(self) -> str:
        return f"{self.inner} on the shifted clock"

    def __repr__(self) -> str:
        return f"<OnWiseClock {self.inner!r}>"


def on_wise_clock(trigger: BaseTrigger) -> BaseTrigger:
    """`trigger` for APScheduler: as it is, unless Wise's clock is shifted and the trigger
    follows the wall clock (an interval does not, and its start is real time)."""
    follows_the_wall = isinstance(trigger, RecurrenceTrigger | CronTrigger)
    return OnWiseClock(trigger) if follows_the_wall and clock.shift() else trigger


def trigger_for(spec: JobSpec, zone: tzinfo) -> BaseTrigger:
    recurrence = spec.recurrence
    if recurrence is not None:
        return RecurrenceTrigger(recurrence, zone)
    if spec.trigger == "cron":
        return CronTrigger(timezone=zone, **spec.fields)
    return IntervalTrigger(timezone=zone, **spec.fields)


def next_run_of(spec: JobSpec, now: datetime, zone: tzinfo) -> datetime | None:
    """When the job would next run if a scheduler started at `now` (none is started)."""
    return trigger_for(spec, zone).get_next_fire_time(None, now.astimezone(zone))


def read_last_runs(store: RunStore) -> dict[str, LastRun]:
    return store.last_runs()


def describe_jobs(specs: Sequence[JobSpec], runs: Mapping[str, LastRun],
                  next_runs: Mapping[str, datetime | None]) -> list[JobInfo]:
    infos = []
    for spec in specs:
        run = runs.get(spec.id)
        infos.append(JobInfo(spec.id, spec.title, spec.when, spec.purpose,
                             next_runs.get(spec.id), run.at if run else None,
                             run.status if run else None, run.detail if run else None))
    return infos


def _quiet_apscheduler_info_logs() -> None:
    # APScheduler logs two INFO lines per job run; with a clock check every minute that
    # would be thousands of lines a day in wise.log. Its warnings (a missed run) stay.
    logger = logging.getLogger("apscheduler")
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.WARNING)


class Rhythm:
    """The tray's scheduler. Thread-safe: call from the GUI thread; events arrive on the
    scheduler's worker thread.

    `settings_provider` is called from both threads and must be cheap (return the current
    `Settings`). `specs` turns settings into jobs (`job_specs`); tests pass their own, e.g.
    with times a few seconds ahead. `now`/`monotonic` are injectable clocks for the
    rhythm's own decisions (missed runs, quiet hours, clock jumps); `now` defaults to Wise's
    clock (`storage.clock`). APScheduler itself fires by the real clock, translated by
    that clock's shift (`OnWiseClock`), never by an injected `now`: a test that moves
    `now` simulates a jump the scheduler must not follow.
    """

    def __init__(self, runs: RunStore, settings_provider: Callable[[], Any],
                 on_event: Callable[[RhythmEvent], None], *,
                 now: Callable[[], datetime] | None = None,
                 monotonic: Callable[[], float] = time.monotonic,
                 jump_check_s: float = 60.0,
                 specs: Callable[[Any], list[JobSpec]] = job_specs,
                 maintenance_delay_s: float = 300.0,
                 zone: tzinfo | None = None) -> None:
        if jump_check_s <= 0:
            raise ValueError("jump_check_s must be positive")
        self._runs = runs
        self._settings = settings_provider
        self._on_event = on_event
        self._zone = zone or local_zone()
        self._clock = now or clock.utc_now
        self._monotonic = monotonic
        self._jump_check_s = float(jump_check_s)
        self._make_specs = specs
        self._maintenance_delay = timedelta(seconds=maintenance_delay_s)
        self._lock = threading.RLock()
        self._scheduler: BackgroundScheduler | None = None
        self._specs: dict[str, JobSpec] = {}
        self._reference: tuple[datetime, float] | None = None  # wall, monotonic
        self._settle_until: datetime | None = None  # nudge ticks skipped until then
        self._watch: _MonotonicTicker | None = None  # times the clock checks

    # -- public API ------------------------------------------------------------------

    @property
    def scheduler(self) -> BackgroundScheduler | None:
        """The APScheduler instance, for diagnostics and tests."""
        return self._scheduler

    def start(self) -> None:
        """Start the scheduler thread and queue the missed-run check. Touches no database
        on the calling thread."""
        with self._lock:
            if self._scheduler is not None:
                raise RuntimeError("the rhythm is already running")
            _quiet_apscheduler_info_logs()
            scheduler = BackgroundScheduler(
                timezone=self._zone, daemon=True,
                # One worker: jobs run one after another, in order, never on the GUI thread.
                executors={"default": ThreadPoolExecutor(
                    max_workers=1, pool_kwargs={"thread_name_prefix": "wise-rhythm"})},
                # Explicit, never the defaults (each job overrides the grace time anyway).
                job_defaults={"coalesce": True, "max_instances": 1,
                              "misfire_grace_time": 60})
            self._scheduler = scheduler
            self._reference = (self._now(), self._monotonic())
            self._install(scheduler, self._make_specs(self._settings()))
            self._queue_catch_up(scheduler, "start")
            scheduler.add_listener(self._on_missed_run, EVENT_JOB_MISSED)
            scheduler.start()
            self._watch = _MonotonicTicker(self._jump_check_s, self._queue_clock_check)
            self._watch.start()
        log.info("rhythm started with jobs %s", ", ".join(self._specs))

    def reschedule(self) -> None:
        """Settings changed: rebuild every job at once (same ids, replaced, never doubled)
        and check again for a run that is now owed."""
        with self._lock:
            scheduler = self._scheduler
            if scheduler is None:
                return  # start() reads the settings
            self._install(scheduler, self._make_specs(self._settings()))
            self._queue_catch_up(scheduler, "settings changed")
        log.info("rhythm rescheduled")

    def jobs(self) -> list[JobInfo]:
        """Every job with its next run (as scheduled) and last run (from job_runs)."""
        with self._lock:
            specs = list(self._specs.values()) or self._make_specs(self._settings())
            scheduler = self._scheduler
        now = self._now()
        next_runs: dict[str, datetime | None] = {}
        for spec in specs:
            job = scheduler.get_job(spec.id) if scheduler is not None else None
            next_runs[spec.id] = (_on_wise_clock(job.next_run_time) if job is not None
                                  else next_run_of(spec, now, self._zone))
            offer = scheduler.get_job(OFFER_IDS[spec.id]) if (
                scheduler is not None and spec.id in OFFER_IDS) else None
            offered = None if offer is None else _on_wise_clock(offer.next_run_time)
            if offered is not None:
                # A missed run waiting (for the end of quiet hours): it comes first.
                next_runs[spec.id] = min(next_runs[spec.id] or offered, offered, key=utc)
        return describe_jobs(specs, self._runs.last_runs(), next_runs)

    def note_outcome(self, job_id: str, status: str, detail: str | None = None) -> None:
        """Let the tray record how the work behind an event went (e.g. maintenance failed),
        keeping the run's time."""
        self._runs.note(job_id, status, detail)

    def shutdown(self, wait: bool = False) -> None:
        with self._lock:
            scheduler, self._scheduler = self._scheduler, None
            watch, self._watch = self._watch, None
        if watch is not None:
            watch.stop(wait=wait)
        if scheduler is None or not scheduler.running:
            return
        # APScheduler 3.11 marks itself stopped *before* taking its job-store lock; a loop
        # that is processing jobs at that moment then fails to remove a finished one-off
        # job (JobLookupError) and its thread dies. So first, under that lock, pause it and
        # empty its store: the loop then has nothing left to process when the stop comes.
        # (Not the whole shutdown under the lock: shutdown joins the loop thread.)
        with scheduler._jobstores_lock:
            scheduler.pause()
            scheduler.remove_all_jobs()
        scheduler.shutdown(wait=wait)

    # -- building jobs -----------------------------------------------------------------

    def _now(self) -> datetime:
        return self._clock().astimezone(self._zone)

    def _install(self, scheduler: BackgroundScheduler, specs: list[JobSpec]) -> None:
        ids = [spec.id for spec in specs]
        if len(set(ids)) != len(ids):
            raise ValueError(f"job ids must be unique: {ids}")
        for gone in set(self._specs) - set(ids):
            self._remove(scheduler, gone)
            self._remove(scheduler, OFFER_IDS.get(gone, ""))
        self._specs = {spec.id: spec for spec in specs}
        for spec in specs:
            scheduler.add_job(self._run_job, on_wise_clock(trigger_for(spec, self._zone)),
                              args=(spec.id,), id=spec.id, name=spec.title, replace_existing=True,
                              coalesce=True, max_instances=1,
                              misfire_grace_time=spec.misfire_grace_s)

    @staticmethod
    def _remove(scheduler: BackgroundScheduler, job_id: str) -> None:
        with contextlib.suppress(JobLookupError):
            scheduler.remove_job(job_id)

    def _queue_catch_up(self, scheduler: BackgroundScheduler, reason: str) -> None:
        # Runs on the worker thread as soon as it is free, not on the caller's.
        scheduler.add_job(self._catch_up_job, DateTrigger(timezone=self._zone),
                          args=(reason,), id=CATCH_UP_ID, name="missed-run check",
                          replace_existing=True, coalesce=True, max_instances=1,
                          misfire_grace_time=None)

    def _queue_clock_check(self) -> None:
        # On the worker thread, like every decision; "now" by APScheduler's own clock, so
        # it runs at once whichever way the wall clock went.
        scheduler = self._scheduler  # one attribute read: atomic
        if scheduler is not None:
            scheduler.add_job(self._clock_check_job, DateTrigger(timezone=self._zone),
                              id=CLOCK_CHECK_ID, name="clock check", replace_existing=True,
                              coalesce=True, max_instances=1, misfire_grace_time=None)

    def _on_missed_run(self, event: JobExecutionEvent) -> None:
        # APScheduler gave up on a run (it was past its grace time): what it dropped may be
        # owed. Nudge ticks are not; they are simply gone.
        # This may run on APScheduler's own thread while it holds its job-store lock, so
        # it must not wait for self._lock (held by reschedule() around APScheduler calls).
        if event.job_id in CATCH_UP_EVENT:
            scheduler = self._scheduler  # one attribute read: atomic
            if scheduler is not None:
                self._queue_catch_up(scheduler, f"{event.job_id} missed its time")

    # -- jobs (worker thread) --------------------------------------------------------

    def _clock_check_job(self) -> None:
        self._guarded("clock check", lambda: self._check_clock(self._now()))

    def _catch_up_job(self, reason: str) -> None:
        def work() -> None:
            now = self._now()
            if not self._check_clock(now):  # a jump runs the check itself
                self._catch_up(now, reason)

        self._guarded("missed-run check", work)

    def _run_job(self, job_id: str) -> None:
        self._guarded(job_id, lambda: self._run(job_id))

    def _offer_job(self, job_id: str, due: datetime) -> None:
        self._guarded(f"offer of {job_id}", lambda: self._deliver_missed(job_id, due,
                                                                         self._now()))

    def _guarded(self, what: str, work: Callable[[], object]) -> None:
        try:
            work()
        except Exception:
            # Logged, never raised into APScheduler: the next run still happens.
            log.exception("rhythm: %s failed", what)

    def _run(self, job_id: str) -> None:
        now = self._now()
        self._check_clock(now)
        with self._lock:
            spec = self._specs.get(job_id)
        if spec is None:
            return
        settings = self._settings()
        if job_id == NUDGE:
            self._nudge_tick(spec, now, settings)
            return
        recurrence = spec.recurrence
        due = recurrence.latest_at_or_before(now) if recurrence else now
        late = elapsed(due, now)
        if recurrence is not None:
            last = self._runs.last_runs().get(job_id)
            if last is not None and utc(last.at) >= utc(due):
                log.info("rhythm: %s already ran for this period; not again", job_id)
                return
        if job_id in CATCH_UP_EVENT and late > LATE:
            self._offer_missed(spec, due, now, settings)
            return
        quiet = _quiet_hours(settings)
        start_hour = settings.get("day.start_hour")
        if job_id == CHECKIN and late > LATE and (
                quiet.contains(now) or journal_day(due, start_hour)
                != journal_day(now, start_hour)):
            self._record(job_id, "skipped", now, "late (after sleep); dropped")
            return
        data: dict[str, Any] = {"job_id": job_id, "quiet": quiet.contains(now),
                                "day": journal_day(due, start_hour)}
        if job_id == REFLECTION:
            data["already_reflected"] = self._reflected_on(data["day"])
        if job_id == MAINTENANCE:
            data["catch_up"] = False
        self._emit_recorded(job_id, RhythmEvent(spec.event, due, now, late, data), "ok",
                            "late" if late > LATE else None)

    def _nudge_tick(self, spec: JobSpec, now: datetime, settings: Any) -> None:
        if not settings.get("nudges.enabled"):
            self._record(spec.id, "skipped", now, "nudges are off")
            return
        with self._lock:
            settle = self._settle_until
        if settle is not None and utc(now) < utc(settle):
            self._record(spec.id, "skipped", now, "settling after a clock jump")
            return
        data = {"job_id": spec.id, "quiet": _quiet_hours(settings).contains(now)}
        self._emit_recorded(spec.id, RhythmEvent(spec.event, now, now, timedelta(0), data),
                            "ok", None)

    # -- clock jumps and missed runs -------------------------------------------------

    def _check_clock(self, now: datetime) -> bool:
        """Compare the wall clock with the monotonic clock since the last check; on a jump,
        emit one clock_jump event and run the missed-run check. True on a jump."""
        monotonic = self._monotonic()
        with self._lock:
            previous = self._reference
            self._reference = (now, monotonic)
        if previous is None:
            return False
        wall_delta, mono_delta = elapsed(previous[0], now), monotonic - previous[1]
        jump = clock_jump(wall_delta, mono_delta, expected_gap=self._jump_check_s)
        if jump is None:
            return False
        with self._lock:
            nudge = self._specs.get(NUDGE)
            self._settle_until = now + (self._tick_interval(nudge, now) if nudge
                                        else timedelta(0))
            scheduler = self._scheduler
            if jump < timedelta(0) and scheduler is not None:
                # Each job's next run was worked out on the old, later time: rebuilt, it
                # follows the clock as it is now instead of waiting out the jump.
                self._install(scheduler, list(self._specs.values()))
        log.info("rhythm: the clock jumped by %s (wall %s, monotonic %.0f s)", jump,
                 wall_delta, mono_delta)
        self._emit(RhythmEvent("clock_jump", now, now, timedelta(0), {
            "jump_s": jump.total_seconds(), "wall_delta_s": wall_delta.total_seconds(),
            "monotonic_delta_s": mono_delta}))
        self._catch_up(now, "clock jump")
        return True

    def _tick_interval(self, spec: JobSpec, now: datetime) -> timedelta:
        trigger = trigger_for(spec, self._zone)
        first = trigger.get_next_fire_time(None, now)
        second = trigger.get_next_fire_time(first, first + timedelta(seconds=1))
        return elapsed(first, second) if first and second else timedelta(0)

    def _catch_up(self, now: datetime, reason: str) -> None:
        """Offer, once, each catch-up job whose latest occurrence came after its last run."""
        with self._lock:
            specs = [s for s in self._specs.values() if s.id in CATCH_UP_EVENT]
        runs = self._runs.last_runs()
        settings = self._settings()
        for spec in specs:
            recurrence = spec.recurrence
            if recurrence is None:
                continue
            last = runs.get(spec.id)
            if last is None:
                self._record(spec.id, "skipped", now, FIRST_SEEN)
                continue
            due = missed_occurrence(recurrence, last.at, now)
            if due is not None:
                log.info("rhythm: %s missed its %s run (%s)", spec.id, due.isoformat(),
                         reason)
                self._offer_missed(spec, due, now, settings)

    def _offer_missed(self, spec: JobSpec, due: datetime, now: datetime,
                      settings: Any) -> None:
        """Deliver a missed run now, or schedule its one pending offer for later."""
        if spec.id == MAINTENANCE:
            at = now + self._maintenance_delay
        else:
            at = _quiet_hours(settings).first_moment_from(now)
        if utc(at) <= utc(now):
            self._deliver_missed(spec.id, due, now)
            return
        with self._lock:
            scheduler = self._scheduler
        if scheduler is None:
            return  # shutting down: the next start finds it missed again
        log.info("rhythm: %s will be offered at %s", spec.id, at.isoformat())
        scheduler.add_job(self._offer_job,
                          DateTrigger(run_date=clock.to_real(at), timezone=self._zone),
                          args=(spec.id, due), id=OFFER_IDS[spec.id],
                          name=f"missed {spec.title.lower()}", replace_existing=True,
                          coalesce=True, max_instances=1, misfire_grace_time=None)

    def _deliver_missed(self, job_id: str, due: datetime, now: datetime) -> None:
        with self._lock:
            spec = self._specs.get(job_id)
        if spec is None:
            return
        last = self._runs.last_runs().get(job_id)
        if last is not None and utc(last.at) >= utc(due):
            return  # offered (or run) meanwhile: once is enough
        settings = self._settings()
        quiet = _quiet_hours(settings)
        if job_id != MAINTENANCE and quiet.contains(now):
            self._offer_missed(spec, due, now, settings)  # quiet hours moved: wait again
            return
        start_hour = settings.get("day.start_hour")
        day = journal_day(due, start_hour)
        if job_id == REFLECTION and self._reflected_on(day):
            self._record(job_id, "skipped", now, f"missed {short_day(due.date())} "
                         f"{due:%H:%M}; you had already reflected on that day")
            return
        data: dict[str, Any] = {"job_id": job_id, "quiet": quiet.contains(now), "day": day,
                                "since": last.at.astimezone(self._zone) if last else None}
        if spec.recurrence is not None and last is not None:
            data["missed"] = spec.recurrence.count_between(last.at, now)
        if job_id == MAINTENANCE:
            data["catch_up"] = True
        event = RhythmEvent(CATCH_UP_EVENT[job_id], due, now, elapsed(due, now), data)
        self._emit_recorded(job_id, event, "ok",
                            f"offered late: missed {short_day(due.date())} {due:%H:%M}")

    # -- recording and emitting ------------------------------------------------------

    def _reflected_on(self, day: date) -> bool:
        return self._runs.reflected_on(day)

    def _record(self, job_id: str, status: str, at: datetime, detail: str | None) -> None:
        self._runs.record(job_id, at, status, detail)

    def _emit_recorded(self, job_id: str, event: RhythmEvent, status: str,
                       detail: str | None) -> None:
        self._record(job_id, status, event.fired_at, detail)
        self._emit(event)

    def _emit(self, event: RhythmEvent) -> None:
        try:
            self._on_event(event)
        except Exception:
            log.exception("rhythm: the %s event's receiver failed", event.kind)


class _MonotonicTicker(threading.Thread):
    """Calls `tick` every `period_s` seconds of monotonic time, which no change of the
    wall clock moves (threading.Event.wait uses the monotonic clock)."""

    def __init__(self, period_s: float, tick: Callable[[], None]) -> None:
        super().__init__(name="wise-rhythm-clock", daemon=True)
        self._period = period_s
        self._tick = tick
        self._stopped = threading.Event()

    def run(self) -> None:
        while not self._stopped.wait(self._period):
            try:
                self._tick()
            except Exception:
                log.exception("rhythm: queueing the clock check failed")

    def stop(self, *, wait: bool) -> None:
        self._stopped.set()
        if wait and self.is_alive():
            self.join()
def _on_wise_clock(real: datetime | None) -> datetime | None:
    """An APScheduler run time (real clock) as Wise's clock will show it."""
    return None if real is None else clock.from_real(real)


def _quiet_hours(settings: Any) -> QuietHours:
    return QuietHours.from_settings(settings)
