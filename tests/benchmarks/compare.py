"""`make bench-compare BASE=<rev>`: the same benchmark groups for an earlier Wise and now.

`make bench` compares Wise with outside baselines; this compares Wise with itself. It
runs the benchmark harness (`python -m tests.benchmarks --only ...`) of two trees, each
with its own venv, alternately: base, now, now, base, base, now ... (`--rounds`, at
least 2, so that a machine getting busier or quieter over the run falls on both alike),
and puts their rows side by side: the median over the rounds of what each run's table
shows in its "wise" column, and the ratio now / base.

The base tree is a git worktree of BASE under bench-out/base-<commit>/ with its own
venv, made on first use (`make .venv/.dev-installed` there, from the pip cache) and
reused after; `--base-tree DIR` uses an existing checkout instead. "Now" is this tree as
it is on disk. Each tree's harness seeds its journals the same way (tests/benchmarks/
seed.py, deterministic) into its own bench-out/cache, and writes its results.json into
its own bench-out/; after every run those files are copied into a folder of that run,
bench-out/compare/<nn>-<base|now>[-quick]/, before the next run overwrites them.

`--quick GROUP ...` runs those groups with the harness's --quick (the idle group's ten
minutes become 30 s; its journals are smaller), every other group in full. The table
says which.

Output: the table on standard output, bench-out/compare.md and bench-out/compare.json
(every run's numbers, the commits, the load averages).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from tests.benchmarks.harness import OUT, ROOT

DEFAULT_GROUPS = ("capture", "tray", "idle", "windows")

# "512.3 ms (p90 ...)", "1.91 s, 51 MiB peak", "92.5 MiB", "0.128%", "2973 tokens", "1.0":
# the number the harness's table shows first, and its unit. Anything else ("46.5 → 57.0
# MiB", "sqlalchemy in 0/12 ...", "FAILED", "—") is shown as text, without a ratio.
_VALUE = re.compile(r"\s*(-?\d+(?:\.\d+)?)\s*(µs|ms|s|KiB|MiB|MB|%|tokens)?\s*(?:$|[(,])")
_SCALE = {"µs": (0.001, "ms"), "ms": (1.0, "ms"), "s": (1000.0, "ms"),
          "KiB": (1 / 1024, "MiB"), "MiB": (1.0, "MiB")}


@dataclass(frozen=True)
class Value:
    number: float
    unit: str  # "" for a plain count


def parse_value(shown: str) -> Value | None:
    """The leading number of a cell of the harness's table, times in ms, sizes in MiB."""
    match = _VALUE.match(shown or "")
    if not match:
        return None
    number, unit = float(match[1]), match[2] or ""
    scale, unit = _SCALE.get(unit, (1.0, unit))
    return Value(number * scale, unit)


@dataclass(frozen=True)
class Line:
    """One row of the comparison: the median over rounds of each side, and now / base."""

    group: str
    name: str
    base: str
    now: str
    ratio: float | None
    base_values: tuple[float, ...] = ()
    now_values: tuple[float, ...] = ()


def row_key(row: Mapping) -> tuple[str, str]:
    return (row["group"], row["name"].strip())


def compare(base_runs: Sequence[Sequence[Mapping]],
            now_runs: Sequence[Sequence[Mapping]]) -> list[Line]:
    """Side by side, from the rows of each side's runs (results.json "rows").

    Rows are matched by group and name, in the order "now" shows them (rows only one side
    has come last). A side's value is the median over its runs of the row's "wise" cell;
    the ratio is now / base when both are numbers in the same unit.
    """
    def cells(runs: Sequence[Sequence[Mapping]]) -> dict[tuple[str, str], list[str]]:
        out: dict[tuple[str, str], list[str]] = {}
        for rows in runs:
            for row in rows:
                out.setdefault(row_key(row), []).append(row.get("wise", ""))
        return out

    base_cells, now_cells = cells(base_runs), cells(now_runs)
    keys = list(dict.fromkeys([*now_cells, *base_cells]))
    lines = []
    for key in keys:
        base_text, base_vals, base_unit = _side(base_cells.get(key, []))
        now_text, now_vals, now_unit = _side(now_cells.get(key, []))
        ratio = None
        if base_vals and now_vals and base_unit == now_unit:
            b, n = statistics.median(base_vals), statistics.median(now_vals)
            ratio = n / b if b else None
        lines.append(Line(key[0], key[1], base_text, now_text, ratio,
                          tuple(base_vals), tuple(now_vals)))
    return lines


def _side(shown: Sequence[str]) -> tuple[str, list[float], str | None]:
    """(what to show, the numbers, their unit) for one side's cells of one row."""
    if not shown:
        return "—", [], None
    values = [parse_value(s) for s in shown]
    units = {v.unit for v in values if v is not None}
    if None in values or len(units) != 1:  # a failed run or text: show it as it was
        return " / ".join(dict.fromkeys(shown)), [], None
    unit = units.pop()
    numbers = [v.number for v in values if v is not None]
    return _fmt(statistics.median(numbers), unit), numbers, unit


def _fmt(number: float, unit: str) -> str:
    if unit == "%":
        return f"{number:.3f}%"
    if unit in ("", "tokens"):
        return f"{number:g}" + (f" {unit}" if unit else "")
    if unit == "ms" and abs(number) >= 1000:
        return f"{number / 1000:.2f} s"
    if unit == "ms" and 0 < abs(number) < 1:
        return f"{number * 1000:.0f} µs"
    return f"{number:.1f} {unit}"


def markdown(lines: Iterable[Line]) -> str:
    out = ["| benchmark | base | now | now / base |", "| --- | --- | --- | --- |"]
    group = None
    for line in lines:
        if line.group != group:
            group = line.group
            out.append(f"| **{group}** | | | |")
        ratio = "" if line.ratio is None else f"{line.ratio:.2f}×"
        out.append(f"| {line.name} | {line.base} | {line.now} | {ratio} |")
    return "\n".join(out)


# ------------------------------------------------------------------------------ running


def _git(*args: str, cwd: Path = ROOT) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout.strip()


def base_tree(rev: str, given: Path | None) -> Path:
    """The checkout of BASE with a venv: `given` as it is, or a worktree under bench-out."""
    if given is not None:
        if not (given / ".venv" / "bin" / "python").exists():
            sys.exit(f"{given} has no .venv: run `make .venv/.dev-installed` there")
        return given
    commit = _git("rev-parse", "--verify", f"{rev}^{{commit}}")
    tree = OUT / f"base-{commit[:12]}"
    if not (tree / ".git").exists():
        OUT.mkdir(parents=True, exist_ok=True)
        print(f"making a worktree of {commit[:12]} in {tree}", file=sys.stderr)
        _git("worktree", "add", "--detach", str(tree), commit)
    if not (tree / ".venv" / ".dev-installed").exists():
        print(f"making its venv (make .venv/.dev-installed in {tree})", file=sys.stderr)
        cache = subprocess.run([sys.executable, "-m", "pip", "cache", "dir"],
                               capture_output=True, text=True).stdout.strip()
        env = _clean_env() | ({"PIP_CACHE_DIR": cache} if cache else {})
        subprocess.run(["make", ".venv/.dev-installed"], cwd=tree, env=env, check=True)
    return tree


def _clean_env() -> dict[str, str]:
    """Our environment without what would make one tree's Python use the other's code."""
    return {k: v for k, v in os.environ.items()
            if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "MAKEFLAGS", "MFLAGS",
                         "MAKELEVEL")}


@dataclass(frozen=True)
class Run:
    side: str  # "base" or "now"
    tree: Path
    groups: tuple[str, ...]
    quick: bool


def plan(rounds: int, base: Path, now: Path, full: Sequence[str],
         quick: Sequence[str]) -> list[Run]:
    """base now | now base | base now ...: each side first in every other round, so a
    steady drift over the whole run weighs on both sides alike."""
    runs = []
    for r in range(rounds):
        order = [("base", base), ("now", now)]
        for side, tree in order if r % 2 == 0 else order[::-1]:
            if full:
                runs.append(Run(side, tree, tuple(full), False))
            if quick:
                runs.append(Run(side, tree, tuple(quick), True))
    return runs


def execute(run: Run, folder: Path) -> dict:
    """One harness run in its tree; its results.json/md and output copied into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    results = run.tree / "bench-out" / "results.json"
    results.unlink(missing_ok=True)  # a crashed run must not pass for the previous one
    argv = [str(run.tree / ".venv" / "bin" / "python"), "-m", "tests.benchmarks",
            "--only", *run.groups, *(["--quick"] if run.quick else [])]
    started = time.perf_counter()
    with open(folder / "stdout.txt", "w") as out, open(folder / "stderr.txt", "w") as err:
        code = subprocess.run(argv, cwd=run.tree, env=_clean_env(), stdout=out,
                              stderr=err).returncode
    seconds = time.perf_counter() - started
    if code != 0 or not results.exists():
        print(f"  {folder.name}: exit {code}, no results (see {folder}/stderr.txt)",
              file=sys.stderr)
        return {"rows": [], "exit": code, "seconds": seconds}
    for name in ("results.json", "results.md"):
        shutil.copy2(run.tree / "bench-out" / name, folder / name)
    data = json.loads(results.read_text())
    load = data.get("load_average_1min", {})
    print(f"  {folder.name}: {seconds:.0f} s, load average {load.get('start', 0):.1f}"
          f"–{load.get('end', 0):.1f}", file=sys.stderr)
    return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks.compare",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("base", help="the earlier commit (any git revision)")
    parser.add_argument("--base-tree", type=Path,
                        help="an existing checkout of BASE with its .venv (no worktree made)")
    parser.add_argument("--only", nargs="+", default=list(DEFAULT_GROUPS),
                        help=f"benchmark groups (default: {' '.join(DEFAULT_GROUPS)})")
    parser.add_argument("--quick", nargs="*", metavar="GROUP",
                        help="run these groups with the harness's --quick (no GROUP: all)")
    parser.add_argument("--rounds", type=int, default=2, help="runs of each side (>= 2)")
    args = parser.parse_args(argv)
    if args.rounds < 2:
        parser.error("--rounds must be at least 2: one run of each side is not a comparison")
    if args.quick is None:
        quick = []
    else:  # `--quick` alone: every group
        quick = [g for g in args.only if g in args.quick or not args.quick]
    full = [g for g in args.only if g not in quick]

    base = base_tree(args.base, args.base_tree).resolve()
    now = ROOT.resolve()
    commits = {"base": _git("rev-parse", "HEAD", cwd=base),
               "now": _git("rev-parse", "HEAD", cwd=now),
               "now_dirty": bool(_git("status", "--porcelain", "--untracked-files=no",
                                      cwd=now))}
    for tree in (base, now):  # as `make bench` does, so no first run pays for bytecode
        subprocess.run([str(tree / ".venv" / "bin" / "python"), "-m", "compileall", "-q",
                        "app", "storage", "prompts", "ui"], cwd=tree, env=_clean_env())
    folder = OUT / "compare"
    shutil.rmtree(folder, ignore_errors=True)
    when = datetime.now(UTC).isoformat(timespec="seconds")
    load_start = os.getloadavg()
    runs = plan(args.rounds, base, now, full, quick)
    print(f"{len(runs)} runs: base {commits['base'][:12]} ({base}) and now "
          f"{commits['now'][:12]}, groups {' '.join(full) or '-'}"
          + (f", quick: {' '.join(quick)}" if quick else ""), file=sys.stderr)
    done: list[tuple[Run, dict]] = []
    for i, run in enumerate(runs, 1):
        name = f"{i:02d}-{run.side}" + ("-quick" if run.quick else "")
        done.append((run, execute(run, folder / name)))
    load_end = os.getloadavg()

    # One "run" of a side per round: its full and quick results together.
    by_side: dict[str, list[list[Mapping]]] = {"base": [], "now": []}
    for run, data in done:
        if not run.quick or not full:
            by_side[run.side].append([])
        by_side[run.side][-1].extend(data.get("rows", []))
    lines = compare(by_side["base"], by_side["now"])
    loads = [d.get("load_average_1min", {}) for _, d in done]
    seen = [x for ld in loads for x in ld.values()]
    header = (f"Wise {commits['base'][:7]} (base) vs {commits['now'][:7]}"
              f"{' + uncommitted changes' if commits['now_dirty'] else ''} (now), {when}: "
              f"{args.rounds} rounds, median over rounds; groups {' '.join(full) or '-'}"
              + (f", with --quick: {' '.join(quick)}" if quick else "")
              + (f"; load average {min(seen):.1f}–{max(seen):.1f}" if seen else ""))
    table = markdown(lines)
    print()
    print(header)
    print()
    print(table)
    (OUT / "compare.md").write_text(f"{header}\n\n{table}\n")
    (OUT / "compare.json").write_text(json.dumps({
        "when": when, "commits": commits, "base_tree": str(base), "rounds": args.rounds,
        "groups": full, "quick_groups": quick,
        "load_average_1min": {"start": load_start[0], "end": load_end[0],
                              "runs": loads},
        "runs": [{"side": r.side, "groups": r.groups, "quick": r.quick,
                  "exit": d.get("exit", 0), "seconds_total": d.get("seconds_total")}
                 for r, d in done],
        "lines": [asdict(line) for line in lines],
    }, indent=2, ensure_ascii=False) + "\n")
    print(f"\nwrote {OUT / 'compare.md'} and {OUT / 'compare.json'} "
          f"(each run's own results in {folder})")
    return 0 if all(d.get("rows") for _, d in done) else 1


if __name__ == "__main__":
    sys.exit(main())
