"""Markdown or plain text, one line at a time through the capture language: each line is a
note, a to-do or a win, as if typed into `wise capture` on the day it sits under.

- A heading that holds a date (`## 2024-03-05`, `# Tuesday 5 March 2024`, `### March 5,
  2024`) dates the lines below it, up to the next dated heading; other headings are left
  out (and counted). A file named after a day (`2024-03-05.md`, as daily notes are) dates
  the lines before any dated heading; lines with no date at all are dated at the import.
- A list's bullet (`-`, `*`, `+`, `1.`) and a quote's `>` are not part of the line;
  Markdown task lists are the capture language's own marks: `- [ ] call mum` is a to-do,
  `- [x] called mum` a win. Wise's own Markdown export reads back too (`✓` a win, `☐` a
  to-do, a leading `21:14 — ` the time of day).
- Relative words mean what they meant on that day: "call mum tomorrow" under
  `## 2024-03-05` is due on 6 March.
- A fenced code block is one note, as written. Front matter (between `---` lines at the
  top) and horizontal rules are left out (and counted).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path

from app.capture.parser import parse_capture
from app.daytime import MONTHS
from app.importers.items import NOTE, Item, stable_uid
from app.importers.reading import Reading, find_iso_day, open_source
from storage.errors import ImportRejected
from storage.import_source import text_lines

WHAT = "a Markdown or text file"
_HEADING = re.compile(r"\s{0,3}(#{1,6})(?:\s+(.*?))?(?:\s+#+)?\s*")
_FENCE = re.compile(r"\s{0,3}(`{3,}|~{3,})")
_RULE = re.compile(r"\s{0,3}(?:(?:-\s*){3,}|(?:\*\s*){3,}|(?:_\s*){3,}|(?:=\s*){3,})")
_QUOTE = re.compile(r"\s*(?:>\s?)+")
_BULLET = re.compile(r"\s*(?:[-*+]|\d{1,9}[.)])\s+")
_WISE_MARK = {"✓": "[x] ", "☐": "[ ] "}  # wins and to-dos in Wise's Markdown export
_TASK_MARK = re.compile(r"\[[ xX]?\]\s*")
_CLOCK = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])\s+[—–-]\s+")
_MONTH = {name.lower(): number for number, name in enumerate(MONTHS, 1)}
_MONTH.update({name[:3]: number for name, number in list(_MONTH.items())})
_MONTH["sept"] = 9
_DAY_MONTH_YEAR = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})\b")
_MONTH_DAY_YEAR = re.compile(r"\b([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b")


def read(path: Path, reading: Reading) -> Iterator[Item]:
    with open_source(path) as source:
        yield from _Reader(path, reading).items(text_lines(source, path.name, WHAT))


def heading_day(text: str) -> date | None:
    """The day a heading names, if it names one: ISO (2024-03-05) or in English words."""
    found = find_iso_day(text)
    if found:
        return found
    for pattern, order in ((_DAY_MONTH_YEAR, (0, 1, 2)), (_MONTH_DAY_YEAR, (1, 0, 2))):
        for match in pattern.finditer(text):
            day, month, year = (match.group(1 + index) for index in order)
            number = _MONTH.get(month.lower())
            if number:
                try:
                    return date(int(year), number, int(day))
                except ValueError:
                    continue
    return None


class _Reader:
    def __init__(self, path: Path, reading: Reading) -> None:
        self.name = path.name
        self.reading = reading
        self.day = find_iso_day(path.stem)  # daily notes are named after their day
        self.fence: str | None = None  # the open code fence's marks
        self.block: list[str] = []
        self.block_line = 0

    def items(self, lines: Iterator[tuple[int, str]]) -> Iterator[Item]:
        tally = self.reading.tally
        for number, line in lines:
            if number == 1 and line.strip() == "---":
                skipped = self._front_matter(lines)
                tally.leave_out("lines of front matter (between --- at the top)", skipped)
                continue
            if self.fence is not None or _FENCE.match(line):
                item = self._code(number, line)
                if item is not None:
                    yield item
                continue
            if not line.strip():
                continue
            if heading := _HEADING.fullmatch(line):
                day = heading_day(heading[2] or "")
                if day is None:
                    tally.leave_out("headings that are not dates")
                else:
                    self.day = day
                continue
            if _RULE.fullmatch(line):
                tally.leave_out("horizontal rules")
                continue
            item = self._capture(number, line)
            if item is not None:
                yield item
        if self.fence is not None:
            raise ImportRejected(f"{self.name}, line {self.block_line}: a code block opens "
                                 "here and never closes, so the file was cut short")

    def _front_matter(self, lines: Iterator[tuple[int, str]]) -> int:
        skipped = 1
        for _number, line in lines:
            skipped += 1
            if line.strip() in ("---", "..."):
                break
        return skipped

    def _code(self, number: int, line: str) -> Item | None:
        """A fenced code block, kept whole as one note."""
        fence = _FENCE.match(line)
        if self.fence is None:
            assert fence is not None  # called on a fence's opening line, or inside a block
            self.fence, self.block, self.block_line = fence[1], [], number
            return None
        if fence and fence[1][0] == self.fence[0] and len(fence[1]) >= len(self.fence) \
                and not line[fence.end():].strip():
            self.fence = None
            text = "\n".join(self.block).strip("\n")
            if not text.strip():
                return None
            where = f"{self.name}, line {self.block_line}"
            created = self._moment(None)
            uid = stable_uid("markdown", self._day_key(), "code", text)
            return Item(NOTE, uid, text, created, where)
        self.block.append(line)
        return None

    def _capture(self, number: int, line: str) -> Item | None:
        written = _QUOTE.sub("", line, count=1) if line.lstrip().startswith(">") else line
        written = _BULLET.sub("", written, count=1).strip()
        for mark, wise_mark in _WISE_MARK.items():
            if written.startswith(mark):
                written = wise_mark + written[len(mark):].lstrip()
        marker = _TASK_MARK.match(written)
        clock = _CLOCK.match(written, marker.end() if marker else 0)
        at: time | None = None
        if clock:
            at = time(int(clock[1]), int(clock[2]))
            written = written[:clock.start()] + written[clock.end():]
        local = self.reading.zone.local(self._moment(at))
        parsed = parse_capture(written, local, self.reading.day_start_hour)
        if not parsed.text:
            self.reading.tally.leave_out("lines with only a mark (like an empty [ ])")
            return None
        due = parsed.due
        uid = stable_uid("markdown", self._day_key(), f"{at:%H:%M}" if at else "", written)
        return Item(
            parsed.kind, uid, parsed.text, local, f"{self.name}, line {number}",
            tags=parsed.tags, raw_text=written,
            due_on=due.date() if due else None,
            due_at=None if due is None or parsed.due_all_day else due,
            estimate_minutes=parsed.estimate_minutes)

    def _day_key(self) -> str:
        return self.day.isoformat() if self.day else ""

    def _moment(self, at: time | None) -> datetime:
        """When a line under the current heading was written (UTC)."""
        if self.day is None:
            if at is None:
                self.reading.tally.change("lines under no dated heading, dated at the import")
                return self.reading.now
            return self.reading.zone.moment(self.reading.now.date(), at)
        if at is None:
            return self.reading.zone.on_day(self.day, self.reading.day_start_hour)
        return self.reading.zone.moment(self.day, at)
