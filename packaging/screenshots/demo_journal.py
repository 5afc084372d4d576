"""A believable demo journal for the README's screenshots: three goals with their whys, eight
weeks of small steps done, the last week's mood and energy, today's notes and a few open
steps (today's words, mood and energy are the reflection window's to type).

    WISE_HOME=/tmp/demo PYTHONPATH=. .venv/bin/python packaging/screenshots/demo_journal.py

Deterministic (a fixed random seed; only the rows' uids differ), relative to today. Written
into a journal made by `wise migrate` through the paths a user's actions take: captures
through the capture service, goals and day words through storage/repo and the ritual
writer, each at its own past moment. So it is a real, current journal.
"""

from __future__ import annotations

import random
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.journal import Context

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
    ("slow start, the rain made everything heavy", None, 8 * 60 + 40),
    ("the walk at lunch cleared my head", "health", 13 * 60 + 15),
    ("Lea laughed so hard at the story voices", "family", 19 * 60 + 50),
]
TODAY_WINS = [("20 minute walk", "health", 20, 13 * 60), ("call mum", "family", 10, 17 * 60 + 30),
              ("read a story with Lea", "family", 15, 19 * 60 + 45)]
OPEN = [("sort the tax papers", None, 45, None), ("book the dentist", None, 5, 0),
        ("outline chapter 5", "book", 30, None), ("water the plants", None, 2, 0),
        ("call the school about Friday", "family", 10, 1)]


def _at(day: date, minutes: int) -> datetime:
    return datetime.combine(day, time(minutes // 60, minutes % 60)).astimezone()


def seed(context: Context, today: date) -> None:
    """Write the journal as its user would have: goals made eight weeks ago, then each
    day's captures and evening words, each at its own moment (the repository's writes
    take a clock; a capture takes its `now`)."""
    from app.capture.service import capture
    from storage.capture_writer import CaptureWriter
    from storage.db import writing
    from storage.repo.goals import insert_goal, update_goal
    from storage.ritual_writes import RitualWriter

    rng = random.Random(7)
    db = context.paths.db
    start = today - timedelta(days=7 * 8)
    goal_ids = {}
    for slug, title, why, cadence, _status in GOALS:
        with writing(db, clock=_clock(_at(start, 9 * 60))) as tx:
            goal_ids[slug] = insert_goal(tx, slug=slug, title=title, why=why,
                                         cadence_per_week=cadence).id
    writer = CaptureWriter(db)
    try:
        for n in range(7 * 8):
            day = start + timedelta(days=n)
            if n == 21:  # the paused goals were paused three weeks in
                for slug, *_rest, status in GOALS:
                    if status != "active":
                        with writing(db, clock=_clock(_at(day, 8 * 60))) as tx:
                            update_goal(tx, goal_ids[slug], {"status": status})
            for slug, _title, _why, cadence, status in GOALS:
                if day == today:
                    break  # today's wins are the ones below
                chance = cadence / 7 * (0.25 if status == "paused" and n > 20 else 1.0)
                chance *= 0.6 + 0.8 * n / 56  # the last weeks go better
                if rng.random() < chance:
                    done = _at(day, rng.randrange(8 * 60, 21 * 60))
                    step = rng.choice(STEPS[slug])
                    capture(context, f"[x] {step} #{slug} ~{rng.choice((5, 10, 20, 30))}m",
                            now=done, writer=writer)
            if today - timedelta(days=6) <= day < today:
                words = RitualWriter(db, clock=_clock(_at(day, 22 * 60)))
                try:
                    words.save_day_words(day, how_it_went="", in_the_way="",
                                         mood=rng.randint(2, 5), energy=rng.randint(2, 4))
                finally:
                    words.close()
        for text, goal, minutes in TODAY_NOTES:
            tag = f" #{goal}" if goal else ""
            capture(context, f"{text}{tag}", now=_at(today, minutes), writer=writer)
        for title, slug, estimate, minutes in TODAY_WINS:
            capture(context, f"[x] {title} #{slug} ~{estimate}m", now=_at(today, minutes),
                    writer=writer)
        for title, goal, estimate, due_in in OPEN:
            tag = f" #{goal}" if goal else ""
            due = "" if due_in is None else f" {(today + timedelta(days=due_in)).isoformat()}"
            capture(context, f"[ ] {title}{tag} ~{estimate}m{due}",
                    now=_at(today - timedelta(days=3), 10 * 60), writer=writer)
    finally:
        writer.close()


def _clock(moment: datetime) -> Callable[[], datetime]:
    return lambda: moment.astimezone(UTC)


def main() -> int:
    from app.daytime import journal_day, local_now
    from app.journal import Context

    context = Context.from_environment()
    subprocess.run([sys.executable, "-m", "app.cli.main", "migrate"], check=True,
                   capture_output=True)
    seed(context, journal_day(local_now(), context.day_start_hour))
    print(f"demo journal written to {context.paths.db}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
