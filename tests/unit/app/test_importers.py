"""What each importer makes of its format (app.importers), on a real journal: notes,
to-dos and wins with their original times, tags, due days, goals; what is left out and
said; uids that make a second import add nothing; and format detection."""

from __future__ import annotations

import json
import shutil
import sys
import zipfile
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from app.errors import BadInput
from app.importers import Format, ImportSummary, detect_format, import_file
from app.journal import Context
from storage.errors import ImportRejected
from tests.helpers import sql

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "import"
PARIS = timezone(timedelta(hours=1))  # Paris in March, for the tests' explicit --tz
NOW = datetime(2026, 11, 26, 18, 0, tzinfo=PARIS)


@pytest.fixture
def context(wise_home: Path) -> Context:
    return Context.from_environment()


def run(context: Context, path: Path, fmt: str, **options) -> ImportSummary:
    return import_file(context, path, fmt, tz=options.pop("tz", "+01:00"), now=NOW, **options)


def notes(home: Path) -> list[tuple]:
    return sql(home, "SELECT e.text, e.created_at, e.source, group_concat(t.name, ' ') "
                     "FROM entries e LEFT JOIN entry_tags x ON x.entry_id = e.id "
                     "LEFT JOIN tags t ON t.id = x.tag_id GROUP BY e.id ORDER BY e.id")


def actions(home: Path) -> list[tuple]:
    return sql(home, "SELECT a.title, a.status, a.due_on, a.created_at, a.done_at, "
                     "group_concat(t.name, ' '), g.slug FROM actions a "
                     "LEFT JOIN action_tags x ON x.action_id = a.id "
                     "LEFT JOIN tags t ON t.id = x.tag_id LEFT JOIN goals g ON g.id = a.goal_id "
                     "GROUP BY a.id ORDER BY a.id")


def test_jrnl_entries_become_notes_at_their_local_time(context: Context, wise_home: Path
                                                       ) -> None:
    summary = run(context, FIXTURES / "jrnl" / "export.json", "jrnl")
    rows = notes(wise_home)
    assert (summary.notes, summary.new, summary.repeated) == (6, 5, 1)
    assert rows[0][0].startswith("Morning pages. Slept badly but the walk helped @health #walk"
                                 "\nCalled mum — she laughed at the café story. ☕️ 😀 @family")
    assert rows[0][1] == "2024-03-01 07:15:00.000000"  # 08:15 at +01:00
    assert set(rows[0][3].split()) == {"family", "health", "walk"}
    assert rows[0][2] == "import"
    assert rows[1][0].startswith("שלום, היום היה טוב.") and "starred" in rows[1][3].split()
    assert len(rows[2][0]) > 9_900  # the 10,000-character entry, whole
    assert set(rows[4][3].split()) == {"c", "road-trip", "ünïcödé"}  # @2024 has no letter
    assert summary.first_day == date(2024, 3, 1) and summary.last_day == date(2024, 3, 5)
    assert summary.times.startswith("UTC+01:00 (as --tz said)")


def test_jrnl_odd_entries(context: Context, wise_home: Path) -> None:
    summary = run(context, FIXTURES / "jrnl" / "handwritten.json", "jrnl", tz="UTC")
    rows = notes(wise_home)
    assert dict(summary.left_out) == {"entries with no text": 1}
    assert [text.split("\n")[0][:21] for text, *_ in rows] == [
        "From a Day One journa", "An export of jrnl 1.x", "Half an emoji escaped"]
    assert set(rows[1][3].split()) == {"books", "reading", "tags"}  # found in the text
    assert "\ufffd" in rows[2][0]
    assert rows[0][1] == "2023-06-01 07:30:00.000000"


def test_the_same_day_one_entry_from_jrnl_and_from_day_one_is_one_note(
        context: Context, wise_home: Path, tmp_path: Path) -> None:
    run(context, FIXTURES / "jrnl" / "handwritten.json", "jrnl")
    dayone = tmp_path / "Journal.json"
    dayone.write_text(json.dumps({"metadata": {"version": "1.0"}, "entries": [{
        "uuid": "4bb1f46946ad439996c9b59de7c4ddc1", "creationDate": "2023-06-01T06:30:00Z",
        "text": "From a Day One journal jrnl kept.\nIts uuid is kept too."}]}))
    assert run(context, dayone, "dayone").already_there == 1


@pytest.mark.parametrize("shape", ["folder", "zip", "zip in a folder", "one json"])
def test_day_one_exports_in_every_shape(context: Context, wise_home: Path, tmp_path: Path,
                                        shape: str) -> None:
    source = FIXTURES / "dayone"
    if shape.startswith("zip"):
        target = tmp_path / "export.zip"
        prefix = "Export/" if shape == "zip in a folder" else ""
        with zipfile.ZipFile(target, "w") as archive:
            for file in sorted(source.rglob("*")):
                archive.write(file, prefix + str(file.relative_to(source)))
            archive.writestr("__MACOSX/._Journal.json", b"\x00resource fork")
        source = target
    elif shape == "one json":
        source = source / "Journal.json"
    summary = run(context, source, "dayone")
    rows = notes(wise_home)
    several = shape != "one json"
    assert summary.times.startswith("exact moments")
    assert rows[0][0] == ("# All packed up... still checking on weather\n\n"
                          "Cairns here we come. 3.5 hours to go (yes!)")
    assert rows[0][1] == "2021-03-03 11:48:50.000000"
    expected = {"travel", "road-trip", "starred"} | ({"journal"} if several else set())
    assert set(rows[0][3].split()) == expected
    assert rows[1][0].startswith("שלום עולם 🌍 — a mixed line, עברית and English.")
    assert "dayone-moment" not in rows[1][0]
    assert {"family-time", "pinned", "שלום"} <= set(rows[1][3].split())
    left = dict(summary.left_out)
    assert left["photos (Wise keeps words; they stay in your Day One export)"] == (
        3 if several else 2)
    assert left["audio recordings (Wise keeps words; they stay in your Day One export)"] == 1
    assert left["entries with no words (only photos, or empty)"] == 2
    assert summary.repeated == (1 if several else 0)
    assert summary.new == (4 if several else 3)


def test_a_day_one_uuid_given_twice_with_other_words_is_refused(
        context: Context, wise_home: Path, tmp_path: Path) -> None:
    entry = {"uuid": "AAAA", "creationDate": "2021-03-03T11:48:50Z", "text": "one"}
    (tmp_path / "A.json").write_text(json.dumps({"entries": [entry]}))
    (tmp_path / "B.json").write_text(json.dumps({"entries": [{**entry, "text": "two"}]}))
    with pytest.raises(ImportRejected) as refused:
        run(context, tmp_path, "dayone")
    assert str(refused.value).startswith("B.json, line 1 (entry 1): the same entry as an "
                                         "earlier one in the file (the same id), but with "
                                         "another text")
    assert notes(wise_home) == []


def test_todo_txt_follows_the_format_rules(context: Context, wise_home: Path) -> None:
    context.open_journal().close()  # a journal with one goal, whose #tag is +Health's
    sql(wise_home, "INSERT INTO goals (uid, slug, title, why, status, created_at, updated_at)"
                   " VALUES ('g', 'health', 'Health', '', 'active', '2024-01-01', '2024-01-01')")
    summary = run(context, FIXTURES / "todo.txt", "todotxt")
    rows = {row[0]: row for row in actions(wise_home)}
    assert rows["Thank Mom for the meatballs"][1:] == (
        "open", None, "2026-11-26 17:00:00.000000", None, "phone priority-a", None)
    dentist = rows["Call the dentist"]
    assert dentist[1:5] == ("open", "2024-03-08", "2024-03-01 11:00:00.000000", None)
    assert dentist[5:] == ("priority-a", "health")  # +Health is the goal's #tag
    assert rows["Renew the passport"][5] == "admin town"  # odd spacing, trailing tags off
    assert "@GroceryStore pies" in rows  # a tag inside the title stays in it
    for not_special in ("Really gotta call Mom (A)", "(b) Get back to the boss",
                        "xylophone lesson", "X 2012-01-01 Make resolutions",
                        "Learn how to add 2+2", "Email SoAndSo at soandso@example.com"):
        assert rows[not_special][1] == "open" and rows[not_special][5] in (
            None, "phone someday")
    assert rows["Read https://example.com/todo.txt t:2024-04-01 due:someday"][2] is None
    review = rows["Review Tim's pull request"]
    assert review[1:5] == ("done", None, "2024-03-01 11:00:00.000000",
                           "2024-03-05 11:00:00.000000")
    assert set(review[5].split()) == {"github", "priority-b", "todotxttouch"}
    plants = [row for row in actions(wise_home) if row[0] == "Water the plants"]
    assert [row[4] for row in plants] == ["2024-03-06 11:00:00.000000",
                                          "2024-03-13 11:00:00.000000"]
    assert rows["לקנות חלב"][5] == "priority-c חנות"
    assert (summary.todos, summary.wins, summary.repeated, summary.linked_to_goals) == (
        15, 4, 1, 1)


def test_an_impossible_date_in_a_date_s_place_refuses_the_file(
        context: Context, wise_home: Path, tmp_path: Path) -> None:
    todo = tmp_path / "todo.txt"
    todo.write_text("(A) fine task\n(B) 2024-02-30 Pay rent\nlast\n")
    with pytest.raises(ImportRejected, match=r"^todo.txt, line 2: the creation date "
                                             r"'2024-02-30' is not a date"):
        run(context, todo, "todotxt")
    assert actions(wise_home) == []


def test_markdown_lines_go_through_the_capture_language(context: Context, wise_home: Path
                                                        ) -> None:
    summary = run(context, FIXTURES / "notes.md", "markdown")
    rows = {row[0]: row for row in actions(wise_home)}
    # "tomorrow" under ## 2024-03-04 is the 5th
    assert rows["call mum"][1:5] == ("open", "2024-03-05", "2024-03-04 11:00:00.000000", None)
    assert rows["Walked to the park"][1] == "done"
    assert rows["Called the plumber (#home)"][3] == "2024-03-06 17:02:00.000000"  # 18:02
    assert rows["Book the dentist (#health)"][1] == "open"
    texts = {row[0]: row for row in notes(wise_home)}
    assert texts["Some lines before any dated heading: they are dated at the import."][1] == (
        "2026-11-26 17:00:00.000000")
    assert texts["A quoted thought about the day."][1] == "2024-03-04 11:00:00.000000"
    assert texts["Early start, wrote for an hour."][1] == "2024-03-06 06:45:00.000000"
    assert 'def hello():\n    return "a code block stays one note"' in texts
    assert dict(summary.left_out) == {"headings that are not dates": 2,
                                      "horizontal rules": 1,
                                      "lines with only a mark (like an empty [ ])": 1}
    assert (summary.notes, summary.todos, summary.wins) == (8, 2, 4)


def test_a_daily_note_is_dated_by_its_name_and_loses_its_front_matter(
        context: Context, wise_home: Path) -> None:
    summary = run(context, FIXTURES / "2024-03-07.md", "markdown")
    assert [row[:2] for row in actions(wise_home)] == [("Finished the report", "done")]
    assert notes(wise_home)[0][1] == "2024-03-07 11:00:00.000000"
    assert dict(summary.left_out) == {"lines of front matter (between --- at the top)": 4}


@pytest.mark.parametrize("fmt", ["jrnl", "dayone", "todotxt", "markdown"])
def test_a_second_import_adds_nothing(context: Context, wise_home: Path, fmt: str) -> None:
    path = {"jrnl": FIXTURES / "jrnl" / "export.json", "dayone": FIXTURES / "dayone",
            "todotxt": FIXTURES / "todo.txt", "markdown": FIXTURES / "notes.md"}[fmt]
    first = run(context, path, fmt)
    before = notes(wise_home), actions(wise_home)
    second = import_file(context, path, fmt, tz="Asia/Tokyo")  # another zone and moment
    assert second.new == 0 and second.already_there == first.new
    assert (notes(wise_home), actions(wise_home)) == before
    assert "were already in your journal" in second.in_words()


def test_a_dry_run_counts_and_writes_nothing(context: Context, wise_home: Path) -> None:
    summary = run(context, FIXTURES / "todo.txt", "todotxt", dry_run=True)
    assert summary.new == 18 and summary.dry_run
    assert actions(wise_home) == []
    assert summary.in_words().startswith("Would import 15 to-dos and 4 wins from")


def test_the_summary_as_json(context: Context) -> None:
    summary = run(context, FIXTURES / "jrnl" / "export.json", "jrnl")
    data = json.loads(json.dumps(summary.as_dict()))
    assert data["format"] == "jrnl" and data["notes"] == 6 and data["new"] == 5
    # what `wise import` of a Wise export says, under the same names, and the words
    assert (data["goals"], data["actions"], data["entries"]) == (0, 0, 5)
    assert data["words"] == summary.in_words() and data["words"].startswith("Imported 6")
    assert data["first_day"] == "2024-03-01" and data["tags"]["family"] == 2
    assert data["left_out"] == {
        "tags with no letter, or longer than 80 characters (the words stay in the text)": 1}


def test_times_without_a_zone_follow_tz(context: Context, wise_home: Path) -> None:
    run(context, FIXTURES / "jrnl" / "export.json", "jrnl", tz="America/New_York")
    assert notes(wise_home)[0][1] == "2024-03-01 13:15:00.000000"  # 08:15 EST


@pytest.mark.parametrize("zone", ["Mars/Olympus", "../../etc/passwd", "+25:00", ""])
def test_an_unknown_zone_is_bad_input(context: Context, zone: str) -> None:
    with pytest.raises(BadInput, match="is not a time zone Wise knows"):
        run(context, FIXTURES / "todo.txt", "todotxt", tz=zone)


def test_detect_format(tmp_path: Path) -> None:
    assert detect_format(FIXTURES / "jrnl" / "export.json") is Format.JRNL
    assert detect_format(FIXTURES / "dayone") is Format.DAYONE
    assert detect_format(FIXTURES / "dayone" / "Journal.json") is Format.DAYONE
    assert detect_format(FIXTURES / "todo.txt") is Format.TODOTXT
    assert detect_format(FIXTURES / "notes.md") is Format.MARKDOWN
    archive = tmp_path / "dayone.zip"
    shutil.make_archive(str(archive.with_suffix("")), "zip", FIXTURES / "dayone")
    assert detect_format(archive) is Format.DAYONE
    tasks = tmp_path / "tasks.txt"
    tasks.write_text("(A) call mum @phone\nx 2024-01-01 paid rent\nbuy milk +home\n")
    assert detect_format(tasks) is Format.TODOTXT
    wise = tmp_path / "wise.json"
    wise.write_text('{"format": "wise-journal", "version": 2,\n"goals": [\n')
    assert detect_format(wise) is None
    assert detect_format(tmp_path / "missing") is None


def test_detect_format_loads_no_data_layer(tmp_path: Path) -> None:
    """A window may call detect_format itself: it must not pull in SQLAlchemy."""
    import subprocess

    probe = ("import sys; from app.importers import detect_format; "
             f"print(detect_format({str(FIXTURES / 'todo.txt')!r}).value, "
             "'sqlalchemy' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          cwd=FIXTURES.parents[2], check=True)
    assert done.stdout.split() == ["todotxt", "False"]
