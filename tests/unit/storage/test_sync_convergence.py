"""Property: whatever devices do apart (capture, edit, delete, write their day's words),
whatever their clocks say (hours of skew), and however the sync tool delivers batches (late,
out of order, twice, half-written first), after everything is delivered every device holds
the same journal, nothing anyone made is missing unless someone deleted it, nothing deleted
comes back, and every text written is the final one, was replaced by someone who had seen
it, or is kept as a conflict on every device."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from app.sync import batch as batches
from app.sync.crypto import new_key
from storage.capture_writer import CaptureRow, write_capture
from storage.ritual_writes import RitualWriter
from tests.sync_devices import Courier, Device, batch_files, template_journal

DAYS = ("2026-11-24", "2026-11-25")
SKEWS = (timedelta(0), timedelta(hours=3), timedelta(hours=-5), timedelta(minutes=7))

_capture = st.tuples(st.just("capture"), st.integers(0, 2),
                     st.sampled_from(("note", "todo", "win")),
                     st.sampled_from((None, "home", "work")))
_delete = st.tuples(st.just("delete"), st.integers(0, 2), st.integers(0, 50),
                    st.sampled_from(("entries", "actions")))
step = st.one_of(
    _capture, _capture, _delete,
    st.tuples(st.just("why"), st.integers(0, 2), st.integers(0, 3)),
    st.tuples(st.just("words"), st.integers(0, 2), st.sampled_from(DAYS)),
    st.tuples(st.just("status"), st.integers(0, 2), st.integers(0, 50),
              st.sampled_from(("open", "done", "dropped"))),
    st.tuples(st.just("edit_note"), st.integers(0, 2), st.integers(0, 50)),
    _delete,
    st.tuples(st.just("sync"), st.integers(0, 2)),
    st.tuples(st.just("carry"), st.integers(0, 2), st.integers(0, 2), st.floats(0.2, 1.0),
              st.booleans()),
)


class World:
    def __init__(self, root: Path, skews: list[timedelta], seed: int) -> None:
        template = template_journal(root)
        self.key = new_key()
        self.devices = [Device(root, name, self.key, template, skew)
                        for name, skew in zip("abc", skews, strict=True)]
        self.courier = Courier(random.Random(seed))
        self.counter = 0
        self.made: set[str] = set()  # uids of captures
        self.deleted: set[str] = set()
        self.written: list[tuple[str, str]] = []  # (field, text) of every long text written
        self.knew: dict[str, set[str]] = {}  # text -> texts its writer had seen (same field)
        self.own: list[dict[str, set[str]]] = [{} for _ in self.devices]  # texts written
        # One goal, made on device a and delivered first, so every device can edit its why.
        self.goal_uid = self._goal()

    def _goal(self) -> str:
        first = self.devices[0]
        RitualWriter(first.db).add_goal("Family", why="")
        first.sync()
        for other in self.devices[1:]:
            self.courier.carry(first, other)
            other.sync()
        return first.sql("SELECT uid FROM goals")[0][0]

    def text(self, device: int, what: str) -> str:
        self.counter += 1
        return f"{what} {self.counter} from {self.devices[device].name}"

    # ------------------------------------------------------------ what people do

    def seen(self, device: int, field: str) -> set[str]:
        """Texts of `field` this device has seen: its own and those in batches it applied."""
        target = self.devices[device]
        found = set(self.own[device].get(field, set()))
        applied = target.store.known_batches()
        for path in batch_files(target):
            if path.name not in applied:
                continue
            batch = batches.decode(self.key, path.parent.name, path.name, path.read_bytes())
            for op in batch.ops:
                name = op.get("f", {})
                for column, value in name.items():
                    if f"{op['t']}.{op['k']}.{column}" == field and value:
                        found.add(value)
        return found

    def write_text(self, device: int, field: str, text: str) -> None:
        self.knew[text] = self.seen(device, field)
        self.own[device].setdefault(field, set()).add(text)
        self.written.append((field, text))

    def do(self, action: tuple) -> None:
        kind, who = action[0], action[1]
        device = self.devices[who]
        if kind == "capture":
            _, _, capture_kind, tag = action
            text = self.text(who, capture_kind)
            saved = write_capture(device.db, CaptureRow(
                capture_kind, text, text, [tag] if tag else [], None, None, None, "capture"),
                datetime.now(UTC))
            self.made.add(saved.uid)
        elif kind == "why":
            text = self.text(who, "why")
            self.write_text(who, f"goals.{self.goal_uid}.why", text)
            goal_id = device.sql("SELECT id FROM goals WHERE uid = ?", self.goal_uid)[0][0]
            RitualWriter(device.db).update_goal(goal_id, why=text)
        elif kind == "words":
            day = action[2]
            text = self.text(who, "day")
            self.write_text(who, f"day_words.{day}.how_it_went", text)
            RitualWriter(device.db).save_day_words(
                datetime.fromisoformat(day).date(), how_it_went=text, in_the_way="",
                mood=None, energy=None)
        elif kind == "status":
            rows = device.sql("SELECT id FROM actions ORDER BY uid")
            if rows:
                RitualWriter(device.db).set_action_status(rows[action[2] % len(rows)][0],
                                                          action[3])
        elif kind == "edit_note":
            rows = device.sql("SELECT uid FROM entries ORDER BY uid")
            if rows:
                uid = rows[action[2] % len(rows)][0]
                text = self.text(who, "note")
                self.write_text(who, f"entries.{uid}.text", text)
                device.sql("UPDATE entries SET text = ? WHERE uid = ?", text, uid)
        elif kind == "delete":
            table = action[3]
            rows = device.sql(f"SELECT uid FROM {table} ORDER BY uid")
            if rows:
                uid = rows[action[2] % len(rows)][0]
                if table == "entries":  # the texts the deleter had seen are not lost to it
                    self.knew[f"delete of {uid}"] = self.seen(who, f"entries.{uid}.text")
                device.sql(f"DELETE FROM {table} WHERE uid = ?", uid)  # any code path: SQL
                self.deleted.add(uid)
        elif kind == "sync":
            device.sync()
        elif kind == "carry":
            _, source, target, share, half = action
            if source != target:
                self.courier.carry(self.devices[source], self.devices[target], share=share,
                                   half_written=half)

    def settle(self) -> None:
        """Everyone syncs and the courier carries everything, until nothing moves."""
        for _round in range(4):
            for device in self.devices:
                device.sync()
            self.courier.carry_all(self.devices)
            for device in self.devices:
                # finish what was left half-written: the tool writes it whole at last
                for path in batch_files(device):
                    for other in self.devices:
                        source = other.folder / path.relative_to(device.folder)
                        if source.exists() and source.stat().st_size > path.stat().st_size:
                            path.write_bytes(source.read_bytes())
        for device in self.devices:
            device.sync()


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                  HealthCheck.too_slow])
@given(actions=st.lists(step, min_size=5, max_size=35),
       skews=st.lists(st.sampled_from(SKEWS), min_size=3, max_size=3),
       seed=st.integers(0, 1000))
def test_devices_converge_and_lose_nothing(tmp_path_factory, actions, skews, seed) -> None:
    world = World(tmp_path_factory.mktemp("sync"), skews, seed)
    try:
        for action in actions:
            world.do(action)
        world.settle()
        dumps = [device.dump() for device in world.devices]
        assert dumps[0] == dumps[1] == dumps[2]
        entries = set(dumps[0]["entries"]) | set(dumps[0]["actions"])
        assert world.deleted.isdisjoint(entries), "a deleted row came back"
        assert world.made - world.deleted <= entries, "a capture was lost"
        finals = {}
        for table in ("goals", "day_words", "entries"):
            for key, values in dumps[0][table].items():
                for column, value in values.items():
                    finals[f"{table}.{key}.{column}"] = value
        superseded = set().union(*world.knew.values()) if world.knew else set()
        conflicts = len(world.devices[0].conflict_texts())
        event(f"conflicts kept: {min(conflicts, 3)}{'+' if conflicts >= 3 else ''}")
        event(f"deleted: {bool(world.deleted)}")
        for field, text in world.written:
            if finals.get(field) == text or text in superseded:
                continue
            for device in world.devices:
                assert text in device.conflict_texts(), (
                    f"{text!r} ({field}) is neither final, nor seen by a later writer, "
                    f"nor kept as a conflict on device {device.name}")
    finally:
        for device in world.devices:
            device.close()
