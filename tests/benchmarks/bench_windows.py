"""Windows: the reflection and goal-review windows, opened and streaming, as the tray runs them.

Each sample is a fresh process (window_probe.py, Qt offscreen) holding a QApplication and a
journal-writer thread, as the running tray does, so the numbers are the user's first open
after start-up: the window's modules imported, the window built and shown, its reads
(plain sqlite3) done on the writer thread.

  open   time to first paint (target <= 300 ms) and to its data on screen, for each
         window, on the five-year heavy journal of the rituals group (one year with
         --quick) side by side with an empty journal, round-robin (10 rounds; 3 with
         --quick). The ratio says how much of it the data costs.
  lag    event-loop lag in the reflection window: a 10 ms timer's lateness while the
         window is open and idle (the floor), and while a reflection streams in through
         the real `wise reflect --stream` child and model worker from tests/fake_openai.py
         (a valid reflection reply in ~600 small chunks, 4 ms apart: a fast local model).
         Target: p99 <= 50 ms while streaming.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.benchmarks.harness import ROOT, Row, Stats, Workspace, med_p90, ms, ratio
from tests.benchmarks.seed import copy_journal

TARGET_PAINT_S = 0.300
TARGET_LAG_S = 0.050
REPLY = {
    "celebrate": "You went for a walk and answered Sam, on a day that started slowly.",
    "reflection": "It seems the walk did more than move your legs: it cleared room for the "
                  "call you had put off. Maybe small moves like that are how your days "
                  "turn, more than big plans. The heat and the open tabs got in the way, "
                  "and still you showed up for what mattered to you.",
    "question": "What made the walk possible today?",
    "next_step": "Put the tax papers in one pile on the desk",
    "next_step_minutes": 2,
    "goal": None,
}


def _probe(ws: Workspace, home: Path, *args: str, env: dict | None = None,
           timeout: float = 240) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "tests.benchmarks.window_probe", *args], cwd=ROOT,
        env=ws.env(WISE_HOME=str(home), QT_QPA_PLATFORM="offscreen",
                   XDG_RUNTIME_DIR=str(home), **(env or {})),
        capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"window_probe {' '.join(args)} failed: "
                           f"{done.stderr.strip()[-600:]}")
    return json.loads(done.stdout)


def _homes(ws: Workspace) -> tuple[Path, Path, dict]:
    from tests.benchmarks.bench_rituals import _journal

    years = 1 if ws.quick else 5
    heavy_db, meta = _journal(ws, "heavy", 365 * years + 1)
    empty = copy_journal(None, ws, "windows-empty")
    # An empty journal that exists (migrated), as after the tray's first start.
    subprocess.run([sys.executable, "-m", "app.cli.main", "goals", "--json"], cwd=ROOT,
                   env=ws.env(WISE_HOME=str(empty)), capture_output=True, check=True)
    return heavy_db.parent, empty, meta


def open_rows(ws: Workspace, heavy: Path, empty: Path, meta: dict) -> list[Row]:
    rounds = 3 if ws.quick else 10
    samples: dict[tuple[str, str], list[dict]] = {}
    ws.log(f"opening each window {rounds} x on the heavy and the empty journal ...")
    _probe(ws, empty, "open", "reflection")  # warm the file cache, untimed
    for _ in range(rounds):
        for kind in ("reflection", "review"):
            for name, home in (("heavy", heavy), ("empty", empty)):
                samples.setdefault((kind, name), []).append(_probe(ws, home, "open", kind))
    years = 1 if ws.quick else 5
    group = f"windows: first open ({years} heavy year{'s' * (years > 1)} vs empty)"
    rows = []
    for kind, title in (("reflection", "reflection window"), ("review", "goal review")):
        for what, label, target in (("paint_s", "to first paint", True),
                                    ("filled_s", "to its data on screen", False)):
            big = Stats.of([s[what] for s in samples[(kind, "heavy")]])
            small = Stats.of([s[what] for s in samples[(kind, "empty")]])
            rows.append(Row(
                group, f"{title}, {label}", med_p90(big), med_p90(small),
                ratio(big.median, small.median), "≤ 300 ms" if target else "",
                met=big.median <= TARGET_PAINT_S if target else None,
                note=(f"first open in a running app (imports, build, show); baseline: an "
                      f"empty journal; heavy: {meta['notes']:,} notes, {meta['done']:,} "
                      "done steps"),
                data={"heavy": big, "empty": small}))
    return rows


def lag_rows(ws: Workspace, heavy: Path) -> list[Row]:
    from tests.fake_openai import FakeOpenAI, Reply

    text = json.dumps(REPLY)
    chunks = [text[i:i + 1] for i in range(len(text))]
    server = FakeOpenAI().start()
    try:
        server.script(Reply(text, chunks=chunks, chunk_delay=0.004))
        home = copy_journal(heavy, ws, "windows-lag")
        (home / "settings.toml").write_text(
            f'[llm]\nmodel = "openai/test-model"\napi_base = "{server.base_url}"\n')
        ws.log(f"event-loop lag while a reflection streams ({len(chunks)} chunks) ...")
        result = _probe(ws, home, "lag", "3" if ws.quick else "5",
                        env={"OPENAI_API_KEY": "sk-bench-not-a-real-key"})
    finally:
        server.stop()
    idle, streaming = Stats.of(result["idle"]), Stats.of(result["streaming"])
    group = "windows: event-loop lag (10 ms timer)"
    note = (f"{len(chunks)} chunks streamed in {result['stream_s']:.1f} s through the real "
            f"child and worker ({result['shown_chars']} characters shown); baseline: the "
            f"same window idle; {streaming.n} ticks")
    return [
        Row(group, "lateness while a reflection streams, p99", ms(streaming.p99),
            ms(idle.p99), _ratio_over_floor(streaming.p99, idle.p99), "≤ 50 ms",
            met=streaming.p99 <= TARGET_LAG_S, note=note,
            data={"streaming": streaming, "idle": idle, "stream_s": result["stream_s"]}),
        Row(group, "lateness while a reflection streams, median", ms(streaming.median),
            ms(idle.median), _ratio_over_floor(streaming.median, idle.median), "",
            note=f"max {ms(streaming.max)} (idle max {ms(idle.max)})"),
    ]


def _ratio_over_floor(value: float, floor: float) -> float | None:
    """No ratio when the idle floor is below a millisecond: it would only show noise."""
    return ratio(value, floor) if floor >= 0.001 else None


def run(ws: Workspace) -> list[Row]:
    heavy, empty, meta = _homes(ws)
    return open_rows(ws, heavy, empty, meta) + lag_rows(ws, heavy)


STEPS = (run,)
