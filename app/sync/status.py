"""How sync stands on this device, for `wise sync status`, the doctor and the tray's menu:
the target, the last sync, what waits to be sent, the other devices, open conflicts."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from app.journal import Context
from storage.sync.store import Conflict, SyncStore
from storage.timeutil import from_db, utc_now

CLOCK_AHEAD_WARN_MS = 5 * 60 * 1000
_TABLE_WORDS = {"goals": "a goal", "entries": "a note", "day_words": "the day's words",
                "reflections": "a reflection", "summaries": "a summary"}
_FIELD_WORDS = {"why": "why", "text": "text", "how_it_went": "how it went",
                "in_the_way": "what got in the way", "user_words": "your words",
                "content": "text"}


@dataclass(frozen=True)
class Peer:
    device: str
    last_batch: int
    last_seen_at: str  # when this device last applied one of its batches
    clock_ahead_minutes: int  # its clock ran this far ahead of ours when it wrote


@dataclass(frozen=True)
class ConflictView:
    id: int
    what: str  # "a goal's why (Family)", "the day's words, how it went (2026-11-26)"
    reason: str
    current: str | None
    other: str
    other_device: str


@dataclass
class SyncStatus:
    enabled: bool
    target: str | None
    device: str | None
    last_run_at: str | None = None
    last_outcome: str | None = None
    last_ok_at: str | None = None
    last_problems: list[str] = field(default_factory=list)
    waiting: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    peers: list[Peer] = field(default_factory=list)
    conflicts: list[ConflictView] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)

    def describe(self) -> str:
        if not self.enabled:
            return ("Sync is off on this device. `wise sync setup --folder DIR` or "
                    "`wise sync setup --webdav URL` turns it on.")
        lines = [f"Syncing with {self.target} as device {self.device}."]
        if self.last_run_at is None:
            lines.append("No sync has run yet: `wise sync now`.")
        else:
            lines.append(f"Last sync: {_ago(self.last_run_at)} ({self.last_outcome})"
                         + ("" if self.last_outcome == "ok" or not self.last_ok_at
                            else f"; last without problems {_ago(self.last_ok_at)}"))
            lines += [f"  ! {problem}" for problem in self.last_problems]
        lines.append(f"Waiting to be sent: {self.waiting:,} change(s).")
        for peer in self.peers:
            clock = (f"; its clock runs {peer.clock_ahead_minutes} min ahead"
                     if peer.clock_ahead_minutes else "")
            lines.append(f"Device {peer.device}: batch {peer.last_batch} applied "
                         f"{_ago(peer.last_seen_at)}{clock}")
        if self.conflicts:
            lines += ["", f"{len(self.conflicts)} conflict(s): the same text was changed on "
                      "two devices, or changed here and deleted there. Both versions are "
                      "kept; answer under the text in its window (the day's words in the "
                      "reflection, a goal's why in goal review) or with "
                      "`wise sync resolve ID --keep current|other`."]
            for c in self.conflicts:
                now = "(deleted)" if c.current is None else _short(c.current)
                where = ("this device" if c.other_device == self.device
                         else f"device {c.other_device}")
                why = ("written on both devices apart" if c.reason == "edited"
                       else "edited on one device, deleted on another")
                lines += ["", f"[{c.id}] {c.what}: {why}", f"    now:   {now}",
                          f"    other: {_short(c.other)}  (written on {where})"]
        return "\n".join(lines)


def _short(text: str, limit: int = 200) -> str:
    flat = " ⏎ ".join(text.splitlines())
    return flat if len(flat) <= limit else flat[:limit - 1] + "…"


def _ago(stored: str) -> str:
    moment = from_db(stored)
    minutes = int((utc_now() - moment).total_seconds() // 60)
    if minutes < 1:
        return "just now"
    if minutes < 120:
        return f"{minutes} min ago"
    if minutes < 48 * 60:
        return f"{minutes // 60} h ago"
    return f"on {moment.astimezone().strftime('%Y-%m-%d')}"


def _what(store: SyncStore, conflict: Conflict) -> str:
    table = _TABLE_WORDS.get(conflict.table, conflict.table)
    field_words = _FIELD_WORDS.get(conflict.field, conflict.field)
    label = conflict.key.replace("\x1f", " ")
    if conflict.table == "goals":
        label = store.goal_title(conflict.key) or "deleted goal"
    elif conflict.table == "entries":
        label = f"note of {conflict.created_at[:10]}"
    return f"{table}'s {field_words} ({label})"


def sync_status(context: Context) -> SyncStatus:
    context.prepare_storage()
    store = SyncStore(context.paths.db)
    try:
        state = store.state()
        settings = context.settings
        target = settings.get("sync.folder") or settings.get("sync.webdav_url") or None
        status = SyncStatus(enabled=state.enabled and target is not None, target=target,
                            device=state.device)
        runs = store.runs(50)
        if runs:
            status.last_run_at, status.last_outcome = runs[0][0], runs[0][2]
            status.last_problems = json.loads(runs[0][6])
            status.last_ok_at = next((run[0] for run in runs if run[2] == "ok"), None)
        status.counts = store.counts()
        status.waiting = status.counts["waiting"]
        for device, last_seq, _wall, seen_at, ahead_ms in store.peers():
            minutes = ahead_ms // 60000 if ahead_ms > CLOCK_AHEAD_WARN_MS else 0
            status.peers.append(Peer(device, last_seq, seen_at, minutes))
        status.conflicts = [
            ConflictView(c.id, _what(store, c), c.reason, c.current, c.other, c.other_device)
            for c in store.conflicts(open_only=True)]
        return status
    finally:
        store.close()
