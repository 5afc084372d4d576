"""The rituals' sqlite3 reads: journal days (DST included), heatmaps, weeks and memory, on
real journals written through the ORM, in a real local time zone with daylight saving."""

from __future__ import annotations

import json
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from storage.engine import Journal
from storage.models import (
    Action,
    DayWords,
    Entry,
    Feedback,
    Goal,
    Reflection,
    Summary,
)
from storage.repo.ritual_reads import (
    day_view,
    earliest_day,
    feedback_records,
    goal_cards,
    goal_page,
    memory_items,
    week_review,
)

BERLIN = ZoneInfo("Europe/Berlin")  # DST ends on Sunday 25 October 2026
START = 4  # the journal day starts at 04:00


@pytest.fixture(autouse=True)
def berlin_time(monkeypatch: pytest.MonkeyPatch):
    """The process's local time zone is Berlin (as a user's would be), then back."""
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BERLIN)


def add(journal: Journal, *rows) -> list[int]:
    with journal.write() as session:
        session.add_all(rows)
        session.flush()
        return [row.id for row in rows]


def goal(slug: str, title: str, **kw) -> Goal:
    return Goal(slug=slug, title=title, why=f"why {slug}", **kw)


def done(title: str, when: datetime, goal_id: int | None = None) -> Action:
    return Action(title=title, status="done", done_at=when, goal_id=goal_id,
                  created_at=when - timedelta(hours=1))


def test_an_absent_or_empty_journal_reads_as_empty(tmp_path: Path) -> None:
    for db in (tmp_path / "none.db", tmp_path / "empty.db"):
        if db.name == "empty.db":
            db.touch()
        view = day_view(db, date(2026, 11, 26), START)
        assert (view.wins, view.entries, view.open_actions, view.planned, view.words,
                view.reflection) == ([], [], [], [], None, None)
        assert earliest_day(db, START) is None
        assert goal_cards(db, date(2026, 11, 26), START) == []
        assert goal_page(db, 1, date(2026, 11, 26), START) is None
        week = week_review(db, date(2026, 11, 23), START)
        assert (week.series, week.mood, week.energy) == ([], [None] * 7, [None] * 7)
        assert memory_items(db) == []
        assert list(feedback_records(db)) == []
    assert not (tmp_path / "none.db").exists()  # reading never creates a journal


def test_day_view_keeps_to_the_journal_day(journal: Journal) -> None:
    day = date(2026, 11, 26)
    db = journal.db_path
    (family,) = add(journal, goal("family", "Family"))
    add(journal,
        done("too early", at(day, 3, 59)),  # still the 25th's
        done("morning run", at(day, 7), family),
        done("late call", at(day + timedelta(days=1), 3, 59)),  # 03:59 on the 27th: the 26th
        done("next day", at(day + timedelta(days=1), 4)),
        Entry(text="slept badly", mood=2, created_at=at(day, 5)),
        Entry(text="after midnight", goal_id=family, created_at=at(day + timedelta(days=1), 1)),
        Entry(text="yesterday", created_at=at(day, 2)),
        DayWords(day=day, how_it_went="ok", in_the_way="rain", mood=3, energy=4))
    view = day_view(db, day, START)
    assert [w.title for w in view.wins] == ["morning run", "late call"]
    assert view.wins[0].goal_slug == "family" and view.wins[0].goal_title == "Family"
    assert [e.text for e in view.entries] == ["slept badly", "after midnight"]
    assert view.entries[0].mood == 2 and view.entries[1].goal_slug == "family"
    # Aware, in the local zone (Berlin is UTC+1 in November).
    assert view.wins[0].done_at == at(day, 7)
    assert view.wins[0].done_at.utcoffset() == timedelta(hours=1)
    assert view.entries[0].created_at.utcoffset() == timedelta(hours=1)
    assert (view.words.how_it_went, view.words.in_the_way, view.words.mood,
            view.words.energy) == ("ok", "rain", 3, 4)
    assert day_view(db, day - timedelta(days=1), START).wins[0].title == "too early"
    assert earliest_day(db, START) == day - timedelta(days=1)


def test_open_actions_due_first_then_newest_and_tomorrows_picks(journal: Journal) -> None:
    day = date(2026, 11, 26)
    base = at(day, 9)
    add(journal,
        Action(title="old undated", created_at=base - timedelta(days=9)),
        Action(title="new undated", created_at=base - timedelta(days=1)),
        Action(title="overdue", due_on=day - timedelta(days=3), created_at=base),
        Action(title="due today", due_on=day, created_at=base - timedelta(days=20)),
        Action(title="due at noon", due_at=at(day, 12), due_on=day,
               created_at=base - timedelta(days=30)),
        Action(title="tomorrow", due_on=day + timedelta(days=1),
               created_at=base - timedelta(days=2)),
        Action(title="dropped", status="dropped", due_on=day, created_at=base))
    view = day_view(journal.db_path, day, START)
    assert [a.title for a in view.open_actions] == [
        "overdue", "due today", "due at noon", "new undated", "tomorrow", "old undated"]
    assert [a.title for a in view.planned] == ["tomorrow"]
    assert view.planned[0].due_on == day + timedelta(days=1)


def test_newest_reflection_with_its_feedback(journal: Journal) -> None:
    day = date(2026, 11, 26)
    first, second = add(
        journal,
        Reflection(kind="daily", period=day, content="first", created_at=at(day, 21)),
        Reflection(kind="daily", period=day, content="second", model="m",
                   prompt_name="daily", prompt_version="3", created_at=at(day, 22)))
    add(journal, Feedback(target_kind="reflection", target_id=second, rating=1, note="yes"),
        Feedback(target_kind="reflection", target_id=first, rating=-1))
    found = day_view(journal.db_path, day, START).reflection
    assert (found.id, found.content, found.model, found.prompt_name, found.prompt_version,
            found.rating, found.feedback_note) == (second, "second", "m", "daily", "3", 1, "yes")
    assert found.day == day and found.created_at == at(day, 22)


def test_goal_cards_heatmap_across_daylight_saving(journal: Journal) -> None:
    today = date(2026, 11, 5)  # a Thursday; the 12 weeks reach back to 17 August
    db = journal.db_path
    fam, home, old = add(journal, goal("family", "Family", cadence_per_week=3),
                         goal("home", "Calm home", status="paused"),
                         goal("guitar", "Guitar", status="archived"))
    oct26 = date(2026, 10, 26)  # the Monday after the clocks went back
    add(journal,
        done("a", at(oct26, 3, 30), fam),  # 03:30 on Monday: Sunday 25 October's
        done("b", at(oct26, 4, 0), fam),  # Monday's
        done("c", at(date(2026, 8, 17), 4, 0), fam),  # the first cell
        done("d", at(date(2026, 8, 17), 3, 0), fam),  # before the window
        done("e", at(today, 10), fam),
        done("f", at(date(2026, 11, 8), 23), fam),  # Sunday of this week (the last cell)
        done("g", at(date(2026, 7, 1), 10), home),
        Action(title="open one", goal_id=fam), Action(title="open two", goal_id=fam),
        Entry(text="newest thing", goal_id=fam, created_at=at(date(2026, 11, 9), 8)))
    cards = goal_cards(db, today, START)
    assert [c.slug for c in cards] == ["family", "home", "guitar"]  # active, paused, archived
    card = cards[0]
    assert card.heatmap_start == date(2026, 8, 17) and len(card.heatmap) == 84
    cell = {card.heatmap_start + timedelta(days=n): v for n, v in enumerate(card.heatmap) if v}
    assert cell == {date(2026, 10, 25): 1, date(2026, 10, 26): 1, date(2026, 8, 17): 1,
                    date(2026, 11, 5): 1, date(2026, 11, 8): 1}
    # 28 days up to 5 November: 25 Oct, 26 Oct, 5 Nov (8 Nov is after today).
    assert (card.done_last_4_weeks, card.expected_last_4_weeks) == (3, 12)
    assert card.open_count == 2 and card.why == "why family" and card.cadence_per_week == 3
    assert card.last_progress == at(date(2026, 11, 9), 8)
    assert card.last_progress.utcoffset() == timedelta(hours=1)
    assert (cards[1].heatmap, cards[1].expected_last_4_weeks) == ([0] * 84, None)
    assert cards[1].last_progress == at(date(2026, 7, 1), 10)
    assert cards[1].last_progress.utcoffset() == timedelta(hours=2)  # summer time
    assert cards[2].last_progress is None and cards[2].open_count == 0
    assert [c.id for c in goal_cards(db, today, START, statuses=["paused", "archived"])] == [
        home, old]
    assert goal_cards(db, today, START, statuses=[]) == []


def test_goal_page(journal: Journal) -> None:
    today = date(2026, 11, 26)
    fam, other = add(journal, goal("family", "Family"), goal("health", "Health"))
    add(journal, *(done(f"done {n}", at(today, 8) - timedelta(days=n), fam)
                   for n in range(205)),
        Action(title="open due", goal_id=fam, due_on=today - timedelta(days=1)),
        Action(title="open new", goal_id=fam, created_at=at(today, 9)),
        Action(title="someone else's", goal_id=other))
    page = goal_page(journal.db_path, fam, today, START)
    assert page.card.slug == "family" and page.card.open_count == 2
    assert [a.title for a in page.open_actions] == ["open due", "open new"]
    assert len(page.done_actions) == 200
    assert [a.title for a in page.done_actions[:2]] == ["done 0", "done 1"]
    assert page.card.done_last_4_weeks == 28
    assert goal_page(journal.db_path, 999, today, START) is None


def test_week_review_series_and_mood(journal: Journal) -> None:
    monday = date(2026, 11, 23)
    fam, health = add(journal, goal("family", "Family"), goal("health", "Health"))
    add(journal,
        done("x", at(monday, 9), health), done("y", at(monday, 10), health),
        done("z", at(monday + timedelta(days=2), 9), fam),
        done("loose", at(monday + timedelta(days=7), 3), None),  # Sunday's (before 04:00)
        done("next week", at(monday + timedelta(days=7), 5), fam),
        Entry(text="m1", mood=2, energy=5, created_at=at(monday, 8)),
        Entry(text="m2", mood=3, created_at=at(monday, 20)),
        Entry(text="m3", mood=1, energy=1, created_at=at(monday + timedelta(days=1), 8)),
        DayWords(day=monday + timedelta(days=1), how_it_went="", in_the_way="", mood=5))
    # Any day of the week gives the same week.
    week = week_review(journal.db_path, monday + timedelta(days=3), START)
    assert week.start == monday and week.days[-1] == monday + timedelta(days=6)
    assert [(s.goal_slug, s.goal_title, s.counts) for s in week.series] == [
        ("family", "Family", [0, 0, 1, 0, 0, 0, 0]),
        ("health", "Health", [2, 0, 0, 0, 0, 0, 0]),
        (None, "Other", [0, 0, 0, 0, 0, 0, 1])]
    # The day's own words win; else the mean of its entries; else nothing.
    assert week.mood == [2.5, 5.0, None, None, None, None, None]
    assert week.energy == [5.0, 1.0, None, None, None, None, None]


def test_memory_items_and_feedback_records(journal: Journal) -> None:
    day = date(2026, 11, 20)
    (refl,) = add(journal, Reflection(kind="daily", period=day, content="r", model="m1",
                                      prompt_name="daily", prompt_version="2"))
    week, month, liked = add(
        journal,
        Summary(kind="week", period_start=date(2026, 11, 9), period_end=date(2026, 11, 15),
                content="a calm week", source="model"),
        Summary(kind="month", period_start=date(2026, 10, 1), period_end=date(2026, 10, 31),
                content="October", source="plain"),
        Feedback(target_kind="reflection", target_id=refl, rating=1, note="more like this",
                 created_at=datetime(2026, 11, 21, 8, tzinfo=UTC)))
    items = memory_items(journal.db_path)
    assert [(i.kind, i.id, i.text, i.period_start, i.source) for i in items] == [
        ("feedback", liked, "more like this", day, "helpful"),
        ("week summary", week, "a calm week", date(2026, 11, 9), "model"),
        ("month summary", month, "October", date(2026, 10, 1), "plain")]
    assert items[0].created_at == datetime(2026, 11, 21, 8, tzinfo=UTC)
    assert items[0].created_at.utcoffset() == timedelta(hours=1)
    assert len(memory_items(journal.db_path, limit=2)) == 2
    (record,) = feedback_records(journal.db_path)
    json.dumps(record)  # JSON lines: plain values only
    assert record == {"id": liked, "created_at": "2026-11-21T09:00:00+01:00",
                      "target_kind": "reflection", "target_id": refl, "rating": 1,
                      "note": "more like this", "reflection_day": "2026-11-20",
                      "prompt_name": "daily", "prompt_version": "2", "model": "m1"}


def test_reads_never_take_the_write_lock(journal: Journal) -> None:
    """The windows read while the tray writes: a read-only connection waits for nothing."""
    add(journal, goal("family", "Family"))
    with journal.write() as session:
        session.add(Goal(slug="pending", title="Pending"))
        session.flush()  # the write transaction holds the lock while we read
        assert [c.slug for c in goal_cards(journal.db_path, date(2026, 11, 26), START)] == [
            "family"]
