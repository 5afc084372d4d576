"""The Markdown export: a document to read, grouped by journal day, valid Markdown."""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from storage.engine import Journal
from storage.export_json import TransferCounts
from storage.export_markdown import export_markdown
from storage.migrate import ensure_schema
from storage.models import (
    Action,
    ActionStatus,
    DayWords,
    Entry,
    FocusSession,
    Goal,
    GoalStatus,
    Reflection,
)

# A fixed offset (UTC-5) keeps the tests independent of the machine's zone and of tzdata,
# while still proving that stored UTC is shown as local time.
LOCAL = timezone(timedelta(hours=-5))
GENERATED = datetime(2026, 11, 29, 18, 0, tzinfo=LOCAL)


@pytest.fixture(scope="module")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("template")
    ensure_schema(folder / "wise.db", folder / "backups", keep_backups=3)
    return folder / "wise.db"


@pytest.fixture
def journal(template_db: Path, tmp_path: Path) -> Iterator[Journal]:
    shutil.copyfile(template_db, tmp_path / "wise.db")
    opened = Journal(tmp_path / "wise.db")
    yield opened
    opened.close()


def local(text: str) -> datetime:
    """A local wall-clock time in LOCAL (stored, as always, in UTC)."""
    return datetime.fromisoformat(text).replace(tzinfo=LOCAL)


def markdown(journal: Journal, *, day_start_hour: int = 4) -> str:
    out = io.StringIO()
    export_markdown(journal.db_path, out, day_start_hour=day_start_hour, tz=LOCAL,
                    generated_at=GENERATED)
    return out.getvalue()


def add(journal: Journal, *rows: object) -> None:
    with journal.write() as session:
        session.add_all(rows)


def day_of(document: str, heading: str) -> list[str]:
    """The lines under a `## day` heading, up to the next heading."""
    section = document.split(f"\n## {heading}\n", 1)[1]
    return section.split("\n## ", 1)[0].strip("\n").split("\n")


def test_a_small_journal_reads_as_expected(journal: Journal) -> None:
    family = Goal(slug="family", title="Family", why="They are my people.\nAll of them.",
                  cadence_per_week=3)
    add(journal,
        family,
        Goal(slug="run", title="Running", status=GoalStatus.PAUSED),
        Goal(slug="es", title="Spanish", status=GoalStatus.DONE, cadence_per_week=1),
        Goal(slug="knit", title="Knitting", status=GoalStatus.ARCHIVED, why="Maybe later."),
        Entry(text="A long walk with Sam.", created_at=local("2026-11-26T21:14")),
        Action(title="Called mum", goal=family, status=ActionStatus.DONE,
               created_at=local("2026-11-26T18:02"), done_at=local("2026-11-26T18:02")),
        Action(title="Book the dentist", created_at=local("2026-11-26T09:00"),
               due_on=date(2026, 11, 27)),
        Action(title="Fix the bike", status=ActionStatus.DONE,
               created_at=local("2026-11-26T09:05"), due_at=local("2026-11-28T17:00"),
               done_at=local("2026-11-28T10:00")),
        Action(title="Plan the party", goal=family, status=ActionStatus.DROPPED,
               created_at=local("2026-11-28T08:00")))

    out = io.StringIO()
    counts = export_markdown(journal.db_path, out, day_start_hour=4, tz=LOCAL,
                             generated_at=GENERATED)

    assert counts == TransferCounts(goals=4, actions=4, entries=1)
    assert out.getvalue() == """\
# Wise journal

Generated on Sunday 29 November 2026 at 18:00.

## Goals

### Family (#family)

> They are my people.
> All of them.

Aiming for 3 times a week.

### Running (#run) — paused for now

### Spanish (#es) — done ✓

Aiming for once a week.

### Archived

- Knitting (#knit)

## Thursday 26 November 2026

- ☐ Book the dentist — due Fri 27 Nov
- ☐ Fix the bike — due Sat 28 Nov 17:00 — done Sat 28 Nov
- ✓ 18:02 — Called mum (#family)
- 21:14 — A long walk with Sam.

## Saturday 28 November 2026

- ☐ Plan the party (#family) — dropped
- ✓ 10:00 — Fix the bike
"""


def test_a_capture_before_the_day_start_hour_belongs_to_the_day_before(
        journal: Journal) -> None:
    add(journal,
        Entry(text="evening", created_at=local("2026-11-26T21:00")),
        Entry(text="night owl", created_at=local("2026-11-27T01:30")),
        Entry(text="early bird", created_at=local("2026-11-27T04:00")))

    four_am = markdown(journal, day_start_hour=4)
    midnight = markdown(journal, day_start_hour=0)

    assert day_of(four_am, "Thursday 26 November 2026") == [
        "- 21:00 — evening", "- 01:30 — night owl"]
    assert day_of(four_am, "Friday 27 November 2026") == ["- 04:00 — early bird"]
    assert day_of(midnight, "Thursday 26 November 2026") == ["- 21:00 — evening"]
    assert day_of(midnight, "Friday 27 November 2026") == [
        "- 01:30 — night owl", "- 04:00 — early bird"]


def test_times_are_local_and_days_run_oldest_first(journal: Journal) -> None:
    # 02:00 UTC on the 27th is 21:00 on the 26th at UTC-5.
    add(journal,
        Entry(text="later", created_at=datetime(2026, 12, 1, 15, 0, tzinfo=UTC)),
        Entry(text="earlier", created_at=datetime(2026, 11, 27, 2, 0, tzinfo=UTC)))

    document = markdown(journal)

    assert day_of(document, "Thursday 26 November 2026") == ["- 21:00 — earlier"]
    assert document.index("## Thursday 26 November") < document.index("## Tuesday 1 December")


def test_focus_sessions_show_the_time_given_on_their_day(journal: Journal) -> None:
    add(journal,
        FocusSession(title="Write the intro", started_at=local("2026-11-26T09:00"),
                     planned_seconds=120, paused_seconds=60,
                     ended_at=local("2026-11-26T09:43"), outcome="done"),
        FocusSession(title="Tidy", started_at=local("2026-11-26T10:00"), planned_seconds=300,
                     paused_seconds=0))

    assert day_of(markdown(journal), "Thursday 26 November 2026") == [
        "- ⏱ 09:00 — 42 min on Write the intro (done)", "- ⏱ 10:00 — running on Tidy"]


def test_a_line_starting_with_a_hash_does_not_become_a_heading(journal: Journal) -> None:
    add(journal,
        Goal(slug="home", title="Home", why="# Because\nit is mine"),
        Entry(text="# Big news\nwe moved\n## and more\n   #indented\nnot a #tag problem",
              created_at=local("2026-11-26T21:14")),
        Entry(text="Setext trap\n---\nand\n===", created_at=local("2026-11-26T22:00")))

    document = markdown(journal)

    assert "> \\# Because" in document
    assert day_of(document, "Thursday 26 November 2026") == [
        "- 21:14 — # Big news",  # after "- 21:14 — " a hash is plain text already
        "  we moved",
        "  \\## and more",
        "     \\#indented",
        "  not a #tag problem",
        "- 22:00 — Setext trap",
        "  \\---",
        "  and",
        "  \\===",
    ]
    headings = [line for line in document.split("\n") if re.match(r" {0,3}#", line)]
    assert headings == ["# Wise journal", "## Goals", "### Home (#home)",
                        "## Thursday 26 November 2026"]


def test_multi_line_text_stays_inside_its_list_item(journal: Journal) -> None:
    add(journal,
        Entry(text="first line\nsecond line\n\nafter a blank line\r\nwindows line",
              created_at=local("2026-11-26T09:00")),
        Action(title="Two-line\nto-do", created_at=local("2026-11-26T10:00"),
               due_on=date(2027, 1, 4)))

    document = markdown(journal)

    assert day_of(document, "Thursday 26 November 2026") == [
        "- 09:00 — first line",
        "  second line",
        "",
        "  after a blank line",
        "  windows line",
        "- ☐ Two-line",
        "  to-do — due Mon 4 Jan 2027",  # another year: the year is said
    ]


def test_a_goal_title_with_a_line_break_stays_one_heading(journal: Journal) -> None:
    add(journal, Goal(slug="odd", title="Two\nlines", why=""))

    assert "### Two lines (#odd)\n" in markdown(journal)


def test_an_empty_journal_says_nothing_is_here_yet(journal: Journal) -> None:
    out = io.StringIO()
    counts = export_markdown(journal.db_path, out, day_start_hour=4, tz=LOCAL,
                             generated_at=GENERATED)

    assert counts == TransferCounts(0, 0, 0)
    assert out.getvalue() == (
        "# Wise journal\n\nGenerated on Sunday 29 November 2026 at 18:00.\n\n"
        "Nothing here yet. Write a first note, a win or a to-do, and it will be waiting "
        "for you here next time.\n")


def test_goals_without_any_days_still_say_nothing_is_written_yet(journal: Journal) -> None:
    add(journal, Goal(slug="family", title="Family", why="them"))

    document = markdown(journal)

    assert "### Family (#family)" in document
    assert document.endswith("\n## Journal\n\nNothing here yet. Write a first note, a win or "
                             "a to-do, and it will be waiting for you here next time.\n")


def test_many_rows_are_streamed_in_time_order(journal: Journal) -> None:
    start = local("2026-01-01T12:00")
    rows: list[object] = []
    for i in range(1200):  # more than one fetch batch per cursor
        rows.append(Entry(text=f"note {i}", created_at=start + timedelta(hours=i, minutes=1)))
        rows.append(Action(title=f"win {i}", status=ActionStatus.DONE,
                           created_at=start + timedelta(hours=i),
                           done_at=start + timedelta(hours=i)))
    add(journal, *rows)

    out = io.StringIO()
    counts = export_markdown(journal.db_path, out, day_start_hour=4, tz=LOCAL,
                             generated_at=GENERATED)

    assert counts == TransferCounts(goals=0, actions=1200, entries=1200)
    items = [line for line in out.getvalue().split("\n") if line.startswith("- ")]
    assert len(items) == 2400  # each win once: done the day it was written down
    assert items[:2] == ["- ✓ 12:00 — win 0", "- 12:01 — note 0"]
    assert out.getvalue().count("\n## ") == 51  # 1200 hours from noon: 51 journal days


def test_a_day_shows_the_users_words_then_its_items_then_its_reflection(
        journal: Journal) -> None:
    day = date(2026, 11, 26)
    add(journal,
        Entry(text="A long walk with Sam.", created_at=local("2026-11-26T21:14")),
        Action(title="Called mum", status=ActionStatus.DONE,
               created_at=local("2026-11-26T18:02"), done_at=local("2026-11-26T18:02")),
        DayWords(day=day, how_it_went="Tired, but the walk helped.\n# not a heading",
                 in_the_way="The train, again.", mood=3, energy=2),
        Reflection(kind="daily", period=day, content="An older take.", user_words="old"),
        Reflection(kind="daily", period=day, content="You made time for your mum.\n\n"
                   "Next: rest.", user_words="Tired."))

    assert day_of(markdown(journal), "Thursday 26 November 2026") == [
        "*How it went:*",
        "> Tired, but the walk helped.",
        "> \\# not a heading",
        "",
        "*What got in the way:*",
        "> The train, again.",
        "",
        "Mood 3/5, energy 2/5.",
        "",
        "- ✓ 18:02 — Called mum",
        "- 21:14 — A long walk with Sam.",
        "",
        "*Wise's reflection:*",  # the newest one only
        "> You made time for your mum.",
        ">",
        "> Next: rest.",
    ]


def test_days_with_only_words_or_a_reflection_get_their_own_heading(
        journal: Journal) -> None:
    add(journal,
        Entry(text="a note", created_at=local("2026-11-24T12:00")),
        DayWords(day=date(2026, 11, 23), how_it_went="", in_the_way="", mood=None,
                 energy=4),
        DayWords(day=date(2026, 11, 25), how_it_went="", in_the_way=""),  # cleared again
        # From before day words existed: the user's words were kept with the reflection.
        Reflection(kind="daily", period=date(2026, 11, 27), content="A gentle day.",
                   user_words="Slow and fine."))

    document = markdown(journal)

    headings = [line for line in document.split("\n") if line.startswith("## ")]
    assert headings == ["## Monday 23 November 2026", "## Tuesday 24 November 2026",
                        "## Friday 27 November 2026"]
    assert day_of(document, "Monday 23 November 2026") == ["Energy 4/5."]
    assert day_of(document, "Friday 27 November 2026") == [
        "*How it went:*", "> Slow and fine.", "", "*Wise's reflection:*", "> A gentle day."]
    assert document.endswith("> A gentle day.\n")


def test_the_day_start_hour_is_checked(journal: Journal) -> None:
    with pytest.raises(ValueError, match="0 to 23"):
        markdown(journal, day_start_hour=24)

