"""The rhythm for real: APScheduler's BackgroundScheduler, a real journal, jobs seconds
apart (through Rhythm's `specs` seam), restarts, missed runs and a simulated clock jump."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.daytime import journal_day, local_now
from app.journal import Context
from app.rhythm.clock import WEEKDAYS, elapsed
from app.rhythm.jobs import JOB_IDS, JobSpec, job_specs
from app.rhythm.scheduler import (
    CATCH_UP_ID,
    LATE,
    OFFER_IDS,
    Rhythm,
    RhythmEvent,
    local_zone,
    read_last_runs,
)
from app.settings.store import Settings, defaults
from storage import clock
from storage.job_runs import RunStore
from storage.models import JobRun

ZONE = local_zone()


def wise_now() -> datetime:
    """Now on Wise's clock (shifted under `pytest --as-of`), in the scheduler's zone."""
    return local_now().astimezone(ZONE)


def later(moment: datetime, delta: timedelta) -> datetime:
    """`delta` of real time after `moment`, in the scheduler's zone. (`moment + delta` on a
    zoned datetime is wall-clock arithmetic: an hour off across a daylight-saving change,
    or a time the clocks skip, such as 02:30 on the morning they go forward.)"""
    return (moment.astimezone(UTC) + delta).astimezone(ZONE)


def make_settings(**values: object) -> Settings:
    return Settings(values={**defaults(), **{k.replace("__", "."): v
                                             for k, v in values.items()}}, explicit={})


def hhmm(moment: datetime) -> str:
    return f"{moment:%H:%M}"


class Recorder:
    """The tray's side: collects events (from the scheduler's thread)."""

    def __init__(self) -> None:
        self.events: list[RhythmEvent] = []
        self._changed = threading.Condition()

    def __call__(self, event: RhythmEvent) -> None:
        with self._changed:
            self.events.append(event)
            self._changed.notify_all()

    def of(self, kind: str) -> list[RhythmEvent]:
        with self._changed:
            return [e for e in self.events if e.kind == kind]

    def wait_for(self, ready: Callable[[Recorder], bool], timeout: float = 60.0) -> bool:
        deadline = time.monotonic() + timeout
        with self._changed:
            while not ready(self):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._changed.wait(left)
        return True


def soon(at: dict[str, datetime], *, nudge_every_s: float | None = None,
         only: bool = False) -> Callable[[Settings], list[JobSpec]]:
    """The test seam: the real job_specs, with some jobs moved to given seconds (and the
    nudge tick to every few seconds). Times are fixed once, so a reschedule sees them too."""

    def specs(settings: Settings) -> list[JobSpec]:
        result = []
        for spec in job_specs(settings):
            if spec.id in at:
                moment = at[spec.id]
                fields = {"hour": moment.hour, "minute": moment.minute,
                          "second": moment.second}
                if spec.id == "weekly_review":
                    fields["day_of_week"] = WEEKDAYS[moment.weekday()]
                spec = dataclasses.replace(spec, fields=fields)
            elif spec.id == "nudge_tick" and nudge_every_s is not None:
                spec = dataclasses.replace(spec, trigger="interval",
                                           fields={"seconds": nudge_every_s})
            elif only:
                continue
            result.append(spec)
        return result

    return specs


@pytest.fixture
def journal():
    from storage.engine import Journal

    context = Context.from_environment()
    context.prepare_storage()  # the ORM: the test arranges rows with it
    journal = Journal(context.paths.db)
    yield journal
    journal.close()


@pytest.fixture
def runs(journal) -> RunStore:
    """What the rhythm reads and writes: plain sqlite3 on the same journal."""
    return RunStore(journal.db_path)


@pytest.fixture
def rhythms():
    """Start rhythms through this; every one is shut down at the end."""
    started: list[Rhythm] = []

    def start(*args, **kwargs) -> Rhythm:
        rhythm = Rhythm(*args, **kwargs)
        started.append(rhythm)
        rhythm.start()
        return rhythm

    yield start
    for rhythm in started:
        rhythm.shutdown(wait=True)


def set_last_run(journal, job_id: str, at: datetime, status: str = "ok") -> None:
    with journal.write() as session:
        session.merge(JobRun(job_id=job_id, last_run_at=at, last_status=status,
                             detail=None))


def wait_until(condition: Callable[[], bool], timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def catch_up_done(rhythm: Rhythm) -> Callable[[], bool]:
    return lambda: rhythm.scheduler.get_job(CATCH_UP_ID) is None


@pytest.fixture
def soon_after_start(runs, rhythms) -> Callable[[], datetime]:
    """Measure first: how long a rhythm takes here and now to start and finish its start-up
    check; a job "due soon" is then several times that ahead (a fixed 1-2 s was already
    past on a loaded machine, and the job waited a day). Returns a maker of due times."""
    started = time.monotonic()
    probe = rhythms(runs, make_settings, Recorder(), specs=lambda _settings: [])
    assert wait_until(catch_up_done(probe))
    probe.shutdown(wait=True)
    lead = timedelta(seconds=2 + 4 * (time.monotonic() - started))
    # Whole seconds (the jobs' fields), never less than the lead.
    return lambda: later(wise_now(), lead + timedelta(seconds=1)).replace(microsecond=0)


def test_jobs_fire_call_on_event_and_persist_their_last_run(journal, runs, rhythms,
                                                            soon_after_start) -> None:
    target = soon_after_start()
    timed = ("checkin", "evening_reflection", "weekly_review", "nightly_maintenance")
    events = Recorder()
    rhythm = rhythms(runs, make_settings, events,
                     specs=soon(dict.fromkeys(timed, target), nudge_every_s=1))
    kinds = {"checkin", "reflection_ready", "nudge_tick", "review_due", "maintenance"}
    assert events.wait_for(lambda r: kinds <= {e.kind for e in r.events}), events.events

    [reflection] = events.of("reflection_ready")
    # On time, not a late offer (a loaded machine may still run it a few seconds late).
    assert reflection.due_at == target and reflection.late_by < timedelta(seconds=30)
    assert reflection.data["day"] == journal_day(target, 4)
    assert reflection.data["already_reflected"] is False
    assert events.of("maintenance")[0].data["catch_up"] is False
    runs = read_last_runs(runs)
    for job_id in JOB_IDS:
        assert runs[job_id].status == "ok", (job_id, runs[job_id])
    assert runs["evening_reflection"].at >= target
    infos = {info.id: info for info in rhythm.jobs()}
    assert set(infos) == set(JOB_IDS)
    assert infos["evening_reflection"].next_run == target + timedelta(days=1)
    assert infos["weekly_review"].next_run == target + timedelta(days=7)
    assert infos["checkin"].last_run == runs["checkin"].at and infos["checkin"].last_status == "ok"


@pytest.mark.parametrize(("evening", "tomorrow", "offset"), [
    # The evenings before the clocks go forward (in the past: Wise's clock runs behind the
    # real one) and back (in the future: it runs ahead): tomorrow's is 23 or 25 hours on.
    ("2026-03-28", "2026-03-29", 2), ("2036-10-25", "2036-10-26", 1)])
def test_on_a_shifted_clock_jobs_fire_when_wise_s_clock_shows_their_time(
        journal, runs, rhythms, clock_at, evening, tomorrow, offset) -> None:
    # WISE_CLOCK_SHIFT: APScheduler waits by the real clock, yet the reflection comes when
    # Wise's clock shows 21:00, and a nudge tick every second still comes every second.
    berlin = ZoneInfo("Europe/Berlin")
    due = datetime.fromisoformat(f"{evening} 21:00").replace(tzinfo=berlin)
    clock_at(due - timedelta(seconds=2))
    events = Recorder()
    rhythm = rhythms(runs, make_settings, events, zone=berlin,
                     specs=soon({"evening_reflection": due}, nudge_every_s=1, only=True))
    assert events.wait_for(lambda r: r.of("reflection_ready") and r.of("nudge_tick")), (
        events.events)
    [reflection] = events.of("reflection_ready")
    assert reflection.due_at == due and reflection.late_by < LATE
    assert reflection.data["day"] == due.date()
    assert abs(elapsed(due, events.of("nudge_tick")[0].fired_at)) < LATE
    next_run = {info.id: info for info in rhythm.jobs()}["evening_reflection"].next_run
    assert next_run == datetime.fromisoformat(f"{tomorrow} 21:00").replace(tzinfo=berlin)
    assert next_run.utcoffset() == timedelta(hours=offset)
    assert read_last_runs(runs)["evening_reflection"].at >= due


def test_reschedule_replaces_jobs_at_once_without_duplicates(journal, runs, rhythms) -> None:
    current = {"settings": make_settings()}
    rhythm = rhythms(runs, lambda: current["settings"], Recorder())
    current["settings"] = make_settings(schedule__reflection_time="20:15",
                                        schedule__weekly_review_day="tue")
    rhythm.reschedule()
    rhythm.reschedule()
    ids = [job.id for job in rhythm.scheduler.get_jobs()]
    assert len(ids) == len(set(ids)) and set(JOB_IDS) <= set(ids)
    infos = {info.id: info for info in rhythm.jobs()}
    assert hhmm(infos["evening_reflection"].next_run) == "20:15"
    assert infos["weekly_review"].next_run.weekday() == 1
    assert rhythm.scheduler.get_job("evening_reflection").misfire_grace_time == 12 * 3600
    assert rhythm.scheduler.get_job("nudge_tick").misfire_grace_time == 300


def test_a_restart_does_not_repeat_a_job_already_run_for_its_period(
        journal, runs, rhythms, soon_after_start) -> None:
    target = soon_after_start()
    specs = soon({"evening_reflection": target}, only=True)
    first = Recorder()
    rhythm = rhythms(runs, make_settings, first, specs=specs)
    assert first.wait_for(lambda r: r.of("reflection_ready"))
    rhythm.shutdown(wait=True)

    again = Recorder()  # "restart at 21:05 after the 21:00 reflection ran"
    second = rhythms(runs, make_settings, again, specs=specs)
    assert wait_until(catch_up_done(second))
    time.sleep(1.0)
    assert again.events == []
    assert {info.id: info for info in second.jobs()}["evening_reflection"].next_run == (
        target + timedelta(days=1))


def test_a_ten_hour_clock_jump_offers_one_reflection_and_no_burst_of_nudges(
        journal, runs, rhythms) -> None:
    offset = {"value": timedelta(0)}

    def now() -> datetime:  # the wall clock, which the test moves; monotonic is untouched
        return later(wise_now(), offset["value"])

    reflection_at = later(wise_now(), timedelta(hours=2)).replace(second=0, microsecond=0)
    events = Recorder()
    rhythms(runs, lambda: make_settings(nudges__quiet_start="00:00",
                                           nudges__quiet_end="00:00"), events,
            now=now, jump_check_s=0.3,
            specs=soon({"evening_reflection": reflection_at}, nudge_every_s=1, only=True))
    assert events.wait_for(lambda r: len(r.of("nudge_tick")) >= 1)

    offset["value"] = timedelta(hours=10)  # the laptop slept ten hours
    assert events.wait_for(lambda r: r.of("missed_reflection"))
    time.sleep(2.5)  # several more clock checks and nudge intervals

    [jump] = events.of("clock_jump")
    assert abs(jump.data["jump_s"] - 10 * 3600) < 2
    [missed] = events.of("missed_reflection")  # at most one, and here exactly one
    assert missed.due_at == reflection_at and missed.late_by > timedelta(hours=7)
    assert missed.data["day"] == journal_day(reflection_at, 4)
    ticks = [e for e in events.of("nudge_tick") if e.fired_at >= jump.fired_at]
    # No burst: nothing in the tick interval after the jump, then the normal pace.
    assert all(e.fired_at - jump.fired_at >= timedelta(seconds=1) for e in ticks)
    since_jump = (now() - jump.fired_at).total_seconds()
    assert len(ticks) <= since_jump  # one a second at most, none in the first
    assert read_last_runs(runs)["evening_reflection"].detail.startswith("offered late")


def test_a_clock_set_back_three_hours_is_noticed_and_the_jobs_follow_it(
        journal, runs, rhythms) -> None:
    """The wall clock goes back three hours. A test cannot move the system clock, so the
    step is made in the two places that see it: the rhythm's own clock (injected), and
    APScheduler's jobs, whose next runs were worked out on the old time and so now lie
    three hours ahead (made with APScheduler's own Job.modify). Monotonic time is real."""
    offset = {"value": timedelta(hours=3)}  # the clock runs three hours fast...

    def now() -> datetime:
        return later(wise_now(), offset["value"])

    events = Recorder()
    rhythm = rhythms(runs, lambda: make_settings(nudges__quiet_start="00:00",
                                                 nudges__quiet_end="00:00"), events,
                     now=now, jump_check_s=0.3, specs=soon({}, nudge_every_s=1, only=True))
    assert events.wait_for(lambda r: len(r.of("nudge_tick")) >= 1)

    # ... and is set right. Every job APScheduler holds now waits three more hours.
    for job in rhythm.scheduler.get_jobs():
        if job.next_run_time is not None:
            job.modify(next_run_time=job.next_run_time + timedelta(hours=3))
    offset["value"] = timedelta(0)

    assert events.wait_for(lambda r: r.of("clock_jump"), timeout=15), events.events
    [jump] = events.of("clock_jump")
    assert abs(jump.data["jump_s"] + 3 * 3600) < 5
    # The nudge ticks go on at their pace (after one interval of settling), not in 3 h.
    assert events.wait_for(lambda r: any(e.fired_at > jump.fired_at + timedelta(seconds=1)
                                         for e in r.of("nudge_tick")), timeout=15)
    next_tick = {info.id: info for info in rhythm.jobs()}["nudge_tick"].next_run
    assert next_tick - now() < timedelta(minutes=1)


def test_a_reflection_missed_while_closed_is_offered_once_on_the_next_start(
        journal, runs, rhythms) -> None:
    now = wise_now()
    due = later(now, -timedelta(hours=1)).replace(second=0, microsecond=0)
    settings = make_settings(schedule__reflection_time=hhmm(due),
                             nudges__quiet_start=hhmm(later(now, timedelta(hours=2))),
                             nudges__quiet_end=hhmm(later(now, timedelta(hours=3))))
    set_last_run(journal, "evening_reflection", due - timedelta(days=1) + timedelta(seconds=3))
    # The nightly maintenance did not run either (laptops are often off at night).
    set_last_run(journal, "nightly_maintenance", now - timedelta(days=2))

    events = Recorder()
    first = rhythms(runs, lambda: settings, events, maintenance_delay_s=0.5)
    assert events.wait_for(lambda r: r.of("missed_reflection") and r.of("maintenance"))
    [missed] = events.of("missed_reflection")
    assert missed.due_at == due and missed.data["day"] == journal_day(due, 4)
    assert missed.data["missed"] == 1
    [maintenance] = events.of("maintenance")
    assert maintenance.data["catch_up"] is True
    assert maintenance.fired_at - missed.fired_at >= timedelta(seconds=0.4)  # not at start-up
    first.shutdown(wait=True)
    row = read_last_runs(runs)["evening_reflection"]
    assert row.status == "ok" and row.detail.startswith("offered late")

    again = Recorder()
    second = rhythms(runs, lambda: settings, again, maintenance_delay_s=0.5)
    assert wait_until(catch_up_done(second))
    time.sleep(1.0)
    assert not again.of("missed_reflection") and not again.of("maintenance")


def test_a_run_apscheduler_gives_up_on_is_still_offered_once(journal, runs, rhythms,
                                                             soon_after_start) -> None:
    # The scheduler thread does not run across the reflection's time (as when a machine
    # sleeps), and the job's grace is shorter than the delay: APScheduler drops the run
    # and reports it missed; the rhythm offers it instead.
    target = soon_after_start()
    timed = soon({"evening_reflection": target}, only=True)
    events = Recorder()
    rhythm = rhythms(runs, lambda: make_settings(nudges__quiet_start="00:00",
                                                    nudges__quiet_end="00:00"), events,
                     specs=lambda s: [dataclasses.replace(spec, misfire_grace_s=1)
                                      for spec in timed(s)])
    assert wait_until(catch_up_done(rhythm))
    rhythm.scheduler.pause()
    time.sleep((target - wise_now()).total_seconds() + 2.5)
    rhythm.scheduler.resume()
    assert events.wait_for(lambda r: r.of("missed_reflection"))
    time.sleep(0.5)
    assert [e.kind for e in events.events] == ["missed_reflection"]
    assert events.events[0].due_at == target


def test_a_missed_reflection_waits_for_the_end_of_quiet_hours(journal, runs, rhythms) -> None:
    now = wise_now()
    due = later(now, -timedelta(minutes=30)).replace(second=0, microsecond=0)
    # Quiet hours are wall-clock times: from an hour before now to an hour after by the
    # clock on the wall (an hour of real time may show the same time in autumn), ending
    # at that wall time (an hour later than that in spring, when the clocks skip it).
    wall = now.replace(tzinfo=None, second=0, microsecond=0)
    quiet_end = later((wall + timedelta(hours=1)).replace(tzinfo=ZONE), timedelta(0))
    settings = make_settings(schedule__reflection_time=hhmm(due),
                             nudges__quiet_start=hhmm(wall - timedelta(hours=1)),
                             nudges__quiet_end=hhmm(quiet_end))
    set_last_run(journal, "evening_reflection", due - timedelta(days=1) + timedelta(seconds=3))

    events = Recorder()
    rhythm = rhythms(runs, lambda: settings, events)
    offer_id = OFFER_IDS["evening_reflection"]
    assert wait_until(lambda: rhythm.scheduler.get_job(offer_id) is not None)
    # APScheduler waits by the real clock: the real moment when Wise's clock shows it.
    assert rhythm.scheduler.get_job(offer_id).next_run_time == clock.to_real(quiet_end)
    assert {i.id: i for i in rhythm.jobs()}["evening_reflection"].next_run == quiet_end
    assert not events.of("missed_reflection")
    # Settings change (reschedule) re-checks, but still one pending offer.
    rhythm.reschedule()
    assert wait_until(catch_up_done(rhythm))
    assert [j.id for j in rhythm.scheduler.get_jobs()].count(offer_id) == 1


def test_wise_schedule_lists_every_job_with_next_and_last_run(wise, journal) -> None:
    ran = later(wise_now(), -timedelta(hours=3))
    set_last_run(journal, "nightly_maintenance", ran)
    result = wise("schedule", "--json")
    assert result.code == 0, result.err
    data = result.json()
    assert data["tray_running"] is False
    jobs = {job["id"]: job for job in data["jobs"]}
    assert list(jobs) == list(JOB_IDS)
    now = wise_now()
    for job in jobs.values():
        assert datetime.fromisoformat(job["next_run"]) > now
    assert hhmm(datetime.fromisoformat(jobs["evening_reflection"]["next_run"])) == "21:00"
    assert datetime.fromisoformat(jobs["nightly_maintenance"]["last_run"]) == ran
    assert jobs["checkin"]["last_run"] is None

    text = wise("schedule")
    assert text.code == 0 and "Evening reflection" in text.out and "daily at 21:00" in text.out
    assert "The tray app runs these jobs" in text.out and "not running" in text.out
