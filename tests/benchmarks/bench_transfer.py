"""Export and import of a 100k-entry journal: wall time and peak memory.

Each step is the real command in its own process; its peak RSS is the ru_maxrss that
os.wait4 returns for that one child (see harness.run_cmd):
  export json      `wise export --format json -o FILE` from a copy of the seeded journal
  export markdown  `wise export --format markdown -o FILE`
  import json      `wise import FILE` (the JSON export above) into an empty WISE_HOME,
                   a fresh one for every run
  import jrnl      `wise import --from jrnl FILE`: a jrnl JSON export of as many entries
                   (seed.jrnl_export_json), into an empty WISE_HOME, fresh every run
The floor row (`python -c pass`) shows how much of the memory is just the interpreter.
A command that fails is reported in its row with its error; the run goes on.

There is no baseline tool here (jrnl has no import, and a plain-text copy is not a fair
comparison), so these rows carry absolute numbers, per 1,000 entries as well, and a check
that the import round-trips (same entry count).

A second step (`sqlite3_vs_orm`) measures the export and import code itself, in-process,
on the rituals group's five heavy years (one with --quick: 50 notes a day, ten done steps,
words, reflections, feedback): the sqlite3 code of this tree side by side with the ORM
code it replaced, read from git at ORM_REF (`git show`; set WISE_BENCH_ORM_REF to compare
with another commit), round-robin, each import into its own empty journal. Each row says
whether the two wrote the same bytes. Last, whether `wise export` (JSON and Markdown) and
`wise import` load SQLAlchemy, in a process of their own.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from types import ModuleType

from tests.benchmarks import seed
from tests.benchmarks.harness import (
    BIN,
    ROOT,
    Row,
    Stats,
    Workspace,
    last_line,
    mib,
    ratio,
    run_cmd,
    secs,
)


def _sizes(ws: Workspace) -> dict[str, int]:
    return {"entries": 10_000, "runs": 1} if ws.quick else {"entries": 100_000, "runs": 3}


def run(ws: Workspace) -> list[Row]:
    size = _sizes(ws)
    n, runs = size["entries"], size["runs"]
    group = f"export / import: {n // 1000}k entries, wall time and peak RSS"
    source = seed.fresh_wise_home(ws, n, "transfer-source")
    files = ws.run / "transfer-files"
    files.mkdir(parents=True, exist_ok=True)
    wise = str(BIN / "wise")
    json_file = files / "export.json"
    md_file = files / "export.md"
    import_home = ws.run / "transfer-import"
    jrnl_file = seed.jrnl_export_json(ws, n)

    def fresh_import_home() -> None:
        shutil.rmtree(import_home, ignore_errors=True)
        import_home.mkdir(parents=True)

    steps = {
        "export json": ([wise, "export", "--format", "json", "-o", str(json_file)],
                        source, None),
        "export markdown": ([wise, "export", "--format", "markdown", "-o", str(md_file)],
                            source, None),
        "import json (into an empty journal)": ([wise, "import", str(json_file)],
                                                import_home, fresh_import_home),
        "import jrnl export (into an empty journal)": (
            [wise, "import", "--from", "jrnl", str(jrnl_file), "--tz", "UTC"],
            import_home, fresh_import_home),
    }
    floor = run_cmd([str(BIN / "python"), "-c", "pass"], ws.env(), measure_rss=True)
    results: dict[str, tuple[Stats, int]] = {}
    # Round-robin like the other groups: export json, export md, import, then again.
    samples: dict[str, list[float]] = {name: [] for name in steps}
    peaks = dict.fromkeys(steps, 0)
    errors: dict[str, str] = {}
    imported: dict[str, int] = {}  # entries in the journal after each import
    started = time.perf_counter()
    for round_no in range(runs):
        if round_no and time.perf_counter() - started > 150:  # a loaded machine: enough
            break
        for name, (argv, home, before) in steps.items():
            if name in errors:
                continue
            if name.startswith("import json") and not json_file.exists():
                errors[name] = "skipped: there is no JSON export to import"
                continue
            if before:
                before()
            ws.log(f"{name} ({round_no + 1}/{runs}) ...")
            result = run_cmd(argv, ws.env(WISE_HOME=str(home)), measure_rss=True, timeout=300)
            if result.returncode != 0:
                errors[name] = f"FAILED, exit {result.returncode}: {last_line(result.stderr)}"
                continue
            samples[name].append(result.seconds)
            peaks[name] = max(peaks[name], result.peak_rss_kib)
            if name.startswith("import"):
                imported[name] = _entries_in(home / "wise.db")
    for name in steps:
        results[name] = (Stats.of(samples[name], error=errors.get(name),
                                  peak_rss_kib=peaks[name] or None), peaks[name])

    rows = [Row(group, "python -c pass (floor)", f"{mib(floor.peak_rss_kib)}",
                data={"peak_rss_kib": floor.peak_rss_kib})]
    sizes_mb = {"export json": json_file, "export markdown": md_file}
    for name, (stats, peak) in results.items():
        if not stats.n:
            rows.append(Row(group, name, "FAILED", note=stats.error or "no runs",
                            data={"error": stats.error}))
            continue
        per_k = stats.median / n * 1000
        extra = ""
        if name in sizes_mb and sizes_mb[name].exists():
            extra = f"; file {sizes_mb[name].stat().st_size / 2**20:.1f} MiB"
        note = ""
        if name.startswith("import"):
            count = imported[name]
            extra += f"; {count:,} entries after import"
            if count != n:
                note = f"the import holds {count:,} entries, the export {n:,}"
        rows.append(Row(group, name, f"{secs(stats.median)}, {mib(peak)} peak",
                        target="", note=note or _spread(stats) + extra,
                        data={"stats": stats, "peak_rss_kib": peak, "entries": n,
                              "ms_per_1000_entries": per_k * 1000}))
    return rows


def _spread(stats: Stats) -> str:
    if stats.n < 2:
        return f"{stats.n} run"
    return f"{stats.n} runs, {secs(stats.min)}–{secs(stats.max)}"


def _entries_in(db) -> int:
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            return conn.execute("SELECT count(*) FROM entries").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return -1


# The last commit whose export and import went through the SQLAlchemy ORM.
ORM_REF = "6dd7783"
_EXPORTED_AT = datetime(2026, 12, 4, 18, 0, tzinfo=UTC)
_TZ = timezone(timedelta(hours=1))


def _module_at(ref: str, path: str, name: str) -> ModuleType:
    """A module of the project as it was at `ref` (its imports resolve in this tree)."""
    source = subprocess.run(["git", "show", f"{ref}:{path}"], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout
    spec = importlib.util.spec_from_loader(name, loader=None)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while it runs
    exec(compile(source, f"{ref}:{path}", "exec"), module.__dict__)  # the project's own code
    return module


def _digest(path: Path, skip_first_line: bool = False) -> str:
    with open(path, "rb") as handle:
        if skip_first_line:
            handle.readline()  # the header: exported_at differs from run to run
        return hashlib.sha256(handle.read()).hexdigest()


def sqlite3_vs_orm(ws: Workspace) -> list[Row]:
    from storage.engine import Journal
    from storage.export_json import export_json
    from storage.export_markdown import export_markdown
    from storage.import_json import import_json
    from storage.migrate import ensure_schema
    from tests.benchmarks.bench_rituals import _journal

    years = 1 if ws.quick else 5
    runs = 1 if ws.quick else 3
    ref = os.environ.get("WISE_BENCH_ORM_REF", ORM_REF)
    group = (f"export / import code: {years} heavy year{'s' * (years > 1)}, sqlite3 (this "
             f"tree) vs the ORM ({ref}), in-process")
    try:
        old_json = _module_at(ref, "storage/export_json.py", "orm_export_json")
        old_md = _module_at(ref, "storage/export_markdown.py", "orm_export_markdown")
        old_import = _module_at(ref, "storage/import_json.py", "orm_import_json")
    except (subprocess.CalledProcessError, OSError) as exc:
        return [Row(group, "the ORM code", "FAILED", note=f"git show {ref}: {exc}"[:300])]
    db, meta = _journal(ws, "heavy", 365 * years + 1)
    files = ws.run / "transfer-code"
    files.mkdir(parents=True, exist_ok=True)
    empty = files / "empty" / "wise.db"
    empty.parent.mkdir()
    ensure_schema(empty, files / "backups", keep_backups=1)
    source = Journal(db)

    def with_journal(target: Path, work: Callable[[Journal], object]) -> None:
        journal = Journal(target)
        try:
            work(journal)
        finally:
            journal.close()

    def export_to(name: str, write: Callable[[io.TextIOBase], object]) -> Callable[[], None]:
        def run_it() -> None:
            with open(files / name, "w", encoding="utf-8") as out:
                write(out)
        return run_it

    def import_into(name: str, load: Callable[[Path], object]) -> Callable[[], None]:
        target = files / name / "wise.db"

        def prepare() -> None:
            shutil.rmtree(target.parent, ignore_errors=True)
            target.parent.mkdir()
            shutil.copyfile(empty, target)

        def run_it() -> None:
            load(target)
        run_it.prepare = prepare  # type: ignore[attr-defined]
        return run_it

    def old_load(target: Path) -> None:
        with open(files / "orm.json", "rb") as handle:
            with_journal(target, lambda journal: old_import.import_json(journal, handle))

    def new_load(target: Path) -> None:
        with open(files / "sqlite3.json", "rb") as handle:
            import_json(target, handle)

    pairs: dict[str, tuple[Callable[[], None], Callable[[], None]]] = {
        "export json": (
            export_to("sqlite3.json", lambda out: export_json(
                db, out, exported_at=_EXPORTED_AT, app_version="bench")),
            export_to("orm.json", lambda out: old_json.export_json(
                source, out, exported_at=_EXPORTED_AT, app_version="bench"))),
        "export markdown": (
            export_to("sqlite3.md", lambda out: export_markdown(
                db, out, day_start_hour=4, tz=_TZ, generated_at=_EXPORTED_AT)),
            export_to("orm.md", lambda out: old_md.export_markdown(
                source, out, day_start_hour=4, tz=_TZ, generated_at=_EXPORTED_AT))),
        "import json (into an empty journal)": (import_into("sqlite3-import", new_load),
                                                import_into("orm-import", old_load)),
    }
    # Wall time, and this process's CPU time: on a shared machine the CPU time says more
    # (the waits for a core are not in it; SQLite's own work and its fsyncs' CPU are).
    samples: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in pairs}
    cpu: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in pairs}
    try:
        for round_no in range(runs + 1):  # round 0 warms up and is not counted
            for name, contenders in pairs.items():
                for index, call in enumerate(contenders):
                    ws.log(f"{name}, {('sqlite3', 'ORM')[index]} ({round_no}/{runs}) ...")
                    prepare = getattr(call, "prepare", None)
                    if prepare:
                        prepare()
                    started, cpu_started = time.perf_counter(), time.process_time()
                    call()
                    if round_no:
                        samples[name][index].append(time.perf_counter() - started)
                        cpu[name][index].append(time.process_time() - cpu_started)
    finally:
        source.close()
    same = {
        "export json": _digest(files / "sqlite3.json") == _digest(files / "orm.json"),
        "export markdown": _digest(files / "sqlite3.md") == _digest(files / "orm.md"),
    }
    # Each imported journal exported again (by this tree's export): the same bytes.
    again = {}
    for name in ("sqlite3-import", "orm-import"):
        export_to(f"{name}.json", lambda out, name=name: export_json(
            files / name / "wise.db", out, exported_at=_EXPORTED_AT, app_version="bench"))()
        again[name] = _digest(files / f"{name}.json")
    same["import json (into an empty journal)"] = (
        again["sqlite3-import"] == again["orm-import"] == _digest(files / "sqlite3.json"))
    rows = []
    for name, (new, old) in samples.items():
        new_stats, old_stats = Stats.of(new), Stats.of(old)
        new_cpu, old_cpu = Stats.of(cpu[name][0]), Stats.of(cpu[name][1])
        rows.append(Row(
            group, name, secs(new_stats.median), baseline=f"ORM {secs(old_stats.median)}",
            ratio=ratio(new_stats.median, old_stats.median),
            note=("identical bytes" if same[name] else "**DIFFERENT bytes**")
            + f"; CPU {secs(new_cpu.median)} vs {secs(old_cpu.median)} "
            f"({ratio(new_cpu.median, old_cpu.median) or float('nan'):.2f}×); "
            f"{len(new)} runs each, round-robin",
            data={"sqlite3": new_stats, "orm": old_stats, "sqlite3_cpu": new_cpu,
                  "orm_cpu": old_cpu, "same_bytes": same[name], "journal": meta}))
    rows.append(_sqlalchemy_row(ws, group, files))
    return rows


_LOADS = """
import sys
from app.cli.main import main
sys.argv = ["wise", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
print("sqlalchemy" in sys.modules)
"""


def _sqlalchemy_row(ws: Workspace, group: str, files: Path) -> Row:
    """Whether the commands load SQLAlchemy (a migration at start would, once)."""
    home = files / "cli-home"
    home.mkdir(exist_ok=True)
    env = ws.env(WISE_HOME=str(home))
    commands = {"export json": ["export", "--format", "json", "-o", str(files / "cli.json")],
                "export markdown": ["export", "--format", "markdown", "-o",
                                    str(files / "cli.md")],
                "import": ["import", str(files / "cli.json")]}
    subprocess.run([str(BIN / "wise"), "capture", "a first note"], env=env, check=True,
                   capture_output=True)  # the journal exists and is current
    loaded = {}
    for name, argv in commands.items():
        result = subprocess.run([str(BIN / "python"), "-c", _LOADS, *argv], env=env,
                                capture_output=True, text=True, cwd=ROOT)
        loaded[name] = result.stdout.strip().splitlines()[-1:] == ["True"]
    named = [name for name, yes in loaded.items() if yes]
    return Row(group, "wise export / import: SQLAlchemy loaded",
               "in " + ", ".join(named) if named else "no", target="no", met=not named,
               data={"loaded": loaded})


STEPS = (run, sqlite3_vs_orm)
