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
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, TextIO

from sqlalchemy import Column, Select, Table, and_, select
from sqlalchemy.orm import Session

from storage.engine import Journal
from storage.models import (
    Action,
    DayWords,
    Entry,
    Feedback,
    FocusSession,
    Goal,
    Nudge,
    Reflection,
    Summary,
    Tag,
    action_tags,
    entry_tags,
)

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

_goals: Table = Goal.__table__  # type: ignore[assignment]
_actions: Table = Action.__table__  # type: ignore[assignment]
_entries: Table = Entry.__table__  # type: ignore[assignment]
_tags: Table = Tag.__table__  # type: ignore[assignment]
_reflections: Table = Reflection.__table__  # type: ignore[assignment]
_day_words: Table = DayWords.__table__  # type: ignore[assignment]
_summaries: Table = Summary.__table__  # type: ignore[assignment]
_feedback: Table = Feedback.__table__  # type: ignore[assignment]
_nudges: Table = Nudge.__table__  # type: ignore[assignment]
_focus: Table = FocusSession.__table__  # type: ignore[assignment]


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


def export_json(journal: Journal, out: TextIO, *, exported_at: datetime,
                app_version: str) -> TransferCounts:
    """Write the whole journal to `out` in the "wise-journal" format; returns row counts."""
    header = {"format": FORMAT_NAME, "version": FORMAT_VERSION,
              "exported_at": iso_timestamp(exported_at), "app_version": app_version}
    # The header object stays open: the lists below are its remaining fields.
    out.write(json.dumps(header, ensure_ascii=False)[:-1] + ",\n")
    # One read transaction: a consistent snapshot even if a capture lands meanwhile.
    with journal.read() as session:
        counts = {name: _write_list(out, name, _RECORDS[name](session),
                                    last=name == SECTIONS[-1])
                  for name in SECTIONS}
    return TransferCounts(**counts)


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
    query = select(g.id, g.uid, g.slug, g.title, g.why, g.why_ladder, g.status,
                   g.cadence_per_week, g.created_at, g.updated_at)
    for rows in _chunks_by_id(session, query, g.id):
        for row in rows:
            yield {
                "uid": row.uid,
                "slug": row.slug,
                "title": row.title,
                "why": row.why,
                "why_ladder": None if row.why_ladder is None else json.loads(row.why_ladder),
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


def _day_words_records(session: Session) -> Iterator[dict[str, Any]]:
    d = _day_words.c
    query = select(d.id, d.day, d.how_it_went, d.in_the_way, d.mood, d.energy, d.created_at,
                   d.updated_at)
    for rows in _chunks_by_id(session, query, d.id):
        for row in rows:
            yield {
                "day": row.day.isoformat(),
                "how_it_went": row.how_it_went,
                "in_the_way": row.in_the_way,
                "mood": row.mood,
                "energy": row.energy,
                "created_at": iso_timestamp(row.created_at),
                "updated_at": iso_timestamp(row.updated_at),
            }


def _reflection_records(session: Session) -> Iterator[dict[str, Any]]:
    r = _reflections.c
    query = select(r.id, r.uid, r.kind, r.period, r.prompt_name, r.prompt_version, r.model,
                   r.content, r.structured, r.raw, r.user_words, r.created_at, r.updated_at)
    for rows in _chunks_by_id(session, query, r.id):
        for row in rows:
            yield {
                "uid": row.uid,
                "kind": row.kind,
                "period": row.period.isoformat(),
                "prompt_name": row.prompt_name,
                "prompt_version": row.prompt_version,
                "model": row.model,
                "content": row.content,
                "structured": row.structured,
                "raw": row.raw,
                "user_words": row.user_words,
                "created_at": iso_timestamp(row.created_at),
                "updated_at": iso_timestamp(row.updated_at),
            }


def _summary_records(session: Session) -> Iterator[dict[str, Any]]:
    # Deleted summaries (tombstones: source "deleted", no text) are exported too, so that
    # an import keeps the user's decision instead of letting the summary be made again.
    s = _summaries.c
    query = select(s.id, s.kind, s.period_start, s.period_end, s.content, s.source, s.model,
                   s.prompt_version, s.created_at)
    for rows in _chunks_by_id(session, query, s.id):
        for row in rows:
            yield {
                "kind": row.kind,
                "period_start": row.period_start.isoformat(),
                "period_end": row.period_end.isoformat(),
                "content": row.content,
                "source": row.source,
                "model": row.model,
                "prompt_version": row.prompt_version,
                "created_at": iso_timestamp(row.created_at),
            }


def _nudge_records(session: Session) -> Iterator[dict[str, Any]]:
    n = _nudges.c
    query = (select(n.id, n.uid, n.created_at, _actions.c.uid.label("action_uid"),
                    _goals.c.uid.label("goal_uid"), n.text, n.style, n.hour_bucket, n.reason,
                    n.source, n.response, n.responded_at)
             .outerjoin(_actions, _actions.c.id == n.action_id)
             .outerjoin(_goals, _goals.c.id == n.goal_id))
    for rows in _chunks_by_id(session, query, n.id):
        for row in rows:
            yield {
                "uid": row.uid,
                "created_at": iso_timestamp(row.created_at),
                "action": row.action_uid,
                "goal": row.goal_uid,
                "text": row.text,
                "style": row.style,
                "hour_bucket": row.hour_bucket,
                "reason": row.reason,
                "source": row.source,
                "response": row.response,
                "responded_at": _optional_timestamp(row.responded_at),
            }


def _feedback_records(session: Session) -> Iterator[dict[str, Any]]:
    f = _feedback.c
    nudge = _nudges.alias("target_nudge")
    nudge_action = _actions.alias("target_nudge_action")
    query = (select(f.id, f.uid, f.target_kind, _reflections.c.uid.label("reflection_uid"),
                    nudge.c.id.label("nudge_id"), nudge.c.created_at.label("nudge_at"),
                    nudge_action.c.uid.label("nudge_action_uid"), f.rating, f.note,
                    f.created_at)
             .outerjoin(_reflections, and_(f.target_kind == "reflection",
                                           _reflections.c.id == f.target_id))
             .outerjoin(nudge, and_(f.target_kind == "nudge", nudge.c.id == f.target_id))
             .outerjoin(nudge_action, nudge_action.c.id == nudge.c.action_id))
    for rows in _chunks_by_id(session, query, f.id):
        for row in rows:
            yield {
                "uid": row.uid,
                "target_kind": row.target_kind,
                "target": _feedback_target(row),
                "rating": row.rating,
                "note": row.note,
                "created_at": iso_timestamp(row.created_at),
            }


def _feedback_target(row: Any) -> str | dict[str, Any] | None:
    """A reflection by its uid; a nudge (which has no uid) by its key; None when what the
    feedback was about is no longer in the journal."""
    if row.reflection_uid is not None:
        return row.reflection_uid
    if row.nudge_id is not None:
        return {"created_at": iso_timestamp(row.nudge_at), "action": row.nudge_action_uid}
    return None


def _focus_records(session: Session) -> Iterator[dict[str, Any]]:
    f = _focus.c
    nudge_action = _actions.alias("focus_nudge_action")
    query = (select(f.id, f.uid, _actions.c.uid.label("action_uid"),
                    _nudges.c.id.label("nudge_id"), _nudges.c.created_at.label("nudge_at"),
                    nudge_action.c.uid.label("nudge_action_uid"), f.title, f.estimate_minutes,
                    f.started_at, f.planned_seconds, f.paused_at, f.paused_seconds,
                    f.ended_at, f.outcome)
             .outerjoin(_actions, _actions.c.id == f.action_id)
             .outerjoin(_nudges, _nudges.c.id == f.nudge_id)
             .outerjoin(nudge_action, nudge_action.c.id == _nudges.c.action_id))
    for rows in _chunks_by_id(session, query, f.id):
        for row in rows:
            yield {
                "uid": row.uid,
                "action": row.action_uid,
                "nudge": None if row.nudge_id is None else {
                    "created_at": iso_timestamp(row.nudge_at), "action": row.nudge_action_uid},
                "title": row.title,
                "estimate_minutes": row.estimate_minutes,
                "started_at": iso_timestamp(row.started_at),
                "planned_seconds": row.planned_seconds,
                "paused_at": _optional_timestamp(row.paused_at),
                "paused_seconds": row.paused_seconds,
                "ended_at": _optional_timestamp(row.ended_at),
                "outcome": row.outcome,
            }


_RECORDS = {
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
