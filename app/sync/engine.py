"""One sync: fold this device's changes, apply every batch from other devices it has not
applied yet, send its own as new batches, then capture the phone inbox.

Each batch is applied in a transaction of its own, remembered with it; a sync stopped at
any moment (kill -9, power cut, lost connection) resumes where it stopped and applies
nothing twice. A batch that cannot be read is reported and skipped; the rest still apply.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from app.sync import batch as batches
from app.sync.crypto import key_file_id, key_id
from app.sync.transport import DEVICES, KEY_FILE, Transport, TransportError
from storage.sync.hlc import ms_of
from storage.sync.store import SyncStore
from storage.timeutil import utc_now

MAX_OPS_PER_BATCH = 2000
MAX_BYTES_PER_BATCH = 1024 * 1024


class SyncFailed(Exception):
    """Nothing could be exchanged (no folder, wrong key...): the message says why."""


@dataclass
class SyncResult:
    sent_ops: int = 0
    sent_batches: int = 0
    received_batches: int = 0
    received_ops: int = 0
    conflicts: int = 0
    captured: int = 0
    open_conflicts: int = 0  # waiting for an answer, all told (not only this run's)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def outcome(self) -> str:
        return "problems" if self.problems else "ok"

    def as_dict(self) -> dict:
        return {**asdict(self), "outcome": self.outcome}


class SyncRun:
    def __init__(self, store: SyncStore, transport: Transport, key: bytes, *,
                 inbox: Callable[[SyncResult], None] | None = None) -> None:
        self.store = store
        self.transport = transport
        self.key = key
        self.inbox = inbox
        self.result = SyncResult()

    def run(self) -> SyncResult:
        started, clock = utc_now(), time.monotonic()
        try:
            self._check()
            self.store.repair_switch()
            self.store.fold()
            self._receive()
            self._send()
            if self.inbox is not None:
                self.inbox(self.result)
                self._send()
        except TransportError as exc:
            self.result.problems.append(str(exc))
            self.result.seconds = time.monotonic() - clock
            self.store.log_run(started, "failed", self.result.sent_ops,
                               self.result.received_ops, self.result.captured,
                               self.result.problems)
            raise SyncFailed(str(exc)) from exc
        self.result.seconds = time.monotonic() - clock
        self.result.open_conflicts = self.store.counts()["open_conflicts"]
        self.store.log_run(started, self.result.outcome, self.result.sent_ops,
                           self.result.received_ops, self.result.captured,
                           self.result.problems)
        return self.result

    def _check(self) -> None:
        state = self.store.state()
        if not state.enabled or not state.device:
            raise SyncFailed("sync is not set up on this device; run `wise sync setup`")
        data = self.transport.get(KEY_FILE)
        if data is None:
            raise SyncFailed(f"{self.transport.label} has no {KEY_FILE}: is it the sync "
                             "folder, and has it finished copying? Nothing was exchanged.")
        if key_file_id(data) != key_id(self.key):
            raise SyncFailed(f"{self.transport.label} was set up with another passphrase "
                             "than this device's; run `wise sync setup` again. Nothing was "
                             "exchanged.")

    # ------------------------------------------------------------- receive

    def _receive(self) -> None:
        mine = self.store.state().device
        known = self.store.known_batches()
        for device in self.transport.list(DEVICES):
            if not batches.DEVICE.match(device):
                continue  # a sync tool's temporary or conflict copy of a folder
            for name in self.transport.list(f"{DEVICES}/{device}"):
                if not batches.NAME.match(name) or name in known:
                    continue  # temporary, conflict copies ("… (1).wsb"), or done already
                self._apply(device, name, own=device == mine)

    def _apply(self, device: str, name: str, *, own: bool) -> None:
        data = self.transport.get(f"{DEVICES}/{device}/{name}")
        if data is None:
            return  # removed meanwhile
        try:
            batch = batches.decode(self.key, device, name, data)
        except (batches.BatchIncomplete, batches.BatchRefused) as exc:
            self.result.problems.append(str(exc))
            return
        stats = self.store.apply_batch(name, device, batch.seq, batch.wall, batch.ops)
        self.result.received_batches += 1
        self.result.received_ops += len(batch.ops)
        self.result.conflicts += stats.conflicts
        if stats.unknown_tables:
            tables = ", ".join(sorted(stats.unknown_tables))
            self.result.problems.append(f"device {device} runs a newer Wise (it syncs "
                                        f"{tables}); update Wise here to keep those too")
        if stats.refused:
            self.result.problems.append(
                f"{stats.refused} change(s) from device {device} hold values this Wise does "
                "not know; they wait until Wise is updated here")
        if own:
            # Our own folder holds a batch this journal does not remember writing: the
            # journal was restored from a backup or copied from this device. Its changes
            # are back now; a device of its own keeps the two copies apart from here on.
            self.store.reidentify()
            self.result.problems.append(
                "this journal was restored or copied: it now syncs as a new device")

    # ---------------------------------------------------------------- send

    def _send(self) -> None:
        self.store.fold()
        device = self.store.state().device or ""
        while True:
            chunk: list[tuple[int, str]] = []
            size = 0
            for seq, op in self.store.unsent(MAX_OPS_PER_BATCH):
                if chunk and size + len(op) > MAX_BYTES_PER_BATCH:
                    break
                chunk.append((seq, op))
                size += len(op)
            if not chunk:
                return
            number = self.store.next_batch_seq()
            name, blob = batches.encode(self.key, device, number, ms_of(self.store.clock()),
                                        [op for _seq, op in chunk])
            self.store.planned(name, number, len(chunk))
            self.transport.put(f"{DEVICES}/{device}/{name}", blob)
            self.store.published(chunk[-1][0], number)
            self.result.sent_ops += len(chunk)
            self.result.sent_batches += 1
