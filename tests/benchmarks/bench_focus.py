"""A focus session's cost in the idle tray: three real trays side by side, in the same
window of time (so machine noise falls on all three alike), each on its own WISE_HOME:

- no session (the baseline: the tray as it idles every day);
- a session running with the ring on the owl only (the timer window hidden);
- a session running with the ring and the always-on-top timer window.

CPU: utime + stime (+ waited-for children) of each tray from /proc/PID/stat over the window,
as % of one core; ratios against the no-session tray. Target: the tray's idle budget,
<= 0.5% of one core, with a session running. Wake-ups per minute as in bench_idle.
"""

from __future__ import annotations

import os
import time
from contextlib import ExitStack

from tests.benchmarks.bench_idle import TARGET_PERCENT, _cpu_ticks
from tests.benchmarks.bench_tray import _threads, _wakeups, _warm_home, running_tray, screen_session
from tests.benchmarks.harness import BIN, Row, Workspace, last_line, run_cmd

GROUP = "idle: focus session"
SETTLE_S = 5.0
KINDS = (("none", "no session"), ("ring", "session, ring only"),
         ("window", "session, ring + timer window"))


def _window_s(ws: Workspace) -> float:
    return 20.0 if ws.quick else 180.0


def _prepare(ws: Workspace, screen, kind: str):
    home = _warm_home(ws, screen, f"focus-{kind}")
    if kind == "none":
        return home
    if kind == "ring":
        (home / "windows.ini").write_text("[focus_window]\nshown=false\n", encoding="utf-8")
    result = run_cmd([str(BIN / "wise"), "focus", "start", "write the intro", "--minutes",
                      "60"], screen.env(ws, WISE_HOME=str(home)))
    if result.returncode != 0:
        raise RuntimeError(f"wise focus start: {last_line(result.stderr)}")
    return home


def run_focus_idle(ws: Workspace) -> list[Row]:
    window = _window_s(ws)
    tick = os.sysconf("SC_CLK_TCK")
    with screen_session(ws) as screen, ExitStack() as stack:
        homes = {kind: _prepare(ws, screen, kind) for kind, _ in KINDS}
        procs = {kind: stack.enter_context(running_tray(ws, screen, homes[kind]))[0]
                 for kind, _ in KINDS}
        time.sleep(SETTLE_S)
        ws.log(f"three idle trays side by side (none / ring / ring + window): {window:.0f} s")
        before = {k: (_cpu_ticks(p.pid), _threads(p.pid)) for k, p in procs.items()}
        t0 = time.monotonic()
        time.sleep(window)
        elapsed = time.monotonic() - t0
        after = {k: (_cpu_ticks(p.pid), _threads(p.pid)) for k, p in procs.items()}
    percent, wakeups = {}, {}
    for kind, _ in KINDS:
        cpu_s = (after[kind][0] - before[kind][0]) / tick
        percent[kind] = 100.0 * cpu_s / elapsed
        wakeups[kind] = sum(r for _, r in _wakeups(before[kind][1], after[kind][1],
                                                    procs[kind].pid, elapsed))
    base = percent["none"]
    rows = []
    for kind, label in KINDS:
        ratio = percent[kind] / base if base > 0 else None
        rows.append(Row(
            GROUP, f"CPU over {elapsed:.0f} s, {label}", f"{percent[kind]:.3f}%",
            baseline=f"{base:.3f}% (no session)" if kind != "none" else "",
            ratio=ratio if kind != "none" else None,
            target=f"≤ {TARGET_PERCENT}%", met=percent[kind] <= TARGET_PERCENT,
            note=(f"{screen.describe()}; wake-ups {wakeups[kind]:.1f}/min (all threads); "
                  "one tick resolution of /proc/PID/stat is "
                  f"{100.0 / tick / elapsed:.3f}% over this window"),
            data={"percent": percent[kind], "seconds": elapsed,
                  "wakeups_per_min": wakeups[kind]}))
    return rows


STEPS = (run_focus_idle,)
