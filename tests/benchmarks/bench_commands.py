"""Commands: the read commands as new processes, and whether they import SQLAlchemy.

`wise today --json`, `wise goals --json`, `wise reflect --dry-run` (no model set: the plan
of the plain reflection) and `wise llm usage`, each a new process per run, round-robin with
`python -c pass` (the floor), on a copy of the rituals group's heavy journal (five years,
one in --quick). Their reads go through storage/repo/ (stdlib sqlite3); SQLAlchemy and
Alembic are for declaring and migrating the schema, so a read command on a current journal
should not import them: `python -X importtime` shows whether it does (one run each).

Side by side with another tree (`WISE_BENCH_BEFORE=/path/to/an/older/checkout`): each
command also runs as `python -m app.cli.main` from that tree and from this one,
interleaved in the same loop, and the table shows this tree / that tree (how the README's
"before/after" ratios of a change are measured: check the older commit out with `git
archive COMMIT | tar -x -C DIR`). Unlike `make bench-compare` (whole harness runs of two
trees, alternately), the two trees' runs alternate within one loop, and the older tree
needs no harness of its own: it may predate this group.
"""

from __future__ import annotations

import os
from pathlib import Path

from tests.benchmarks.bench_rituals import _journal
from tests.benchmarks.harness import (
    BIN,
    ROOT,
    Cmd,
    Row,
    Workspace,
    interleaved,
    last_line,
    med_p90,
    ratio,
    run_cmd,
)

COMMANDS = {
    "today": ("today", "--json"),
    "goals": ("goals", "--json"),
    "reflect": ("reflect", "--dry-run"),
    "usage": ("llm", "usage"),
}


def _imports_sqlalchemy(argv: list[str], env: dict[str, str], cwd: Path) -> bool | str:
    """Whether the command imports sqlalchemy (or the error, when it fails)."""
    result = run_cmd([str(BIN / "python"), "-X", "importtime", "-m", "app.cli.main", *argv],
                     env, cwd=cwd)
    if result.returncode != 0:
        return f"exit {result.returncode}: {last_line(result.stderr)}"
    return any(line.rsplit("|", 1)[-1].strip().startswith("sqlalchemy")
               for line in result.stderr.splitlines() if line.startswith("import time:"))


def run(ws: Workspace) -> list[Row]:
    years = 1 if ws.quick else 5
    runs = 6 if ws.quick else 20
    db, _meta = _journal(ws, "heavy", 365 * years + 1)
    env = ws.env(WISE_HOME=str(db.parent))
    group = f"commands: read commands, new process per run ({years} heavy year"\
            f"{'s' * (years > 1)})"
    before = os.environ.get("WISE_BENCH_BEFORE")
    cmds: dict[str, Cmd] = {"floor": Cmd([str(BIN / "python"), "-c", "pass"], ws.env())}
    for key, argv in COMMANDS.items():
        cmds[key] = Cmd([str(BIN / "wise"), *argv], env)
        if before:
            module = [str(BIN / "python"), "-m", "app.cli.main", *argv]
            cmds[f"{key} now"] = Cmd(module, env, cwd=ROOT)
            cmds[f"{key} before"] = Cmd(module, env, cwd=Path(before))
    ws.log(f"read commands x {runs}{' beside ' + before if before else ''} ...")
    stats = interleaved(cmds, runs, warmup=1)
    floor = stats["floor"]
    rows = [Row(group, "python -c pass (floor)", med_p90(floor), data={"stats": floor})]
    loaded = {}
    for key, argv in COMMANDS.items():
        loaded[key] = _imports_sqlalchemy(list(argv), env, ROOT)
        mine = stats[key]
        rows.append(Row(group, f"wise {' '.join(argv)} vs floor", med_p90(mine),
                        med_p90(floor), ratio(mine.median, floor.median),
                        note=mine.error or "", data={"stats": mine}))
    for key, argv in COMMANDS.items():
        if before:
            now, then = stats[f"{key} now"], stats[f"{key} before"]
            rows.append(Row(group, f"↳ wise {' '.join(argv)}: this tree vs before",
                            med_p90(now), med_p90(then), ratio(now.median, then.median),
                            note=then.error or now.error or "",
                            data={"now": now, "before": then, "before_tree": before}))
    importing = [key for key, found in loaded.items() if found is True]
    failed = {key: found for key, found in loaded.items() if isinstance(found, str)}
    rows.append(Row(group, "read commands that import sqlalchemy",
                    f"{len(importing)} of {len(loaded)}"
                    + (f" ({', '.join(importing)})" if importing else ""),
                    target="none", met=None if failed else not importing,
                    note="; ".join(f"{k}: {v}" for k, v in failed.items()),
                    data={"imports_sqlalchemy": loaded}))
    return rows


STEPS = (run,)
