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
"""

from __future__ import annotations

import shutil
import sqlite3
import time

from tests.benchmarks import seed
from tests.benchmarks.harness import (
    BIN,
    Row,
    Stats,
    Workspace,
    last_line,
    mib,
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


STEPS = (run,)
