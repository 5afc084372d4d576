"""The merge rules, one situation at a time, on real journals syncing through folder
copies (tests/sync_devices.py): per-field last writer wins by HLC, deletes that stay, rows
whose parent comes later, goals made apart with one #tag, conflicts kept and answered."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from app.sync.crypto import new_key
from storage.capture_writer import CaptureRow, write_capture
from storage.ritual_writes import RitualWriter
from tests.sync_devices import Courier, Device, batch_files, template_journal


@pytest.fixture
def devices(tmp_path: Path):
    template = template_journal(tmp_path)
    key = new_key()
    made: list[Device] = []

    def make(name: str, skew: timedelta = timedelta(0)) -> Device:
        made.append(Device(tmp_path, name, key, template, skew))
        return made[-1]

    yield make
    for device in made:
        device.close()


def capture(device: Device, text: str, kind: str = "note", tags: tuple[str, ...] = ()) -> str:
    return write_capture(device.db, CaptureRow(kind, text, text, list(tags), None, None, None,
                                               "capture"), datetime.now(UTC)).uid


def exchange(*devices: Device) -> None:
    """Each syncs, the folder copies meet, each syncs again."""
    courier = Courier(random.Random(1))
    for device in devices:
        device.sync()
    courier.carry_all(list(devices))
    for device in devices:
        device.sync()


def test_edits_to_different_fields_of_one_row_both_survive(devices) -> None:
    a, b = devices("a"), devices("b")
    uid = capture(a, "write the report", "todo")
    exchange(a, b)
    a.sql("UPDATE actions SET status = 'done' WHERE uid = ?", uid)
    b.sql("UPDATE actions SET estimate_minutes = 25 WHERE uid = ?", uid)
    exchange(a, b)
    for device in (a, b):
        assert device.sql("SELECT status, estimate_minutes FROM actions") == [("done", 25)]


def test_a_skewed_clock_wins_only_edits_made_before_it_was_seen(devices) -> None:
    """A device three hours ahead wins a concurrent edit; an edit made after seeing its
    change wins over it, whatever the clocks say (the HLC counts on from what it saw)."""
    fast, slow = devices("fast", timedelta(hours=3)), devices("slow")
    uid = capture(fast, "call the bank", "todo")
    exchange(fast, slow)
    slow.sql("UPDATE actions SET status = 'dropped' WHERE uid = ?", uid)
    fast.sql("UPDATE actions SET status = 'done' WHERE uid = ?", uid)
    exchange(fast, slow)
    assert slow.sql("SELECT status FROM actions") == [("done",)]  # concurrent: the later HLC
    slow.sql("UPDATE actions SET status = 'open' WHERE uid = ?", uid)  # after seeing it
    exchange(fast, slow)
    for device in (fast, slow):
        assert device.sql("SELECT status FROM actions") == [("open",)]


def test_a_delete_stays_deleted_when_the_row_arrives_late_elsewhere(devices) -> None:
    a, b, c = devices("a"), devices("b"), devices("c")
    courier = Courier(random.Random(2))
    uid = capture(a, "a note to delete")
    a.sync()
    courier.carry(a, b)
    b.sync()
    b.sql("DELETE FROM entries WHERE uid = ?", uid)
    b.sync()
    courier.carry(b, c)  # c learns of the delete before it has the note
    c.sync()
    courier.carry(a, c)  # ... and then the note arrives
    c.sync()
    a.sql("UPDATE entries SET mood = 4 WHERE uid = ?", uid)  # and an edit made in between
    exchange(a, b, c)
    for device in (a, b, c):
        assert device.sql("SELECT count(*) FROM entries") == [(0,)], device.name
        assert device.sql("SELECT dead IS NOT NULL FROM sync_rows WHERE key = ?", uid) == [(1,)]


def test_a_text_edited_while_deleted_elsewhere_is_kept_as_a_conflict(devices) -> None:
    a, b = devices("a"), devices("b")
    uid = capture(a, "first words")
    exchange(a, b)
    a.sql("UPDATE entries SET text = 'words I added on a' WHERE uid = ?", uid)
    b.sql("DELETE FROM entries WHERE uid = ?", uid)
    exchange(a, b)
    for device in (a, b):
        assert device.sql("SELECT count(*) FROM entries") == [(0,)]
        assert device.sql("SELECT other, reason FROM sync_conflicts") == [
            ("words I added on a", "deleted")]


def test_children_arriving_before_their_parents_wait_and_then_appear(devices) -> None:
    a, b = devices("a"), devices("b")
    RitualWriter(a.db).add_goal("Health", why="to feel well")
    a.sync()
    uid = capture(a, "went for a run", "win", ("health", "outside"))
    a.sync()
    first, second = batch_files(a)[0], batch_files(a)[1]
    order = sorted([first, second], key=lambda p: p.stat().st_mtime_ns)
    target = b.folder / order[1].relative_to(a.folder)  # the later batch alone, first
    target.parent.mkdir(parents=True)
    target.write_bytes(order[1].read_bytes())
    b.sync()
    assert b.sql("SELECT count(*) FROM goals") == [(0,)]
    assert b.sql("SELECT title, goal_id FROM actions") == [("went for a run", None)]
    Courier(random.Random(3)).carry(a, b)
    b.sync()
    assert b.sql("SELECT a.title, g.slug FROM actions a JOIN goals g ON g.id = a.goal_id "
                 "WHERE a.uid = ?", uid) == [("went for a run", "health")]
    assert b.sql("SELECT t.name FROM action_tags l JOIN tags t ON t.id = l.tag_id") == [
        ("outside",)]
    assert b.sql("SELECT count(*) FROM sync_pending") == [(0,)]
    assert b.sql("SELECT count(*) FROM sync_dangling") == [(0,)]


def test_goals_made_apart_with_one_tag_get_the_same_names_everywhere(devices) -> None:
    a, b = devices("a"), devices("b")
    RitualWriter(a.db).add_goal("Family")
    RitualWriter(b.db).add_goal("Family")
    exchange(a, b)
    exchange(a, b)
    slugs = [sorted(d.sql("SELECT uid, slug FROM goals")) for d in (a, b)]
    assert slugs[0] == slugs[1]
    (_low, low_slug), (high, high_slug) = slugs[0]
    assert low_slug == "family" and high_slug == f"family-{high.replace('-', '')[:4]}"


def test_day_words_written_on_two_devices_keep_both(devices) -> None:
    a, b = devices("a"), devices("b")
    day = date(2026, 11, 26)
    RitualWriter(a.db).save_day_words(day, how_it_went="calm, on the laptop", in_the_way="",
                                      mood=3, energy=None)
    RitualWriter(b.db).save_day_words(day, how_it_went="busy, on the desktop", in_the_way="",
                                      mood=None, energy=2)
    exchange(a, b)
    words = [d.sql("SELECT how_it_went, mood, energy FROM day_words") for d in (a, b)]
    assert words[0] == words[1] and len(words[0]) == 1
    kept = words[0][0][0]
    other = ({"calm, on the laptop", "busy, on the desktop"} - {kept}).pop()
    for device in (a, b):
        assert device.sql("SELECT other FROM sync_conflicts WHERE resolved_at IS NULL") == [
            (other,)]
    # Answered on one device, closed on the other at its next sync; the text stays as kept.
    conflict_id = a.sql("SELECT id FROM sync_conflicts")[0][0]
    a.store.resolve(conflict_id, use_other=True)
    exchange(a, b)
    for device in (a, b):
        assert device.sql("SELECT how_it_went FROM day_words") == [(other,)]
        assert device.sql("SELECT count(*) FROM sync_conflicts WHERE resolved_at IS NULL"
                          ) == [(0,)]


def test_an_edit_made_knowing_the_other_version_is_no_conflict(devices) -> None:
    a, b = devices("a"), devices("b")
    goal = RitualWriter(a.db).add_goal("Music", why="it calms me")
    exchange(a, b)
    b_goal = b.sql("SELECT id FROM goals")[0][0]
    RitualWriter(b.db).update_goal(b_goal, why="it calms me, and I love it")
    exchange(a, b)
    RitualWriter(a.db).update_goal(goal, why="it calms me, and I love it; and friends")
    exchange(a, b)
    for device in (a, b):
        assert device.sql("SELECT why FROM goals") == [("it calms me, and I love it; and "
                                                        "friends",)]
        assert device.sql("SELECT count(*) FROM sync_conflicts") == [(0,)]


def test_a_removed_tag_link_can_come_back(devices) -> None:
    a, b = devices("a"), devices("b")
    uid = capture(a, "read Dune", "todo", ("books",))
    exchange(a, b)
    link = ("DELETE FROM action_tags WHERE action_id = (SELECT id FROM actions WHERE uid = ?)")
    a.sql(link, uid)
    exchange(a, b)
    assert b.sql("SELECT count(*) FROM action_tags") == [(0,)]
    b.sql("INSERT INTO action_tags (action_id, tag_id) SELECT a.id, t.id FROM actions a, "
          "tags t WHERE a.uid = ? AND t.name = 'books'", uid)
    exchange(a, b)
    for device in (a, b):
        assert device.sql("SELECT count(*) FROM action_tags") == [(1,)]


def test_applying_a_batch_twice_or_a_copy_of_it_changes_nothing(devices) -> None:
    a, b = devices("a"), devices("b")
    capture(a, "once")
    exchange(a, b)
    before = b.dump()
    path = batch_files(b)[0]
    copy = path.with_name(path.stem + " (1).wsb")  # Dropbox's name for a second copy
    copy.write_bytes(path.read_bytes())
    b.sql("DELETE FROM sync_batches WHERE mine = 0")  # forget having applied them
    b.sync()
    assert b.dump() == before


def test_a_journal_restored_from_a_backup_gets_its_changes_back_as_a_new_device(
        devices) -> None:
    import shutil

    a, b = devices("a"), devices("b")
    capture(a, "before the backup")
    exchange(a, b)
    a.store.close()
    backup = a.db.with_name("backup.db")
    shutil.copyfile(a.db, backup)
    a.store = type(a.store)(a.db, clock=a.clock)
    capture(a, "after the backup")
    exchange(a, b)
    old_id = a.store.state().device
    a.store.close()
    shutil.copyfile(backup, a.db)  # restored: "after the backup" is gone from this journal
    a.store = type(a.store)(a.db, clock=a.clock)
    result = a.sync()
    assert "restored or copied" in " ".join(result.problems)
    assert sorted(a.sql("SELECT text FROM entries")) == [("after the backup",),
                                                         ("before the backup",)]
    assert a.store.state().device != old_id
    capture(a, "as a new device")
    exchange(a, b)
    assert a.dump() == b.dump()
