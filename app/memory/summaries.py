"""Day and week summaries: made once (the nightly maintenance), stored, read as memory.

`ensure_summaries` is what the scheduler calls each night. It makes the summaries that
are missing, never re-makes one, and keeps each database transaction short: material is
read in one read transaction, the model (if any) is called outside any transaction, and
the row is written in its own short write transaction (which first checks that no other
process stored it meanwhile).

- Day summaries: every past journal day (never today, which is not over) from the first
  day with anything recorded, at most `max_days` back. Newest first, so that after a long
  break yesterday is ready first even if the run is cut short.
- Week summaries: every complete week (Monday to Sunday, Sunday before today) in the same
  window, after the days (a model-written week is made from its day summaries).
- Quiet days (nothing recorded) get a tiny plain row, "Quiet day: nothing recorded.",
  without asking the model. That costs one short row a day and means "missing" is simply
  "no row": the nightly check is one indexed range query, and a quiet day is never looked
  at again. Days before the journal's first entry get no row at all.
- With a model (`summarize(kind, material, period_start) -> text`): the model writes the
  summary from the day's material (or the week's day summaries); if it raises or returns
  nothing, the plain summary is stored instead ("plain" source) and the run goes on. After
  MAX_MODEL_FAILURES failures in a row the model is not asked again in this run (a
  missing key or an exhausted budget would fail for every day alike).
- Without a model: plain, data-based summaries (counts, the titles of wins, goals
  touched, the first words of a few notes), at most ~80 tokens a day, ~100 a week.

A limitation, by design: a summary is not re-made when its day changes afterwards (an
import of old entries, an edit); remove its row (by hand) to have it made again.

A summary the user deletes (in "What Wise has learned") stays deleted: its row is kept as
a tombstone (no text, source `SUMMARY_DELETED`, see storage.ritual_writes), which counts
as made here, so no night brings it back; and tombstones are never used as material.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta, tzinfo

from app.daytime import day_bounds_utc, journal_day
from app.memory.context import (
    QUIET_PREFIX,
    Candidates,
    day_label,
    goals_candidates,
    local,
    long_day,
    one_line,
    render,
    today_candidates,
)
from app.memory.tokens import estimate_tokens, truncate_to_tokens
from storage.db import JournalFile
from storage.repo import memory_reads as reads
from storage.repo.memory_reads import RangeFacts
from storage.repo.reading import NoJournal, Reader, reading
from storage.repo.summaries import store_summary

PLAIN_VERSION = "plain-1"  # stored as prompt_version of plain summaries
PLAIN_DAY_TOKENS = 80
PLAIN_WEEK_TOKENS = 100
DAY_MATERIAL_TOKENS = 2500  # what a model is given to summarise one day
WEEK_GOALS_TOKENS = 600
MAX_MODEL_TEXT_TOKENS = 400  # a longer model summary is shortened before it is stored
MAX_MODEL_FAILURES = 3
QUIET_DAY = f"{QUIET_PREFIX}: nothing recorded."
QUIET_WEEK = "Quiet week: nothing recorded."

Summarize = Callable[[str, str, date], str]  # (kind, material, period start) -> text


@dataclass(frozen=True)
class SummaryReport:
    days_made: int = 0
    weeks_made: int = 0
    by_model: int = 0
    plain: int = 0
    failed: int = 0  # model attempts that raised or returned nothing (plain was stored)
    model_stopped: bool = False  # the model was not asked again after repeated failures

    @property
    def made(self) -> int:
        return self.days_made + self.weeks_made


# ------------------------------------------------------------------------ plain ones


def _words(text: str, n: int) -> str:
    words = one_line(text).split()
    return " ".join(words[:n]) + ("…" if len(words) > n else "")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _facts_text(facts: RangeFacts, *, week: bool) -> list[str]:
    """The facts as short sentences, the most telling first (the end may be cut)."""
    parts = []
    if facts.wins:
        shown = facts.win_titles[:3 if week else 4]
        titles = "; ".join(_words(t, 6) for t in shown)
        more = ", …" if facts.wins > len(shown) else ""
        parts.append(f"{facts.wins} done: {titles}{more}.")
    if facts.goals:
        goals = ", ".join(f"#{slug}" + (f" ({n})" if week else "")
                          for slug, n in facts.goals[:6])
        parts.append(f"Goals touched: {goals}.")
    if facts.mood is not None:
        parts.append(f"Mood {facts.mood:.1f}/5.")
    if facts.todos:
        parts.append(f"{_plural(facts.todos, 'to-do')} captured.")
    if facts.notes:
        starts = "; ".join(f'"{_words(t, 6)}"' for t in facts.note_texts[:2 if week else 3])
        parts.append(f"{_plural(facts.notes, 'note')}, such as {starts}.")
    return parts


def plain_day_summary_in(conn: Reader, day: date, *, start_hour: int,
                         tz: tzinfo | None = None) -> str:
    start, end = day_bounds_utc(day, start_hour, tz)
    facts = reads.range_facts(conn, start, end)
    if facts.quiet:
        return QUIET_DAY
    return truncate_to_tokens(" ".join(_facts_text(facts, week=False)),
                              PLAIN_DAY_TOKENS)


def plain_day_summary(journal: JournalFile, day: date, *, start_hour: int,
                      tz: tzinfo | None = None) -> str:
    """A data-based note on one journal day, no model: what was done (counts and titles),
    to-dos captured, the first words of a few notes, goals touched, mood. <= ~80 tokens;
    "Quiet day: nothing recorded." when nothing was."""
    try:
        with reading(journal.db_path) as conn:
            return plain_day_summary_in(conn, day, start_hour=start_hour, tz=tz)
    except NoJournal:
        return QUIET_DAY


def _active_days(conn: Reader, week_start: date, start_hour: int,
                 tz: tzinfo | None) -> int:
    """Days of the week with anything recorded: their stored day summaries where all
    seven exist (and none was deleted: a tombstone says nothing of its day), else three
    O(log n) probes a day."""
    stored = reads.day_summaries(conn, week_start, week_start + timedelta(days=7),
                                 with_deleted=False)
    if len(stored) == 7:
        return sum(not row.content.startswith(QUIET_PREFIX) for row in stored)
    return sum(reads.anything_between(conn, *day_bounds_utc(week_start + timedelta(days=i),
                                                            start_hour, tz))
               for i in range(7))


def plain_week_summary_in(conn: Reader, week_start: date, *, start_hour: int,
                          tz: tzinfo | None = None) -> str:
    start, _ = day_bounds_utc(week_start, start_hour, tz)
    _, end = day_bounds_utc(week_start + timedelta(days=6), start_hour, tz)
    facts = reads.range_facts(conn, start, end)
    if facts.quiet:
        return QUIET_WEEK
    active = _active_days(conn, week_start, start_hour, tz)
    text = " ".join([f"Active on {active} of 7 days.", *_facts_text(facts, week=True)])
    return truncate_to_tokens(text, PLAIN_WEEK_TOKENS)


def plain_week_summary(journal: JournalFile, week_start: date, *, start_hour: int,
                       tz: tzinfo | None = None) -> str:
    """A data-based note on the week starting `week_start` (a Monday): active days, what
    was done, notes, goals touched with counts, mood. <= ~100 tokens."""
    try:
        with reading(journal.db_path) as conn:
            return plain_week_summary_in(conn, week_start, start_hour=start_hour, tz=tz)
    except NoJournal:
        return QUIET_WEEK


# ---------------------------------------------------------------------- model material


def day_material(conn: Reader, day: date, *, start_hour: int,
                 tz: tzinfo | None, budget_tokens: int = DAY_MATERIAL_TOKENS) -> str:
    """What a model is given to summarise a day: its wins, captured to-dos (with what
    became of them) and notes, newest first within the budget; the evening reflection."""
    parts = []
    reflection = reads.evening_reflection(conn, day)
    tail = ""
    if reflection is not None:
        words = one_line(reflection.user_words or "")
        tail = "\n".join(
            ["## The evening reflection"]
            + ([f"They said: {truncate_to_tokens(words, 300)}"] if words else [])
            + [f"The companion said: {truncate_to_tokens(one_line(reflection.content), 200)}"])
    room = budget_tokens - estimate_tokens(tail) - 2
    cands = today_candidates(conn, day, start_hour, tz, room, include_due=False,
                             header=f"## {long_day(day)}")
    cands.empty_line = "- Nothing recorded."
    rendered = render(cands, room)
    if rendered.lines:
        parts.append("\n".join(rendered.lines))
    if tail:
        parts.append(tail)
    return "\n\n".join(parts)


def week_material(conn: Reader, week_start: date, *, start_hour: int,
                  tz: tzinfo | None) -> str:
    """The week's stored day summaries (not the ones the user deleted), then the goals
    with their whys."""
    rows = reads.day_summaries(conn, week_start, week_start + timedelta(days=7),
                               newest_first=False, with_deleted=False)
    lines = [f"## Day notes, week of {day_label(week_start)}"]
    lines += [f"- {day_label(row.period_start)}: {one_line(row.content)}" for row in rows]
    if not rows:
        lines.append("- " + plain_week_summary_in(conn, week_start,
                                                  start_hour=start_hour, tz=tz))
    goals: Candidates = goals_candidates(conn, week_start + timedelta(days=6),
                                         start_hour, tz, WEEK_GOALS_TOKENS)
    rendered = render(goals, WEEK_GOALS_TOKENS)
    return "\n".join(lines) + ("\n\n" + "\n".join(rendered.lines) if rendered.lines else "")


# -------------------------------------------------------------------------- nightly


def first_journal_day(conn: Reader, *, start_hour: int, tz: tzinfo | None
                      ) -> date | None:
    """The journal day of the oldest entry or action (two O(log n) index look-ups)."""
    first = reads.first_moment(conn)
    return None if first is None else journal_day(local(first, tz), start_hour)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def ensure_summaries(journal: JournalFile, *, today: date, start_hour: int,
                     summarize: Summarize | None = None, tz: tzinfo | None = None,
                     max_days: int = 60, model: str | None = None,
                     prompt_versions: Mapping[str, str] | None = None) -> SummaryReport:
    """Make the missing day summaries (past days, at most `max_days` back) and week
    summaries (complete Monday-Sunday weeks), each once. See the module docstring.

    `summarize(kind, material, period_start)` ("day" or "week") is the model hook; `model` and
    `prompt_versions` ({"day": "1.0", "week": "1.0"}) are stored with what it wrote.
    """
    versions = dict(prompt_versions or {})
    window_start = today - timedelta(days=max(max_days, 0))
    try:
        with reading(journal.db_path) as conn:
            first = first_journal_day(conn, start_hour=start_hour, tz=tz)
            if first is None or first >= today:
                return SummaryReport()
            window_start = max(window_start, first)
            have = reads.summary_starts(conn, "day", window_start, today)
            week_from = _monday(window_start)
            have_weeks = reads.summary_starts(conn, "week", week_from, today)
    except NoJournal:
        return SummaryReport()
    days = [today - timedelta(days=i) for i in range(1, (today - window_start).days + 1)]
    weeks = []
    monday = _monday(today) - timedelta(days=7)  # the last complete week
    while monday >= week_from:
        weeks.append(monday)
        monday -= timedelta(days=7)

    counts = {"days_made": 0, "weeks_made": 0, "by_model": 0, "plain": 0, "failed": 0}
    failures_in_a_row = 0
    model_stopped = False

    def make(kind: str, start: date, end: date, plain_of, material_of) -> None:
        nonlocal failures_in_a_row, model_stopped
        with reading(journal.db_path) as conn:
            plain = plain_of(conn)
            material = (material_of(conn) if summarize is not None and not model_stopped
                        and not plain.startswith(("Quiet day", "Quiet week")) else None)
        text, source = plain, "plain"
        if material is not None and summarize is not None:
            try:
                written = (summarize(kind, material, start) or "").strip()
                if not written:
                    raise ValueError("the model returned an empty summary")
                text, source = truncate_to_tokens(written, MAX_MODEL_TEXT_TOKENS), "model"
                failures_in_a_row = 0
            except Exception:  # any failure: the plain summary, and the night goes on
                counts["failed"] += 1
                failures_in_a_row += 1
                if failures_in_a_row >= MAX_MODEL_FAILURES:
                    model_stopped = True
        if store_summary(journal.db_path, kind, start, end, text, source,
                  model if source == "model" else None,
                  versions.get(kind) if source == "model" else PLAIN_VERSION):
            counts["days_made" if kind == "day" else "weeks_made"] += 1
            counts["by_model" if source == "model" else "plain"] += 1

    for day in days:
        if day in have:
            continue
        make("day", day, day,
             lambda s, d=day: plain_day_summary_in(s, d, start_hour=start_hour, tz=tz),
             lambda s, d=day: (f"Day: {long_day(d)}\n\n"
                               + day_material(s, d, start_hour=start_hour, tz=tz)))
    for week_start in weeks:
        if week_start in have_weeks:
            continue
        make("week", week_start, week_start + timedelta(days=6),
             lambda s, w=week_start: plain_week_summary_in(s, w, start_hour=start_hour,
                                                           tz=tz),
             lambda s, w=week_start: (f"Week: {long_day(w)} to "
                                      f"{long_day(w + timedelta(days=6))}\n\n"
                                      + week_material(s, w, start_hour=start_hour, tz=tz)))
    return SummaryReport(**counts, model_stopped=model_stopped)
