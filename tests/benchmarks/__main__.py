"""`make bench` = `.venv/bin/python -m tests.benchmarks [--quick] [--only GROUP ...]`.

What is measured (each group's module docstring has the details):

  capture   `wise capture "text"` wall time, a new process per run, on an empty and a
            100k-entry journal, side by side with `python -c pass` (the floor), jrnl on
            an empty and a 100k-entry journal and `task add` on an empty and a 20k-task
            database (bench_capture); in-process `capture()` commit time at 100k entries
            with synchronous=FULL, and `write_capture()` alone.
  search    `storage.search.search` in-process over 100k entries for rare, medium and
            common words; `wise search WORD` vs `jrnl -contains WORD` wall (bench_search).
  transfer  `wise export` (json, markdown) and `wise import` of 100k entries: wall time
            and peak RSS; the export and import code on five heavy years, sqlite3 side by
            side with the ORM code it replaced (same bytes?), and whether `wise export` and
            `wise import` load SQLAlchemy (bench_transfer).
  tray      the tray app (bench_tray): cold start to tray icon shown and to ready to save
            against a minimal PySide6 tray app, under Xvfb + trayer when installed (else
            offscreen); show-capture latency; `wise capture` through the running tray;
            Enter-to-committed in the capture window; idle RSS and wake-ups.
  context   the daily reflection's context (bench_context): input tokens (budget 3,000)
            and build time for heavy journals (50 notes a day) of 1 week, 1 year and 5
            years, with summaries as the nightly job makes them; one nightly run.
  model     the model worker against a local fake OpenAI-compatible server (bench_model):
            cold start (worker + litellm import), warm time to first token through the
            gateway vs a direct HTTP request (target: <= 50 ms extra), litellm's own
            per-call cost; RSS of a CLI process before and after a reflection.
  policy    one nudge decision (bench_policy): the whole tick with send=False (target
            <= 20 ms) on 20,000 open steps and a year of nudges, beside a small journal;
            decide() alone, on the 500 loaded steps and on all 20,000; a refused tick.
  idle      the tray with its scheduler running (bench_idle): CPU (utime + stime, with
            its children) over 10 minutes in which a check-in, a reflection and a nudge
            tick fire, as % of one core (target <= 0.5%); wake-ups per minute.
  focus     a focus session in the idle tray (bench_focus): three trays side by side,
            no session / the ring only / the ring and the timer window, CPU as % of one
            core (target <= 0.5%) and ratios against no session; wake-ups per minute.
  rituals   the reads behind the reflection and goal-review windows (bench_rituals):
            goal cards with 12-week heatmaps, the week in review, a goal's page, a day,
            on five heavy years beside one week (target <= 50 ms).
  commands  `wise today --json`, `wise goals --json`, `wise reflect --dry-run` and `wise
            llm usage` as new processes on five heavy years vs `python -c pass`, and
            whether each imports SQLAlchemy (bench_commands; WISE_BENCH_BEFORE=DIR adds
            the same commands from an older checkout, side by side).
  windows   the two windows in a fresh process as the tray has it (bench_windows): first
            paint (target <= 300 ms) and data on screen on five heavy years vs empty;
            event-loop lag while a reflection streams (target p99 <= 50 ms).
  parsers   parse_capture on a typical line (target <= 1 ms) and on inputs built to make
            it backtrack (target <= 100 ms); parse_structured on pathological model
            replies (target <= 5 s) (bench_parsers).
  bundle    the PyInstaller bundle (`make bundle`, bench_bundle) beside the venv install:
            size on disk, cold `wise --version`, `wise capture TEXT` and the tray to its
            icon; "not built" without dist/wise. Not in the default run (`--only bundle`).

How: every contender in a comparison runs round-robin in the same loop (A B A B ...),
after untimed warm-up runs, so machine noise falls on all of them alike; the table shows
medians (p90 or p99 where it matters) and ratios of medians, with the target and whether
it is met. Journals are seeded once (deterministic text, seed.py) and cached in
bench-out/cache; every benchmark that writes works on its own copy under bench-out/run.
jrnl is pip-installed into bench-out/jrnl-venv on first use (never into the project's
venv); taskwarrior is used if `task` is on PATH.

Output: the table on standard output (progress on stderr), bench-out/results.json (every
number, plus the machine and versions) and bench-out/results.md (the table as Markdown,
for the README).
`--quick` is a smoke run: smaller journals (10k entries), fewer repeats, well under a
minute once the caches exist; its numbers are not the README's. bench-out/run (copies of
the journals, several hundred MB) is deleted at the end unless `--keep` is given.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import sqlite3
import sys
import time
import traceback
from dataclasses import asdict, is_dataclass
from datetime import UTC, datetime

from tests.benchmarks.harness import OUT, Row, Workspace, render_table

GROUPS = ("capture", "search", "transfer", "tray", "context", "model", "policy", "idle",
          "focus", "rituals", "windows", "parsers", "sync", "commands")
EXTRA_GROUPS = ("bundle",)  # needs a build first: run with --only


def _group_steps(name: str) -> tuple:
    import importlib

    return importlib.import_module(f"tests.benchmarks.bench_{name}").STEPS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks",
                                     description="Wise's benchmarks (see the module docstring).")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: small journals, few repeats (< 1 minute)")
    parser.add_argument("--only", nargs="+", choices=GROUPS + EXTRA_GROUPS,
                        help="run only these groups")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    parser.add_argument("--keep", action="store_true",
                        help="keep bench-out/run (the journal copies; several hundred MB)")
    args = parser.parse_args(argv)

    ws = Workspace(quick=args.quick, verbose=not args.quiet)
    ws.prepare()
    load_before = os.getloadavg()
    started = time.perf_counter()
    rows: list[Row] = []
    timings: dict[str, float] = {}
    for name in args.only or GROUPS:
        ws.log(f"== {name} ==")
        t0 = time.perf_counter()
        try:
            steps = _group_steps(name)
        except Exception as exc:
            traceback.print_exc()
            steps = ()
            rows.append(Row(name, f"{name}: cannot load", "FAILED",
                            note=f"{type(exc).__name__}: {exc}"[:300]))
        for step in steps:
            try:
                rows.extend(step(ws))
            except Exception as exc:  # one broken step must not hide the others' numbers
                traceback.print_exc()
                rows.append(Row(name, f"{name}: {step.__name__} crashed", "FAILED",
                                note=f"{type(exc).__name__}: {exc}"[:300]))
        timings[name] = time.perf_counter() - t0
    elapsed = time.perf_counter() - started
    load = (load_before[0], os.getloadavg()[0])

    table = render_table(rows)
    mode = "quick (smoke run: small journals; not the README's numbers)" if args.quick else "full"
    header = (f"Wise benchmarks, {mode}: {_machine_line()}; load average "
              f"{load[0]:.1f} at start, {load[1]:.1f} at end")
    print()
    print(header)
    print()
    print(table)
    missed = [r for r in rows if r.met is False]
    print()
    print(f"targets: {sum(r.met is True for r in rows)} met, {len(missed)} missed"
          + (": " + "; ".join(r.name.strip() for r in missed) if missed else ""))
    print(f"total time {elapsed:.0f} s (" +
          ", ".join(f"{k} {v:.0f} s" for k, v in timings.items()) + ")")

    OUT.mkdir(parents=True, exist_ok=True)
    results = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "mode": "quick" if args.quick else "full",
        "machine": _machine(),
        "load_average_1min": {"start": load[0], "end": load[1]},
        "seconds_total": elapsed,
        "seconds_per_group": timings,
        "rows": [asdict(r) for r in rows],
    }
    (OUT / "results.json").write_text(json.dumps(results, indent=2, default=_jsonable,
                                                 ensure_ascii=False) + "\n")
    (OUT / "results.md").write_text(f"{header}\n\n{markdown_table(rows)}\n")
    print(f"wrote {OUT / 'results.json'} and {OUT / 'results.md'}")
    if not args.keep:
        shutil.rmtree(ws.run, ignore_errors=True)
    return 0


def _jsonable(value: object) -> object:
    if is_dataclass(value):
        return asdict(value)
    if isinstance(value, float) and math.isnan(value):
        return None
    return str(value)


def markdown_table(rows: list[Row]) -> str:
    out = ["| benchmark | wise | baseline | ratio | target | met? |",
           "| --- | --- | --- | --- | --- | --- |"]
    group = None
    for r in rows:
        if r.group != group:
            group = r.group
            out.append(f"| **{group}** | | | | | |")
        met = {True: "yes", False: "**no**", None: ""}[r.met]
        ratio = "" if r.ratio is None else f"{r.ratio:.2f}×"
        out.append(f"| {r.name.strip()} | {r.wise} | {r.baseline} | {ratio} | {r.target} | "
                   f"{met} |")
    notes = [f"- {r.name.strip()}: {r.note}" for r in rows if r.note]
    return "\n".join(out + (["", *notes] if notes else []))


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _machine() -> dict:
    from app import __version__

    return {"cpu": _cpu_model(), "cpus": os.cpu_count(), "os": platform.platform(),
            "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
            "wise": __version__}


def _machine_line() -> str:
    m = _machine()
    return (f"{m['cpu']} ({m['cpus']} CPUs), {m['os']}, Python {m['python']}, "
            f"SQLite {m['sqlite']}, wise {m['wise']}")


if __name__ == "__main__":
    sys.exit(main())
