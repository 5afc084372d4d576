"""A believable demo journal for the README's screenshots: three goals with their whys, eight
weeks of small steps done, today's notes, words, mood and energy, and a few open steps.

    WISE_HOME=/tmp/demo PYTHONPATH=. .venv/bin/python packaging/screenshots/demo_journal.py

Deterministic (a fixed random seed), relative to today. Written with plain sqlite3 into a
journal made by `wise migrate`, so it is a real, current journal.
"""

from __future__ import annotations

import random
import sqlite3
import subprocess
import sys
import uuid
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

GOALS = [  # slug, title, why, cadence per week, status
    ("family", "Be there for my family", "I want my kids to remember me present, not busy",
     4, "active"),
    ("health", "Get fit again", "Energy to play with the kids and to think clearly", 3,
     "active"),
    ("book", "Write the book", "I have a story I keep telling myself; it deserves pages", 2,
     "active"),
    ("guitar", "Play guitar again", "It used to be my reset after long days", 2, "paused"),
]
STEPS = {
    "family": ["call mum", "read a story with Lea", "plan Sunday's picnic", "board games night",
               "write to grandpa", "pick up Tom from football"],
    "health": ["20 minute walk", "stretch before bed", "swim at the pool", "cook a real lunch",
               "bike to work"],
    "book": ["write 300 words", "outline chapter 4", "reread chapter 2", "note a scene idea"],
    "guitar": ["play for 10 minutes", "restring the guitar"],
}
TODAY_NOTES = [
    ("slow start, the rain made everything heavy", None, 2, 2, 8 * 60 + 40),
    ("the walk at lunch cleared my head", "health", 4, 3, 13 * 60 + 15),
    ("Lea laughed so hard at the story voices", "family", 5, 3, 19 * 60 + 50),
]
TODAY_WINS = [("20 minute walk", "health", 20, 13 * 60), ("call mum", "family", 10, 17 * 60 + 30),
              ("read a story with Lea", "family", 15, 19 * 60 + 45)]
OPEN = [("sort the tax papers", None, 45, None), ("book the dentist", None, 5, 0),
        ("outline chapter 5", "book", 30, None), ("water the plants", None, 2, 0),
        ("call the school about Friday", "family", 10, 1)]


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _at(day: date, minutes: int) -> datetime:
    return datetime.combine(day, time(minutes // 60, minutes % 60)).astimezone()


def seed(db: Path, today: date) -> None:
    rng = random.Random(7)

    def uid() -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    start = today - timedelta(days=7 * 8)
    goal_ids = {}
    for slug, title, why, cadence, status in GOALS:
        made = _stamp(_at(start, 9 * 60))
        goal_ids[slug] = conn.execute(
            "INSERT INTO goals (uid, slug, title, why, status, cadence_per_week, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (uid(), slug, title, why, status, cadence, made, made)).lastrowid
    for n in range(7 * 8):
        day = start + timedelta(days=n)
        for slug, _title, _why, cadence, status in GOALS:
            if day == today:
                break  # today's wins are the ones below
            chance = cadence / 7 * (0.25 if status == "paused" and n > 20 else 1.0)
            chance *= 0.6 + 0.8 * n / 56  # the last weeks go better
            if rng.random() < chance:
                done = _at(day, rng.randrange(8 * 60, 21 * 60))
                conn.execute(
                    "INSERT INTO actions (uid, title, goal_id, status, estimate_minutes, "
                    "done_at, source, created_at, updated_at) VALUES (?, ?, ?, 'done', ?, ?, "
                    "'capture', ?, ?)",
                    (uid(), rng.choice(STEPS[slug]), goal_ids[slug],
                     rng.choice((5, 10, 20, 30)), _stamp(done), _stamp(done), _stamp(done)))
        if day >= today - timedelta(days=6) and day < today:
            made = _stamp(_at(day, 22 * 60))
            conn.execute(
                "INSERT INTO day_words (day, how_it_went, in_the_way, mood, energy, created_at,"
                " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (day.isoformat(), "", "", rng.randint(2, 5), rng.randint(2, 4), made, made))
    for text, slug, mood, energy, minutes in TODAY_NOTES:
        made = _stamp(_at(today, minutes))
        conn.execute(
            "INSERT INTO entries (uid, text, kind, goal_id, mood, energy, source, created_at, "
            "updated_at) VALUES (?, ?, 'note', ?, ?, ?, 'capture', ?, ?)",
            (uid(), text, goal_ids.get(slug), mood, energy, made, made))
    for title, slug, estimate, minutes in TODAY_WINS:
        done = _stamp(_at(today, minutes))
        conn.execute(
            "INSERT INTO actions (uid, title, goal_id, status, estimate_minutes, done_at, "
            "source, created_at, updated_at) VALUES (?, ?, ?, 'done', ?, ?, 'capture', ?, ?)",
            (uid(), title, goal_ids[slug], estimate, done, done, done))
    for title, slug, estimate, due_in in OPEN:
        made = _stamp(_at(today - timedelta(days=3), 10 * 60))
        due = None if due_in is None else (today + timedelta(days=due_in)).isoformat()
        conn.execute(
            "INSERT INTO actions (uid, title, goal_id, status, estimate_minutes, due_on, "
            "source, created_at, updated_at) VALUES (?, ?, ?, 'open', ?, ?, 'capture', ?, ?)",
            (uid(), title, goal_ids.get(slug), estimate, due, made, made))
    conn.execute("COMMIT")
    conn.close()


def main() -> int:
    from app.daytime import journal_day, local_now
    from app.journal import Context

    context = Context.from_environment()
    subprocess.run([sys.executable, "-m", "app.cli.main", "migrate"], check=True,
                   capture_output=True)
    seed(context.paths.db, journal_day(local_now(), context.day_start_hour))
    print(f"demo journal written to {context.paths.db}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
