"""storage/repo/journal_reads.py: the day `wise today` and the plain reflection read, and
"the day's wins" defined once (the reflection window's day agrees with it)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from storage.engine import Journal
from storage.models import Action, Entry, Goal, Tag
from storage.repo.journal_reads import count_wins, day_wins, today_view
from storage.repo.memory_reads import range_facts
from storage.repo.reading import reading
from storage.repo.ritual_reads import day_view
from storage.timeutil import journal_day_bounds

DAY = date(2026, 11, 18)
START = 4


def noon(days: int = 0, hours: int = 0) -> datetime:
    start, _ = journal_day_bounds(DAY, START)
    return start + timedelta(days=days, hours=8 + hours)


def seed(journal: Journal) -> dict[str, int]:
    with journal.write() as s:
        book = Goal(slug="book", title="Write the book", why="the story wants out")
        urgent = Tag(name="urgent")
        rows = {
            "win": Action(title="wrote a page", goal=book, status="done", tags=[urgent],
                          created_at=noon(-3), done_at=noon()),
            "late win": Action(title="late night email", status="done",
                               created_at=noon(-1), done_at=noon(hours=10)),  # 02:00+
            "reopened": Action(title="reopened", status="open", created_at=noon(-2),
                               done_at=noon(hours=1)),  # an old row: done_at left behind
            "yesterday": Action(title="done yesterday", status="done", created_at=noon(-2),
                                done_at=noon(-1)),
            "overdue": Action(title="call the dentist", status="open", created_at=noon(-5),
                              due_on=DAY - timedelta(days=2)),
            "captured": Action(title="buy stamps", status="open", created_at=noon(hours=2),
                               estimate_minutes=5),
            "later": Action(title="plan the trip", status="open", created_at=noon(hours=3),
                            due_on=DAY + timedelta(days=3)),
        }
        note = Entry(text="a good morning", goal=book, tags=[urgent], created_at=noon(hours=1))
        s.add_all([*rows.values(), note])
        s.flush()
        ids = {name: row.id for name, row in rows.items()}
        ids["note"] = note.id
    return ids


def test_today_view_reads_the_journal_day(journal: Journal) -> None:
    ids = seed(journal)
    view = today_view(journal.db_path, DAY, START)
    assert [s.id for s in view.wins] == [ids["win"], ids["late win"]]
    assert view.wins[0].goal_slug == "book" and view.wins[0].tags == ("urgent",)
    assert view.wins[0].done_at == noon() and view.wins[0].done_at.tzinfo is UTC
    assert [s.id for s in view.due] == [ids["overdue"]]
    assert ids["captured"] in [s.id for s in view.captured]
    assert ids["later"] in [s.id for s in view.captured]  # due later: still captured today
    assert [(n.id, n.goal_slug, n.tags) for n in view.notes] == [(ids["note"], "book",
                                                                  ("urgent",))]
    data = view.as_dict()
    assert data["wins"][0]["goal"] == "book" and data["notes"][0]["tags"] == ["urgent"]


def test_the_days_wins_are_one_definition(journal: Journal) -> None:
    """A step reopened with its done_at left behind is no win, in every reader."""
    ids = seed(journal)
    start, end = journal_day_bounds(DAY, START)
    with reading(journal.db_path) as conn:
        wins = day_wins(conn, start, end)
        newest = day_wins(conn, start, end, newest_first=True, limit=1)
        assert count_wins(conn, start, end) == 2
        facts = range_facts(conn, start, end)  # the summaries' count and titles
        assert facts.wins == 2 and set(facts.win_titles) == {w.title for w in wins}
    assert [w.id for w in wins] == [ids["win"], ids["late win"]]
    assert [w.id for w in newest] == [ids["late win"]]
    assert [w.id for w in day_view(journal.db_path, DAY, START).wins] == [w.id for w in wins]


def test_no_journal_yet_reads_as_an_empty_day(tmp_path) -> None:
    view = today_view(tmp_path / "none.db", DAY, START)
    assert (view.wins, view.due, view.captured, view.notes) == ((), (), (), ())
