"""app.sync.conflicts: what a window shows of a conflict on its text, and the answers it
takes (the windows' tests answer through real widgets: tests/ui/test_sync_conflicts.py)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from app.sync.conflicts import (
    day_conflicts,
    goal_conflicts,
    open_conflict_count,
    resolve_conflict,
)
from app.sync.crypto import new_key
from storage.ritual_writes import RitualWriter
from tests.sync_devices import Device, meet, template_journal

DAY = date(2026, 11, 26)


@pytest.fixture
def pair(tmp_path: Path):
    template = template_journal(tmp_path)
    key = new_key()
    a, b = Device(tmp_path, "a", key, template), Device(tmp_path, "b", key, template)
    for device, words in ((a, "calm"), (b, "busy")):
        RitualWriter(device.db).save_day_words(DAY, how_it_went=words, in_the_way="",
                                               mood=None, energy=None)
    meet(a, b)
    yield a, b
    a.close()
    b.close()


def test_a_conflict_says_which_text_which_devices_and_when(pair) -> None:
    a, b = pair
    [conflict] = day_conflicts(a.db, DAY)
    assert conflict.label == "How the day went" and conflict.field == "how_it_went"
    assert {conflict.current, conflict.other} == {"calm", "busy"}
    devices = {conflict.current_device, conflict.other_device}
    assert devices == {"this device", f"device {b.device_id[:6]}"}
    assert conflict.other_at is not None and conflict.current_at is not None
    assert day_conflicts(a.db, date(2026, 11, 25)) == []
    assert goal_conflicts(a.db, 1) == []  # no such goal: nothing to show, no error


def test_wrong_answers_change_nothing(pair) -> None:
    a, _b = pair
    [conflict] = day_conflicts(a.db, DAY)
    for keep, text, words in (("theirs", None, "keep is one of"),
                              ("merged", None, "merged text"),
                              ("current", "both", "merged text")):
        with pytest.raises(ValueError, match=words):
            resolve_conflict(a.db, conflict.id, keep, text)
    with pytest.raises(ValueError, match="no open conflict 99"):
        resolve_conflict(a.db, 99, "current")
    assert open_conflict_count(a.db) == 1
    assert a.sql("SELECT how_it_went FROM day_words") == [(conflict.current,)]


def test_a_merged_answer_is_the_text_everywhere(pair) -> None:
    a, b = pair
    [conflict] = day_conflicts(b.db, DAY)
    resolve_conflict(b.db, conflict.id, "merged", "  calm, then busy  ")
    meet(a, b)
    for device in (a, b):
        assert device.sql("SELECT how_it_went FROM day_words") == [("calm, then busy",)]
        assert open_conflict_count(device.db) == 0
    with pytest.raises(ValueError, match="no open conflict"):
        resolve_conflict(b.db, conflict.id, "current")  # answered once
