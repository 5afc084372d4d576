"""The capture draft on disk, and the words of the quick-capture preview."""

from __future__ import annotations

import os
import stat
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from app.capture.parser import parse_capture
from app.capture.preview import describe_preview, due_phrase, estimate_phrase
from app.daytime import journal_day
from app.drafts import MAX_DRAFT_BYTES, DraftStore

# ---------------------------------------------------------------------------- DraftStore


@pytest.fixture
def store(tmp_path: Path) -> DraftStore:
    return DraftStore(tmp_path / "home" / "draft.txt")


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != "draft.txt")


def test_no_draft_loads_as_empty(store: DraftStore) -> None:
    assert store.load() == ""
    assert not store.path.parent.exists()  # loading creates nothing


def test_a_saved_draft_comes_back_exactly(store: DraftStore) -> None:
    text = "call mum #family tomorrow\n  second line ✓ 日本語 \t"
    store.save(text)
    assert store.load() == text
    assert DraftStore(store.path).load() == text  # a new process reads the same


def test_the_draft_is_private(store: DraftStore) -> None:
    store.save("my secret thought")
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.path.parent.stat().st_mode) == 0o700


def test_saving_replaces_the_file_atomically_and_leaves_no_temp_files(
        store: DraftStore) -> None:
    store.save("first draft, rather long " * 20)
    first_inode = store.path.stat().st_ino
    store.save("second")
    assert store.load() == "second"  # not "second" followed by the rest of the first
    assert store.path.stat().st_ino != first_inode  # a new file renamed over the old one
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert leftovers(store.path.parent) == []


def test_a_failed_save_raises_and_cleans_up_its_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "draft.txt"
    target.mkdir()  # os.replace of a file over a directory fails
    with pytest.raises(OSError):  # noqa: PT011 - the platform decides which OSError
        DraftStore(target).save("text")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["draft.txt"]


def test_saving_empty_text_removes_the_draft(store: DraftStore) -> None:
    store.save("something")
    store.save("")
    assert not store.path.exists()
    assert store.load() == ""
    store.save("")  # nothing to remove: still fine


def test_clear_forgets_the_draft(store: DraftStore) -> None:
    store.save("something")
    store.clear()
    assert not store.path.exists()
    store.clear()


@pytest.mark.allow_warning_logs(r"^the capture draft .* could not be read: .*Is a directory")
def test_an_unreadable_draft_loads_as_empty(store: DraftStore) -> None:
    store.path.mkdir(parents=True)  # a directory where the file should be
    assert store.load() == ""


@pytest.mark.allow_warning_logs(r"^the capture draft .* is larger than \d+ bytes; it was not")
def test_an_absurdly_large_draft_is_not_loaded(store: DraftStore) -> None:
    store.path.parent.mkdir(parents=True)
    store.path.write_bytes(b"x" * (MAX_DRAFT_BYTES + 1))
    assert store.load() == ""


def test_undecodable_bytes_do_not_cost_the_rest_of_the_draft(store: DraftStore) -> None:
    store.path.parent.mkdir(parents=True)
    store.path.write_bytes(b"buy milk \xff\xfe and bread")
    assert store.load() == "buy milk \ufffd\ufffd and bread"


def test_an_existing_home_folder_keeps_its_mode(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir(mode=0o755)
    os.chmod(home, 0o755)
    DraftStore(home / "draft.txt").save("x")
    assert stat.S_IMODE(home.stat().st_mode) == 0o755  # not ours to change


# ------------------------------------------------------------------------------ preview

TZ = timezone(timedelta(hours=1))
NOW = datetime(2026, 11, 18, 10, 0, tzinfo=TZ)  # a Wednesday
TODAY = date(2026, 11, 18)
GOALS = {"family": "Family", "health": "Feel strong again"}


@pytest.mark.parametrize(("typed", "goals", "expected"), [
    ("buy milk", GOALS, "Note"),
    ("call mum #family tomorrow ~10m", GOALS, "To-do · goal Family · due tomorrow · ~10 min"),
    ("call mum #family tomorrow", GOALS, "To-do · goal Family · due tomorrow"),
    ("+ ran 5k #health", GOALS, "Win · goal Feel strong again"),
    ("+ ran 5k #health", {}, "Win · #health"),
    ("[ ] stretch", GOALS, "To-do"),
    ("[x] wrote the essay", GOALS, "Win"),
    ("#someday read Dune", GOALS, "Note · #someday (no goal with this tag)"),
    ("read Dune #someday #books", GOALS, "Note · #someday #books (no goal with these tags)"),
    ("read #someday with the #family", GOALS, "Note · goal Family · #someday"),
    ("#health first, then #family", GOALS, "Note · goal Feel strong again · #family"),
    ("dentist fri 3pm", GOALS, "To-do · due Friday 15:00"),
    ("dentist 2026-11-27 15:00", GOALS, "To-do · due Fri 27 Nov 15:00"),
    ("file taxes 2027-01-05", GOALS, "To-do · due Tue 5 Jan 2027"),
    ("write report ~90min", GOALS, "To-do · ~1 h 30 min"),
    ("write report ~2h", GOALS, "To-do · ~2 h"),
    ("standup at 15:00", GOALS, "To-do · due today 15:00"),
    ("note: pay rent tomorrow ~10m #family", GOALS, "Note · goal Family"),
])
def test_describe_preview(typed: str, goals: dict[str, str], expected: str) -> None:
    assert describe_preview(parse_capture(typed, NOW, 4), goals, TODAY) == expected


def test_the_preview_speaks_in_journal_days() -> None:
    night = datetime(2026, 11, 19, 1, 30, tzinfo=TZ)  # 1:30 am still belongs to the 18th
    parsed = parse_capture("pay rent tomorrow", night, 4)
    assert describe_preview(parsed, {}, journal_day(night, 4)) == "To-do · due tomorrow"
    assert parsed.due is not None and parsed.due.date() == date(2026, 11, 19)


def test_goal_titles_are_shown_as_written() -> None:
    parsed = parse_capture("call <b>mum</b> #family", NOW, 4)
    assert describe_preview(parsed, {"family": "Mum & <Dad>"}, TODAY) == "Note · goal Mum & <Dad>"


def at(day: int, month: int = 11, year: int = 2026, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


@pytest.mark.parametrize(("due", "all_day", "expected"), [
    (at(18), True, "today"),
    (at(18, hour=15), False, "today 15:00"),
    (at(19), True, "tomorrow"),
    (at(19, hour=9, minute=5), False, "tomorrow 09:05"),
    (at(17), True, "yesterday"),
    (at(20), True, "Friday"),
    (at(24, hour=8), False, "Tuesday 08:00"),  # six days ahead: still its weekday
    (at(25), True, "Wed 25 Nov"),  # a week ahead: a date, not a second "Wednesday"
    (at(27, hour=15), False, "Fri 27 Nov 15:00"),
    (at(10), True, "Tue 10 Nov"),
    (at(5, 1, 2027), True, "Tue 5 Jan 2027"),
    (at(1, 12), True, "Tue 1 Dec"),
])
def test_due_phrase(due: datetime, all_day: bool, expected: str) -> None:
    assert due_phrase(due, all_day, TODAY) == expected


@pytest.mark.parametrize(("minutes", "expected"), [
    (1, "1 min"), (10, "10 min"), (59, "59 min"), (60, "1 h"), (90, "1 h 30 min"),
    (1440, "24 h"),
])
def test_estimate_phrase(minutes: int, expected: str) -> None:
    assert estimate_phrase(minutes) == expected
