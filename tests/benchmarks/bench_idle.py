"""The idle tray with its scheduler running: CPU over 10 minutes, and wake-ups.

A real Wise tray (`wise`, as in bench_tray: under a private Xvfb + trayer when installed,
else offscreen; its own WISE_HOME, no session bus, so notifications fall back to the tray)
on a journal with one open step, with the schedule active and work due inside the
measurement: the morning check-in and the evening reflection are set to a minute
boundary B inside the window, and the hour of B is the only hour outside quiet hours (so
the nudge policy may nudge then). In the full run B is a quarter hour (:00 :15 :30 :45),
so a nudge tick fires too (it runs `wise nudge --tick` in a child process); the run waits
up to ~6 minutes before starting so that one falls inside the 10 minutes. `--quick`
measures 30 s around a plain minute boundary (no nudge tick unless B happens to be a
quarter hour; the row says which jobs fired).

CPU: utime + stime of the tray plus cutime + cstime (its children that it waited for:
the nudge tick's `wise` child), from /proc/PID/stat, over the window, as a percentage of
one core. Wake-ups: voluntary + involuntary context switches of every thread
(/proc/PID/task/*/status) per minute over the window (bench_tray's helpers). Target:
<= 0.5% of one core on average.
"""

from __future__ import annotations

import os
import time
from datetime import datetime, timedelta

from tests.benchmarks.bench_tray import (
    _log_text,
    _threads,
    _wakeups,
    _warm_home,
    running_tray,
    screen_session,
)
from tests.benchmarks.harness import BIN, Row, Workspace, last_line, run_cmd

GROUP = "idle: tray with scheduler"
TARGET_PERCENT = 0.5
STARTUP_S = 8.0  # allowance for the tray to start (a few seconds) and settle, below
SETTLE_S = 5.0  # after the tray is ready, before the window opens
EVENTS = ("checkin", "reflection_ready", "nudge_tick")


def _window(ws: Workspace) -> float:
    return 30.0 if ws.quick else 600.0


def _latest_offset(ws: Workspace) -> float:
    """How far into the window B may fall at most (room after it for the nudge child)."""
    return 15.0 if ws.quick else 540.0


def _boundary(now: datetime, quarter: bool) -> datetime:
    """The minute boundary B the jobs are set to: far enough ahead for the tray to start
    and settle, and (full run) a quarter hour."""
    step = 15 if quarter else 1
    earliest = now + timedelta(seconds=STARTUP_S + 15)
    b = earliest.replace(second=0, microsecond=0) + timedelta(minutes=1)
    while b.minute % step:
        b += timedelta(minutes=1)
    return b


def _cpu_ticks(pid: int) -> int:
    """utime + stime + cutime + cstime of `pid`, in clock ticks."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # fields[0] is field 3 (state): utime is field 14, stime 15, cutime 16, cstime 17.
    return sum(int(v) for v in fields[11:15])


def _configure(ws: Workspace, screen, home, at: datetime) -> None:
    hhmm = f"{at:%H:%M}"
    settings = {"schedule.checkin_time": hhmm, "schedule.reflection_time": hhmm,
                # only B's hour is outside quiet hours: whatever the learner draws, that
                # hour is in the day's plan (see tests/integration/test_rhythm_children.py)
                "nudges.quiet_start": f"{(at.hour + 2) % 24:02d}:00",
                "nudges.quiet_end": f"{at.hour:02d}:00"}
    env = screen.env(ws, WISE_HOME=str(home))
    for key, value in settings.items():
        result = run_cmd([str(BIN / "wise"), "config", "set", key, value], env)
        if result.returncode != 0:
            raise RuntimeError(f"wise config set {key}: {last_line(result.stderr)}")
    result = run_cmd([str(BIN / "wise"), "capture", "call the garage about the brakes tomorrow"],
                     env)
    if result.returncode != 0:
        raise RuntimeError(f"could not add an open step: {last_line(result.stderr)}")


def _fired(log_text: str, since: datetime, until: datetime) -> dict[str, int]:
    """Rhythm events the tray logged inside the window, by kind."""
    counts = dict.fromkeys(EVENTS, 0)
    for line in log_text.splitlines():
        if "rhythm event " not in line:
            continue
        try:
            at = datetime.fromisoformat(line[:19].replace(" ", "T"))
        except ValueError:
            continue
        kind = line.split("rhythm event ", 1)[1].split()[0]
        if kind in counts and since.replace(microsecond=0) <= at <= until:
            counts[kind] += 1
    return counts


def run_idle_cpu(ws: Workspace) -> list[Row]:
    window = _window(ws)
    tick = os.sysconf("SC_CLK_TCK")
    with screen_session(ws) as screen:
        home = _warm_home(ws, screen, "idle-cpu")
        now = datetime.now()
        boundary = _boundary(now, quarter=not ws.quick)
        # The window opens ~STARTUP_S after the tray starts and must hold B, with room
        # after it (the nudge child, the notifications): start no earlier than needed.
        latest_open = boundary - timedelta(seconds=3)
        start_at = max(now, boundary - timedelta(seconds=_latest_offset(ws) + STARTUP_S))
        _configure(ws, screen, home, boundary)
        wait = (start_at - datetime.now()).total_seconds()
        if wait > 0:
            ws.log(f"waiting {wait:.0f} s so that the jobs set for {boundary:%H:%M} fall "
                   "inside the measurement ...")
            time.sleep(wait)
        with running_tray(ws, screen, home) as (proc, _sock):
            time.sleep(SETTLE_S)
            opened = datetime.now()
            if opened > latest_open:
                raise RuntimeError(f"the tray took too long to start: the window opened at "
                                   f"{opened:%H:%M:%S}, after the jobs' {boundary:%H:%M}")
            ws.log(f"idle tray, scheduler running: {window:.0f} s (jobs at {boundary:%H:%M}) ...")
            threads_before = _threads(proc.pid)
            cpu_before, t0 = _cpu_ticks(proc.pid), time.monotonic()
            minutes: list[float] = []
            last = threads_before
            while (left := window - (time.monotonic() - t0)) > 0:
                span = min(60.0, left)
                time.sleep(span)
                now_threads = _threads(proc.pid)
                minutes.append(sum(r for _, r in _wakeups(last, now_threads, proc.pid, span)))
                last = now_threads
            cpu_after, elapsed = _cpu_ticks(proc.pid), time.monotonic() - t0
            closed = datetime.now()
            threads_after = _threads(proc.pid)
            log_text = _log_text(home)
    cpu_s = (cpu_after - cpu_before) / tick
    percent = 100.0 * cpu_s / elapsed
    wake = _wakeups(threads_before, threads_after, proc.pid, elapsed)
    total = sum(rate for _, rate in wake)
    fired = _fired(log_text, opened, closed)
    fired_words = ", ".join(f"{kind} {n}" for kind, n in fired.items())
    scaled = "" if window >= 60 else " (scaled to a minute)"
    note = (f"{screen.describe()}; {elapsed:.0f} s with the scheduler running, jobs set for "
            f"{boundary:%H:%M}; fired inside the window: {fired_words}; utime + stime + "
            f"cutime + cstime from /proc/PID/stat ({cpu_s:.2f} s of CPU)")
    if not fired["nudge_tick"]:
        note += ("; no nudge tick in this window (ticks run at quarter hours; the full run "
                 "waits for one)")
    return [
        Row(GROUP, f"CPU idle over {elapsed:.0f} s, % of one core", f"{percent:.3f}%",
            target=f"≤ {TARGET_PERCENT}%", met=percent <= TARGET_PERCENT, note=note,
            data={"cpu_seconds": cpu_s, "seconds": elapsed, "percent": percent,
                  "fired": fired, "boundary": boundary.isoformat()}),
        Row(GROUP, "  wake-ups per minute, all threads", f"{total:.1f}",
            note=(f"voluntary + involuntary context switches (/proc/PID/task/*/status) over "
                  f"the window{scaled}; per minute: "
                  + ", ".join(f"{m:.0f}" for m in minutes)
                  + "; by thread: " + ", ".join(f"{n} {r:.1f}" for n, r in wake[:8])),
            data={"wakeups_per_min": wake, "per_minute_totals": minutes}),
    ]


STEPS = (run_idle_cpu,)
