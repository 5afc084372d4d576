"""jrnl's JSON export (`jrnl --export json`, jrnl 2.x to 4.x) as notes.

The shape, from jrnl's own exporter (jrnl/plugins/json_exporter.py):

    {"tags": {"@work": 3, ...},
     "entries": [{"title": "…", "body": "…", "date": "2020-08-29", "time": "11:11",
                  "tags": ["@work"], "starred": false, "uuid": "…" (Day One journals)}, …]}

Each entry becomes a note: its title, then its body on the next lines (as jrnl writes
them in its own file). The date and time carry no zone: they are read in the Zone given.
Tags lose their symbol (@work -> #work); a starred entry gets #starred. Files of jrnl 1.x,
whose entries have no "tags", get their tags from the text as jrnl finds them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import time
from pathlib import Path
from typing import Any

from app.importers.items import (
    BROKEN_TEXT,
    NOTE,
    UNUSABLE_TAGS,
    Item,
    clean_text,
    stable_uid,
    tag_name,
)
from app.importers.reading import Reading, iso_day, open_source
from storage.errors import ImportRejected
from storage.import_source import JsonList

WHAT = "a jrnl JSON export"
# jrnl's own rule for tags with its default symbols (jrnl/journals/Entry.py, tag_regex)
_JRNL_TAG = re.compile(r"(?<!\S)([#@][-+*#/\w]+)")
_CLOCK = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])(?::([0-5][0-9]))?")


def read(path: Path, reading: Reading) -> Iterator[Item]:
    with open_source(path) as source:
        entries = JsonList(source, path.name, WHAT)
        for index, line, entry in entries.items("entries"):
            item = _item(entry, f"{path.name}, line {line} (entry {index + 1})", reading)
            if item is not None:
                yield item


def _item(entry: Any, where: str, reading: Reading) -> Item | None:
    if not isinstance(entry, dict):
        raise ImportRejected(f"{where}: expected a jrnl entry (a JSON object)")
    title, body = _text_field(entry, "title", where), _text_field(entry, "body", where)
    text, broken = clean_text(f"{title}\n{body}" if body.strip() else title)
    if not text.strip():
        reading.tally.leave_out("entries with no text")
        return None
    reading.tally.change(BROKEN_TEXT, int(broken))
    day_text = entry.get("date")
    if not isinstance(day_text, str):
        raise ImportRejected(f"{where}: the entry has no date (jrnl writes one like "
                             "\"date\": \"2020-08-29\")")
    day = iso_day(day_text, where, "the entry's date")
    clock_text = entry.get("time", "")
    clock = _clock(clock_text, where)
    created = (reading.zone.moment(day, clock) if clock is not None
               else reading.zone.on_day(day, reading.day_start_hour))
    tags = _tags(entry, text, where, reading)
    if entry.get("starred") is True:
        tags.append("starred")
    identity = entry.get("uuid")
    uid = (stable_uid("dayone", identity.upper()) if isinstance(identity, str) and identity
           else stable_uid("jrnl", day_text, str(clock_text), text))
    return Item(NOTE, uid, text, created, where, tags=tuple(tags))


def _text_field(entry: dict[str, Any], name: str, where: str) -> str:
    value = entry.get(name, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ImportRejected(f"{where}: the entry's {name} is not text")
    return value.strip()


def _clock(value: Any, where: str) -> time | None:
    """jrnl's "HH:MM"; None when the entry has none (then the day alone is known)."""
    if value in ("", None):
        return None
    match = _CLOCK.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise ImportRejected(f"{where}: the entry's time {value!r} is not a time of day "
                             "(jrnl writes one like \"11:11\")")
    hours, minutes, seconds = match.groups()
    return time(int(hours), int(minutes), int(seconds or 0))


def _tags(entry: dict[str, Any], text: str, where: str, reading: Reading) -> list[str]:
    written = entry.get("tags")
    if written is None:
        written = _JRNL_TAG.findall(text)  # jrnl 1.x exports carried no tags
    if not isinstance(written, list) or not all(isinstance(tag, str) for tag in written):
        raise ImportRejected(f"{where}: the entry's tags are not a list of words")
    tags = []
    for tag in written:
        name = tag_name(tag)
        if name is None:
            reading.tally.leave_out(UNUSABLE_TAGS)
        else:
            tags.append(name)
    return tags
