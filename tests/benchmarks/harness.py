"""Timing primitives, the result rows and the printed table.

Every external command runs as a real child process: `run_cmd` starts it with Popen,
blocks in os.wait4 and takes the wall time around the two. `interleaved` runs several
commands round-robin (A B C A B C ...) so that machine noise (another process, a CPU
frequency change, a disk flush) hits every contender alike; ratios are then taken from
medians.

Peak memory (`measure_rss=True`): the ru_maxrss that wait4 reports for a child spawned
straight from this process is wrong: subprocess spawns with vfork, and the kernel counts
the parent's memory high-water mark into the child's at exec (a `python -c pass` showed
47 MiB instead of 11). So such a command is started through a tiny launcher (Python
without site, ~5 MiB) that forks, execs the command and reports that child's own
ru_maxrss and wall time; it agrees with `/usr/bin/time -f %M` to within 0.1 MiB here,
and needs nothing installed.
"""

from __future__ import annotations

import math
import os
import signal
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
    peak_rss_kib: int | None  # None unless measured (measure_rss=True)
    stderr: str
    stdout: str = ""


# Forks, execs argv[2:], and writes "seconds maxrss_kib" of that one child to argv[1].
_LAUNCHER = """\
import os, sys, time
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - start
with open(sys.argv[1], "w") as f:
    f.write(f"{seconds} {usage.ru_maxrss}")
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_cmd(argv: Sequence[str], env: Mapping[str, str], *, cwd: Path | None = None,
            stdin: bytes | None = None, capture_stdout: bool = False,
            measure_rss: bool = False, timeout: float = 600) -> RunResult:
    """Run one command to completion: wall time, exit code (and its own peak RSS).

    Output goes to temporary files rather than pipes, so the child never blocks on a
    full pipe while we wait for it.
    """
    import tempfile

    with tempfile.TemporaryDirectory(prefix="wise-bench-") as tmp:
        report = Path(tmp) / "rusage"
        if measure_rss:
            argv = [sys.executable, "-I", "-S", "-c", _LAUNCHER, str(report), *argv]
        with open(Path(tmp) / "err", "w+b") as err, open(Path(tmp) / "out", "w+b") as out:
            start = time.perf_counter()
            proc = subprocess.Popen(
                list(argv), env=dict(env), cwd=cwd,
                stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                stdout=out if capture_stdout else subprocess.DEVNULL, stderr=err,
                start_new_session=True)  # its own process group: a timeout kills it all
            if stdin is not None:
                proc.stdin.write(stdin)
                proc.stdin.close()
            # Block in wait4 (no polling: on two cores a polling parent would steal CPU
            # from the child it times); a timer kills a hung child.
            killer = threading.Timer(timeout, os.killpg, (proc.pid, signal.SIGKILL))
            killer.start()
            try:
                _pid, status, _usage = os.wait4(proc.pid, 0)
            finally:
                killer.cancel()
            elapsed = time.perf_counter() - start
            proc.returncode = os.waitstatus_to_exitcode(status)  # reaped: tell Popen
            err.seek(0)
            out.seek(0)
            stderr = err.read().decode("utf-8", "replace")
            stdout = out.read().decode("utf-8", "replace") if capture_stdout else ""
        peak = None
        if measure_rss and report.exists():
            seconds, peak_text = report.read_text().split()
            elapsed, peak = float(seconds), int(peak_text)
        return RunResult(elapsed, proc.returncode, peak, stderr, stdout)


def last_line(text: str, limit: int = 240) -> str:
    """The last non-empty line of a command's stderr (a traceback's exception line)."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return (lines[-1] if lines else "(no output)")[:limit]


@dataclass
class Cmd:
    """One contender: a command line, its environment, and an optional per-run setup."""

    argv: Sequence[str]
    env: Mapping[str, str]
    before_each: Callable[[], None] | None = None  # untimed
    every: int = 1  # take part in every n-th round only (a very slow baseline)
    warmup: bool = True  # False: another Cmd already warmed the same files
    cwd: Path | None = None
    samples: list[float] = field(default_factory=list)
    failures: int = 0
    error: str | None = None

    def once(self) -> None:
        if self.before_each:
            self.before_each()
        result = run_cmd(self.argv, self.env, cwd=self.cwd)
        if result.returncode == 0:
            self.samples.append(result.seconds)
        else:
            self.failures += 1
            if self.error is None:
                self.error = f"exit {result.returncode}: {last_line(result.stderr)}"

    def stats(self) -> Stats:
        return Stats.of(self.samples, failures=self.failures, error=self.error)


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
            if not cmd.warmup:
                continue
            if cmd.before_each:
                cmd.before_each()
            run_cmd(cmd.argv, cmd.env, cwd=cmd.cwd)
    start = time.perf_counter()
    for round_no in range(runs):
        for cmd in cmds.values():
            if round_no % cmd.every == 0:
                cmd.once()
        if (budget_s is not None and round_no + 1 >= min_runs
                and time.perf_counter() - start > budget_s):
            break
    return {name: cmd.stats() for name, cmd in cmds.items()}


def time_calls(fn: Callable[[int], object], runs: int, *, warmup: int = 3) -> Stats:
    """In-process: seconds per call of fn(i) for i in range(runs), after warm-up calls
    (which get negative i)."""
    return time_calls_interleaved({"fn": fn}, runs, warmup=warmup)["fn"]


def time_calls_interleaved(fns: Mapping[str, Callable[[int], object]], runs: int, *,
                           warmup: int = 3) -> dict[str, Stats]:
    """In-process, side by side: fn_a(i), fn_b(i), ... for each i, every call timed."""
    for i in range(warmup):
        for fn in fns.values():
            fn(-1 - i)
    samples: dict[str, list[float]] = {name: [] for name in fns}
    for i in range(runs):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn(i)
            samples[name].append(time.perf_counter() - start)
    return {name: Stats.of(values) for name, values in samples.items()}


def fsync_probe(folder: Path) -> tuple[Callable[[int], None], Callable[[], None]]:
    """The disk's durability floor: one 4 KiB pwrite + fdatasync of a file in `folder`.
    Returns (probe, close)."""
    fd = os.open(folder / "fsync-probe", os.O_RDWR | os.O_CREAT, 0o600)
    block = os.urandom(4096)

    def probe(_i: int) -> None:
        os.pwrite(fd, block, 0)
        os.fdatasync(fd)

    return probe, lambda: os.close(fd)


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
            if group is not None:
                lines_data.append(None)
            group = row.group
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
