"""Export the journal as a Markdown document for a person to read (not to import).

Layout: a title, the date it was made, the goals (their why, rhythm and status; archived
ones in a short list at the end of the section), then one `## Thursday 26 November 2026`
section per journal day: first the user's own words on the day (how it went, what got in
the way, mood and energy), then that day's notes, wins, new to-dos and focus sessions (the
time given to a step: "⏱ 09:00 — 42 min on …") in time order, and last the day's
reflection (the newest, if there were several):

    *How it went:*
    > Tired, but the walk helped.

    Mood 3/5, energy 2/5.

    - 21:14 — A long walk with Sam.
    - ✓ 18:02 — Called mum (#family)
    - ☐ Book the dentist (#health) — due Fri 27 Nov

    *Wise's reflection:*
    > You made time for your mum today…

Days run oldest first, like a diary read from its first page: the story unfolds in the
order it was lived, and the days and the times within each day run the same way.

A journal day starts at `day_start_hour` local time, so a 01:30 note belongs to the day
before. A to-do appears on the day it was written down, with its status once done or
dropped; when it was done it also appears as a win on the day it was done (only as the
win, when both happen on the same day). The rows are streamed from three cursors merged
by time (and two more, by day, for the words and reflections), so the journal's size does
not matter.
"""

from __future__ import annotations

import heapq
import itertools
import re
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import NamedTuple, TextIO

from storage.db import reading
from storage.export_json import TransferCounts
from storage.focus import seconds_given
from storage.timeutil import from_db, journal_day
from storage.vocabulary import ActionStatus, GoalStatus

# English names on purpose: strftime's %A and %B follow the process locale, which would
# give a document whose headings and prose speak different languages.
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")

_NOTHING_YET = ("Nothing here yet. Write a first note, a win or a to-do, and it will be "
                "waiting for you here next time.")


class _Item(NamedTuple):
    """One line of a day, sortable by when it happened (ties broken stably)."""

    moment: datetime
    order: int  # notes, then wins, then to-dos, when at the very same moment
    row_id: int
    day: date
    markdown: str


class _Goal(NamedTuple):
    slug: str
    title: str
    why: str
    status: str
    cadence_per_week: int | None


class _Words(NamedTuple):
    """A day_words row."""

    day: date
    how_it_went: str
    in_the_way: str
    mood: int | None
    energy: int | None


class _Reflection(NamedTuple):
    """A daily reflection, as the day's last words."""

    period: date
    content: str
    user_words: str | None


class _DayNotes(NamedTuple):
    """What was said about one day: the user's words and the newest reflection."""

    day: date
    words: _Words | None
    reflection: _Reflection | None


class _Clock:
    """Stored UTC moments -> the reader's local times and journal days."""

    def __init__(self, tz: tzinfo | None, day_start_hour: int) -> None:
        if not 0 <= day_start_hour <= 23:
            raise ValueError(f"day_start_hour must be 0 to 23, not {day_start_hour}")
        self.tz = tz
        self.day_start_hour = day_start_hour

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.tz)

    def day(self, moment: datetime) -> date:
        return journal_day(self.local(moment), self.day_start_hour)


def export_markdown(db: Path, out: TextIO, *, day_start_hour: int, tz: tzinfo | None,
                    generated_at: datetime) -> TransferCounts:
    """Write the journal at `db` to `out` as Markdown; returns how many goals, actions and
    entries it holds."""
    if generated_at.tzinfo is None:
        raise ValueError("generated_at must be an aware datetime")
    clock = _Clock(tz, day_start_hour)
    out.write(f"# Wise journal\n\nGenerated on {_long_date(clock.local(generated_at))}"
              f" at {clock.local(generated_at):%H:%M}.\n")
    # One read transaction: every cursor below sees the same snapshot of the journal.
    with reading(db) as conn:
        goals = [_Goal._make(row) for row in conn.execute(
            "SELECT slug, title, why, status, cadence_per_week FROM goals ORDER BY id")]
        _write_goals(out, goals)
        counter = _Counter()
        items = heapq.merge(_note_items(conn, clock, counter),
                            _win_items(conn, clock),
                            _todo_items(conn, clock, counter),
                            _focus_items(conn, clock))
        days_written = _write_days(out, items, _day_notes(conn))
    if not days_written:
        heading = "\n## Journal\n" if goals else ""
        out.write(f"{heading}\n{_NOTHING_YET}\n")
    return TransferCounts(goals=len(goals), actions=counter.actions, entries=counter.entries)


@dataclass
class _Counter:
    """Rows seen by the cursors; complete once the merged stream has been written."""

    actions: int = 0
    entries: int = 0


# --- Goals --------------------------------------------------------------------------------


def _write_goals(out: TextIO, goals: Sequence[_Goal]) -> None:
    if not goals:
        return
    out.write("\n## Goals\n")
    archived = []
    for goal in goals:
        if goal.status == GoalStatus.ARCHIVED:
            archived.append(goal)
            continue
        out.write(f"\n### {_one_line(goal.title)} (#{goal.slug}){_goal_status(goal.status)}\n")
        if goal.why.strip():
            out.write("\n" + _blockquote(goal.why) + "\n")
        if goal.cadence_per_week:
            out.write(f"\nAiming for {_times_a_week(goal.cadence_per_week)}.\n")
    if archived:
        out.write("\n### Archived\n\n")
        out.writelines(f"- {_one_line(goal.title)} (#{goal.slug})\n" for goal in archived)


def _goal_status(status: str) -> str:
    # Active needs no mention; the others are said kindly, not as a verdict.
    if status == GoalStatus.PAUSED:
        return " — paused for now"
    if status == GoalStatus.DONE:
        return " — done ✓"
    return ""


def _times_a_week(count: int) -> str:
    return {1: "once a week", 2: "twice a week"}.get(count, f"{count} times a week")


# --- Days ---------------------------------------------------------------------------------


def _write_days(out: TextIO, items: Iterator[_Item], notes: Iterator[_DayNotes]) -> int:
    """Every day with something in it, oldest first; returns how many were written."""
    days = 0
    note = next(notes, None)
    current: date | None = None
    current_note: _DayNotes | None = None
    for item in items:
        if item.day != current:
            if current is not None:
                _write_reflection(out, current_note)
            # Days with words or a reflection but nothing else come in their place too.
            while note is not None and note.day < item.day:
                days += _write_notes_only_day(out, note)
                note = next(notes, None)
            current_note = None
            if note is not None and note.day == item.day:
                current_note, note = note, next(notes, None)
            current = item.day
            days += 1
            out.write(f"\n## {_long_date(current)}\n")
            _write_words(out, current_note)
            out.write("\n")
        out.write(item.markdown)
    if current is not None:
        _write_reflection(out, current_note)
    while note is not None:
        days += _write_notes_only_day(out, note)
        note = next(notes, None)
    return days


def _write_notes_only_day(out: TextIO, note: _DayNotes) -> int:
    if _words_block(note) is None and _reflection_block(note) is None:
        return 0  # words typed and cleared again: nothing to show
    out.write(f"\n## {_long_date(note.day)}\n")
    _write_words(out, note)
    _write_reflection(out, note)
    return 1


# --- The user's words and the reflection --------------------------------------------------


def _day_notes(conn: sqlite3.Connection) -> Iterator[_DayNotes]:
    """Per day, in day order: its words and its newest daily reflection."""
    words = (_Words(date.fromisoformat(day), *rest) for day, *rest in conn.execute(
        "SELECT day, how_it_went, in_the_way, mood, energy FROM day_words ORDER BY day"))
    reflections = (_Reflection(date.fromisoformat(period), content, user_words)
                   for period, content, user_words in conn.execute(
                       "SELECT period, content, user_words FROM reflections "
                       "WHERE kind = 'daily' ORDER BY period, id DESC"))
    newest = (next(group) for _, group in itertools.groupby(reflections, lambda row: row.period))
    tagged = heapq.merge(((row.day, 0, row) for row in words),
                         ((row.period, 1, row) for row in newest),
                         key=lambda entry: entry[:2])
    for day, group in itertools.groupby(tagged, lambda entry: entry[0]):
        day_words: _Words | None = None
        reflection: _Reflection | None = None
        for _, _which, row in group:
            if isinstance(row, _Words):
                day_words = row
            elif isinstance(row, _Reflection):
                reflection = row
        yield _DayNotes(day, day_words, reflection)


def _words_block(note: _DayNotes | None) -> str | None:
    if note is None:
        return None
    words = note.words
    # Before day words existed, the user's words were kept with the reflection only.
    went = words.how_it_went if words is not None else (
        note.reflection.user_words if note.reflection is not None else None)
    parts = []
    if went and went.strip():
        parts.append("*How it went:*\n" + _blockquote(went))
    if words is not None and words.in_the_way.strip():
        parts.append("*What got in the way:*\n" + _blockquote(words.in_the_way))
    if words is not None and (words.mood is not None or words.energy is not None):
        scales = [f"{name} {value}/5" for name, value in (("mood", words.mood),
                                                          ("energy", words.energy))
                  if value is not None]
        parts.append(", ".join(scales).capitalize() + ".")
    return "\n\n".join(parts) if parts else None


def _reflection_block(note: _DayNotes | None) -> str | None:
    if note is None or note.reflection is None or not note.reflection.content.strip():
        return None
    return "*Wise's reflection:*\n" + _blockquote(note.reflection.content)


def _write_words(out: TextIO, note: _DayNotes | None) -> None:
    block = _words_block(note)
    if block is not None:
        out.write(f"\n{block}\n")


def _write_reflection(out: TextIO, note: _DayNotes | None) -> None:
    block = _reflection_block(note)
    if block is not None:
        out.write(f"\n{block}\n")


# sqlite3 steps through each cursor's rows as they are asked for: the merged streams never
# hold a whole table.


def _note_items(conn: sqlite3.Connection, clock: _Clock, counter: _Counter
                ) -> Iterator[_Item]:
    query = "SELECT id, text, created_at FROM entries ORDER BY created_at, id"
    for row_id, text, stored in conn.execute(query):
        counter.entries += 1
        created_at = from_db(stored)
        local = clock.local(created_at)
        yield _Item(created_at, 0, row_id, clock.day(created_at),
                    _list_item(f"{local:%H:%M} — ", text))


def _win_items(conn: sqlite3.Connection, clock: _Clock) -> Iterator[_Item]:
    query = ("SELECT actions.id, actions.title, actions.done_at, goals.slug FROM actions "
             "LEFT OUTER JOIN goals ON goals.id = actions.goal_id "
             "WHERE actions.status = ? AND actions.done_at IS NOT NULL "
             "ORDER BY actions.done_at, actions.id")
    for row_id, title, stored, slug in conn.execute(query, (ActionStatus.DONE.value,)):
        done_at = from_db(stored)
        local = clock.local(done_at)
        yield _Item(done_at, 1, row_id, clock.day(done_at),
                    _list_item(f"✓ {local:%H:%M} — ", title + _goal_tag(slug)))


_FOCUS_ENDS = {"done": "done", "stopped": "stopped there", "interrupted": "interrupted"}


def _focus_items(conn: sqlite3.Connection, clock: _Clock) -> Iterator[_Item]:
    """A focus session, on the day it started: "⏱ 09:00 — 42 min on Write the intro"."""
    query = ("SELECT focus_sessions.id, focus_sessions.title, focus_sessions.started_at, "
             "focus_sessions.ended_at, focus_sessions.paused_seconds, "
             "focus_sessions.outcome, goals.slug FROM focus_sessions "
             "LEFT OUTER JOIN actions ON actions.id = focus_sessions.action_id "
             "LEFT OUTER JOIN goals ON goals.id = actions.goal_id "
             "ORDER BY focus_sessions.started_at, focus_sessions.id")
    for row_id, title, started, ended, paused_seconds, outcome, slug in conn.execute(query):
        started_at = from_db(started)
        local = clock.local(started_at)
        if ended is None:
            given = "running"
        else:
            ended_at = from_db(ended)
            seconds = seconds_given(started_at, ended_at, paused_seconds, ended_at)
            given = f"{round(seconds / 60)} min"
        end = f" ({_FOCUS_ENDS[outcome]})" if outcome else ""
        yield _Item(started_at, 3, row_id, clock.day(started_at),
                    _list_item(f"⏱ {local:%H:%M} — {given} on ",
                               title + _goal_tag(slug) + end))


class _Due(NamedTuple):
    on: date | None  # a local calendar day
    at: datetime | None  # a moment


def _todo_items(conn: sqlite3.Connection, clock: _Clock, counter: _Counter
                ) -> Iterator[_Item]:
    query = ("SELECT actions.id, actions.title, actions.status, actions.due_on, "
             "actions.due_at, actions.done_at, actions.created_at, goals.slug FROM actions "
             "LEFT OUTER JOIN goals ON goals.id = actions.goal_id "
             "ORDER BY actions.created_at, actions.id")
    for row_id, title, status, due_on, due_at, done_at, created, slug in conn.execute(query):
        counter.actions += 1  # every action passes here once, shown as a to-do or not
        created_at = from_db(created)
        day = clock.day(created_at)
        done_day = clock.day(from_db(done_at)) if done_at else None
        if status == ActionStatus.DONE and done_day == day:
            continue  # done the day it was written down (a win): the win line says it all
        due = _Due(None if due_on is None else date.fromisoformat(due_on),
                   None if due_at is None else from_db(due_at))
        text = (title + _goal_tag(slug) + _due(due, day, clock)
                + _todo_outcome(status, done_day, day))
        yield _Item(created_at, 2, row_id, day, _list_item("☐ ", text))


def _goal_tag(slug: str | None) -> str:
    return f" (#{slug})" if slug else ""


def _due(due: _Due, today: date, clock: _Clock) -> str:
    # A due time is a moment (shown in local time); a due day is already a local day.
    if due.at is not None:
        local = clock.local(due.at)
        return f" — due {_short_date(local.date(), today)} {local:%H:%M}"
    if due.on is not None:
        return f" — due {_short_date(due.on, today)}"
    return ""


def _todo_outcome(status: str, done_day: date | None, today: date) -> str:
    if status == ActionStatus.DROPPED:
        return " — dropped"
    if status == ActionStatus.DONE:
        return f" — done {_short_date(done_day, today)}" if done_day else " — done"
    return ""


# --- Text ---------------------------------------------------------------------------------


def _long_date(day: date) -> str:
    return f"{_WEEKDAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]} {day.year}"


def _short_date(day: date, today: date) -> str:
    text = f"{_WEEKDAYS[day.weekday()][:3]} {day.day} {_MONTHS[day.month - 1][:3]}"
    return text if day.year == today.year else f"{text} {day.year}"


def _one_line(text: str) -> str:
    """Text for a heading or a short list: a line break there would end the heading."""
    return " ".join(text.split())


# Line starts that would turn a journal line into Markdown structure: an ATX heading (any
# leading "#": CommonMark needs a space after it, but other renderers do not), or a line of
# only "=" or "-" (which makes the line above it a heading).
_BLOCK_START = re.compile(r"^(\s{0,3})(#|=+\s*$|-+\s*$)")


def _escape_line_start(line: str) -> str:
    return _BLOCK_START.sub(lambda m: f"{m.group(1)}\\{m.group(2)}", line, count=1)


def _lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _list_item(head: str, text: str) -> str:
    """`- head text`, with further lines indented under the item so that they stay in it."""
    first, *rest = _lines(text.strip("\n"))
    continued = "".join(f"  {_escape_line_start(line)}\n" if line.strip() else "\n"
                        for line in rest)
    return f"- {head}{first}\n{continued}"


def _blockquote(text: str) -> str:
    return "\n".join(f"> {_escape_line_start(line)}" if line.strip() else ">"
                     for line in _lines(text.strip("\n")))
