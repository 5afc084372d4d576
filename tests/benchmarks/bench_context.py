"""Context: the daily reflection's input size and build time as a heavy journal grows.

Three journals of a heavy user, 1 week, 1 year and 5 years long, each day with 50 notes
(seed.TextGenerator text, 07:00 to 01:30 local, a fifth linked to a goal, a third with
mood and energy), 6 actions (4 done that day, 1 done a few days later, 1 left open, half
of those with a due day: open to-dos pile up over the years), one daily reflection with
a next step, rated helpful 4 days in 10. Goals: 4 active with whys and cadences, 1
paused, 1 done. The day and week summaries are made as the nightly job makes them:
`ensure_summaries` with the plain fallback, over the whole journal. The last day ("today",
a fixed date so the cache is deterministic) is a full day of 50 notes too.

Measured for each: the estimated input tokens of `build_reflection_context` for today
with the default budget (3,000; target: within it, and flat: 5 years / 1 week <= 1.1) and
its build time in-process, one warm Journal, the median of 20 runs after warm-up (target
at 5 years: <= 100 ms); where tiktoken can load cl100k_base offline (litellm ships it),
the real cl100k count of the same text is noted beside the estimate. Also timed once: the
nightly `ensure_summaries` for one new day on the 5-year journal.

Journals are seeded once and cached in bench-out/cache (context-*); reads and the nightly
run work on copies under bench-out/run.
"""

from __future__ import annotations

import json
import random
import sqlite3
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path

from tests.benchmarks.harness import Row, Stats, Workspace, med_p90, ms, ratio, time_calls
from tests.benchmarks.seed import SEED, TextGenerator, cached_build, copy_journal

SEED_VERSION = 1  # bump when the generated content changes, to invalidate caches
TODAY = date(2026, 11, 26)  # a Thursday
START_HOUR = 4
TZ = UTC  # fixed, so the seeded days are the same on every machine
BUDGET = 3000
NOTES_PER_DAY = 50
SIZES = {"1 week": 7, "1 year": 365, "5 years": 5 * 365}
GOALS = [  # slug, title, why, status, cadence
    ("family", "Family", "I want to be there for them, not just around them", "active", 3),
    ("health", "Health", "Energy to play with the kids and to think clearly", "active", 4),
    ("writing", "Write the book", "I have a story I keep telling myself; I want it out",
     "active", 5),
    ("home", "Calm home", "A tidy space makes my head quieter", "active", None),
    ("guitar", "Guitar", "Playing used to be my reset", "paused", 2),
    ("marathon", "Run a marathon", "To prove I can finish long things", "done", None),
]


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _cache_dir(ws: Workspace, days: int) -> Path:
    from storage.schema_version import HEAD_REVISION

    return ws.cache / f"context-{days}d-{HEAD_REVISION}-s{SEED_VERSION}"


def seed_heavy_journal(db: Path, days: int) -> dict:
    """A heavy journal of `days` days ending with TODAY, summaries included."""
    from app.memory.summaries import ensure_summaries
    from storage.engine import Journal
    from storage.migrate import ensure_schema

    ensure_schema(db, db.parent / "backups", keep_backups=1)
    gen = TextGenerator()
    rng = random.Random(SEED + 7)

    def uid() -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    first = TODAY - timedelta(days=days - 1)
    begin = datetime.combine(first, dtime(8), tzinfo=TZ)
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    goal_ids = []
    for slug, title, why, status, cadence in GOALS:
        cur = conn.execute(
            "INSERT INTO goals (uid, slug, title, why, status, cadence_per_week, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (uid(), slug, title, why, status, cadence, _stamp(begin), _stamp(begin)))
        if status == "active":
            goal_ids.append(cur.lastrowid)
    entries, actions, reflections = [], [], []
    for offset in range(days):
        day = first + timedelta(days=offset)
        day_start = datetime.combine(day, dtime(START_HOUR), tzinfo=TZ)
        moments = sorted(day_start + timedelta(hours=3, seconds=rng.randrange(18 * 3600 + 1800))
                         for _ in range(NOTES_PER_DAY))
        for moment in moments:
            text = gen.sentence_text()
            goal = rng.choice(goal_ids) if rng.random() < 0.2 else None
            feel = rng.random() < 0.33
            entries.append((uid(), text, goal, rng.randint(1, 5) if feel else None,
                            rng.randint(1, 5) if feel else None, text, _stamp(moment),
                            _stamp(moment)))
        for n in range(6):
            created = day_start + timedelta(hours=4 + n * 2, minutes=rng.randrange(60))
            title = " ".join(gen.sentence_text().split()[:rng.randint(3, 7)]).rstrip(".")
            goal = rng.choice(goal_ids) if rng.random() < 0.6 else None
            estimate = rng.choice((None, 5, 10, 15, 30, 60))
            due_on = None
            if n < 4:  # a win the same day
                status, done = "done", created + timedelta(minutes=rng.randrange(10, 180))
            elif n == 4:  # done a few days later
                status, done = "done", created + timedelta(days=rng.randint(1, 4))
                due_on = day + timedelta(days=rng.randint(0, 3))
            else:  # left open; half with a due day (they pile up, overdue)
                status, done = "open", None
                due_on = day + timedelta(days=rng.randint(0, 5)) if rng.random() < 0.5 else None
            if done is not None and done.date() > TODAY + timedelta(days=1):
                status, done = "open", None
            actions.append((uid(), title, goal, status, estimate,
                            due_on.isoformat() if due_on else None,
                            _stamp(done) if done else None, title, _stamp(created),
                            _stamp(done or created)))
        if day < TODAY:
            evening = day_start + timedelta(hours=17)
            step = " ".join(gen.sentence_text().split()[:8]).rstrip(".")
            structured = json.dumps({"celebrate": "You did things.", "reflection": "It seems.",
                                     "question": None, "next_step": step,
                                     "next_step_minutes": 2, "goal": None})
            reflections.append((uid(), day.isoformat(), f"Next step: {step}", structured,
                                _stamp(evening), rng.random() < 0.4,
                                gen.sentence_text() if rng.random() < 0.5 else None))
    conn.executemany(
        "INSERT INTO entries (uid, text, kind, goal_id, mood, energy, source, raw_text, "
        "created_at, updated_at) VALUES (?, ?, 'note', ?, ?, ?, 'capture', ?, ?, ?)", entries)
    conn.executemany(
        "INSERT INTO actions (uid, title, goal_id, status, estimate_minutes, due_on, due_at, "
        "done_at, source, raw_text, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, NULL, ?, 'capture', ?, ?, ?)", actions)
    for r_uid, period, content, structured, at, helpful, note in reflections:
        cur = conn.execute(
            "INSERT INTO reflections (uid, kind, period, prompt_name, prompt_version, model, "
            "content, structured, created_at, updated_at) "
            "VALUES (?, 'daily', ?, 'daily_reflection', '1.0', 'bench/model', ?, ?, ?, ?)",
            (r_uid, period, content, structured, at, at))
        conn.execute("INSERT INTO feedback (target_kind, target_id, rating, note, created_at) "
                     "VALUES ('reflection', ?, ?, ?, ?)",
                     (cur.lastrowid, 1 if helpful else rng.choice((0, -1)),
                      note if helpful else None, at))
    conn.execute("COMMIT")
    conn.close()
    journal = Journal(db)
    try:
        started = time.perf_counter()
        report = ensure_summaries(journal, today=TODAY, start_hour=START_HOUR, tz=TZ,
                                  max_days=days + 7)
        summaries_s = time.perf_counter() - started
    finally:
        journal.close()
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return {"days": days, "today": TODAY.isoformat(), "entries": len(entries),
            "actions": len(actions), "reflections": len(reflections),
            "day_summaries": report.days_made, "week_summaries": report.weeks_made,
            "summaries_seconds": summaries_s, "seed_version": SEED_VERSION}


def heavy_journal(ws: Workspace, days: int) -> tuple[Path, dict]:
    """The cached folder holding the seeded wise.db for `days` days, and its metadata."""
    return cached_build(ws, _cache_dir(ws, days), f"a heavy journal of {days:,} days",
                        lambda building: seed_heavy_journal(building / "wise.db", days))


def _copy(ws: Workspace, folder: Path, name: str) -> Path:
    return copy_journal(folder, ws, name) / "wise.db"


def _cl100k():
    """tiktoken's cl100k_base, from the copy litellm ships (never the network), or None."""
    import importlib.util
    import os

    spec = importlib.util.find_spec("litellm")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "litellm_core_utils" / \
        "tokenizers"
    if not folder.is_dir():
        return None
    os.environ.setdefault("TIKTOKEN_CACHE_DIR", str(folder))
    try:
        import tiktoken

        return tiktoken.get_encoding("cl100k_base")
    except Exception:
        return None


def run(ws: Workspace) -> list[Row]:
    from app.memory.context import build_reflection_context
    from app.memory.summaries import ensure_summaries
    from storage.engine import Journal

    runs = 5 if ws.quick else 20
    group = f"context: daily reflection input, heavy journal ({NOTES_PER_DAY} notes a day)"
    encoding = _cl100k()
    measured: dict[str, dict] = {}
    for label, days in SIZES.items():
        folder, meta = heavy_journal(ws, days)
        db = _copy(ws, folder, f"context-{days}d")
        journal = Journal(db)
        try:
            def build(_i: int, journal=journal):
                return build_reflection_context(journal, TODAY, start_hour=START_HOUR,
                                                budget_tokens=BUDGET, tz=TZ)

            ctx = build(0)
            ws.log(f"context build x {runs} on {label} ({meta['entries']:,} entries) ...")
            stats = time_calls(build, runs, warmup=3)
        finally:
            journal.close()
        real = len(encoding.encode(ctx.text)) if encoding is not None else None
        measured[label] = {"tokens": ctx.tokens, "stats": stats, "meta": meta, "real": real,
                           "sections": [(s.title, s.tokens, s.dropped) for s in ctx.sections],
                           "db": db}

    rows: list[Row] = []
    for label, m in measured.items():
        note = (f"{m['meta']['entries']:,} entries, {m['meta']['actions']:,} actions; "
                "sections (tokens/dropped): "
                + ", ".join(f"{t.split()[0].lower()} {n}/{d}" for t, n, d in m["sections"]))
        if m["real"] is not None:
            note += f"; cl100k_base counts {m['real']} real tokens"
        rows.append(Row(group, f"input tokens, {label}", f"{m['tokens']} tokens",
                        target=f"≤ {BUDGET:,}", met=m["tokens"] <= BUDGET, note=note,
                        data={"tokens": m["tokens"], "cl100k": m["real"],
                              "sections": m["sections"], "journal": m["meta"]}))
    first, last = measured["1 week"], measured["5 years"]
    token_ratio = ratio(last["tokens"], first["tokens"])
    rows.append(Row(group, "input tokens, 5 years / 1 week", f"{last['tokens']}",
                    f"{first['tokens']}", token_ratio, "≤ 1.10×",
                    met=token_ratio is not None and token_ratio <= 1.1))
    for label, m in measured.items():
        stats: Stats = m["stats"]
        is_last = label == "5 years"
        rows.append(Row(group, f"build time, {label}", med_p90(stats),
                        target="≤ 100 ms" if is_last else "",
                        met=(stats.median <= 0.100) if is_last else None,
                        note=f"median of {stats.n} warm runs, one Journal" if is_last else "",
                        data={"stats": stats}))
    time_ratio = ratio(last["stats"].median, first["stats"].median)
    rows.append(Row(group, "build time, 5 years / 1 week", ms(last["stats"].median),
                    ms(first["stats"].median), time_ratio))

    # The nightly job on the 5-year journal: one new day (TODAY) to summarise.
    journal = Journal(last["db"])
    try:
        started = time.perf_counter()
        report = ensure_summaries(journal, today=TODAY + timedelta(days=1),
                                  start_hour=START_HOUR, tz=TZ)
        nightly = time.perf_counter() - started
    finally:
        journal.close()
    rows.append(Row(group, "nightly ensure_summaries, 1 new day, 5 years", ms(nightly),
                    note=f"made {report.days_made} day and {report.weeks_made} week "
                         f"summaries (plain); seeding all {last['meta']['day_summaries']:,} "
                         f"days + {last['meta']['week_summaries']} weeks took "
                         f"{last['meta']['summaries_seconds']:.1f} s",
                    data={"seconds": nightly, "report": report.__dict__}))
    return rows


STEPS = (run,)
