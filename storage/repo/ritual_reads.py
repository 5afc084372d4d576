"""What the reflection and goal-review windows show, read with plain sqlite3.

The windows live in the tray process, which must never import SQLAlchemy; so these reads
use read-only sqlite3 connections and return frozen dataclasses. Every datetime handed
back is aware, in the local time zone; days are journal days (they start at
`start_hour`, local time, see storage.timeutil.journal_day_bounds). A journal that does
not exist yet, or has no tables yet, reads as empty: never an exception.
"""

from __future__ import annotations

import bisect
import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from storage.focus import sessions_between, time_by_step
from storage.goal_links import unlinked_tagged
from storage.repo.goal_activity import last_progress
from storage.repo.journal_reads import WINS_WHERE, day_words_in
from storage.repo.journal_reads import DayWordsRow as DayWordsRow  # (re-exported)
from storage.repo.reading import NoJournal, local_moment, reading, stored_day
from storage.ritual_writes import SUMMARY_DELETED
from storage.timeutil import from_db, journal_day, journal_day_bounds, to_db, utc_now
from storage.vocabulary import GoalStatus

HEATMAP_WEEKS = 12
HEATMAP_DAYS = HEATMAP_WEEKS * 7
OPEN_LIMIT = 200
DONE_LIMIT = 200
GOAL_STATUS_ORDER = tuple(status.value for status in GoalStatus)


@dataclass(frozen=True)
class ActionRow:
    id: int
    title: str
    goal_id: int | None
    goal_slug: str | None
    goal_title: str | None
    status: str
    due_on: date | None
    estimate_minutes: int | None
    done_at: datetime | None  # aware, local time zone
    created_at: datetime  # aware, local


@dataclass(frozen=True)
class EntryRow:
    id: int
    text: str
    goal_slug: str | None
    goal_title: str | None
    mood: int | None
    energy: int | None
    created_at: datetime  # aware, local


@dataclass(frozen=True)
class ReflectionRow:
    id: int
    day: date
    content: str
    model: str | None
    prompt_name: str | None
    prompt_version: str | None
    created_at: datetime
    rating: int | None  # the feedback on it, if any
    feedback_note: str | None


@dataclass(frozen=True)
class DayView:
    day: date
    wins: list[ActionRow]  # done that journal day, oldest first
    entries: list[EntryRow]  # that day, oldest first
    open_actions: list[ActionRow]  # open now: due first (overdue, that day), then newest
    planned: list[ActionRow]  # open actions due on day + 1 (tomorrow's picks)
    words: DayWordsRow | None
    reflection: ReflectionRow | None  # the newest for that day
    # Focus sessions started that day: (the step's words, seconds given), most first.
    focus: list[tuple[str, int]] = field(default_factory=list)


@dataclass(frozen=True)
class GoalCard:
    id: int
    slug: str
    title: str
    why: str
    status: str
    cadence_per_week: int | None
    done_last_4_weeks: int  # done actions in the 28 journal days up to today
    expected_last_4_weeks: int | None  # cadence * 4; None without a cadence
    last_progress: datetime | None  # newest done step or note
    open_count: int
    heatmap: list[int]  # 84 counts per journal day, Monday-first, oldest first
    heatmap_start: date  # the Monday of the first cell


@dataclass(frozen=True)
class GoalPage:
    card: GoalCard
    open_actions: list[ActionRow]  # due first, then newest
    done_actions: list[ActionRow]  # newest first
    # Items tagged with the goal's #tag before it existed, linked to no goal (the page
    # offers to link them; storage.goal_links).
    unlinked_tagged: int = 0
    # The answers to "why does that matter to you?" that led to the why, first asked first
    # (the welcome's ladder); empty for a goal made without it.
    why_ladder: tuple[str, ...] = ()


@dataclass(frozen=True)
class WeekSeries:
    goal_slug: str | None
    goal_title: str
    counts: list[int]  # 7, Monday to Sunday


@dataclass(frozen=True)
class WeekReview:
    start: date  # a Monday
    days: list[date]
    series: list[WeekSeries]  # goals with a done action that week; "Other" (no goal) last
    mood: list[float | None]  # the day's own words, else the mean of its entries
    energy: list[float | None]


@dataclass(frozen=True)
class MemoryItem:
    kind: str  # "day summary" | "week summary" | "month summary" | "feedback"
    id: int  # summaries.id or feedback.id
    text: str
    period_start: date
    period_end: date
    source: str  # "model" / "plain"; feedback: "helpful" / "not quite"
    created_at: datetime


# ------------------------------------------------------------------------------ helpers


# The repository's read connection and codecs (storage/repo/reading.py), under the names
# this module has always used.
_NoJournal = NoJournal
_reading = reading
_local = local_moment
_day = stored_day


def _stamp(moment: datetime) -> str:
    return to_db(moment)


def _bounds_text(day: date, start_hour: int) -> tuple[str, str]:
    start, end = journal_day_bounds(day, start_hour)
    return _stamp(start), _stamp(end)


def _day_edges(first: date, days: int, start_hour: int) -> list[str]:
    """The stored-text start of each of `days` journal days from `first`, plus the end of
    the last: a timestamp's day is then a bisect away, DST included, with no parsing."""
    return [_bounds_text(first + timedelta(days=n), start_hour)[0] for n in range(days + 1)]


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def heatmap_start(today: date) -> date:
    """The first day of the goal heatmaps' window: HEATMAP_WEEKS whole weeks, Monday
    first, the last one holding `today`. Every heatmap (steps done, minutes of focus)
    uses it, so their squares are the same days."""
    return _monday(today) - timedelta(weeks=HEATMAP_WEEKS - 1)


def heatmap_edges(today: date, start_hour: int) -> list[str]:
    """The day edges (see _day_edges) of the heatmaps' HEATMAP_DAYS journal days."""
    return _day_edges(heatmap_start(today), HEATMAP_DAYS, start_hour)


_ACTION_COLUMNS = ("a.id, a.title, a.goal_id, g.slug, g.title, a.status, a.due_on, "
                   "a.estimate_minutes, a.done_at, a.created_at")
_ACTION_FROM = "FROM actions a LEFT JOIN goals g ON g.id = a.goal_id"


def _action(row: tuple) -> ActionRow:
    id_, title, goal_id, slug, goal_title, status, due_on, estimate, done_at, created = row
    return ActionRow(id_, title, goal_id, slug, goal_title, status, _day(due_on), estimate,
                     _local(done_at), _local(created))


def step_rows(conn: sqlite3.Connection, where_and_order: str, params: tuple) -> list[ActionRow]:
    """Steps with their goal's tag and title, as the windows show them: the WHERE (and
    ORDER BY, LIMIT) clause over `actions a LEFT JOIN goals g`."""
    sql = f"SELECT {_ACTION_COLUMNS} {_ACTION_FROM} {where_and_order}"
    return [_action(row) for row in conn.execute(sql, params)]


def _open_actions(conn: sqlite3.Connection, day: date, day_end: str,
                  goal_id: int | None = None, limit: int = OPEN_LIMIT) -> list[ActionRow]:
    """Open actions, those due by `day` first (soonest due first), then the newest.

    Two queries, so that the newest-first part walks the created_at index and stops at
    `limit` instead of sorting every open action."""
    # `+goal_id`: walk the open actions (few) rather than all of the goal's (many, in time).
    goal, goal_param = ("AND +a.goal_id = ? ", (goal_id,)) if goal_id is not None else ("", ())
    due = step_rows(conn, f"WHERE a.status = 'open' {goal}"
                   "AND (a.due_on <= ? OR (a.due_at IS NOT NULL AND a.due_at < ?)) "
                   "ORDER BY a.due_on IS NULL, a.due_on, a.due_at, a.created_at LIMIT ?",
                   (*goal_param, day.isoformat(), day_end, limit))
    if len(due) >= limit:
        return due
    rest = step_rows(conn, f"WHERE a.status = 'open' {goal}"
                    "AND (a.due_on IS NULL OR a.due_on > ?) "
                    "AND (a.due_at IS NULL OR a.due_at >= ?) "
                    "ORDER BY a.created_at DESC, a.id DESC LIMIT ?",
                    (*goal_param, day.isoformat(), day_end, limit - len(due)))
    return due + rest


def _journal_day_of(text: str, start_hour: int) -> date:
    return journal_day(from_db(text).astimezone(), start_hour)


def _mean(values: list[int]) -> float | None:
    return sum(values) / len(values) if values else None


# --------------------------------------------------------------------------- the day


def day_view(db: Path, day: date, start_hour: int) -> DayView:
    """Everything the reflection window shows for one journal day."""
    try:
        with _reading(db) as conn:
            return _day_view(conn, day, start_hour)
    except _NoJournal:
        return DayView(day, [], [], [], [], None, None)


def _day_view(conn: sqlite3.Connection, day: date, start_hour: int) -> DayView:
    start, end = _bounds_text(day, start_hour)
    wins = step_rows(conn, f"WHERE {WINS_WHERE} ORDER BY a.done_at, a.id", (start, end))
    entries = [
        EntryRow(id_, text, slug, title, mood, energy, _local(created))
        for id_, text, slug, title, mood, energy, created in conn.execute(
            "SELECT e.id, e.text, g.slug, g.title, e.mood, e.energy, e.created_at "
            "FROM entries e LEFT JOIN goals g ON g.id = e.goal_id "
            "WHERE e.created_at >= ? AND e.created_at < ? ORDER BY e.created_at, e.id",
            (start, end))]
    planned = step_rows(conn, "WHERE a.status = 'open' AND a.due_on = ? "
                       "ORDER BY a.created_at, a.id", ((day + timedelta(days=1)).isoformat(),))
    words = day_words_in(conn, day)
    return DayView(day, wins, entries, _open_actions(conn, day, end), planned, words,
                   _reflection(conn, day), _focus_time(conn, start, end))


def _focus_time(conn: sqlite3.Connection, start: str, end: str) -> list[tuple[str, int]]:
    """Time given to each step in the day's focus sessions, pauses left out, most first."""
    steps = time_by_step(sessions_between(conn, from_db(start), from_db(end)), utc_now())
    return [(step.title, round(step.seconds)) for step in steps[:20]]


def _reflection(conn: sqlite3.Connection, day: date) -> ReflectionRow | None:
    found = conn.execute(
        "SELECT id, period, content, model, prompt_name, prompt_version, created_at "
        "FROM reflections WHERE kind = 'daily' AND period = ? "
        "ORDER BY created_at DESC, id DESC LIMIT 1", (day.isoformat(),)).fetchone()
    if found is None:
        return None
    id_, period, content, model, prompt_name, prompt_version, created = found
    feedback = conn.execute(
        "SELECT rating, note FROM feedback WHERE target_kind = 'reflection' AND target_id = ? "
        "ORDER BY id DESC LIMIT 1", (id_,)).fetchone() or (None, None)
    return ReflectionRow(id_, date.fromisoformat(period), content, model, prompt_name,
                         prompt_version, _local(created), *feedback)


def earliest_day(db: Path, start_hour: int) -> date | None:
    """The first journal day with anything in it (the date picker's minimum)."""
    try:
        with _reading(db) as conn:
            moments = conn.execute(
                "SELECT (SELECT min(created_at) FROM entries), "
                "(SELECT min(created_at) FROM actions), (SELECT min(done_at) FROM actions)"
            ).fetchone()
            days = conn.execute("SELECT (SELECT min(day) FROM day_words), "
                                "(SELECT min(period) FROM reflections)").fetchone()
    except _NoJournal:
        return None
    found = [_journal_day_of(m, start_hour) for m in moments if m is not None]
    found += [date.fromisoformat(d) for d in days if d is not None]
    return min(found, default=None)


# ------------------------------------------------------------------------------ goals


def goal_cards(db: Path, today: date, start_hour: int,
               statuses: Iterable[str] | None = None) -> list[GoalCard]:
    """Every goal (or those with the given statuses) with its last 12 weeks in numbers;
    active first, then paused, done, archived; by title within each."""
    wanted = None if statuses is None else tuple(statuses)
    if wanted is not None and not wanted:
        return []
    try:
        with _reading(db) as conn:
            return _goal_cards(conn, today, start_hour, wanted, None)
    except _NoJournal:
        return []


def _goal_cards(conn: sqlite3.Connection, today: date, start_hour: int,
                statuses: tuple[str, ...] | None, goal_id: int | None) -> list[GoalCard]:
    where: list[str] = []
    params: list[str | int] = []
    if statuses is not None:
        where.append(f"status IN ({', '.join('?' * len(statuses))})")
        params.extend(statuses)
    if goal_id is not None:
        where.append("id = ?")
        params.append(goal_id)
    goals = conn.execute(
        "SELECT id, slug, title, why, status, cadence_per_week FROM goals"
        + (" WHERE " + " AND ".join(where) if where else ""), params).fetchall()
    if not goals:
        return []
    heat_start = heatmap_start(today)
    edges = heatmap_edges(today, start_hour)
    heat = {g[0]: [0] * HEATMAP_DAYS for g in goals}
    # goal -> its last progress (storage/repo/goal_activity.py), as stored text
    newest: dict[int, str] = {}
    # The window is bounded (12 weeks), so fetching its rows along the done_at index and
    # bucketing them here costs the same in year five as in week one. (`+status` keeps the
    # planner off the status index, which would walk every done action ever.) No upper
    # bound: a later row still counts as the goal's last activity.
    for gid, done_at in conn.execute(
            "SELECT goal_id, done_at FROM actions WHERE done_at >= ? AND +status = 'done' "
            "AND +goal_id IS NOT NULL", (edges[0],)):
        if gid in heat:
            if done_at < edges[-1]:
                heat[gid][bisect.bisect_right(edges, done_at) - 1] += 1
            newest[gid] = max(newest.get(gid, done_at), done_at)
    for gid, created in conn.execute(
            "SELECT goal_id, max(created_at) FROM entries WHERE created_at >= ? "
            "AND +goal_id IS NOT NULL GROUP BY +goal_id", (edges[0],)):
        if gid in heat:
            newest[gid] = max(newest.get(gid, created), created)
    for gid in heat.keys() - newest.keys():
        # Quiet for 12 weeks: only then look through the goal's whole history.
        found = last_progress(conn, gid)
        if found is not None:
            newest[gid] = found
    one = goal_id is not None
    open_counts = dict(conn.execute(
        "SELECT goal_id, count(*) FROM actions WHERE status = 'open' AND "
        + ("+goal_id = ?" if one else "goal_id IS NOT NULL") + " GROUP BY goal_id",
        (goal_id,) if one else ()))
    last_index = (today - heat_start).days
    cards = [
        GoalCard(gid, slug, title, why, status, cadence,
                 done_last_4_weeks=sum(heat[gid][last_index - 27:last_index + 1]),
                 expected_last_4_weeks=None if cadence is None else cadence * 4,
                 last_progress=_local(newest.get(gid)), open_count=open_counts.get(gid, 0),
                 heatmap=heat[gid], heatmap_start=heat_start)
        for gid, slug, title, why, status, cadence in goals]
    rank = {status: n for n, status in enumerate(GOAL_STATUS_ORDER)}
    cards.sort(key=lambda c: (rank.get(c.status, len(rank)), c.title.casefold(), c.id))
    return cards


def _why_ladder(conn: sqlite3.Connection, goal_id: int) -> tuple[str, ...]:
    (text,) = conn.execute("SELECT why_ladder FROM goals WHERE id = ?", (goal_id,)).fetchone()
    return tuple(str(step) for step in json.loads(text)) if text else ()


def next_open_steps(db: Path, goal_ids: list[int], today: date,
                    start_hour: int) -> dict[int, ActionRow]:
    """Each goal's next open step, the first its page lists (due first, then newest):
    what a goal card's Start begins. Goals with no open step are left out."""
    try:
        with _reading(db) as conn:
            _start, end = _bounds_text(today, start_hour)
            found = {gid: _open_actions(conn, today, end, gid, limit=1) for gid in goal_ids}
    except _NoJournal:
        return {}
    return {gid: steps[0] for gid, steps in found.items() if steps}


def goal_page(db: Path, goal_id: int, today: date, start_hour: int) -> GoalPage | None:
    """One goal's card with its open actions (due first, then newest) and its done ones
    (newest first, at most 200); None when there is no such goal."""
    try:
        with _reading(db) as conn:
            cards = _goal_cards(conn, today, start_hour, None, goal_id)
            if not cards:
                return None
            _start, end = _bounds_text(today, start_hour)
            # Newest first along the done_at index: it stops after 200 of the goal's, where
            # the goal_id index would fetch and sort all the goal's years of actions.
            done = step_rows(conn, "WHERE +a.goal_id = ? AND +a.status = 'done' "
                            "AND a.done_at IS NOT NULL ORDER BY a.done_at DESC LIMIT ?",
                            (goal_id, DONE_LIMIT))
            return GoalPage(cards[0], _open_actions(conn, today, end, goal_id), done,
                            len(unlinked_tagged(conn, cards[0].slug)),
                            _why_ladder(conn, goal_id))
    except _NoJournal:
        return None


# ------------------------------------------------------------------------------- week


def week_review(db: Path, week_start: date, start_hour: int) -> WeekReview:
    """Done actions per day per goal, and mood and energy, for the week from a Monday
    (any other day is taken as its week's Monday)."""
    start = _monday(week_start)
    days = [start + timedelta(days=n) for n in range(7)]
    try:
        with _reading(db) as conn:
            return _week_review(conn, start, days, start_hour)
    except _NoJournal:
        return WeekReview(start, days, [], [None] * 7, [None] * 7)


def _week_review(conn: sqlite3.Connection, start: date, days: list[date],
                 start_hour: int) -> WeekReview:
    edges = _day_edges(start, 7, start_hour)
    counts: dict[int | None, list[int]] = {}
    for gid, done_at in conn.execute(
            "SELECT goal_id, done_at FROM actions "
            "WHERE done_at >= ? AND done_at < ? AND +status = 'done'", (edges[0], edges[-1])):
        counts.setdefault(gid, [0] * 7)[bisect.bisect_right(edges, done_at) - 1] += 1
    ids = [gid for gid in counts if gid is not None]
    names = {gid: (slug, title) for gid, slug, title in conn.execute(
        f"SELECT id, slug, title FROM goals WHERE id IN ({', '.join('?' * len(ids))})", ids)}
    series = sorted((WeekSeries(*names[gid], counts[gid]) for gid in ids if gid in names),
                    key=lambda s: (s.goal_title.casefold(), s.goal_slug))
    other = counts.get(None)
    if other is not None:
        series.append(WeekSeries(None, "Other", other))
    moods: list[list[int]] = [[] for _ in days]
    energies: list[list[int]] = [[] for _ in days]
    for created, mood, energy in conn.execute(
            "SELECT created_at, mood, energy FROM entries WHERE created_at >= ? "
            "AND created_at < ? AND (mood IS NOT NULL OR energy IS NOT NULL)",
            (edges[0], edges[-1])):
        n = bisect.bisect_right(edges, created) - 1
        if mood is not None:
            moods[n].append(mood)
        if energy is not None:
            energies[n].append(energy)
    own = {date.fromisoformat(day): (mood, energy) for day, mood, energy in conn.execute(
        "SELECT day, mood, energy FROM day_words WHERE day >= ? AND day <= ?",
        (days[0].isoformat(), days[-1].isoformat()))}
    mood_line, energy_line = [], []
    for n, day in enumerate(days):
        own_mood, own_energy = own.get(day, (None, None))
        mood_line.append(float(own_mood) if own_mood is not None else _mean(moods[n]))
        energy_line.append(float(own_energy) if own_energy is not None else _mean(energies[n]))
    return WeekReview(start, days, series, mood_line, energy_line)


# ----------------------------------------------------------------------------- memory


_SUMMARY_KINDS = {"day": "day summary", "week": "week summary", "month": "month summary"}


def _rating_word(rating: int) -> str:
    return "helpful" if rating > 0 else "not quite" if rating < 0 else "neutral"


def memory_items(db: Path, limit: int = 500) -> list[MemoryItem]:
    """What Wise keeps as memory: its summaries (not the ones the user deleted) and the
    user's feedback on reflections, newest period first."""
    try:
        with _reading(db) as conn:
            summaries = conn.execute(
                "SELECT id, kind, period_start, period_end, content, source, created_at "
                "FROM summaries WHERE source != ? ORDER BY period_start DESC, id DESC LIMIT ?",
                (SUMMARY_DELETED, limit)).fetchall()
            feedback = conn.execute(
                "SELECT f.id, f.note, f.rating, f.created_at, r.period FROM feedback f "
                "LEFT JOIN reflections r ON r.id = f.target_id "
                "WHERE f.target_kind = 'reflection' ORDER BY f.id DESC LIMIT ?",
                (limit,)).fetchall()
    except _NoJournal:
        return []
    items = [MemoryItem(_SUMMARY_KINDS.get(kind, f"{kind} summary"), id_, content,
                        date.fromisoformat(first), date.fromisoformat(last), source,
                        _local(created))
             for id_, kind, first, last, content, source, created in summaries]
    for id_, note, rating, created, period in feedback:
        moment = _local(created)
        day = date.fromisoformat(period) if period else moment.date()
        items.append(MemoryItem("feedback", id_, note or "", day, day, _rating_word(rating),
                                moment))
    items.sort(key=lambda item: (item.period_start, item.created_at), reverse=True)
    return items[:limit]


def feedback_records(db: Path) -> Iterator[dict]:
    """Every feedback row with what it was about, oldest first, for a JSON-lines export."""
    try:
        with _reading(db) as conn:
            for row in conn.execute(
                    "SELECT f.id, f.created_at, f.target_kind, f.target_id, f.rating, f.note, "
                    "r.period, r.prompt_name, r.prompt_version, r.model FROM feedback f "
                    "LEFT JOIN reflections r ON f.target_kind = 'reflection' "
                    "AND r.id = f.target_id ORDER BY f.id"):
                (id_, created, kind, target, rating, note, period, prompt_name,
                 prompt_version, model) = row
                yield {"id": id_, "created_at": _local(created).isoformat(),
                       "target_kind": kind, "target_id": target, "rating": rating,
                       "note": note, "reflection_day": period, "prompt_name": prompt_name,
                       "prompt_version": prompt_version, "model": model}
    except _NoJournal:
        return
