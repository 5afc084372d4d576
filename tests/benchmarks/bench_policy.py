"""Policy: how long one nudge decision takes on a heavy journal.

The journal: 20,000 open steps (created over two years; 30% linked to one of 4 active
goals with their whys, a few to a paused goal; estimates of none, 5, 10, 15, 30 or 60
minutes; a quarter with a due day between 60 days ago and 30 days ahead), 20,000 done
steps, 30 days of notes (50 a day, a fifth linked to a goal), and a year of nudge
history: 1 to 4 nudges a day between 08:00 and 21:00 with mixed answers (Done, ignored,
Snooze, Not today, opened). "Now" is 10:30 on the day after the history ends (local time
UTC, fixed), a moment the clock rules allow, so every part of the tick runs.

Measured in-process, one warm Journal, the median of repeated runs, round-robin:

- the whole tick: `NudgeService.tick(now, send=False)`: the clock rules over the last
  days of nudges, the learner's counts (GROUP BY), at most 500 open steps picked along
  indexes (the due ones nearest today, the oldest tiny ones, the oldest), their last
  nudges, the goals' last touch, and `policy.decide` with the learner's plan (target
  <= 20 ms), side by side with the same tick on a small journal (200 open steps, a week
  of nudges): the ratio shows how flat it stays;
- `policy.decide` alone on the data the tick loaded (500 steps, the history);
- `policy.decide` over all 20,000 open steps held in memory (no bounded picks): what
  the scoring costs when nothing is bounded, and whether it would choose another step;
- a tick the clock rules refuse (quiet hours): one query.

The journals are seeded once and cached in bench-out/cache (policy-*); the runs use
copies under bench-out/run. Nothing is written (send=False never records a nudge).
"""

from __future__ import annotations

import random
import sqlite3
import uuid
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from tests.benchmarks.harness import Row, Workspace, med_p90, ratio, time_calls_interleaved
from tests.benchmarks.seed import SEED, cached_build, copy_journal

SEED_VERSION = 1  # bump when the generated content changes, to invalidate caches
TODAY = date(2026, 11, 26)
TZ = UTC  # fixed, so the seeded days and "now" are the same on every machine
NOW = datetime.combine(TODAY, time(10, 30), tzinfo=TZ)
QUIET_NOW = datetime.combine(TODAY, time(23, 30), tzinfo=TZ)
TARGET_S = 0.020
SIZES = {"heavy": {"open": 20_000, "done": 20_000, "history_days": 365},
         "small": {"open": 200, "done": 200, "history_days": 7}}
GOALS = [  # slug, title, why, status
    ("family", "Family", "I want to be there for them, not just around them", "active"),
    ("health", "Health", "Energy to play with the kids and to think clearly", "active"),
    ("writing", "Write the book", "I have a story I keep telling myself", "active"),
    ("home", "Calm home", "A tidy space makes my head quieter", "active"),
    ("guitar", "Guitar", "Playing used to be my reset", "paused"),
]
VERBS = ["call", "email", "read", "tidy", "buy", "book", "pay", "walk", "fix", "write",
         "plan", "sort", "reply to", "check", "clean"]
THINGS = ["mum", "the landlord", "chapter 3", "the desk", "a birthday card", "the dentist",
          "the water bill", "the dog", "the bike light", "the intro", "the trip",
          "the photos", "Ana", "the boiler", "the kitchen"]
ANSWERS = ["done"] * 35 + ["ignored"] * 40 + ["snooze"] * 10 + ["not_today"] * 10 + \
    ["opened"] * 5
STYLES = ["plain", "why_first", "tiny_step", "question"]


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def seed_journal(db: Path, size: dict) -> dict:
    from storage.migrate import ensure_schema

    ensure_schema(db, db.parent / "backups", keep_backups=1)
    rng = random.Random(SEED + 31)

    def uid() -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    start = datetime.combine(TODAY - timedelta(days=730), time(9), tzinfo=TZ)
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    goal_ids, active = [], []
    for slug, title, why, status in GOALS:
        cur = conn.execute(
            "INSERT INTO goals (uid, slug, title, why, status, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)", (uid(), slug, title, why, status, _stamp(start),
                                             _stamp(start)))
        goal_ids.append(cur.lastrowid)
        if status == "active":
            active.append(cur.lastrowid)
    span = (NOW - start).total_seconds()
    rows = []
    for n in range(size["open"] + size["done"]):
        created = start + timedelta(seconds=rng.random() * span * 0.98)
        title = f"{rng.choice(VERBS)} {rng.choice(THINGS)} {n}"
        goal = (rng.choice(active) if rng.random() < 0.3
                else goal_ids[-1] if rng.random() < 0.02 else None)
        estimate = rng.choice((None, None, 5, 10, 15, 30, 60))
        due = (TODAY + timedelta(days=rng.randint(-60, 30))).isoformat() \
            if rng.random() < 0.25 else None
        is_open = n < size["open"]
        done_at = None if is_open else _stamp(
            min(NOW - timedelta(hours=1), created + timedelta(days=rng.randint(0, 20))))
        rows.append((uid(), title, goal, "open" if is_open else "done", estimate, due, done_at,
                     _stamp(created), _stamp(created)))
    conn.executemany(
        "INSERT INTO actions (uid, title, goal_id, status, estimate_minutes, due_on, done_at, "
        "source, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'capture', ?, ?)", rows)
    notes = []
    for day in range(30):
        base = datetime.combine(TODAY - timedelta(days=30 - day), time(8), tzinfo=TZ)
        for k in range(50):
            at = base + timedelta(minutes=rng.randrange(14 * 60))
            notes.append((uid(), f"note {day}-{k}", rng.choice(active)
                          if rng.random() < 0.2 else None, _stamp(at), _stamp(at)))
    conn.executemany("INSERT INTO entries (uid, text, kind, goal_id, source, created_at, "
                     "updated_at) VALUES (?, ?, 'note', ?, 'capture', ?, ?)", notes)
    nudges = []
    open_ids = list(range(1, size["open"] + 1))
    for day in range(size["history_days"]):
        the_day = TODAY - timedelta(days=size["history_days"] - day)
        for hour in sorted(rng.sample(range(8, 22), rng.randint(1, 4))):
            at = datetime.combine(the_day, time(hour, rng.choice((0, 15, 30, 45))), tzinfo=TZ)
            answer = rng.choice(ANSWERS)
            nudges.append((_stamp(at), rng.choice(open_ids), rng.choice(active),
                           f"nudge {day}", rng.choice(STYLES), hour, "seeded", "plain",
                           answer, None if answer == "ignored" else
                           _stamp(at + timedelta(minutes=5))))
    conn.executemany(
        "INSERT INTO nudges (created_at, action_id, goal_id, text, style, hour_bucket, "
        "reason, source, response, responded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        nudges)
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return {"open": size["open"], "done": size["done"], "notes": len(notes),
            "nudges": len(nudges), "history_days": size["history_days"],
            "seed_version": SEED_VERSION}


def _journal(ws: Workspace, name: str) -> tuple[Path, dict]:
    from storage.schema_version import HEAD_REVISION

    folder, meta = cached_build(
        ws, ws.cache / f"policy-{name}-{HEAD_REVISION}-s{SEED_VERSION}",
        f"the {name} policy journal",
        lambda building: seed_journal(building / "wise.db", SIZES[name]))
    return copy_journal(folder, ws, f"policy-{name}"), meta


def _service(home: Path):
    from app.journal import Context
    from app.nudges.service import NudgeService
    from app.paths import WisePaths
    from app.settings.store import load_settings
    from storage.engine import Journal

    paths = WisePaths(data_dir=home, config_dir=home)
    context = Context(paths, load_settings(paths.settings_file))
    journal = Journal(paths.db)
    return NudgeService(context, journal, seed=1, rng=random.Random(1)), journal


def run(ws: Workspace) -> list[Row]:
    from app.nudges import policy
    from app.nudges.service import load_candidates, load_history, load_learner

    runs = 10 if ws.quick else 60
    group = "policy: one nudge decision (20,000 open steps, a year of nudges)"
    heavy_home, meta = _journal(ws, "heavy")
    small_home, small_meta = _journal(ws, "small")
    heavy, heavy_journal = _service(heavy_home)
    small, small_journal = _service(small_home)
    try:
        first = heavy.tick(NOW, send=False)
        rules = heavy.rules
        history = load_history(heavy_journal, NOW - rules.min_gap - timedelta(days=2))
        learner = load_learner(heavy_journal, NOW)
        loaded = load_candidates(heavy_journal, NOW, day_start_hour=rules.day_start_hour)
        everything = load_candidates(heavy_journal, NOW, limit=10**6,
                                     day_start_hour=rules.day_start_hour)
        today = policy.journal_day_of(NOW, rules, TZ)
        hours = policy.active_hours(rules)

        def weight(hour: int) -> float:
            return learner.hour_weight(hour, day=today, active_hours=hours)

        def decide_on(candidates):
            return lambda _i: policy.decide(candidates, history, NOW, rules,
                                            paused_until=None, busy=False,
                                            choose_style=learner.choose_style,
                                            rng=random.Random(2), hour_weight=weight)

        ws.log(f"policy tick x {runs} on {meta['open']:,} open steps "
               f"({meta['nudges']:,} nudges) and on {small_meta['open']} ...")
        stats = time_calls_interleaved({
            "tick": lambda _i: heavy.tick(NOW, send=False),
            "tick_small": lambda _i: small.tick(NOW, send=False),
            "decide_loaded": decide_on(loaded),
            "decide_all": decide_on(everything),
            "tick_quiet": lambda _i: heavy.tick(QUIET_NOW, send=False),
        }, runs, warmup=3)
        # Without jitter or the learner's plan, the step each would choose:
        pick_loaded, pick_all = (policy.decide(c, history, NOW, rules, paused_until=None,
                                               busy=False) for c in (loaded, everything))
    finally:
        heavy_journal.close()
        small_journal.close()

    tick, tick_small = stats["tick"], stats["tick_small"]
    chosen = ("a nudge" if first.nudge else f"no nudge ({first.rule})")
    same = (pick_all.candidate is not None and pick_loaded.candidate is not None
            and pick_all.candidate.action_id == pick_loaded.candidate.action_id)
    rows = [
        Row(group, "whole tick (send=False), 20k open steps", med_p90(tick),
            med_p90(tick_small), ratio(tick.median, tick_small.median), "≤ 20 ms",
            met=tick.median <= TARGET_S,
            note=(f"baseline: the same tick on {small_meta['open']} open steps and "
                  f"{small_meta['nudges']} nudges; it loaded {len(loaded)} of the "
                  f"{meta['open']:,} open steps and decided {chosen}"),
            data={"stats": tick, "small": tick_small, "journal": meta}),
        Row(group, "decide() alone, on the 500 loaded steps", med_p90(stats["decide_loaded"]),
            target="≤ 20 ms", met=stats["decide_loaded"].median <= TARGET_S,
            data={"stats": stats["decide_loaded"]}),
        Row(group, "decide() over all 20k open steps in memory", med_p90(stats["decide_all"]),
            target="≤ 20 ms", met=stats["decide_all"].median <= TARGET_S,
            note=("the same step as from the 500 loaded: the bounded picks keep the best"
                  if same else "a different step than from the 500 loaded"),
            data={"stats": stats["decide_all"], "same_choice": same}),
        Row(group, "tick refused by the clock (quiet hours)", med_p90(stats["tick_quiet"]),
            note="one query: nothing else is read", data={"stats": stats["tick_quiet"]}),
    ]
    return rows


STEPS = (run,)
