"""Export the whole journal as one JSON document, streamed one record per line.

The export is complete (every goal, action and entry) and lossless: importing it into an
empty journal and exporting again gives the same bytes, apart from `exported_at`. The
format description below is Markdown, ready for the README.

## The "wise-journal" format, version 1

An export is **one valid JSON document** in UTF-8 (so `json.load`, `jq` and any JSON tool
read it), laid out with exactly **one record per line** so that Wise can read it back as a
stream, whatever its size:

```
{"format": "wise-journal", "version": 1, "exported_at": "…", "app_version": "0.1.0",
"goals": [
{"uid": "…", "slug": "family", "title": "Family", "why": "…", "status": "active", …},
{"uid": "…", "slug": "health", "title": "Health", "why": "", "status": "paused", …}
],
"actions": [
{"uid": "…", "title": "Call mum", "goal": "<a goal's uid>", "status": "open", …}
],
"entries": [
{"uid": "…", "text": "A good walk.", "kind": "note", "goal": null, …}
]}
```

- Line 1 is the header: the opening brace of the top-level object and its plain fields,
  ending with a comma.
- Then come three lists, always all three and always in this order: `goals`, `actions`,
  `entries`. Each opens with a line of its own (`"goals": [`), has one record per line
  (every record but the last followed by a comma), and closes with a line `],` (`]}` after
  the last list). An empty list is its opening line directly followed by its closing line.
- Records are JSON objects with the fields below, in that order, written with
  `ensure_ascii=False` (non-ASCII text appears as itself; newlines inside text are `\\n`).
  Every line ends with a line feed; nothing follows the last line.
- **Timestamps** are ISO 8601 in UTC with microseconds and an explicit offset:
  `2026-11-26T18:00:00.123456+00:00`. On import any ISO 8601 time *with* an offset is
  accepted (`2026-11-26T19:00:00+01:00`, `2026-11-26T18:00:00Z`); a time without an
  offset is refused, since the moment it means is unknown.
- **Days** are ISO dates: `2026-11-27`.
- Every field is always present; an empty optional field is `null`.
- **Identity is the `uid`** (a UUID as text). The journal's internal integer ids are not
  exported; records refer to goals by uid.
- Records are in the order they were added to the journal; tags are sorted by name
  (Unicode code point order).

Header:

| field | value |
|---|---|
| `format` | always `"wise-journal"` |
| `version` | the format version: the whole number `1` |
| `exported_at` | when the export was made (timestamp) |
| `app_version` | the Wise version that wrote it, e.g. `"0.1.0"` (information only) |

`goals`:

| field | value |
|---|---|
| `uid` | the goal's identity: text, 1–36 characters |
| `slug` | its short name, used as `#slug` in captures: text, 1–80 characters |
| `title` | text |
| `why` | why it matters, in the user's words: text (may be `""`) |
| `status` | `"active"`, `"paused"`, `"done"` or `"archived"` |
| `cadence_per_week` | how many times a week the user wants to touch it: 1–21, or `null` |
| `created_at` | timestamp |
| `updated_at` | timestamp |

`actions` (to-dos and wins):

| field | value |
|---|---|
| `uid` | the action's identity: text, 1–36 characters |
| `title` | text |
| `goal` | the uid of the goal it serves, or `null` |
| `status` | `"open"`, `"done"` or `"dropped"` |
| `estimate_minutes` | a whole number above 0, or `null` |
| `due_on` | the local calendar day it is due (date), or `null` |
| `due_at` | the moment it is due (timestamp), or `null` |
| `done_at` | when it was done (timestamp), or `null` |
| `source` | where it came from: `"capture"`, `"cli"`, `"import"` or `"companion"` |
| `raw_text` | the line exactly as the user typed it, or `null` |
| `tags` | a list of tag names (text, 1–80 characters each), possibly empty |
| `created_at` | timestamp |
| `updated_at` | timestamp |

`entries` (journal notes):

| field | value |
|---|---|
| `uid` | the entry's identity: text, 1–36 characters |
| `text` | text |
| `kind` | `"note"` |
| `goal` | the uid of the goal it is about, or `null` |
| `mood` | 1–5, or `null` |
| `energy` | 1–5, or `null` |
| `source` | `"capture"`, `"cli"`, `"import"` or `"companion"` |
| `raw_text` | the line exactly as the user typed it, or `null` |
| `tags` | a list of tag names (text, 1–80 characters each), possibly empty |
| `created_at` | timestamp |
| `updated_at` | timestamp |

### Importing

`wise import` (`storage.import_json`) is **all or nothing**: the first problem (not JSON,
not UTF-8, not a Wise export, a newer format version, a missing or wrongly typed field, an
unknown status, a bad timestamp, a mood out of 1–5, a reference to a goal that is neither
in the file nor in the journal, a uid repeated in the file) is reported with its line
number (or, in a file not laid out one record per line, its path, such as `.actions[3]`),
and nothing at all is imported. It is **safe to repeat**:

- a record whose uid is already in the journal is skipped, not updated, so importing the
  same file twice adds nothing the second time;
- a goal whose slug already exists in the journal under another uid is taken to be that
  goal: nothing new is created, and the file's actions and entries that refer to it are
  attached to the existing goal;
- fields Wise does not know are ignored, and a tag listed twice is one tag.

A file that is valid JSON but no longer one record per line (for example after `jq .`) is
still accepted; Wise then has to read the whole file into memory at once.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, TextIO

from sqlalchemy import Column, Select, Table, select
from sqlalchemy.orm import Session

from storage.engine import Journal
from storage.models import Action, Entry, Goal, Tag, action_tags, entry_tags

FORMAT_NAME = "wise-journal"
FORMAT_VERSION = 1
SECTIONS = ("goals", "actions", "entries")

# Rows fetched per query: large enough that the query count stays small (100 for 100,000
# entries), small enough that memory stays flat however big the journal is.
CHUNK_SIZE = 1000

_goals: Table = Goal.__table__  # type: ignore[assignment]
_actions: Table = Action.__table__  # type: ignore[assignment]
_entries: Table = Entry.__table__  # type: ignore[assignment]
_tags: Table = Tag.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class TransferCounts:
    goals: int
    actions: int
    entries: int


def export_json(journal: Journal, out: TextIO, *, exported_at: datetime,
                app_version: str) -> TransferCounts:
    """Write the whole journal to `out` in the "wise-journal" format; returns row counts."""
    header = {"format": FORMAT_NAME, "version": FORMAT_VERSION,
              "exported_at": iso_timestamp(exported_at), "app_version": app_version}
    # The header object stays open: the lists below are its remaining fields.
    out.write(json.dumps(header, ensure_ascii=False)[:-1] + ",\n")
    # One read transaction: a consistent snapshot even if a capture lands meanwhile.
    with journal.read() as session:
        goals = _write_list(out, "goals", _goal_records(session), last=False)
        actions = _write_list(out, "actions", _action_records(session), last=False)
        entries = _write_list(out, "entries", _entry_records(session), last=True)
    return TransferCounts(goals=goals, actions=actions, entries=entries)


def iso_timestamp(moment: datetime) -> str:
    """The export's one timestamp form: UTC, microseconds, explicit +00:00."""
    if moment.tzinfo is None:
        raise ValueError("a naive datetime has no known moment; pass an aware one")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _optional_timestamp(moment: datetime | None) -> str | None:
    return None if moment is None else iso_timestamp(moment)


def _optional_date(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _write_list(out: TextIO, name: str, records: Iterator[dict[str, Any]], *,
                last: bool) -> int:
    out.write(f'"{name}": [\n')
    count = 0
    # A comma is owed only if another record follows, so each line is written once the
    # next record (or the end of the list) is known.
    pending: str | None = None
    for record in records:
        if pending is not None:
            out.write(pending + ",\n")
        pending = json.dumps(record, ensure_ascii=False)
        count += 1
    if pending is not None:
        out.write(pending + "\n")
    out.write("]}\n" if last else "],\n")
    return count


def _chunks_by_id(session: Session, query: Select[Any], id_column: Column[int],
                 size: int = CHUNK_SIZE) -> Iterator[Sequence[Any]]:
    """Run `query` in pages of `size` rows ordered by id (keyset paging: each page starts
    after the last id seen, so no page costs more than the first)."""
    last_id = 0
    while True:
        rows = session.execute(
            query.where(id_column > last_id).order_by(id_column).limit(size)).all()
        if not rows:
            return
        yield rows
        last_id = rows[-1].id


def _tag_names(session: Session, link: Table, owner_column: Column[int],
               first_id: int, last_id: int) -> Mapping[int, list[str]]:
    """Tag names of every row in an id range, with one query (not one per row)."""
    query = (select(owner_column.label("owner"), _tags.c.name)
             .join(_tags, _tags.c.id == link.c.tag_id)
             .where(owner_column.between(first_id, last_id))
             .order_by(owner_column, _tags.c.name))
    names: defaultdict[int, list[str]] = defaultdict(list)
    for owner, name in session.execute(query):
        names[owner].append(name)
    return names


def _goal_records(session: Session) -> Iterator[dict[str, Any]]:
    g = _goals.c
    query = select(g.id, g.uid, g.slug, g.title, g.why, g.status, g.cadence_per_week,
                   g.created_at, g.updated_at)
    for rows in _chunks_by_id(session, query, g.id):
        for row in rows:
            yield {
                "uid": row.uid,
                "slug": row.slug,
                "title": row.title,
                "why": row.why,
                "status": row.status,
                "cadence_per_week": row.cadence_per_week,
                "created_at": iso_timestamp(row.created_at),
                "updated_at": iso_timestamp(row.updated_at),
            }


def _action_records(session: Session) -> Iterator[dict[str, Any]]:
    a = _actions.c
    query = (select(a.id, a.uid, a.title, _goals.c.uid.label("goal_uid"), a.status,
                    a.estimate_minutes, a.due_on, a.due_at, a.done_at, a.source, a.raw_text,
                    a.created_at, a.updated_at)
             .outerjoin(_goals, _goals.c.id == a.goal_id))
    for rows in _chunks_by_id(session, query, a.id):
        tags = _tag_names(session, action_tags, action_tags.c.action_id,
                          rows[0].id, rows[-1].id)
        for row in rows:
            yield {
                "uid": row.uid,
                "title": row.title,
                "goal": row.goal_uid,
                "status": row.status,
                "estimate_minutes": row.estimate_minutes,
                "due_on": _optional_date(row.due_on),
                "due_at": _optional_timestamp(row.due_at),
                "done_at": _optional_timestamp(row.done_at),
                "source": row.source,
                "raw_text": row.raw_text,
                "tags": tags.get(row.id, []),
                "created_at": iso_timestamp(row.created_at),
                "updated_at": iso_timestamp(row.updated_at),
            }


def _entry_records(session: Session) -> Iterator[dict[str, Any]]:
    e = _entries.c
    query = (select(e.id, e.uid, e.text, e.kind, _goals.c.uid.label("goal_uid"), e.mood,
                    e.energy, e.source, e.raw_text, e.created_at, e.updated_at)
             .outerjoin(_goals, _goals.c.id == e.goal_id))
    for rows in _chunks_by_id(session, query, e.id):
        tags = _tag_names(session, entry_tags, entry_tags.c.entry_id,
                          rows[0].id, rows[-1].id)
        for row in rows:
            yield {
                "uid": row.uid,
                "text": row.text,
                "kind": row.kind,
                "goal": row.goal_uid,
                "mood": row.mood,
                "energy": row.energy,
                "source": row.source,
                "raw_text": row.raw_text,
                "tags": tags.get(row.id, []),
                "created_at": iso_timestamp(row.created_at),
                "updated_at": iso_timestamp(row.updated_at),
            }
