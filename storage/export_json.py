"""Export the whole journal as one JSON document, streamed one record per line.

The export is complete (every goal, action and entry, and the rituals' records: the
user's words on each day, reflections, memory summaries, nudges and feedback) and
lossless: importing it into an empty journal and exporting again gives the same bytes,
apart from `exported_at`. Only the model-call log (`llm_calls`) is left out: it is
bookkeeping, not the user's journal. The format description below is Markdown, ready for
the README.

## The "wise-journal" format, version 4

An export is **one valid JSON document** in UTF-8 (so `json.load`, `jq` and any JSON tool
read it), laid out with exactly **one record per line** so that Wise can read it back as a
stream, whatever its size:

```
{"format": "wise-journal", "version": 4, "exported_at": "…", "app_version": "0.1.0",
"goals": [
{"uid": "…", "slug": "family", "title": "Family", "why": "…", "status": "active", …},
{"uid": "…", "slug": "health", "title": "Health", "why": "", "status": "paused", …}
],
"actions": [
{"uid": "…", "title": "Call mum", "goal": "<a goal's uid>", "status": "open", …}
],
"entries": [
{"uid": "…", "text": "A good walk.", "kind": "note", "goal": null, …}
],
"day_words": [
…
"feedback": [
{"target_kind": "reflection", "target": "<a reflection's uid>", "rating": 1, …}
]}
```

- Line 1 is the header: the opening brace of the top-level object and its plain fields,
  ending with a comma.
- Then come eight lists, always all of them and always in this order: `goals`,
  `actions`, `entries`, `day_words`, `reflections`, `summaries`, `nudges`, `feedback`
  (a version 1 file has only the first three). Each opens with a line of its own
  (`"goals": [`), has one record per line (every record but the last followed by a
  comma), and closes with a line `],` (`]}` after the last list). An empty list is its
  opening line directly followed by its closing line.
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
  exported; records refer to goals, actions and reflections by uid. Records without a uid
  are identified by a natural key: day words by `day`, summaries by (`kind`,
  `period_start`), nudges by (`created_at`, `action`), feedback by (`target_kind`,
  `target`, `created_at`).
- Records are in the order they were added to the journal; tags are sorted by name
  (Unicode code point order).

Header:

| field | value |
|---|---|
| `format` | always `"wise-journal"` |
| `version` | the format version: the whole number `4` (Wise still imports `1`, `2` and `3`) |
| `exported_at` | when the export was made (timestamp) |
| `app_version` | the Wise version that wrote it, e.g. `"0.1.0"` (information only) |

`goals`:

| field | value |
|---|---|
| `uid` | the goal's identity: text, 1–36 characters |
| `slug` | its short name, used as `#slug` in captures: text, 1–80 characters |
| `title` | text |
| `why` | why it matters, in the user's words: text (may be `""`) |
| `why_ladder` | the answers that led to `why`, first asked first (up to 3 texts), or `null` |
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

`day_words` (the user's own words on a journal day; one per day):

| field | value |
|---|---|
| `day` | the journal day (date) |
| `how_it_went` | text (may be `""`) |
| `in_the_way` | what got in the way: text (may be `""`) |
| `mood`, `energy` | 1–5, or `null` |
| `created_at`, `updated_at` | timestamps |

`reflections` (what the companion said about a day, and what the user told it):

| field | value |
|---|---|
| `uid` | the reflection's identity: text, 1–36 characters |
| `kind` | `"daily"` |
| `period` | the journal day it reflects on (date) |
| `prompt_name`, `prompt_version` | text, or `null` |
| `model` | text, or `null` for the plain, data-based reflection |
| `content` | what was shown: text |
| `structured` | the parsed reply as JSON text, or `null` |
| `raw` | the reply as received when it did not parse, or `null` |
| `user_words` | what the user said about the day, or `null` |
| `created_at`, `updated_at` | timestamps |

`summaries` (memory: digests of a day, week or month):

| field | value |
|---|---|
| `kind` | `"day"`, `"week"` or `"month"` |
| `period_start`, `period_end` | dates (the end is included, and not before the start) |
| `content` | text; `""` when deleted |
| `source` | `"model"`, `"plain"`, or `"deleted"` (the user deleted it: not made again) |
| `model`, `prompt_version` | text, or `null` |
| `created_at` | timestamp |

`nudges` (each nudge shown, and what the user did with it):

| field | value |
|---|---|
| `uid` | the nudge's identity: text, 1–36 characters (since version 3) |
| `created_at` | when it was shown (timestamp) |
| `action`, `goal` | the uid of the action / goal it was about, or `null` |
| `text`, `reason` | text |
| `style` | the wording style tried: `"plain"`, `"why_first"`, `"tiny_step"` or `"question"` |
| `hour_bucket` | the local hour it was shown: 0–23 |
| `source` | `"model"` or `"plain"` |
| `response` | `"done"`, `"snooze"`, `"not_today"`, `"ignored"`, `"opened"`, `"started"`
  (a focus session began from it; format 3), or `null` |
| `responded_at` | timestamp, or `null` |

`focus_sessions` (format version 3: time given to a step; at most one has no end):

| field | value |
|---|---|
| `uid` | the session's uid |
| `action` | the uid of the step, or `null` (the step was deleted) |
| `nudge` | the key `{"created_at": …, "action": …}` of the nudge it was started from, or `null` |
| `title` | the step's words when it was started |
| `estimate_minutes` | the step's estimate then, or `null` |
| `started_at` | timestamp |
| `planned_seconds` | 60–86400: its length, with every "more minutes" |
| `paused_at` | timestamp while paused, else `null` |
| `paused_seconds` | time spent paused (ended pauses) |
| `ended_at` | timestamp, or `null` while it runs |
| `outcome` | `"done"`, `"stopped"` or `"interrupted"`; `null` while it runs |

`feedback` (the user's word on a reflection or a nudge; `target` is `null` when what it
was about is no longer in the journal):

| field | value |
|---|---|
| `uid` | the feedback's identity: text, 1–36 characters (since version 3) |
| `target_kind` | `"reflection"` or `"nudge"` |
| `target` | a reflection's uid, or a nudge's key `{"created_at": …, "action": …}`, or `null` |
| `rating` | `1` helpful, `0` neutral, `-1` not helpful |
| `note` | text, or `null` |
| `created_at` | timestamp |

### Importing

`wise import` (`storage.import_json`) is **all or nothing**: the first problem (not JSON,
not UTF-8, not a Wise export, a newer format version, a missing or wrongly typed field, an
unknown status, a bad timestamp, a mood out of 1–5, a reference to a goal, action or
reflection that is neither in the file nor in the journal, a uid or key repeated in the
file) is reported with its line number (or, in a file not laid out one record per line,
its path, such as `.actions[3]`), and nothing at all is imported. It is **safe to repeat**:

- a record whose uid (or, without a uid, whose key) is already in the journal is skipped,
  not updated, so importing the same file twice adds nothing the second time; the one
  exception is a summary the file marks `"deleted"`: it deletes the journal's summary of
  that period too, since the deletion was the user's decision;
- a goal whose slug already exists in the journal under another uid is taken to be that
  goal: nothing new is created, and the file's actions and entries that refer to it are
  attached to the existing goal;
- fields Wise does not know are ignored, and a tag listed twice is one tag.

A file that is valid JSON but no longer one record per line (for example after `jq .`) is
still accepted; Wise then has to read the whole file into memory at once.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TextIO

from storage.db import reading
from storage.timeutil import from_db

FORMAT_NAME = "wise-journal"
FORMAT_VERSION = 4
# In file order. Feedback and focus sessions come last: they refer to nudges by their keys.
SECTIONS = ("goals", "actions", "entries", "day_words", "reflections", "summaries",
            "nudges", "feedback", "focus_sessions")
# What each version holds: a version 1 file has only the first three lists, version 2 no
# focus sessions. Version 3 also adds the uid of nudges and feedback (a version 2 file's
# get new ones when imported); version 4 adds goals' why_ladder (older files' goals have
# none).
SECTIONS_BY_VERSION = {1: SECTIONS[:3], 2: SECTIONS[:8], 3: SECTIONS, 4: SECTIONS}

# Rows fetched per query: large enough that the query count stays small (100 for 100,000
# entries), small enough that memory stays flat however big the journal is.
CHUNK_SIZE = 1000


@dataclass(frozen=True)
class TransferCounts:
    goals: int
    actions: int
    entries: int
    # The rituals' records (format version 2); zero by default so the three-count form
    # that the CLI and the Markdown export use still reads naturally.
    day_words: int = 0
    reflections: int = 0
    summaries: int = 0
    nudges: int = 0
    feedback: int = 0
    focus_sessions: int = 0  # format version 3



def export_json(db: Path, out: TextIO, *, exported_at: datetime,
                app_version: str) -> TransferCounts:
    """Write the whole journal at `db` to `out` in the "wise-journal" format; returns row
    counts."""
    header = {"format": FORMAT_NAME, "version": FORMAT_VERSION,
              "exported_at": iso_timestamp(exported_at), "app_version": app_version}
    # The header object stays open: the lists below are its remaining fields.
    out.write(json.dumps(header, ensure_ascii=False)[:-1] + ",\n")
    # One read transaction: a consistent snapshot even if a capture lands meanwhile.
    with reading(db) as conn:
        counts = {name: _write_list(out, name, _RECORDS[name](conn),
                                    last=name == SECTIONS[-1])
                  for name in SECTIONS}
    return TransferCounts(**counts)


def iso_timestamp(moment: datetime) -> str:
    """The export's one timestamp form: UTC, microseconds, explicit +00:00."""
    if moment.tzinfo is None:
        raise ValueError("a naive datetime has no known moment; pass an aware one")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


# The one form to_db writes ("2026-11-26 18:00:00.000000"): such text becomes the
# export's form by moving characters, with no datetime made and printed again.
_STORED_FORM = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}")


def _stamp(stored: str) -> str:
    """A stored moment (naive UTC text) as the export writes it."""
    if _STORED_FORM.fullmatch(stored):
        try:
            datetime.fromisoformat(stored)
        except ValueError:
            pass  # no such day or hour: the codec below refuses it in its own words
        else:
            return f"{stored[:10]}T{stored[11:]}+00:00"
    return iso_timestamp(from_db(stored))  # an older, looser form: read, then written


def _optional_stamp(stored: str | None) -> str | None:
    return None if stored is None else _stamp(stored)


def _day(stored: str) -> str:
    # Read as the journal's Date columns are (date.fromisoformat), written back in the one
    # ISO form.
    return date.fromisoformat(stored).isoformat()


def _optional_day(stored: str | None) -> str | None:
    return None if stored is None else _day(stored)


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


def _chunks_by_id(conn: sqlite3.Connection, query: str, id_column: str,
                  size: int = CHUNK_SIZE) -> Iterator[list[tuple[Any, ...]]]:
    """Run `query` (a SELECT whose first column is `id_column`, with no WHERE) in pages of
    `size` rows ordered by id (keyset paging: each page starts after the last id seen, so
    no page costs more than the first)."""
    paged = f"{query} WHERE {id_column} > ? ORDER BY {id_column} LIMIT ?"
    last_id = 0
    while True:
        rows = conn.execute(paged, (last_id, size)).fetchall()
        if not rows:
            return
        yield rows
        last_id = rows[-1][0]


def _tag_names(conn: sqlite3.Connection, link: str, owner: str, first_id: int,
               last_id: int) -> Mapping[int, list[str]]:
    """Tag names of every row in an id range, with one query (not one per row)."""
    query = (f"SELECT {link}.{owner}, tags.name FROM {link} "
             f"JOIN tags ON tags.id = {link}.tag_id "
             f"WHERE {link}.{owner} BETWEEN ? AND ? ORDER BY {link}.{owner}, tags.name")
    names: defaultdict[int, list[str]] = defaultdict(list)
    for owner_id, name in conn.execute(query, (first_id, last_id)):
        names[owner_id].append(name)
    return names


def _goal_records(conn: sqlite3.Connection) -> Iterator[dict[str, Any]]:
    query = ("SELECT id, uid, slug, title, why, why_ladder, status, cadence_per_week, "
             "created_at, updated_at FROM goals")
    for rows in _chunks_by_id(conn, query, "id"):
        for (_id, uid, slug, title, why, why_ladder, status, cadence, created_at,
             updated_at) in rows:
            yield {
                "uid": uid,
                "slug": slug,
                "title": title,
                "why": why,
                "why_ladder": None if why_ladder is None else json.loads(why_ladder),
                "status": status,
                "cadence_per_week": cadence,
                "created_at": _stamp(created_at),
                "updated_at": _stamp(updated_at),
            }


def _action_records(conn: sqlite3.Connection) -> Iterator[dict[str, Any]]:
    query = ("SELECT actions.id, actions.uid, actions.title, goals.uid, actions.status, "
             "actions.estimate_minutes, actions.due_on, actions.due_at, actions.done_at, "
             "actions.source, actions.raw_text, actions.created_at, actions.updated_at "
             "FROM actions LEFT OUTER JOIN goals ON goals.id = actions.goal_id")
    for rows in _chunks_by_id(conn, query, "actions.id"):
        tags = _tag_names(conn, "action_tags", "action_id", rows[0][0], rows[-1][0])
        for (row_id, uid, title, goal_uid, status, estimate, due_on, due_at, done_at,
             source, raw_text, created_at, updated_at) in rows:
            yield {
                "uid": uid,
                "title": title,
                "goal": goal_uid,
                "status": status,
                "estimate_minutes": estimate,
                "due_on": _optional_day(due_on),
                "due_at": _optional_stamp(due_at),
                "done_at": _optional_stamp(done_at),
                "source": source,
                "raw_text": raw_text,
                "tags": tags.get(row_id, []),
                "created_at": _stamp(created_at),
                "updated_at": _stamp(updated_at),
            }


def _entry_records(conn: sqlite3.Connection) -> Iterator[dict[str, Any]]:
    query = ("SELECT entries.id, entries.uid, entries.text, entries.kind, goals.uid, "
             "entries.mood, entries.energy, entries.source, entries.raw_text, "
             "entries.created_at, entries.updated_at "
             "FROM entries LEFT OUTER JOIN goals ON goals.id = entries.goal_id")
    for rows in _chunks_by_id(conn, query, "entries.id"):
        tags = _tag_names(conn, "entry_tags", "entry_id", rows[0][0], rows[-1][0])
        for (row_id, uid, text, kind, goal_uid, mood, energy, source, raw_text, created_at,
             updated_at) in rows:
            yield {
                "uid": uid,
                "text": text,
                "kind": kind,
                "goal": goal_uid,
                "mood": mood,
                "energy": energy,
                "source": source,
                "raw_text": raw_text,
                "tags": tags.get(row_id, []),
                "created_at": _stamp(created_at),
                "updated_at": _stamp(updated_at),
            }


def _day_words_records(conn: sqlite3.Connection) -> Iterator[dict[str, Any]]:
    query = ("SELECT id, day, how_it_went, in_the_way, mood, energy, created_at, updated_at "
             "FROM day_words")
    for rows in _chunks_by_id(conn, query, "id"):
        for _id, day, how_it_went, in_the_way, mood, energy, created_at, updated_at in rows:
            yield {
                "day": _day(day),
                "how_it_went": how_it_went,
                "in_the_way": in_the_way,
                "mood": mood,
                "energy": energy,
                "created_at": _stamp(created_at),
                "updated_at": _stamp(updated_at),
            }


def _reflection_records(conn: sqlite3.Connection) -> Iterator[dict[str, Any]]:
    query = ("SELECT id, uid, kind, period, prompt_name, prompt_version, model, content, "
             "structured, raw, user_words, created_at, updated_at FROM reflections")
    for rows in _chunks_by_id(conn, query, "id"):
        for (_id, uid, kind, period, prompt_name, prompt_version, model, content, structured,
             raw, user_words, created_at, updated_at) in rows:
            yield {
                "uid": uid,
                "kind": kind,
                "period": _day(period),
                "prompt_name": prompt_name,
                "prompt_version": prompt_version,
                "model": model,
                "content": content,
                "structured": structured,
                "raw": raw,
                "user_words": user_words,
                "created_at": _stamp(created_at),
                "updated_at": _stamp(updated_at),
            }


def _summary_records(conn: sqlite3.Connection) -> Iterator[dict[str, Any]]:
    # Deleted summaries (tombstones: source "deleted", no text) are exported too, so that
    # an import keeps the user's decision instead of letting the summary be made again.
    query = ("SELECT id, kind, period_start, period_end, content, source, model, "
             "prompt_version, created_at FROM summaries")
    for rows in _chunks_by_id(conn, query, "id"):
        for (_id, kind, period_start, period_end, content, source, model, prompt_version,
             created_at) in rows:
            yield {
                "kind": kind,
                "period_start": _day(period_start),
                "period_end": _day(period_end),
                "content": content,
                "source": source,
                "model": model,
                "prompt_version": prompt_version,
                "created_at": _stamp(created_at),
            }


def _nudge_records(conn: sqlite3.Connection) -> Iterator[dict[str, Any]]:
    query = ("SELECT nudges.id, nudges.uid, nudges.created_at, actions.uid, goals.uid, "
             "nudges.text, nudges.style, nudges.hour_bucket, nudges.reason, nudges.source, "
             "nudges.response, nudges.responded_at FROM nudges "
             "LEFT OUTER JOIN actions ON actions.id = nudges.action_id "
             "LEFT OUTER JOIN goals ON goals.id = nudges.goal_id")
    for rows in _chunks_by_id(conn, query, "nudges.id"):
        for (_id, uid, created_at, action_uid, goal_uid, text, style, hour_bucket, reason,
             source, response, responded_at) in rows:
            yield {
                "uid": uid,
                "created_at": _stamp(created_at),
                "action": action_uid,
                "goal": goal_uid,
                "text": text,
                "style": style,
                "hour_bucket": hour_bucket,
                "reason": reason,
                "source": source,
                "response": response,
                "responded_at": _optional_stamp(responded_at),
            }


def _feedback_records(conn: sqlite3.Connection) -> Iterator[dict[str, Any]]:
    query = ("SELECT feedback.id, feedback.uid, feedback.target_kind, reflections.uid, "
             "target_nudge.id, target_nudge.created_at, target_nudge_action.uid, "
             "feedback.rating, feedback.note, feedback.created_at FROM feedback "
             "LEFT OUTER JOIN reflections ON feedback.target_kind = 'reflection' "
             "AND reflections.id = feedback.target_id "
             "LEFT OUTER JOIN nudges AS target_nudge ON feedback.target_kind = 'nudge' "
             "AND target_nudge.id = feedback.target_id "
             "LEFT OUTER JOIN actions AS target_nudge_action "
             "ON target_nudge_action.id = target_nudge.action_id")
    for rows in _chunks_by_id(conn, query, "feedback.id"):
        for (_id, uid, target_kind, reflection_uid, nudge_id, nudge_at, nudge_action_uid,
             rating, note, created_at) in rows:
            yield {
                "uid": uid,
                "target_kind": target_kind,
                "target": _feedback_target(reflection_uid, nudge_id, nudge_at,
                                           nudge_action_uid),
                "rating": rating,
                "note": note,
                "created_at": _stamp(created_at),
            }


def _feedback_target(reflection_uid: str | None, nudge_id: int | None, nudge_at: str | None,
                     nudge_action_uid: str | None) -> str | dict[str, Any] | None:
    """A reflection by its uid; a nudge (which has no uid) by its key; None when what the
    feedback was about is no longer in the journal."""
    if reflection_uid is not None:
        return reflection_uid
    if nudge_id is not None:
        return _nudge_key(nudge_at, nudge_action_uid)
    return None


def _nudge_key(created_at: str | None, action_uid: str | None) -> dict[str, Any]:
    assert created_at is not None  # NOT NULL in the table: the join found the nudge
    return {"created_at": _stamp(created_at), "action": action_uid}


def _focus_records(conn: sqlite3.Connection) -> Iterator[dict[str, Any]]:
    query = ("SELECT focus_sessions.id, focus_sessions.uid, actions.uid, nudges.id, "
             "nudges.created_at, focus_nudge_action.uid, focus_sessions.title, "
             "focus_sessions.estimate_minutes, focus_sessions.started_at, "
             "focus_sessions.planned_seconds, focus_sessions.paused_at, "
             "focus_sessions.paused_seconds, focus_sessions.ended_at, focus_sessions.outcome "
             "FROM focus_sessions "
             "LEFT OUTER JOIN actions ON actions.id = focus_sessions.action_id "
             "LEFT OUTER JOIN nudges ON nudges.id = focus_sessions.nudge_id "
             "LEFT OUTER JOIN actions AS focus_nudge_action "
             "ON focus_nudge_action.id = nudges.action_id")
    for rows in _chunks_by_id(conn, query, "focus_sessions.id"):
        for (_id, uid, action_uid, nudge_id, nudge_at, nudge_action_uid, title, estimate,
             started_at, planned_seconds, paused_at, paused_seconds, ended_at,
             outcome) in rows:
            yield {
                "uid": uid,
                "action": action_uid,
                "nudge": None if nudge_id is None else _nudge_key(nudge_at,
                                                                  nudge_action_uid),
                "title": title,
                "estimate_minutes": estimate,
                "started_at": _stamp(started_at),
                "planned_seconds": planned_seconds,
                "paused_at": _optional_stamp(paused_at),
                "paused_seconds": paused_seconds,
                "ended_at": _optional_stamp(ended_at),
                "outcome": outcome,
            }


_RECORDS: dict[str, Callable[[sqlite3.Connection], Iterator[dict[str, Any]]]] = {
    "goals": _goal_records,
    "actions": _action_records,
    "entries": _entry_records,
    "day_words": _day_words_records,
    "reflections": _reflection_records,
    "summaries": _summary_records,
    "nudges": _nudge_records,
    "feedback": _feedback_records,
    "focus_sessions": _focus_records,
}
