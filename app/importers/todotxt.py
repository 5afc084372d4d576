"""todo.txt (and done.txt) as to-dos and wins, after the format's own rules
(todotxt/todo.txt, README: "todo.txt format rules"):

    (A) 2024-03-01 Call Mom +Family @phone due:2024-03-08
    x 2024-03-05 2024-03-01 Review the pull request +TodoTxt @github pri:B

- An open task is a to-do, created on its creation date (when it has one); a line that
  starts with "x " is a win, done on its completion date.
- `+Project` and `@context` become tags (#family, #phone): the first that is one of your
  goals' #tags joins the task to that goal, as a capture's #tag would; a run of them at
  the end of the line leaves the title, as it does in a capture.
- The priority, `(A)` or `pri:A`, becomes the tag #priority-a. `due:YYYY-MM-DD` becomes the
  due day; any other `key:value` stays in the title as written.
- A date without a time is placed at midday of that day in the Zone given.
A date in a date's place that does not exist (2024-02-30) refuses the file, naming the line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

from app.importers.items import TODO, UNUSABLE_TAGS, WIN, Item, stable_uid, tag_name
from app.importers.reading import Reading, iso_day, open_source
from storage.import_source import text_lines

WHAT = "a todo.txt file"
_DONE = re.compile(r"x\s+")  # lowercase x and a space: "xylophone lesson" is a task
_PRIORITY = re.compile(r"\(([A-Z])\)\s+")
_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})(?:\s+|$)")
_ISO_SHAPE = re.compile(r"\d{4}-\d{2}-\d{2}")


def read(path: Path, reading: Reading) -> Iterator[Item]:
    with open_source(path) as source:
        for number, line in text_lines(source, path.name, WHAT):
            if line.strip():
                item = _item(line, f"{path.name}, line {number}", reading)
                if item is not None:
                    yield item


def _item(line: str, where: str, reading: Reading) -> Item | None:
    rest = line.strip()
    done_mark = _DONE.match(rest) if len(rest) > 2 else None
    done = done_mark is not None
    completed: str | None = None
    if done_mark is not None:
        rest = rest[done_mark.end():]
    priority = _PRIORITY.match(rest)
    if priority:
        rest = rest[priority.end():]
    if done and (found := _DATE.match(rest)):
        completed, rest = found[1], rest[found.end():]
    created = None
    if found := _DATE.match(rest):
        created, rest = found[1], rest[found.end():]
    task = _Task(rest, where, reading)
    if not task.title:
        reading.tally.leave_out("todo.txt lines with no task (only a mark or dates)")
        return None
    letter = priority[1] if priority else task.priority
    tags = ([f"priority-{letter.lower()}"] if letter else []) + task.tags
    zone, hour = reading.zone, reading.day_start_hour

    def on(text: str | None, what: str) -> datetime | None:
        return zone.on_day(iso_day(text, where, what), hour) if text else None

    done_at = on(completed, "the completion date")
    created_at = on(created, "the creation date") or done_at or reading.now
    if done:
        done_at = done_at or created_at
    uid = stable_uid("todotxt", created or "", completed or "", " ".join(task.words))
    return Item(WIN if done else TODO, uid, task.title, created_at, where, tags=tuple(tags),
                updated=done_at, raw_text=line, due_on=task.due, done_at=done_at)


class _Task:
    """The description of a task: its words, tags, due day and `pri:` priority."""

    def __init__(self, description: str, where: str, reading: Reading) -> None:
        self.words: list[str] = []  # every word but pri:, for the uid
        self.tags: list[str] = []
        self.due: date | None = None
        self.priority: str | None = None
        kept: list[str] = []  # the title's words
        trailing_tags = 0  # how many of the last kept words are tags
        for word in description.split():
            key, colon, value = word.partition(":")
            if colon and key.lower() == "pri" and re.fullmatch(r"[A-Za-z]", value):
                self.priority = value.upper()
                continue
            self.words.append(word)
            if colon and key.lower() == "due" and _ISO_SHAPE.fullmatch(value):
                self.due = iso_day(value, where, "the due date")
                continue
            if colon and key.lower() == "due":
                reading.tally.change("due: values that are not dates (kept in the title)")
            kept.append(word)
            if len(word) > 1 and word[0] in "+@":
                name = tag_name(word)
                if name is None:
                    reading.tally.leave_out(UNUSABLE_TAGS)
                elif name not in self.tags:
                    self.tags.append(name)
                trailing_tags += 1
            else:
                trailing_tags = 0
        # A run of tags at the end leaves the title, unless it is all there is.
        title_words = kept[:len(kept) - trailing_tags] or kept
        self.title = " ".join(title_words)
