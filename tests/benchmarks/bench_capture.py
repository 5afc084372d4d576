"""Capture: `wise capture "text"` as a real process, and the in-process commit.

Wall time (fresh process per run, round-robin interleaved in one loop):
  floor        `.venv/bin/python -c pass`: the least any Python CLI can cost here
  wise empty   `wise capture TEXT` into a journal that exists but holds nothing
  wise 100k    the same into a copy of a seeded journal of 100,000 entries
  jrnl         `jrnl TEXT` (plain-text journal) on an empty and a 100k-entry journal
  task         `task add TEXT` (taskwarrior) on an empty and a 20k-task database
The first capture into each empty journal creates it and is an untimed warm-up (shown
once, for information). jrnl reads and rewrites its whole file on every call, so at
100k it runs in every other round only, to keep the whole run inside its time budget.

In-process (`capture_commit`): `app.capture.service.capture(context, text, writer=...)`
as the tray runs it (one kept-open connection, on one thread) on a 100k-entry journal with
the journal's own PRAGMAs (synchronous=FULL, checked and reported), 500 times with varied
text; then the same without a writer (a connection per capture, as a one-shot CLI process
does), to show what reopening costs: SQLite re-creates, checkpoints and deletes the WAL.
"""

from __future__ import annotations

import os
import sqlite3

from tests.benchmarks import baselines, seed
from tests.benchmarks.harness import (
    BIN,
    Cmd,
    Row,
    Workspace,
    fsync_probe,
    interleaved,
    last_line,
    med_p90,
    ms,
    ratio,
    run_cmd,
    time_calls_interleaved,
)

TEXT = "Called the garage about the brakes, they can look at it next week"


def _sizes(ws: Workspace) -> dict[str, int]:
    if ws.quick:
        return {"wise": 10_000, "jrnl": 2_000, "task": 2_000, "runs": 8, "inproc": 100}
    return {"wise": 100_000, "jrnl": 100_000, "task": 20_000, "runs": 20, "inproc": 500}


def _k(n: int) -> str:
    return f"{n // 1000}k" if n >= 1000 else str(n)


def run_wall(ws: Workspace) -> list[Row]:
    size = _sizes(ws)
    runs, big = size["runs"], size["wise"]
    group = "capture: wall time, new process per run"
    rows: list[Row] = []

    cmds: dict[str, Cmd] = {}
    cmds["floor"] = Cmd([str(BIN / "python"), "-c", "pass"], ws.env())
    wise = [str(BIN / "wise"), "capture", TEXT]
    empty_home = seed.fresh_wise_home(ws, 0, "capture-wise-empty")
    first = run_cmd(wise, ws.env(WISE_HOME=str(empty_home)))  # creates the journal
    cmds["wise empty"] = Cmd(wise, ws.env(WISE_HOME=str(empty_home)))
    big_home = seed.fresh_wise_home(ws, big, f"capture-wise-{big}")
    cmds["wise big"] = Cmd(wise, ws.env(WISE_HOME=str(big_home)))

    notes = {}
    jrnl_empty = baselines.jrnl_instance(ws, "capture-jrnl-empty", 0)
    if isinstance(jrnl_empty, str):
        notes["jrnl"] = jrnl_empty
    else:
        cmds["jrnl empty"] = Cmd([str(jrnl_empty.exe), TEXT], jrnl_empty.env(ws))
        jrnl_big = baselines.jrnl_instance(ws, "capture-jrnl-big", size["jrnl"])
        cmds["jrnl big"] = Cmd([str(jrnl_big.exe), TEXT], jrnl_big.env(ws),
                               every=1 if ws.quick else 2)
    task_empty = baselines.task_instance(ws, "capture-task-empty", 0)
    if isinstance(task_empty, str):
        notes["task"] = task_empty
        print(task_empty, flush=True)
    else:
        cmds["task empty"] = Cmd([task_empty.exe, "add", TEXT], task_empty.env(ws))
        task_big = baselines.task_instance(ws, "capture-task-big", size["task"])
        if isinstance(task_big, str):
            notes["task"] = task_big
        else:
            cmds["task big"] = Cmd([task_big.exe, "add", TEXT], task_big.env(ws))

    ws.log(f"capture wall time: {len(cmds)} commands x {runs} interleaved rounds ...")
    # Stop early (never below 15 rounds) if a loaded machine makes the baselines crawl.
    st = interleaved(cmds, runs, warmup=1, budget_s=None if ws.quick else 150,
                     min_runs=min(15, runs))
    w0, wb, floor = st["wise empty"], st["wise big"], st["floor"]

    rows.append(Row(group, "python -c pass (floor)", med_p90(floor), data={"floor": floor}))
    rows.append(Row(group, "wise capture, first ever (creates journal)", ms(first.seconds),
                    note="" if first.returncode == 0 else
                    f"failed: exit {first.returncode}: {last_line(first.stderr)}",
                    data={"seconds": first.seconds}))
    rows.append(Row(group, "wise capture, empty journal vs floor", med_p90(w0), med_p90(floor),
                    ratio(w0.median, floor.median), data={"wise": w0, "floor": floor},
                    note=_failure_note(w0)))
    bigratio = ratio(wb.median, w0.median)
    rows.append(Row(group, f"wise capture, {_k(big)} vs empty journal", med_p90(wb),
                    med_p90(w0), bigratio, "≤ 1.20×",
                    None if bigratio is None else bigratio <= 1.2,
                    data={"wise_big": wb, "wise_empty": w0, "entries": big},
                    note=_failure_note(wb)))
    if "jrnl empty" in st:
        j0, jb = st["jrnl empty"], st["jrnl big"]
        v = jrnl_empty.version
        r0 = ratio(w0.median, j0.median)
        rows.append(Row(group, f"wise vs jrnl {v}, both empty", med_p90(w0), med_p90(j0), r0,
                        "≤ 1.00×", None if r0 is None else r0 <= 1.0,
                        data={"wise": w0, "jrnl": j0}, note=_failure_note(j0, "jrnl")))
        rows.append(Row(group, f"wise vs jrnl, {_k(big)} vs {_k(size['jrnl'])} entries",
                        med_p90(wb), med_p90(jb), ratio(wb.median, jb.median),
                        data={"wise": wb, "jrnl": jb, "jrnl_entries": size["jrnl"]},
                        note=_failure_note(jb, "jrnl") or
                        (f"jrnl {v} reads and rewrites its whole file per entry; "
                         f"{jb.n} runs" if jb.n < runs else "")))
        jr = ratio(jb.median, j0.median)
        rows.append(Row(group, f"  (jrnl itself: {_k(size['jrnl'])} vs empty)", med_p90(jb),
                        med_p90(j0), jr, data={}))
    else:
        rows.append(Row(group, "wise vs jrnl", med_p90(w0), "not run", note=notes["jrnl"]))
    if "task empty" in st:
        t0 = st["task empty"]
        v = task_empty.version
        rows.append(Row(group, f"wise vs task add ({v}), both empty", med_p90(w0), med_p90(t0),
                        ratio(w0.median, t0.median), data={"wise": w0, "task": t0},
                        note=_failure_note(t0, "task")))
        if "task big" in st:
            tb = st["task big"]
            rows.append(Row(group, f"wise vs task add, {_k(big)} entries vs {_k(size['task'])} "
                            "tasks", med_p90(wb), med_p90(tb), ratio(wb.median, tb.median),
                            data={"wise": wb, "task": tb, "tasks": size["task"]},
                            note=_failure_note(tb, "task")))
            rows.append(Row(group, f"  (task itself: {_k(size['task'])} vs empty)", med_p90(tb),
                            med_p90(t0), ratio(tb.median, t0.median)))
        else:
            rows.append(Row(group, "wise vs task add (big)", med_p90(wb), "not run",
                            note=notes["task"]))
    else:
        rows.append(Row(group, "wise vs task add", med_p90(w0), "not installed",
                        note=notes["task"]))
    return rows


def _failure_note(stats, who: str = "wise") -> str:
    if not stats.failures:
        return ""
    return f"{who}: {stats.failures} failed runs; first: {stats.error}"


def run_inprocess(ws: Workspace) -> list[Row]:
    """Capture commit time inside one process, on a big journal, synchronous=FULL.

    Each call is timed side by side (A B A B) with one 4 KiB write + fdatasync in the
    same folder: a commit is bound by the disk's flush latency, which on a shared
    machine swings tenfold, and the ratio says how many flushes' worth a capture costs.
    """
    from app.capture.service import capture
    from app.journal import Context
    from storage.capture_writer import CaptureWriter, connect

    size = _sizes(ws)
    big, runs = size["wise"], size["inproc"]
    group = f"capture: in-process commit, {_k(big)} entries"
    home = seed.fresh_wise_home(ws, big, "capture-inprocess")
    previous = os.environ.get("WISE_HOME")
    os.environ["WISE_HOME"] = str(home)
    probe, close_probe = fsync_probe(home)
    try:
        db = home / "wise.db"
        conn = connect(db)
        try:
            sync = conn.execute("PRAGMA synchronous").fetchone()[0]
            journal_mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
        finally:
            conn.close()
        sync_name = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}.get(sync, str(sync))
        gen = seed.TextGenerator(seed=seed.SEED + 7)
        texts = [gen.sentence_text() for _ in range(runs)]
        warm = [gen.sentence_text() for _ in range(3)]

        def text(i: int) -> str:
            return texts[i] if i >= 0 else warm[-1 - i]

        context = Context.from_environment()
        writer = CaptureWriter(db)
        ws.log(f"in-process capture() x {runs} on {big:,} entries, with an fsync probe ...")
        try:
            st = time_calls_interleaved(
                {"capture": lambda i: capture(context, text(i), writer=writer),
                 "fsync": probe}, runs)
        finally:
            writer.close()
        full, flush = st["capture"], st["fsync"]

        ws.log(f"in-process one-shot capture() x {runs}, with an fsync probe ...")
        st = time_calls_interleaved(
            {"write": lambda i: capture(context, text(i)), "fsync": probe}, runs)
        write, flush2 = st["write"], st["fsync"]
        check = sqlite3.connect(db)
        count = check.execute("SELECT count(*) FROM entries").fetchone()[0]
        check.close()
    finally:
        close_probe()
        if previous is None:
            os.environ.pop("WISE_HOME", None)
        else:
            os.environ["WISE_HOME"] = previous
    note = (f"PRAGMA synchronous={sync_name}, journal_mode={journal_mode}; {runs} calls, each "
            "followed by the probe (baseline column): one 4 KiB write + fdatasync")
    return [
        Row(group, "capture() median", ms(full.median), ms(flush.median),
            ratio(full.median, flush.median), "≤ 5 ms", full.median <= 0.005, note=note,
            data={"capture": full, "fsync_probe": flush, "synchronous": sync_name,
                  "journal_mode": journal_mode, "entries_after": count}),
        Row(group, "capture() p99", ms(full.p99), ms(flush.p99), ratio(full.p99, flush.p99),
            "≤ 20 ms", full.p99 <= 0.020),
        Row(group, "one-shot capture() (new connection each), median (p99)",
            f"{ms(write.median)} (p99 {ms(write.p99)})",
            f"{ms(flush2.median)} (p99 {ms(flush2.p99)})", ratio(write.median, flush2.median),
            data={"one_shot_capture": write, "fsync_probe": flush2}),
    ]


STEPS = (run_wall, run_inprocess)
