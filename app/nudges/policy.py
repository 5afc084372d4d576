"""The nudge policy: (open steps, history, now, rules) -> at most one nudge, and why.

Pure: no Qt, no database, no clock reads; everything it knows is passed in, so it can be
tested with any clock and explained by `wise nudge --dry-run`. `now` is an aware moment
in the user's local time zone; every other moment is converted to that zone.

The rules, checked in this order (the first that says no is the reason given):

1. ``disabled``   nudges.enabled is off.
2. ``paused``     the pause switch (1 hour / until tomorrow) has not run out.
3. ``busy``       the user is in the middle of capturing or reflecting.
4. ``quiet_hours`` now is inside [quiet_start, quiet_end) (local wall time; the window may
                  wrap past midnight; equal start and end mean no quiet hours).
5. ``daily_cap``  ``daily_cap`` nudges were already shown this local journal day (the day
                  starts at ``day_start_hour``, like the rest of the journal).
6. ``waiting``    one at a time: the last nudge is still waiting for an answer (shown less
                  than ``ANSWER_WINDOW`` = 2 hours ago, no response). After that window an
                  unanswered nudge counts as ignored, as the service records it.
7. ``min_gap``    at least ``min_gap`` since the last nudge (whatever its answer). A
                  snoozed nudge is shown again ``SNOOZE`` (15 minutes) after the answer, and
                  that second showing counts as its moment: a new nudge never arrives with it.
8. ``backoff``    two ignored nudges in a row on the same journal day: no more that day
                  (unanswered for ``ANSWER_WINDOW`` counts as ignored; any answer -- Done,
                  Snooze, Not today, opening it -- breaks the row). Across days the learner
                  does the backing off: hours that go unanswered sink below ``GOOD_MOMENT``
                  and drop out of the plan (rule 10), so someone who ignores everything
                  soon gets one or two nudges a day, never more than two. We chose
                  this over doubling the gap, which pushed the next nudge past the very
                  hour that works (a 10 am person who ignored 8 am was never asked at 10),
                  and over a streak that spans days, which left one try a day and made
                  learning the right hour take weeks longer.
9. ``nothing``    no open step is eligible. A step answered "Not today" is not offered
                  again that journal day.
10. ``not_now``   (only with a learner) this hour is not in today's plan. The plan: each
                  active hour gets the learner's weight (a Thompson draw of how likely a
                  nudge then leads to action); the best hour is always in it, and any other
                  hour whose weight is at least ``GOOD_MOMENT`` joins it, best first, when
                  the minimum gap can fit between it and the hours already in it, up to the
                  daily cap.

Then the best-scoring step is chosen (``score``; weights in ``WEIGHTS``):

- due: today +4, overdue up to a week +3, overdue longer +2 (it may have gone stale),
  tomorrow +1;
- small: an estimate of <= 10 minutes +2.5, <= 30 minutes +0.5;
- neglected: for a step open at least 7 days, +2 x (days since its goal was last touched,
  up to 28) / 28; a step without a goal counts its own age instead, at half weight;
- a goal with a why +0.5 (the nudge can name the user's own reason);
- fatigue: already nudged this journal day -3; last nudge ignored (within a week) -1;
  "Not today" on an earlier day -0.5;
- ties broken by an optional rng jitter below 0.1, then by the older step.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta

from app.rhythm.clock import QuietHours
from storage.repo.nudges import OpenStep
from storage.timeutil import journal_day

ANSWER_WINDOW = timedelta(hours=2)  # unanswered this long: counts as ignored
SNOOZE = timedelta(minutes=15)  # "Snooze" shows the same nudge again this much later
BACKOFF_AFTER = 2  # ignored nudges in a row before Wise holds back
GOOD_MOMENT = 0.7  # a learned hour weight that earns a place in today's plan
NEGLECT_MIN_AGE_DAYS = 7
NEGLECT_CAP_DAYS = 28
TINY_MINUTES = 10
SMALL_MINUTES = 30

WEIGHTS = {
    "due_today": 4.0,
    "overdue_recent": 3.0,  # due within the last 7 days
    "overdue_old": 2.0,
    "due_tomorrow": 1.0,
    "tiny": 2.5,
    "small": 0.5,
    "neglected": 2.0,  # at most; scaled by days untouched / 28
    "neglected_no_goal": 1.0,
    "has_why": 0.5,
    "nudged_today": -3.0,
    "ignored_recently": -1.0,
    "not_today_before": -0.5,
}

@dataclass(frozen=True)
class NudgeRules:
    enabled: bool
    daily_cap: int
    min_gap: timedelta
    quiet_start: time
    quiet_end: time
    day_start_hour: int

    @classmethod
    def from_settings(cls, settings, day_start_hour: int | None = None) -> NudgeRules:
        """From a Settings-like object with .get(key)."""
        quiet = QuietHours.from_settings(settings)
        return cls(enabled=bool(settings.get("nudges.enabled")),
                   daily_cap=int(settings.get("nudges.daily_cap")),
                   min_gap=timedelta(minutes=int(settings.get("nudges.min_gap_minutes"))),
                   quiet_start=quiet.start, quiet_end=quiet.end,
                   day_start_hour=int(settings.get("day.start_hour")
                                      if day_start_hour is None else day_start_hour))


@dataclass(frozen=True)
class Candidate(OpenStep):
    """An open step as the journal holds it (storage.repo.nudges.OpenStep: its fields are
    declared there once) and what the policy weighs besides: its last nudge and answer,
    and when its goal was last touched."""

    last_nudged_at: datetime | None = None
    last_response: str | None = None
    last_response_at: datetime | None = None
    goal_touched_at: datetime | None = None  # last touched (None: not in the window)

    @classmethod
    def of(cls, step: OpenStep, **weighed) -> Candidate:
        """`step` with what the policy weighs besides (the keyword fields above)."""
        return cls(**{f.name: getattr(step, f.name) for f in fields(OpenStep)}, **weighed)


@dataclass(frozen=True)
class PastNudge:
    at: datetime
    action_id: int | None
    response: str | None
    responded_at: datetime | None = None

    @property
    def last_shown(self) -> datetime:
        """When it was last on screen: a snoozed nudge comes back SNOOZE after the answer."""
        if self.response == "snooze" and self.responded_at is not None:
            return max(self.at, self.responded_at + SNOOZE)
        return self.at


@dataclass(frozen=True)
class Decision:
    candidate: Candidate | None
    reason: str  # plain words: "no nudge: quiet hours until 08:00" / "due today and small"
    style: str | None
    hour_bucket: int  # local hour of now
    next_possible: datetime | None  # earliest moment the rules could allow one (None: unknown)
    rule: str = "nudge"  # which rule decided (see the module doc); "nudge" when one is chosen
    score: float | None = None

    @property
    def nudge(self) -> bool:
        return self.candidate is not None


def _quiet(rules: NudgeRules) -> QuietHours:
    return QuietHours(rules.quiet_start, rules.quiet_end)


def in_quiet_hours(moment: datetime, rules: NudgeRules) -> bool:
    """Whether the wall-clock time of `moment` is inside the quiet window (the one rule,
    app.rhythm.clock.QuietHours, which the scheduler uses too)."""
    return _quiet(rules).contains(moment)


def quiet_end_after(moment: datetime, rules: NudgeRules) -> datetime:
    """The end of the quiet window `moment` is in (the next quiet_end on the wall clock)."""
    end = _quiet(rules).end_after(moment)
    if end is not None:
        return end
    end = datetime.combine(moment.date(), rules.quiet_end, tzinfo=moment.tzinfo)
    return end if end > moment else end + timedelta(days=1)


def active_hours(rules: NudgeRules) -> list[int]:
    """The hours of the day with at least one minute outside quiet hours."""
    quiet = _quiet(rules)
    return [h for h in range(24) if not all(quiet.covers(time(h, m)) for m in range(60))]


def journal_day_of(moment: datetime, rules: NudgeRules, tz) -> date:
    return journal_day(moment.astimezone(tz), rules.day_start_hour)


def ignored_streak(history: Sequence[PastNudge], now: datetime) -> int:
    """Ignored nudges in a row, newest first (unanswered past ANSWER_WINDOW = ignored)."""
    streak = 0
    for past in sorted(history, key=lambda p: p.at, reverse=True):
        if _effective_response(past, now) == "ignored":
            streak += 1
        else:
            break
    return streak


def _effective_response(past: PastNudge, now: datetime) -> str | None:
    if past.response is None and now - past.at >= ANSWER_WINDOW:
        return "ignored"
    return past.response


def _clock(moment: datetime, now: datetime) -> str:
    """'14:30', or 'tomorrow 08:00' / 'Fri 27 Nov 08:00' when not today's date."""
    local = moment.astimezone(now.tzinfo)
    text = f"{local:%H:%M}"
    delta = (local.date() - now.date()).days
    if delta == 0:
        return text
    if delta == 1:
        return f"tomorrow {text}"
    return f"{local:%a} {local.day} {local:%b} {text}"


def _minutes(span: timedelta) -> str:
    minutes = round(span.total_seconds() / 60)
    if minutes < 120 or minutes % 60:
        return f"{minutes} minutes"
    return f"{minutes // 60} hours"


# ----------------------------------------------------------------------------- decide


@dataclass(frozen=True)
class _Day:
    """What the rules know about the current journal day."""

    today: date
    shown_today: int
    last_at: datetime | None
    pending_at: datetime | None
    streak: int  # ignored in a row, today
    not_today_ids: frozenset[int]
    nudged_today_ids: frozenset[int]


def _day_facts(history: Iterable[PastNudge], now: datetime, rules: NudgeRules) -> _Day:
    tz = now.tzinfo
    today = journal_day_of(now, rules, tz)
    ordered = sorted(history, key=lambda p: p.at)
    todays: list[PastNudge] = []
    not_today: set[int] = set()
    nudged: set[int] = set()
    for past in ordered:
        if journal_day_of(past.at, rules, tz) == today:
            todays.append(past)
            if past.action_id is not None:
                nudged.add(past.action_id)
                if past.response == "not_today":
                    not_today.add(past.action_id)
    last = ordered[-1] if ordered else None
    pending = (last.at if last is not None and last.response is None
               and now - last.at < ANSWER_WINDOW else None)
    last_shown = max((p.last_shown for p in ordered), default=None)
    return _Day(today, len(todays), last_shown, pending, ignored_streak(todays, now),
                frozenset(not_today), frozenset(nudged))


def blocked(history: Sequence[PastNudge], now: datetime, rules: NudgeRules, *,
            paused_until: datetime | None, busy: bool) -> Decision | None:
    """The rules that do not need the open steps (1-7): a Decision saying no, or None.

    The service checks these before loading any steps, so a quiet night costs nothing."""
    return _blocked(_day_facts(history, now, rules), now, rules, paused_until, busy)


def _blocked(day: _Day, now: datetime, rules: NudgeRules, paused_until: datetime | None,
             busy: bool) -> Decision | None:
    hour = now.hour

    def no(rule: str, reason: str, nxt: datetime | None) -> Decision:
        return Decision(None, f"no nudge: {reason}", None, hour, nxt, rule=rule)

    if not rules.enabled:
        return no("disabled", "nudges are turned off (nudges.enabled)", None)
    if paused_until is not None and paused_until > now:
        return no("paused", f"paused until {_clock(paused_until, now)}",
                  _next_possible(day, now, rules, paused_until))
    if busy:
        return no("busy", "you are in the middle of capturing or reflecting", None)
    if in_quiet_hours(now, rules):
        end = quiet_end_after(now, rules)
        return no("quiet_hours", f"quiet hours until {_clock(end, now)}",
                  _next_possible(day, now, rules, end))
    if rules.daily_cap <= 0:
        return no("daily_cap", "the daily cap is 0 (nudges.daily_cap)", None)
    if day.shown_today >= rules.daily_cap:
        nxt = _next_possible(day, now, rules, now)
        return no("daily_cap", f"already {day.shown_today} today, the daily cap"
                               f"{_next_words(nxt, now)}", nxt)
    if day.pending_at is not None:
        return no("waiting", f"the last nudge ({_clock(day.pending_at, now)}) is still "
                             "waiting for an answer", _next_possible(day, now, rules, now))
    if day.last_at is not None and day.last_at + rules.min_gap > now:
        nxt = _next_possible(day, now, rules, now)
        return no("min_gap", f"the last one was at {_clock(day.last_at, now)} and nudges are "
                             f"at least {_minutes(rules.min_gap)} apart"
                             f"{_next_words(nxt, now, 'not before')}", nxt)
    if day.streak >= BACKOFF_AFTER:
        nxt = _next_possible(day, now, rules, now)
        return no("backoff", f"the last {day.streak} nudges today went unanswered, so Wise "
                             f"lets the rest of the day be{_next_words(nxt, now)}", nxt)
    return None


def _next_words(moment: datetime | None, now: datetime, lead: str = "next chance") -> str:
    return f"; {lead} {_clock(moment, now)}" if moment is not None else ""


def _next_possible(day: _Day, now: datetime, rules: NudgeRules,
                   at_least: datetime) -> datetime | None:
    """The earliest moment >= at_least that the clock rules allow if nothing changes
    (no answer comes, no pause); the learner's plan may still wait for a better hour."""
    if not rules.enabled or rules.daily_cap <= 0:
        return None
    moment = max(now, at_least)
    streak = day.streak
    if day.pending_at is not None:
        moment = max(moment, day.pending_at + ANSWER_WINDOW)
        streak += 1  # unanswered, it will count as ignored
    if day.last_at is not None:
        moment = max(moment, day.last_at + rules.min_gap)
    tz = now.tzinfo
    for _ in range(4):
        before = moment
        if in_quiet_hours(moment, rules):
            moment = quiet_end_after(moment, rules)
        if journal_day_of(moment, rules, tz) == day.today and (
                day.shown_today >= rules.daily_cap
                or streak >= BACKOFF_AFTER):
            moment = datetime.combine(day.today + timedelta(days=1),
                                      time(rules.day_start_hour), tzinfo=tz)
        if moment == before:
            break
    return moment


def plan_hours(weights: dict[int, float], rules: NudgeRules, *, limit: int) -> list[int]:
    """Today's good hours from the learner's weights (see rule 10), best first."""
    if not weights or limit <= 0:
        return []
    order = sorted(weights, key=lambda h: (-weights[h], h))
    # Two hours fit in one plan when a nudge early in the first and one late in the
    # second (59 minutes into it) can be the minimum gap apart.
    spacing = max(1, math.ceil((rules.min_gap.total_seconds() / 60 - 59) / 60))
    chosen = [order[0]]
    for hour in order[1:]:
        if len(chosen) >= limit:
            break
        if weights[hour] >= GOOD_MOMENT and all(abs(hour - c) >= spacing for c in chosen):
            chosen.append(hour)
    return chosen


def decide(candidates: Iterable[Candidate], history: Sequence[PastNudge], now: datetime,
           rules: NudgeRules, *, paused_until: datetime | None, busy: bool,
           choose_style: Callable[[int], str] | None = None,
           rng: random.Random | None = None,
           hour_weight: Callable[[int], float] | None = None) -> Decision:
    """At most one nudge for `now`, with the rule that decided (see the module doc).

    `hour_weight(hour)` (optional, from the learner): how likely a nudge at that hour is to
    lead to action, as sampled for today (stable within an hour); it makes today's plan.
    `choose_style(hour)` picks the wording style (default "plain"); `rng` adds a small
    tie-breaking jitter between equally good steps."""
    if now.tzinfo is None:
        raise ValueError("now must be an aware moment in the user's time zone")
    day = _day_facts(history, now, rules)
    refusal = _blocked(day, now, rules, paused_until, busy)
    if refusal is not None:
        return refusal
    hour = now.hour
    best, best_score, skipped = _best(candidates, day, now, rules, rng)
    if best is None:
        reason = ("every open step was set aside with Not today" if skipped
                  else "no open steps to nudge about")
        return Decision(None, f"no nudge: {reason}", None, hour, None, rule="nothing")
    if hour_weight is not None:
        hours = active_hours(rules)
        weights = {h: hour_weight(h) for h in set(hours) | {hour}}
        plan = plan_hours({h: weights[h] for h in hours} or weights, rules,
                          limit=rules.daily_cap)
        if hour not in plan:
            later = sorted(h for h in plan if h > hour)
            nxt = None
            if later:
                start = now.replace(hour=later[0], minute=0, second=0, microsecond=0)
                nxt = _next_possible(day, now, rules, start)
            # Only the plan, never a claim about what was learned: the learner's own
            # words (describe()) are the one place that says that, and early on the
            # plan is mostly hours being tried.
            return Decision(None, f"no nudge: this hour is not one of today's nudge times "
                                  f"(around {_hour_list(sorted(plan))}); Wise varies them "
                                  "from day to day to find the moments that suit you",
                            None, hour, nxt, rule="not_now", score=round(weights[hour], 3))
    style = choose_style(hour) if choose_style is not None else "plain"
    return Decision(best, explain_choice(best, day.today, now), style, hour, now, rule="nudge",
                    score=round(best_score, 3))


def _hour_list(hours: list[int]) -> str:
    """[8, 13, 17] -> '08:00, 13:00 and 17:00'."""
    times = [f"{h:02d}:00" for h in hours]
    return times[0] if len(times) == 1 else f"{', '.join(times[:-1])} and {times[-1]}"


def _best(candidates: Iterable[Candidate], day: _Day, now: datetime, rules: NudgeRules,
          rng: random.Random | None) -> tuple[Candidate | None, float, int]:
    tz = now.tzinfo
    today = day.today
    excluded = day.not_today_ids
    scorer = _Scorer(today, now, day.nudged_today_ids)
    best: Candidate | None = None
    best_key: tuple[float, float] | None = None
    skipped = 0
    for cand in candidates:
        if cand.action_id in excluded or (
                cand.last_response == "not_today" and cand.last_response_at is not None
                and journal_day_of(cand.last_response_at, rules, tz) == today):
            skipped += 1
            continue
        value = scorer.score(cand)
        if rng is not None:
            value += rng.random() * 0.1
        key = (value, -cand.created_at.timestamp())
        if best_key is None or key > best_key:
            best, best_key = cand, key
    return best, (best_key[0] if best_key else 0.0), skipped


class _Scorer:
    """score(candidate) with the day's thresholds computed once (fast for 20k steps)."""

    def __init__(self, today: date, now: datetime, nudged_today: frozenset[int]) -> None:
        self.today = today
        self.tomorrow = today + timedelta(days=1)
        self.week_ago = today - timedelta(days=7)
        self.now = now
        self.old_enough = now - timedelta(days=NEGLECT_MIN_AGE_DAYS)
        self.recent_ignore = now - timedelta(days=7)
        self.nudged_today = nudged_today

    def score(self, c: Candidate) -> float:
        w = WEIGHTS
        value = 0.0
        due = c.due_on
        if due is not None:
            if due == self.today:
                value += w["due_today"]
            elif due < self.today:
                value += w["overdue_recent"] if due >= self.week_ago else w["overdue_old"]
            elif due == self.tomorrow:
                value += w["due_tomorrow"]
        est = c.estimate_minutes
        if est is not None:
            if est <= TINY_MINUTES:
                value += w["tiny"]
            elif est <= SMALL_MINUTES:
                value += w["small"]
        if c.created_at <= self.old_enough:
            if c.goal_id is not None:
                touched = c.goal_touched_at
                days = (NEGLECT_CAP_DAYS if touched is None
                        else min((self.now - touched).days, NEGLECT_CAP_DAYS))
                value += w["neglected"] * max(days, 0) / NEGLECT_CAP_DAYS
            else:
                days = min((self.now - c.created_at).days, NEGLECT_CAP_DAYS)
                value += w["neglected_no_goal"] * days / NEGLECT_CAP_DAYS
        if c.goal_why:
            value += w["has_why"]
        if c.action_id in self.nudged_today:
            value += w["nudged_today"]
        response = c.last_response
        if response is not None:
            if response == "ignored" and (c.last_nudged_at is not None
                                          and c.last_nudged_at >= self.recent_ignore):
                value += w["ignored_recently"]
            elif response == "not_today":
                value += w["not_today_before"]
        return value


def score(candidate: Candidate, now: datetime, rules: NudgeRules,
          nudged_today: Iterable[int] = ()) -> float:
    """The documented score of one step at `now` (for tests and explanations)."""
    today = journal_day_of(now, rules, now.tzinfo)
    return _Scorer(today, now, frozenset(nudged_today)).score(candidate)


def explain_choice(c: Candidate, today: date, now: datetime) -> str:
    """Why this step, in plain words: "due today and small (~5 min)"."""
    parts: list[str] = []
    if c.due_on is not None:
        if c.due_on == today:
            parts.append("due today")
        elif c.due_on < today:
            parts.append(f"planned for {c.due_on:%a} {c.due_on.day} {c.due_on:%b}")
        elif c.due_on == today + timedelta(days=1):
            parts.append("due tomorrow")
    if c.estimate_minutes is not None and c.estimate_minutes <= SMALL_MINUTES:
        size = "small" if c.estimate_minutes <= TINY_MINUTES else "fairly small"
        parts.append(f"{size} (~{c.estimate_minutes} min)")
    age = (now - c.created_at).days
    if age >= NEGLECT_MIN_AGE_DAYS:
        if c.goal_id is not None:
            touched = c.goal_touched_at
            quiet = ("for weeks" if touched is None
                     else f"for {(now - touched).days} days")
            if touched is None or (now - touched).days >= NEGLECT_MIN_AGE_DAYS:
                parts.append(f"waiting {_age(age)}, and {c.goal_title or 'its goal'} has been "
                             f"quiet {quiet}")
        elif not parts:
            parts.append(f"waiting {_age(age)}")
    if not parts:
        parts.append("the best open step right now (nothing due, small or long-waiting)")
    return " and ".join(parts)


def _age(days: int) -> str:
    if days < 14:
        return f"{days} days"
    if days < 60:
        return f"{days // 7} weeks"
    return f"{days // 30} months"
