"""Rituals: the reads behind the reflection and goal-review windows, on five heavy years.

The journal: five years (one in --quick) of a heavy user: 50 notes a day (a fifth linked
to a goal, one in ten with a mood and energy), about 10 done actions a day spread over
six goals (five active, one paused; a few unlinked), a handful of open actions (some due),
the user's own words with mood and energy on most days, a reflection on most days, with
feedback on some. Beside it the same user after one week: the ratio shows how flat the
reads stay as the journal grows.

Measured in-process (storage.repo.ritual_reads, plain read-only sqlite3 as the tray's windows
use it: a fresh connection per call), the median of repeated runs, round-robin:

- `goal_cards` for all goals: the 12-week heatmaps (84 journal days, DST-correct), done in
  the last 4 weeks, last activity, open counts (target <= 50 ms);
- `week_review` of the latest week: done per day per goal, mood and energy (<= 50 ms);
- both together, as the review window's first page asks for them (<= 50 ms);
- `goal_page` for the busiest goal: its card, open actions and newest 200 done (<= 50 ms);
- `day_view` of today: wins, notes, open actions, tomorrow's picks, words, reflection.

"Today" is fixed (26 November 2026) so the cached journals stay valid; the days are
local journal days of the machine's time zone. The journals are seeded once and cached in
bench-out/cache (rituals-*); the runs use copies under bench-out/run. Nothing is written.
"""

from __future__ import annotations

import random
import sqlite3
import uuid
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from tests.benchmarks.harness import Row, Workspace, med_p90, ratio, time_calls_interleaved
from tests.benchmarks.seed import SEED, TextGenerator, cached_build, copy_journal

SEED_VERSION = 1  # bump when the generated content changes, to invalidate caches
TODAY = date(2026, 11, 26)
START_HOUR = 4
TARGET_S = 0.050
NOTES_PER_DAY = 50
DONE_PER_DAY = 10
GOALS = [  # slug, title, why, status, cadence
    ("family", "Family", "I want to be there for them, not just around them", "active", 5),
    ("health", "Health", "Energy to play with the kids and to think clearly", "active", 4),
    ("writing", "Write the book", "I have a story I keep telling myself", "active", 3),
    ("home", "Calm home", "A tidy space makes my head quieter", "active", None),
    ("work", "Good work", "Work I am proud of, done by six", "active", 5),
    ("guitar", "Guitar", "Playing used to be my reset", "paused", 2),
]
GOAL_WEIGHTS = [30, 25, 15, 15, 12, 3]


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _local(day: date, minute_of_day: int) -> datetime:
    """A local wall-clock moment (naive -> the machine's zone on that day, DST included)."""
    return datetime.combine(day, time()).replace(
        hour=minute_of_day // 60, minute=minute_of_day % 60).astimezone()


def seed_journal(db: Path, days: int) -> dict:
    from storage.migrate import ensure_schema

    ensure_schema(db, db.parent / "backups", keep_backups=1)
    rng = random.Random(SEED + 61)
    text = TextGenerator(seed=SEED + 62)

    def uid() -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    first = TODAY - timedelta(days=days - 1)
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    created = _stamp(_local(first, 8 * 60))
    goal_ids = [conn.execute(
        "INSERT INTO goals (uid, slug, title, why, status, cadence_per_week, created_at, "
        "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (uid(), slug, title, why, status, cadence, created, created)).lastrowid
        for slug, title, why, status, cadence in GOALS]
    notes, actions, words, reflections = [], [], [], []
    for n in range(days):
        day = first + timedelta(days=n)
        for _ in range(NOTES_PER_DAY):
            at = _stamp(_local(day, rng.randrange(7 * 60, 23 * 60 + 50)))
            felt = rng.random() < 0.1
            notes.append((uid(), text.sentence_text(),
                          rng.choice(goal_ids) if rng.random() < 0.2 else None,
                          rng.randint(1, 5) if felt else None,
                          rng.randint(1, 5) if felt else None, at, at))
        for _ in range(rng.randint(DONE_PER_DAY - 4, DONE_PER_DAY + 4)):
            done = _local(day, rng.randrange(6 * 60, 23 * 60 + 59))
            made = done - timedelta(hours=rng.randint(1, 24 * 14))
            goal = (rng.choices(goal_ids, GOAL_WEIGHTS)[0] if rng.random() < 0.9 else None)
            actions.append((uid(), " ".join(text.words(rng.randint(2, 6))), goal, "done",
                            rng.choice((None, 5, 10, 15, 30)), None, _stamp(done),
                            _stamp(made), _stamp(done)))
        if rng.random() < 0.85:
            at = _stamp(_local(day, 22 * 60))
            words.append((day.isoformat(), text.sentence_text(), text.sentence_text(),
                          rng.randint(1, 5), rng.randint(1, 5), at, at))
        if rng.random() < 0.8:
            at = _stamp(_local(day, 22 * 60 + 5))
            reflections.append((uid(), day.isoformat(), text.sentence_text() * 3, at, at))
    for k in range(min(400, days * 2)):  # the open list: some overdue, some due ahead
        made = _local(TODAY - timedelta(days=rng.randrange(min(days, 200))), 9 * 60)
        due = (TODAY + timedelta(days=rng.randint(-20, 10))).isoformat() \
            if rng.random() < 0.25 else None
        actions.append((uid(), f"open {k} " + " ".join(text.words(3)),
                        rng.choice(goal_ids) if rng.random() < 0.6 else None, "open",
                        rng.choice((None, 5, 10, 15, 30)), due, None, _stamp(made),
                        _stamp(made)))
    conn.executemany(
        "INSERT INTO entries (uid, text, kind, goal_id, mood, energy, source, created_at, "
        "updated_at) VALUES (?, ?, 'note', ?, ?, ?, 'capture', ?, ?)", notes)
    conn.executemany(
        "INSERT INTO actions (uid, title, goal_id, status, estimate_minutes, due_on, done_at, "
        "source, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'capture', ?, ?)",
        actions)
    conn.executemany(
        "INSERT INTO day_words (day, how_it_went, in_the_way, mood, energy, created_at, "
        "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)", words)
    conn.executemany(
        "INSERT INTO reflections (uid, kind, period, prompt_name, prompt_version, model, "
        "content, created_at, updated_at) VALUES (?, 'daily', ?, 'daily_reflection', '1', "
        "'bench-model', ?, ?, ?)", reflections)
    conn.execute(
        "INSERT INTO feedback (target_kind, target_id, rating, note, created_at) "
        "SELECT 'reflection', id, 1, 'this helped', created_at FROM reflections "
        "WHERE id % 7 = 0")
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    done_count = sum(1 for a in actions if a[3] == "done")
    return {"days": days, "notes": len(notes), "done": done_count,
            "open": len(actions) - done_count, "day_words": len(words),
            "reflections": len(reflections), "seed_version": SEED_VERSION}


def _journal(ws: Workspace, name: str, days: int) -> tuple[Path, dict]:
    from storage.schema_version import HEAD_REVISION

    folder, meta = cached_build(
        ws, ws.cache / f"rituals-{name}-{days}d-{HEAD_REVISION}-s{SEED_VERSION}",
        f"the {name} rituals journal ({days} days)",
        lambda building: seed_journal(building / "wise.db", days))
    return copy_journal(folder, ws, f"rituals-{name}") / "wise.db", meta


def _busiest_goal(db: Path) -> int:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT goal_id FROM actions WHERE goal_id IS NOT NULL "
                            "GROUP BY goal_id ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
    finally:
        conn.close()


def run(ws: Workspace) -> list[Row]:
    from storage.repo import ritual_reads as reads

    years = 1 if ws.quick else 5
    runs = 10 if ws.quick else 40
    group = f"rituals: review and reflection reads ({years} heavy year{'s' * (years > 1)})"
    heavy, meta = _journal(ws, "heavy", 365 * years + 1)
    small, small_meta = _journal(ws, "week", 7)
    week = TODAY - timedelta(days=TODAY.weekday())
    goal_id, small_goal = _busiest_goal(heavy), _busiest_goal(small)

    def both(db: Path):
        return lambda _i: (reads.goal_cards(db, TODAY, START_HOUR),
                           reads.week_review(db, week, START_HOUR))

    calls = {
        "cards": lambda _i: reads.goal_cards(heavy, TODAY, START_HOUR),
        "cards_small": lambda _i: reads.goal_cards(small, TODAY, START_HOUR),
        "week": lambda _i: reads.week_review(heavy, week, START_HOUR),
        "week_small": lambda _i: reads.week_review(small, week, START_HOUR),
        "both": both(heavy),
        "both_small": both(small),
        "page": lambda _i: reads.goal_page(heavy, goal_id, TODAY, START_HOUR),
        "page_small": lambda _i: reads.goal_page(small, small_goal, TODAY, START_HOUR),
        "day": lambda _i: reads.day_view(heavy, TODAY, START_HOUR),
        "day_small": lambda _i: reads.day_view(small, TODAY, START_HOUR),
    }
    ws.log(f"ritual reads x {runs} on {meta['notes']:,} notes and {meta['done']:,} done "
           f"actions, and on {small_meta['notes']:,} notes ...")
    stats = time_calls_interleaved(calls, runs, warmup=3)
    cards = reads.goal_cards(heavy, TODAY, START_HOUR)
    review = reads.week_review(heavy, week, START_HOUR)
    day = reads.day_view(heavy, TODAY, START_HOUR)
    page = reads.goal_page(heavy, goal_id, TODAY, START_HOUR)

    def row(key: str, name: str, note: str, target: bool = True) -> Row:
        big, little = stats[key], stats[f"{key}_small"]
        return Row(group, name, med_p90(big), med_p90(little),
                   ratio(big.median, little.median), "≤ 50 ms" if target else "",
                   met=big.median <= TARGET_S if target else None, note=note,
                   data={"stats": big, "small": little, "journal": meta,
                         "small_journal": small_meta})

    heat = sum(sum(c.heatmap) for c in cards)
    return [
        row("cards", "goal_cards, all goals (12-week heatmaps)",
            f"{len(cards)} goals, {heat:,} done actions in their heatmaps; baseline: the same "
            f"on a one-week journal ({small_meta['notes']} notes)"),
        row("week", "week_review, the latest week",
            f"{sum(sum(s.counts) for s in review.series)} done actions in "
            f"{len(review.series)} series, mood on {sum(m is not None for m in review.mood)} "
            "days"),
        row("both", "goal_cards + week_review together",
            "what the review window reads before its first paint"),
        row("page", "goal_page, the busiest goal",
            f"{len(page.open_actions)} open and {len(page.done_actions)} done actions listed"),
        row("day", "day_view, today",
            f"{len(day.wins)} wins, {len(day.entries)} notes, {len(day.open_actions)} open "
            "actions", target=False),
    ]


STEPS = (run,)
