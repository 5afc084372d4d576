"""The daily reflection's context: what the model reads, built to a token budget.

Sections, in priority order (the first ones win when the budget bites):

1. Goals and why they matter: active goals with their why, #tag, cadence, the last 7 days'
   activity and the last activity; paused goals on one line.
2. Today: wins (done actions), to-dos due today, notes and to-dos captured today, then
   overdue to-dos; local HH:MM times, shown in time order.
3. Recent days: the stored day summaries of the previous 6 days, newest first (a day
   whose summary the user deleted is left out).
4. Earlier weeks: stored week summaries before that, newest first (at most 8).
5. What helped before: the newest reflections the user rated helpful (their next step and
   the user's own note).

Budget: every section gets a fair share of what is left when its turn comes (weights
2:4:2:1:1), so a section that needs less than its share passes the rest on to the later
ones. A second pass then gives whatever is still unused to the sections that had to leave
items out, in priority order; so a heavy journal fills the budget in week one as in year
five. Within a section, items are taken in priority order (newest first) until the share
runs out; an item that no longer fits may be shortened (with "…") to use the share's
end, and the rest of its kind is left out and counted in `dropped`. The total never
exceeds the budget: line costs (app.memory.tokens, sub-additive over lines) are added up,
and the finished text is measured once more.

Cost bound: every query is a LIMITed, indexed range (created_at, done_at, due_on,
summaries' (kind, period_start), rowid), so building the context costs the same in year
five as in week one. Nothing here writes; summaries are made by app.memory.summaries.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo

from app.daytime import day_bounds_utc, days_ago, journal_day
from app.focus import far_past_plan_lines
from app.memory.tokens import estimate_tokens, truncate_to_tokens
from storage.clock import utc_now
from storage.db import JournalFile
from storage.focus import sessions_between, time_by_step
from storage.repo import memory_reads as reads
from storage.repo.goal_activity import last_touched
from storage.repo.memory_reads import DueLine, NoteLine, TodoLine, WinLine
from storage.repo.reading import NoJournal, Reader, reading
from storage.ritual_writes import SUMMARY_DELETED
from storage.vocabulary import ActionStatus, GoalStatus

DEFAULT_BUDGET = 3000  # the default of the `reflection.input_tokens` setting

GOALS, TODAY, RECENT, WEEKS, HELPED = "goals", "today", "recent", "weeks", "helped"
TITLES = {
    GOALS: "Goals and why they matter",
    TODAY: "Today",
    RECENT: "Recent days",
    WEEKS: "Earlier weeks",
    HELPED: "What helped before",
}
WEIGHTS = {GOALS: 2, TODAY: 4, RECENT: 2, WEEKS: 1, HELPED: 1}

RECENT_DAYS = 6
MAX_WEEKS = 8
MAX_HELPED = 5
FEEDBACK_LOOKBACK = 500  # feedback rows (newest by id) searched for helpful reflections
MAX_ACTIVE_GOALS = 40
MAX_PAUSED_GOALS = 20
MAX_OVERDUE = 10
COUNT_CAP = 1000  # counts of open to-dos stop here ("1000+"), so they stay bounded too

NOTE_MAX_TOKENS = 120  # a very long note is shortened with "…"
WHY_MAX_TOKENS = 80
SUMMARY_MAX_TOKENS = 160
MIN_TRUNCATED_TOKENS = 20  # an item is shortened to fit only if this much room is left
MIN_LINE_TOKENS = 4  # no item line costs less: fetch limits are derived from it


@dataclass(frozen=True)
class ContextSection:
    title: str
    text: str  # "" when nothing of the section fitted (or it had nothing)
    tokens: int
    dropped: int  # items left out for the budget


@dataclass(frozen=True)
class ReflectionContext:
    day: date
    text: str
    tokens: int
    budget: int
    sections: tuple[ContextSection, ...]


# ------------------------------------------------------------------------- rendering


def line_cost(line: str) -> int:
    """What one line adds to the text: its tokens and its line break."""
    return estimate_tokens(line) + 1


@dataclass
class Item:
    """One line of a section. `group` is the sub-list it shows in; `order` sorts it there."""

    group: str
    line: str
    order: tuple = ()
    truncatable: bool = True
    cost: int = -1

    def __post_init__(self) -> None:
        if self.cost < 0:
            self.cost = line_cost(self.line)


@dataclass
class Candidates:
    """Everything a section could show, in priority order, before the budget is applied."""

    key: str
    header: str
    items: list[Item] = field(default_factory=list)
    # Sub-lists in display order: group -> its heading line ("" for none).
    groups: dict[str, str] = field(default_factory=dict)
    unfetched: int = 0  # items that exist but were not even fetched (counted as dropped)
    empty_line: str = ""  # shown (with the header) when there are no items at all


@dataclass(frozen=True)
class Rendered:
    lines: tuple[str, ...]
    cost: int  # upper bound of the tokens the lines add, separator included
    dropped: int
    shortened: bool


def render(cands: Candidates, allowance: int) -> Rendered:
    """The section within `allowance` tokens (a blank separator line included)."""
    nothing = Rendered((), 0, len(cands.items) + cands.unfetched, False)
    fixed = 1 + line_cost(cands.header)  # blank separator + header
    if not cands.items:
        if not cands.empty_line:
            return Rendered((), 0, cands.unfetched, False)
        cost = fixed + line_cost(cands.empty_line)
        if cost > allowance:
            return nothing
        return Rendered((cands.header, cands.empty_line), cost, cands.unfetched, False)
    room = allowance - fixed
    if room < MIN_LINE_TOKENS:
        return nothing
    heading_cost = {g: (line_cost(h) if h else 0) for g, h in cands.groups.items()}
    chosen: dict[str, list[Item]] = {g: [] for g in cands.groups}
    stopped: set[str] = set()
    dropped = cands.unfetched
    shortened = False
    for item in cands.items:
        if item.group in stopped:
            dropped += 1
            continue
        extra = 0 if chosen[item.group] else heading_cost[item.group]
        if item.cost + extra <= room:
            chosen[item.group].append(item)
            room -= item.cost + extra
            continue
        stopped.add(item.group)
        space = room - extra - 1  # minus the line break
        if item.truncatable and space >= MIN_TRUNCATED_TOKENS:
            line = truncate_to_tokens(item.line, space)
            if line and line.strip() not in ("-", "- …"):
                cut = Item(item.group, line, item.order, cost=line_cost(line))
                chosen[item.group].append(cut)
                room -= cut.cost + extra
                shortened = True
                continue
        dropped += 1
    if not any(chosen.values()):
        return nothing
    lines = [cands.header]
    for group, heading in cands.groups.items():
        picked = chosen[group]
        if not picked:
            continue
        if heading:
            lines.append(heading)
        lines.extend(item.line for item in sorted(picked, key=lambda i: i.order))
    return Rendered(tuple(lines), allowance - room, dropped, shortened)


def allocate(all_cands: list[Candidates], budget: int) -> list[Rendered]:
    """Fair shares in priority order (unused share flows on), then leftovers to the
    sections that left something out, in priority order."""
    weights = [WEIGHTS[c.key] for c in all_cands]
    results: list[Rendered] = []
    used = 0
    for i, cands in enumerate(all_cands):
        left = budget - used
        share = left * weights[i] // sum(weights[i:])
        results.append(render(cands, share))
        used += results[-1].cost
    for i, cands in enumerate(all_cands):
        if not (results[i].dropped or results[i].shortened):
            continue
        spare = budget - sum(r.cost for r in results)
        if spare <= 0:
            break
        bigger = render(cands, results[i].cost + spare)
        if bigger.cost <= results[i].cost + spare:
            results[i] = bigger
    return results


# -------------------------------------------------------------------------- formatting


def one_line(text: str) -> str:
    """A note's text on one line: line breaks become " / ", runs of spaces one space."""
    parts = [" ".join(line.split()) for line in text.splitlines()]
    return " / ".join(p for p in parts if p)


def clip(text: str, max_tokens: int) -> str:
    return truncate_to_tokens(text, max_tokens)


def local(moment: datetime, tz: tzinfo | None) -> datetime:
    return moment.astimezone(tz) if tz is not None else moment.astimezone()


def hhmm(moment: datetime, tz: tzinfo | None) -> str:
    return f"{local(moment, tz):%H:%M}"


def day_label(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


def long_day(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def minutes(n: int | None) -> str:
    return f" (~{n} min)" if n else ""


def tag(slug: str | None) -> str:
    return f" #{slug}" if slug else ""


def capped(count: int) -> str:
    return f"{count}+" if count >= COUNT_CAP else str(count)


# ----------------------------------------------------------------------------- queries


def fetch_limit(budget_tokens: int) -> int:
    """The most items of one kind that could fit in the whole budget: fetching more would
    be wasted, and this keeps every query bounded by the budget, not the journal."""
    return max(budget_tokens // MIN_LINE_TOKENS, 1) + 1


def goals_candidates(conn: Reader, day: date, start_hour: int,
                     tz: tzinfo | None, budget_tokens: int) -> Candidates:
    cands = Candidates(GOALS, f"## {TITLES[GOALS]}",
                       groups={"active": "", "paused": ""})
    active = reads.active_goals(conn, MAX_ACTIVE_GOALS + 1)
    paused = reads.paused_goals(conn, MAX_PAUSED_GOALS + 1)
    if len(active) > MAX_ACTIVE_GOALS:
        cands.unfetched += (reads.count_goals(conn, GoalStatus.ACTIVE.value)
                            - MAX_ACTIVE_GOALS)
        active = active[:MAX_ACTIVE_GOALS]
    ids = [goal.id for goal in active]
    week_start, _ = day_bounds_utc(day - timedelta(days=6), start_hour, tz)
    _, day_end = day_bounds_utc(day, start_hour, tz)
    done: dict[int, int] = {}
    noted: dict[int, int] = {}
    added: dict[int, int] = {}
    # Each goal's last touch (storage/repo/goal_activity.py): in the week, from the
    # activity counted here; before it, from the goal's newest rows.
    last: dict[int, datetime] = {}
    if ids:
        wanted = set(ids)
        for counts, found in ((done, reads.goals_done(conn, week_start, day_end)),
                              (added, reads.goals_added(conn, week_start, day_end)),
                              (noted, reads.goals_noted(conn, week_start, day_end))):
            for hit in found:
                if hit.goal_id not in wanted:
                    continue
                counts[hit.goal_id] = hit.count
                last[hit.goal_id] = max(last.get(hit.goal_id, hit.latest), hit.latest)
        for goal_id in ids:  # quiet goals: their newest rows, O(log n) each
            if goal_id not in last:
                touched = last_touched(conn, goal_id)
                if touched is not None:
                    last[goal_id] = touched
    far_past = datetime.min.replace(tzinfo=UTC)
    # Recently active goals first: they are the ones a reflection on today is about.
    for row in sorted(active, key=lambda r: last.get(r.id, far_past), reverse=True):
        parts = [f"- {row.title} (#{row.slug})"]
        why = one_line(row.why or "")
        parts.append(f": why: {clip(why, WHY_MAX_TOKENS)}" if why else ": (no why written)")
        rhythm = []
        if row.cadence_per_week:
            rhythm.append(f"wants {row.cadence_per_week}x a week")
        activity = []
        if done.get(row.id):
            activity.append(f"{done[row.id]} done")
        if added.get(row.id):
            activity.append(f"{added[row.id]} to-do{'s' * (added[row.id] != 1)} added")
        if noted.get(row.id):
            activity.append(f"{noted[row.id]} note{'s' * (noted[row.id] != 1)}")
        rhythm.append("last 7 days: " + (", ".join(activity) if activity else "nothing"))
        if row.id in last:
            rhythm.append("last activity " + days_ago(journal_day(local(last[row.id], tz),
                                                             start_hour), day))
        else:
            rhythm.append("no activity yet")
        parts.append(" · " + "; ".join(rhythm))
        cands.items.append(Item("active", "".join(parts)))
    if paused:
        more = len(paused) > MAX_PAUSED_GOALS
        names = ", ".join(f"{title} (#{slug})" for slug, title in paused[:MAX_PAUSED_GOALS])
        cands.items.append(Item("paused", f"- Paused for now: {names}{', …' if more else ''}"))
    return cands


def day_data(conn: Reader, day: date, start_hour: int, tz: tzinfo | None,
             limit: int, *, without_due: bool = False) -> reads.DayLines:
    """A journal day's wins, captured to-dos and notes, newest first, each capped by
    `limit`, with exact counts. `without_due`: leave out of `captured` the open to-dos due
    on or before the day (the Today section lists those as due)."""
    start, end = day_bounds_utc(day, start_hour, tz)
    return reads.day_lines(conn, day, start, end, limit, without_due=without_due)


def win_line(row: WinLine, tz: tzinfo | None) -> str:
    return (f"- {hhmm(row.at, tz)} {one_line(row.title)}{tag(row.goal_slug)}"
            f"{minutes(row.estimate_minutes)}")


def todo_line(row: TodoLine, tz: tzinfo | None, day: date) -> str:
    status = "" if row.status == ActionStatus.OPEN.value else f" ({row.status})"
    due = f" (due {day_label(row.due_on)})" if row.due_on and row.due_on > day else ""
    return (f"- {hhmm(row.at, tz)} {one_line(row.title)}{tag(row.goal_slug)}"
            f"{minutes(row.estimate_minutes)}{due}{status}")


def note_line(row: NoteLine, tz: tzinfo | None) -> str:
    text = clip(one_line(row.text), NOTE_MAX_TOKENS)
    feel = [f"{name} {value}/5" for name, value in (("mood", row.mood), ("energy", row.energy))
            if value]
    return (f"- {hhmm(row.at, tz)} {text}{tag(row.goal_slug)}"
            + (f" ({', '.join(feel)})" if feel else ""))


def today_candidates(conn: Reader, day: date, start_hour: int,
                     tz: tzinfo | None, budget_tokens: int, *, include_due: bool = True,
                     header: str | None = None) -> Candidates:
    limit = fetch_limit(budget_tokens)
    data = day_data(conn, day, start_hour, tz, limit, without_due=include_due)
    due_today: list[DueLine] = []
    late: list[DueLine] = []
    due_total = overdue_total = 0
    if include_due:
        due_today, due_total = reads.due_on_day(conn, day, limit, COUNT_CAP)
        late, overdue_total = reads.overdue(conn, day, MAX_OVERDUE, COUNT_CAP)
    cands = Candidates(TODAY, header or f"## {TITLES[TODAY]} ({long_day(day)})",
                       empty_line="- Nothing recorded yet today.")
    cands.groups = {
        "wins": f"Done (wins, {data.wins_total}):",
        "due": f"Due today ({capped(due_total)}):",
        "captured": f"To-dos captured ({data.captured_total}):",
        "notes": f"Notes ({data.notes_total}):",
        "overdue": f"Still open from earlier days ({capped(overdue_total)}):",
    }
    for win in data.wins:  # newest first
        cands.items.append(Item("wins", win_line(win, tz), (win.at,)))
    focus_rows, focus_total = focus_data(conn, day, start_hour, tz, limit)
    if focus_rows:
        cands.groups = {"wins": cands.groups["wins"],
                        "focus": f"Time given in focus sessions ({focus_total}):",
                        **{k: v for k, v in cands.groups.items() if k != "wins"}}
    for i, (title, slug, seconds, planned, estimate) in enumerate(focus_rows):
        cands.items.append(Item("focus", focus_line(title, slug, seconds, planned, estimate),
                                (i,)))
    far = far_past_plan_lines(conn, *day_bounds_utc(day, start_hour, tz))  # app.focus
    if far:  # the first two minutes that turned into forty, right after the time given
        groups = list(cands.groups.items())
        groups.insert(2, ("far", f"Sessions that ran far past their plan ({len(far)}):"))
        cands.groups = dict(groups)
        cands.items += [Item("far", line, (i,)) for i, line in enumerate(far)]
    for i, due in enumerate(due_today):
        when = f" at {hhmm(due.due_at, tz)}" if due.due_at else ""
        cands.items.append(Item("due", f"- {one_line(due.title)}{when}{tag(due.goal_slug)}"
                                       f"{minutes(due.estimate_minutes)}", (i,)))
    # Notes and captured to-dos together, newest first.
    merged: list[tuple[str, TodoLine | NoteLine]] = (
        [("captured", row) for row in data.captured] + [("notes", r) for r in data.notes])
    merged.sort(key=lambda pair: pair[1].at, reverse=True)
    for group, entry in merged:
        line = (todo_line(entry, tz, day) if isinstance(entry, TodoLine)
                else note_line(entry, tz))
        cands.items.append(Item(group, line, (entry.at,)))
    for i, open_step in enumerate(late):
        cands.items.append(Item("overdue", f"- {one_line(open_step.title)}"
                                           f"{tag(open_step.goal_slug)} (due "
                                           f"{day_label(open_step.due_on)})", (i,)))
    # Rows beyond the fetch limit were left out for the budget too. (Overdue to-dos past
    # the MAX_OVERDUE newest are not: they are never shown; their heading gives the count.)
    cands.unfetched = ((data.wins_total - len(data.wins))
                       + (data.captured_total - len(data.captured))
                       + (data.notes_total - len(data.notes))
                       + (due_total - len(due_today))
                       + (focus_total - len(focus_rows)))
    return cands


def focus_data(conn: Reader, day: date, start_hour: int, tz: tzinfo | None,
               limit: int) -> tuple[list[tuple], int]:
    """The day's focus time per step, most first: (title, goal slug, seconds given, first
    planned seconds, estimate), at most `limit` steps; and how many steps there were."""
    start, end = day_bounds_utc(day, start_hour, tz)
    steps = time_by_step(sessions_between(conn, start, end), utc_now())
    shown = steps[:limit]
    slugs = reads.goal_slugs_of_steps(
        conn, [s.action_id for s in shown if s.action_id is not None])
    return [(s.title, slugs.get(s.action_id) if s.action_id is not None else None,
             s.seconds, s.planned_seconds, s.estimate_minutes) for s in shown], len(steps)


def focus_line(title: str, slug: str | None, seconds: float, planned: int,
               estimate: int | None) -> str:
    """"- 40 min: write the intro #book (started as 2 min)": the first two minutes that
    turned into forty are the reflection's to notice."""
    given = max(0, round((seconds or 0) / 60))
    guess = (f" (guessed ~{estimate} min)" if estimate else
             f" (started as {round(planned / 60)} min)")
    return f"- {given} min: {one_line(title)}{tag(slug)}{guess}"


def recent_candidates(conn: Reader, day: date, start_hour: int,
                      tz: tzinfo | None,
                      plain_day: Callable[[Reader, date], str] | None
                      ) -> Candidates:
    cands = Candidates(RECENT, f"## {TITLES[RECENT]}", groups={"": ""})
    first = day - timedelta(days=RECENT_DAYS)
    stored = {row.period_start: row
              for row in reads.day_summaries(conn, first, day, limit=RECENT_DAYS)}
    for back in range(1, RECENT_DAYS + 1):
        when = day - timedelta(days=back)
        row = stored.get(when)
        if row is not None and row.source == SUMMARY_DELETED:
            continue  # the user deleted this day's summary: nothing stands in for it
        content = row.content if row is not None else None
        if content is None and plain_day is not None:
            # Not made yet (the nightly job has not run): a plain one, not stored here.
            content = plain_day(conn, when) or None
        if content:
            text = clip(one_line(content), SUMMARY_MAX_TOKENS)
            cands.items.append(Item("", f"- {day_label(when)}: {text}", (back,)))
    return cands


def weeks_candidates(conn: Reader, day: date) -> Candidates:
    cands = Candidates(WEEKS, f"## {TITLES[WEEKS]}", groups={"": ""})
    before = day - timedelta(days=RECENT_DAYS)
    for i, row in enumerate(reads.weeks_before(conn, before, MAX_WEEKS)):
        text = clip(one_line(row.content), SUMMARY_MAX_TOKENS)
        cands.items.append(Item("", f"- Week of {day_label(row.period_start)}: {text}", (i,)))
    return cands


def helped_candidates(conn: Reader, day: date) -> Candidates:
    cands = Candidates(HELPED, f"## {TITLES[HELPED]}", groups={"": ""})
    for i, row in enumerate(reads.helped_reflections(conn, day, MAX_HELPED,
                                                     FEEDBACK_LOOKBACK)):
        step = _next_step(row.structured) or one_line(row.content)
        parts = [f"- {day_label(row.period)}: next step: {clip(step, 60)}"]
        if row.note and row.note.strip():
            parts.append(f" (they said: {clip(one_line(row.note), 60)})")
        cands.items.append(Item("", "".join(parts), (i,)))
    return cands


def _next_step(structured: str | None) -> str | None:
    if not structured:
        return None
    try:
        value = json.loads(structured).get("next_step")
    except (ValueError, AttributeError):
        return None
    return one_line(value) if isinstance(value, str) and value.strip() else None


# ------------------------------------------------------------------------------- build


def build_reflection_context(journal: JournalFile, day: date, *, start_hour: int,
                             budget_tokens: int = DEFAULT_BUDGET,
                             tz: tzinfo | None = None) -> ReflectionContext:
    """The daily reflection's journal context for `day`, at most `budget_tokens` tokens
    (as app.memory.tokens estimates them). See the module docstring."""
    from app.memory.summaries import plain_day_summary_in

    budget = max(int(budget_tokens), 0)

    def plain_day(conn: Reader, when: date) -> str:
        text = plain_day_summary_in(conn, when, start_hour=start_hour, tz=tz)
        return "" if text.startswith(QUIET_PREFIX) else text

    try:
        with reading(journal.db_path) as conn:
            all_cands = [
                goals_candidates(conn, day, start_hour, tz, budget),
                today_candidates(conn, day, start_hour, tz, budget),
                recent_candidates(conn, day, start_hour, tz, plain_day),
                weeks_candidates(conn, day),
                helped_candidates(conn, day),
            ]
    except NoJournal:
        all_cands = [Candidates(key, f"## {TITLES[key]}") for key in TITLES]
    return assemble(day, all_cands, budget)


QUIET_PREFIX = "Quiet day"


def assemble(day: date, all_cands: list[Candidates], budget: int) -> ReflectionContext:
    results = allocate(all_cands, budget)
    while True:
        blocks = ["\n".join(r.lines) for r in results if r.lines]
        text = "\n\n".join(blocks)
        tokens = estimate_tokens(text)
        if tokens <= budget:
            break
        # Cannot happen (line costs bound the text's); kept so the promise holds anyway.
        worst = max(i for i, r in enumerate(results) if r.lines)
        results[worst] = render(all_cands[worst], results[worst].cost - (tokens - budget) - 1)
    sections = tuple(
        ContextSection(TITLES[c.key], "\n".join(r.lines),
                       estimate_tokens("\n".join(r.lines)), r.dropped)
        for c, r in zip(all_cands, results, strict=True))
    return ReflectionContext(day, text, tokens, budget, sections)

