"""`wise schedule`: every scheduled job, when it runs next and when it last ran.

Next runs are computed from the settings with the very triggers the tray's scheduler uses
(`trigger_for`: APScheduler's CronTrigger for nudge ticks, the DST-safe RecurrenceTrigger
for times of day), without starting a scheduler; last runs come from the `job_runs` table
that the tray's scheduler writes."""

from __future__ import annotations

from argparse import Namespace
from dataclasses import dataclass
from datetime import datetime

from app.cli.output import emit
from app.daytime import local_now, short_day
from app.ipc.client import TrayClient
from app.ipc.protocol import socket_path
from app.journal import Context
from app.rhythm.jobs import job_specs
from app.rhythm.scheduler import (
    FIRST_SEEN,
    JobInfo,
    describe_jobs,
    local_zone,
    next_run_of,
    read_last_runs,
)
from storage.job_runs import RunStore


@dataclass(frozen=True)
class Schedule:
    """`wise schedule --json`."""

    tray_running: bool
    time_zone: str
    jobs: list[JobInfo]


def run(args: Namespace) -> int:
    context = Context.from_environment()
    zone = local_zone()
    now = local_now().astimezone(zone)
    specs = job_specs(context.settings)
    context.prepare_storage()
    runs = read_last_runs(RunStore(context.paths.db))
    jobs = describe_jobs(specs, runs, {s.id: next_run_of(s, now, zone) for s in specs})
    running = TrayClient(socket_path(context.paths.data_dir), timeout=2.0).is_running()
    data = Schedule(running is not None, str(zone), list(jobs))
    emit(args, data, format_jobs(jobs, now, tray_running=running is not None))
    return 0


def _moment(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "never"
    local = moment.astimezone(now.tzinfo)
    return f"{short_day(local.date(), now.date())} {local:%H:%M}"


def format_jobs(jobs: list[JobInfo], now: datetime, *, tray_running: bool) -> str:
    lines = []
    for job in jobs:
        if job.last_run is None or job.detail == FIRST_SEEN:
            last = "never"
        else:
            last = _moment(job.last_run, now)
            if job.last_status and job.last_status != "ok":
                last += f" ({job.last_status}{': ' + job.detail if job.detail else ''})"
        lines.append(f"{job.title:<22} {job.when:<22} next {_moment(job.next_run, now):<17}"
                     f" last {last}")
    lines.append("")
    lines.append("The tray app runs these jobs while it is open: it is "
                 + ("running." if tray_running else "not running (start it with `wise`)."))
    return "\n".join(lines)
