"""Timing primitives, the result rows and the printed table.

Every external command runs as a real child process: `run_cmd` starts it with Popen and
reaps it with os.wait4, which returns that one child's resource usage, so each run
yields both its wall time and its own peak RSS (no /usr/bin/time needed, no
RUSAGE_CHILDREN high-water arithmetic). `interleaved` runs several commands round-robin
(A B C A B C ...) so that machine noise (another process, a CPU frequency change, a
disk flush) hits every contender alike; ratios are then taken from medians.
"""

from __future__ import annotations

import math
import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent  # the project venv's bin/ (`make bench` runs its python)
OUT = ROOT / "bench-out"


@dataclass
class Workspace:
    """Where the benchmarks keep things: bench-out/{cache,run}, and how they log."""

    quick: bool
    out: Path = OUT
    verbose: bool = True

    @property
    def cache(self) -> Path:
        return self.out / "cache"

    @property
    def run(self) -> Path:
        return self.out / "run"

    def prepare(self) -> None:
        import shutil

        self.cache.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(self.run, ignore_errors=True)
        self.run.mkdir(parents=True)

    def log(self, message: str) -> None:
        if self.verbose:
            print(f"  · {message}", file=sys.stderr, flush=True)

    def env(self, **overrides: str) -> dict[str, str]:
        """The environment for a child: ours, minus anything that changes how Python or
        the tools start (so the floor and the contenders start alike), plus overrides."""
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("PYTHON", "WISE_", "TASK", "JRNL"))
               and k not in ("VIRTUAL_ENV",)}
        env.update(LC_ALL="C.UTF-8", LANG="C.UTF-8", NO_COLOR="1")
        env.update(overrides)
        return env


# ------------------------------------------------------------------------------- stats


@dataclass
class Stats:
    """Seconds; `failures` counts runs that exited non-zero (not included in the times)."""

    n: int
    median: float
    p90: float
    p99: float
    mean: float
    min: float
    max: float
    failures: int = 0
    peak_rss_kib: int | None = None  # highest peak RSS over the runs (children only)
    error: str | None = None  # the first failure's stderr tail

    @classmethod
    def of(cls, samples: Sequence[float], *, failures: int = 0, peak_rss_kib: int | None = None,
           error: str | None = None) -> Stats:
        if not samples:
            nan = math.nan
            return cls(0, nan, nan, nan, nan, nan, nan, failures, peak_rss_kib, error)
        return cls(len(samples), statistics.median(samples), percentile(samples, 90),
                   percentile(samples, 99), statistics.fmean(samples), min(samples),
                   max(samples), failures, peak_rss_kib, error)

    @property
    def ok(self) -> bool:
        return self.n > 0 and self.failures == 0

    def as_dict(self) -> dict:
        return asdict(self)


def percentile(samples: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile: the smallest sample >= pct % of the samples."""
    ordered = sorted(samples)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


# --------------------------------------------------------------------------- processes


@dataclass
class RunResult:
    seconds: float
    returncode: int
    peak_rss_kib: int
    stderr: str
    stdout: str = ""


def run_cmd(argv: Sequence[str], env: Mapping[str, str], *, cwd: Path | None = None,
            stdin: bytes | None = None, capture_stdout: bool = False,
            timeout: float = 600) -> RunResult:
    """Run one command to completion: wall time, exit code and that child's peak RSS.

    Output goes to temporary files rather than pipes, so the child never blocks on a
    full pipe and we can reap it with wait4 (which reports this child's ru_maxrss).
    """
    import tempfile

    with tempfile.TemporaryFile() as err, tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(list(argv), env=dict(env), cwd=cwd,
                                stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                                stdout=out if capture_stdout else subprocess.DEVNULL, stderr=err)
        if stdin is not None:
            proc.stdin.write(stdin)
            proc.stdin.close()
        # Block in wait4 (no polling: on two cores a polling parent would steal CPU from
        # the child it times); a timer kills a hung child.
        killer = threading.Timer(timeout, proc.kill)
        killer.start()
        try:
            _pid, status, usage = os.wait4(proc.pid, 0)
        finally:
            killer.cancel()
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped: tell Popen
        err.seek(0)
        out.seek(0)
        return RunResult(elapsed, proc.returncode, usage.ru_maxrss,
                         err.read().decode("utf-8", "replace"),
                         out.read().decode("utf-8", "replace") if capture_stdout else "")


@dataclass
class Cmd:
    """One contender: a command line, its environment, and an optional per-run setup."""

    argv: Sequence[str]
    env: Mapping[str, str]
    before_each: Callable[[], None] | None = None  # untimed
    samples: list[float] = field(default_factory=list)
    failures: int = 0
    peak_rss_kib: int = 0
    error: str | None = None

    def once(self) -> None:
        if self.before_each:
            self.before_each()
        result = run_cmd(self.argv, self.env)
        self.peak_rss_kib = max(self.peak_rss_kib, result.peak_rss_kib)
        if result.returncode == 0:
            self.samples.append(result.seconds)
        else:
            self.failures += 1
            if self.error is None:
                tail = result.stderr.strip().splitlines()[-3:] or ["(no output)"]
                self.error = f"exit {result.returncode}: " + " / ".join(tail)

    def stats(self) -> Stats:
        return Stats.of(self.samples, failures=self.failures, peak_rss_kib=self.peak_rss_kib,
                        error=self.error)


def timeit_cmd(argv: Sequence[str], env: Mapping[str, str], runs: int, *,
               warmup: int = 1) -> Stats:
    """Wall time of `argv` as a fresh process, `runs` times (after `warmup` untimed runs)."""
    return interleaved({"cmd": Cmd(argv, env)}, runs, warmup=warmup)["cmd"]


def interleaved(cmds: Mapping[str, Cmd], runs: int, *, warmup: int = 1,
                budget_s: float | None = None, min_runs: int = 3) -> dict[str, Stats]:
    """Round-robin runs of every command (A B C A B C ...), `runs` rounds.

    Warm-up rounds fill the page cache and Python's bytecode caches and are not timed.
    With `budget_s`, rounds stop early (after at least `min_runs`) once the budget is
    spent, so a slow baseline cannot blow the whole run's time limit.
    """
    for _ in range(warmup):
        for cmd in cmds.values():
            if cmd.before_each:
                cmd.before_each()
            run_cmd(cmd.argv, cmd.env)
    start = time.perf_counter()
    for round_no in range(runs):
        for cmd in cmds.values():
            cmd.once()
        if (budget_s is not None and round_no + 1 >= min_runs
                and time.perf_counter() - start > budget_s):
            break
    return {name: cmd.stats() for name, cmd in cmds.items()}


def time_calls(fn: Callable[[int], object], runs: int, *, warmup: int = 3) -> Stats:
    """In-process: seconds per call of fn(i) for i in range(runs), after warm-up calls."""
    for i in range(warmup):
        fn(-1 - i)
    samples = []
    for i in range(runs):
        start = time.perf_counter()
        fn(i)
        samples.append(time.perf_counter() - start)
    return Stats.of(samples)


# ------------------------------------------------------------------------------ report


@dataclass
class Row:
    """One line of the table. `wise` and `baseline` are already formatted for reading;
    `ratio` is wise / baseline (or the row's own comparison); `met` is None when the row
    has no target or could not be measured."""

    group: str
    name: str
    wise: str
    baseline: str = ""
    ratio: float | None = None
    target: str = ""
    met: bool | None = None
    note: str = ""
    data: dict = field(default_factory=dict)  # raw numbers for results.json


def ms(seconds: float) -> str:
    return "—" if seconds is None or math.isnan(seconds) else f"{seconds * 1000:.1f} ms"


def secs(seconds: float) -> str:
    return "—" if seconds is None or math.isnan(seconds) else f"{seconds:.2f} s"


def mib(kib: int | None) -> str:
    return "—" if not kib else f"{kib / 1024:.0f} MiB"


def med_p90(stats: Stats) -> str:
    if not stats.n:
        return "FAILED"
    return f"{ms(stats.median)} (p90 {ms(stats.p90)})"


def ratio(a: float, b: float) -> float | None:
    if a is None or b is None or math.isnan(a) or math.isnan(b) or b == 0:
        return None
    return a / b


def render_table(rows: Sequence[Row]) -> str:
    headers = ("benchmark", "wise", "baseline", "ratio", "target", "met?")
    lines_data = []
    group = None
    for row in rows:
        if row.group != group:
            group = row.group
            lines_data.append(None)
            lines_data.append((f"[{group}]", "", "", "", "", ""))
        met = {True: "yes", False: "NO", None: "—" if row.target else ""}[row.met]
        lines_data.append((row.name, row.wise, row.baseline,
                           "" if row.ratio is None else f"{row.ratio:.2f}×",
                           row.target, met))
    widths = [max(len(h), *(len(r[i]) for r in lines_data if r)) for i, h in enumerate(headers)]
    sep = "-+-".join("-" * w for w in widths)

    def fmt(cells: Sequence[str]) -> str:
        return " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    out = [fmt(headers), sep]
    for r in lines_data:
        out.append(sep if r is None else fmt(r))
    notes = [(row.name, row.note) for row in rows if row.note]
    if notes:
        out.append("")
        out.append("notes:")
        out.extend(f"  - {name}: {note}" for name, note in notes)
    return "\n".join(out)
