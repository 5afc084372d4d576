"""Batches that cannot be trusted are refused with one clear line and the rest still
apply: cut short, changed, sealed with another key, moved to another device's folder."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.sync import batch as batches
from app.sync.crypto import new_key
from app.sync.engine import SyncFailed, SyncRun
from app.sync.transport import KEY_FILE
from storage.capture_writer import CaptureRow, write_capture
from tests.sync_devices import Courier, Device, batch_files, template_journal


@pytest.fixture
def pair(tmp_path: Path):
    template = template_journal(tmp_path)
    key = new_key()
    a, b = Device(tmp_path, "a", key, template), Device(tmp_path, "b", key, template)
    yield a, b
    a.close()
    b.close()


def _two_batches(a: Device) -> list[Path]:
    for text in ("first", "second"):
        write_capture(a.db, CaptureRow("note", text, text, [], None, None, None, "capture"),
                      datetime.now(UTC))
        a.sync()
    return batch_files(a)


def _texts(device: Device) -> list[str]:
    return sorted(text for (text,) in device.sql("SELECT text FROM entries"))


@pytest.mark.parametrize("damage", ["truncated", "tampered", "renamed_after_tamper"])
def test_a_damaged_batch_is_refused_and_the_rest_applies(pair, damage: str) -> None:
    a, b = pair
    _one, other = _two_batches(a)
    Courier(random.Random(0)).carry(a, b)
    target = b.folder / other.relative_to(a.folder)
    data = bytearray(target.read_bytes())
    if damage == "truncated":
        target.write_bytes(bytes(data[: len(data) - 7]))
    else:
        data[len(data) // 2] ^= 0x01
        target.write_bytes(bytes(data))
        if damage == "renamed_after_tamper":  # someone fixed up the name too
            target.rename(target.with_name(batches.name_of(bytes(data))))
    result = b.sync()
    assert len(result.problems) == 1
    problem = result.problems[0]
    assert "\n" not in problem and problem.startswith("batch ")
    if damage == "renamed_after_tamper":
        assert "refused" in problem and "does not authenticate" in problem
    else:
        assert "incomplete or was changed" in problem
    texts = _texts(b)
    assert len(texts) == 1  # the good batch applied; the damaged one did not, not partly
    # Once the sync tool delivers it whole, it applies.
    for path in (b.folder / "devices").glob("*/*.wsb"):
        path.unlink()
    Courier(random.Random(0)).carry(a, b)
    assert b.sync().problems == []
    assert _texts(b) == ["first", "second"]


def test_a_batch_moved_to_another_devices_folder_is_refused(pair) -> None:
    a, b = pair
    (first,) = _two_batches(a)[:1]
    moved = b.folder / "devices" / "intruderdevice01" / first.name
    moved.parent.mkdir(parents=True)
    moved.write_bytes(first.read_bytes())
    result = b.sync()
    assert any("does not authenticate" in p for p in result.problems)
    assert _texts(b) == []


def test_a_folder_set_up_with_another_passphrase_exchanges_nothing(pair) -> None:
    a, b = pair
    _two_batches(a)
    Courier(random.Random(0)).carry(a, b)
    other = new_key()
    with pytest.raises(SyncFailed, match="another passphrase"):
        SyncRun(b.store, b.transport, other).run()
    assert _texts(b) == []
    (b.folder / KEY_FILE).unlink()
    with pytest.raises(SyncFailed, match=r"has no wise-sync-key\.json"):
        b.sync()
    assert _texts(b) == []


def test_storage_sees_no_journal_text(pair) -> None:
    a, _b = pair
    write_capture(a.db, CaptureRow("note", "my secret diary words", "my secret diary words",
                                   ["private"], None, None, None, "capture"), datetime.now(UTC))
    a.sync()
    for path in a.folder.rglob("*"):
        if path.is_file() and path.name != "inbox.txt":
            data = path.read_bytes()
            assert b"secret" not in data and b"diary" not in data and b"private" not in data
            assert b"entries" not in data and b"capture" not in data
