"""Capture from anywhere: lines added to `inbox.txt` in the sync folder (from a phone's
text editor, a Shortcut, a notes app) are captured once, through the capture language,
and moved under a dated "Captured" heading in the same file.

Two devices may read the same inbox before either's rewrite reaches the other. Each line
gets a uid made from the sync key's id, the journal day, the line and how many times the
same line was already captured that day; both devices make the same uid, so the journal
holds it once (the capture path finds an existing uid and does not write it again).
Sync tools' conflict copies of the inbox (`inbox.sync-conflict-….txt`, `inbox (conflicted
copy).txt`) are read the same way, then removed. The inbox is plain text by necessity
(the phone writes it): Wise keeps only the last 14 days of captured lines in it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from app.sync.transport import INBOX, Transport

HEADER = (
    "# Wise inbox: add one thought, to-do ([ ] …) or win (+ …) per line, below these lines.\n"
    "# The next device with Wise that syncs captures each line once and moves it below.\n"
)
CAPTURED = "## Captured "
KEEP_DAYS = 14
_COPY = re.compile(r"^inbox[ .(_-].*\.txt$", re.IGNORECASE)
_DAY = re.compile(r"^## Captured (\d{4}-\d{2}-\d{2})\s*$")


@dataclass
class InboxText:
    header: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    sections: dict[str, list[str]] = field(default_factory=dict)  # day -> captured lines

    @classmethod
    def parse(cls, text: str) -> InboxText:
        inbox, day = cls(), None
        for raw in text.splitlines():
            line = raw.rstrip()
            heading = _DAY.match(line)
            if heading:
                day = heading[1]
                inbox.sections.setdefault(day, [])
            elif day is not None:
                if line.strip():
                    inbox.sections[day].append(line.strip())
            elif line.startswith("# ") or line == "#":
                inbox.header.append(line)
            elif line.strip():
                inbox.pending.append(line.strip())
        return inbox

    def render(self, today: date) -> str:
        parts = ["\n".join(self.header or HEADER.rstrip("\n").split("\n")), ""]
        parts += self.pending
        oldest = (today - timedelta(days=KEEP_DAYS)).isoformat()
        for day in sorted(self.sections, reverse=True):
            if day >= oldest and self.sections[day]:
                parts += ["", f"{CAPTURED}{day}", *self.sections[day]]
        return "\n".join(parts).rstrip("\n") + "\n"


def line_uid(key_id: str, day: date, text: str, nth: int) -> str:
    digest = hashlib.sha256(f"wise-inbox\0{key_id}\0{day.isoformat()}\0{nth}\0{text}"
                            .encode()).hexdigest()
    # uuid4-shaped, like every other uid in the journal
    return (f"{digest[:8]}-{digest[8:12]}-4{digest[13:16]}-{'89ab'[int(digest[16], 16) % 4]}"
            f"{digest[17:20]}-{digest[20:32]}")


@dataclass
class InboxOutcome:
    captured: int = 0
    already: int = 0  # captured before (by this or another device); only moved
    problems: list[str] = field(default_factory=list)


class Inbox:
    """Processes the inbox through `capture(text, uid)`; `known(uid)` says whether the
    journal has (or had) that uid."""

    def __init__(self, transport: Transport, key_id: str, today: date,
                 capture: Callable[[str, str], None], known: Callable[[str], bool]) -> None:
        self.transport = transport
        self.key_id = key_id
        self.today = today
        self.capture = capture
        self.known = known

    def ensure(self) -> None:
        """Put an empty inbox with its instructions in the folder, if it has none."""
        self.transport.create(INBOX, HEADER.encode())

    def process(self) -> InboxOutcome:
        outcome = InboxOutcome()
        for _attempt in range(3):  # the file changed between reading and writing: again
            data, token = self.transport.get_versioned(INBOX)
            if data is None:
                break
            inbox = InboxText.parse(data.decode("utf-8", errors="replace"))
            copies = [n for n in self.transport.list("") if _COPY.match(n) and n != INBOX]
            lines = list(inbox.pending)
            for name in copies:
                copy = InboxText.parse((self.transport.get(name) or b"").decode(
                    "utf-8", errors="replace"))
                lines += [line for line in copy.pending if line not in lines]
            if not lines and not copies:
                return outcome
            today = self.today.isoformat()
            moved, left = self._capture_all(lines, inbox.sections.get(today, []), outcome)
            inbox.pending = left
            inbox.sections[today] = inbox.sections.get(today, []) + moved
            if self.transport.replace_if_unchanged(INBOX, inbox.render(self.today).encode(),
                                                   token):
                for name in copies:
                    self.transport.delete(name)
                return outcome
        return outcome

    def _capture_all(self, lines: list[str], captured_today: list[str],
                     outcome: InboxOutcome) -> tuple[list[str], list[str]]:
        moved, left = [], []
        seen: dict[str, int] = {}
        for line in captured_today:
            seen[line] = seen.get(line, 0) + 1
        for line in lines:
            nth = seen.get(line, 0)
            seen[line] = nth + 1
            uid = line_uid(self.key_id, self.today, line, nth)
            if self.known(uid):
                outcome.already += 1
                moved.append(line)
                continue
            try:
                self.capture(line, uid)
            except Exception as exc:
                outcome.problems.append(f"an inbox line was not captured ({exc}); it stays "
                                        "in inbox.txt")
                left.append(line)
                continue
            outcome.captured += 1
            moved.append(line)
        return moved, left
