"""Focus: the time left in a session on the wall clock, the gentle cues, and what the time
given says (minutes per step, estimate calibration). Qt-free; the tray and the CLI share it.

Time is always the wall clock against stored moments, never a count of ticks: a session
that spanned a suspend is simply past its end when the machine wakes, and says so.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

# The windows reach the journal through app/ (DESIGN.md): the session's store and words
# are re-exported here for the tray (`X as X` marks a deliberate re-export).
from app.focus_keeper import Interrupted
from storage.focus import FocusConflict as FocusConflict
from storage.focus import FocusSession, paused_so_far, planned_end
from storage.focus import FocusStore as FocusStore
from storage.focus import StepTime as StepTime
from storage.focus import given_seconds as given_seconds
from storage.focus import time_by_step as time_by_step
from storage.repo.focus_reads import goal_minutes as goal_minutes
from storage.repo.focus_reads import step_row as step_row
from storage.repo.reading import Reader
from storage.timeutil import utc_now as utc_now
from storage.vocabulary import FocusOutcome as FocusOutcome

RING_STEPS = 24  # the tray ring moves in 15° steps: visible at 16 px, calm to watch
MIN_WAKE_S, MAX_WAKE_S = 1.0, 10.0
FIVE_MINUTES = 300
# Looks this far apart, or a wake-up this much later than asked, mean the process (or the
# machine) was stopped: the ring wakes at least every MAX_WAKE_S while a session runs.
SLEPT_AFTER_S = 30.0
LATE_AFTER_S = 5.0


@dataclass(frozen=True)
class Countdown:
    """A running session seen at one moment."""

    session: FocusSession
    now: datetime
    left_s: float  # may be negative: past its end
    elapsed_s: float  # time given so far, pauses left out
    end: datetime

    @property
    def paused(self) -> bool:
        return self.session.paused_at is not None

    @property
    def over(self) -> bool:
        return self.left_s <= 0

    @property
    def fraction_left(self) -> float:
        return min(1.0, max(0.0, self.left_s / self.session.planned_seconds))

    @property
    def ring_step(self) -> int:
        """0..RING_STEPS: how much ring is left, rounded up so it empties only at the end."""
        return math.ceil(self.fraction_left * RING_STEPS)

    @property
    def minutes_left(self) -> int:
        return max(0, math.ceil(self.left_s / 60))

    def as_dict(self) -> dict:
        return {"session": self.session.as_dict(), "left_seconds": round(self.left_s),
                "elapsed_seconds": round(self.elapsed_s), "ends_at": self.end.isoformat(),
                "paused": self.paused, "over": self.over}


def countdown(session: FocusSession, now: datetime) -> Countdown:
    end = planned_end(session, now)
    elapsed = (now - session.started_at).total_seconds() - paused_so_far(session, now)
    return Countdown(session, now, (end - now).total_seconds(), max(0.0, elapsed), end)


def seconds_to_next_change(view: Countdown) -> float:
    """How long until the ring or the minutes shown change: the next wake-up, kept within
    1 s (never faster) and 10 s (to notice a wall-clock jump soon)."""
    if view.paused:
        return MAX_WAKE_S
    if view.over:
        return MAX_WAKE_S
    step = view.session.planned_seconds / RING_STEPS
    to_ring = view.left_s - (math.ceil(view.left_s / step) - 1) * step
    to_minute = view.left_s - (math.ceil(view.left_s / 60) - 1) * 60
    return min(MAX_WAKE_S, max(MIN_WAKE_S, min(to_ring, to_minute) + 0.05))


@dataclass(frozen=True)
class Cue:
    """A gentle moment: "half" (half time), "five" (five minutes left), "end" (time is up),
    "overrun" (past the step's own estimate, said once, kindly)."""

    kind: str
    text: str
    slept: bool = False  # "end" only: the time ran out while the process or machine slept


HALF, FIVE, END, OVERRUN = "half", "five", "end", "overrun"


def due_cues(before: Countdown | None, after: Countdown, said: frozenset[str], *,
             late_s: float = 0.0) -> list[Cue]:
    """The cues whose moment fell between two looks at the session, each said once.
    `late_s`: how much later than asked this look came (the tray's timer knows).

    Only the latest applies after a long gap (a suspend): no burst of stale cues."""
    cues: list[Cue] = []
    planned = after.session.planned_seconds
    if after.over and END not in said:
        slept = before is not None and (
            late_s > LATE_AFTER_S or (after.now - before.now).total_seconds() > SLEPT_AFTER_S)
        when = after.end.astimezone()
        text = (f"Your time ended at {when:%H:%M} while the computer was asleep."
                if slept else "Time's up. How did it go?")
        return [Cue(END, text, slept)]
    if after.over:
        return cues
    estimate = after.session.estimate_minutes
    if (estimate and OVERRUN not in said and after.elapsed_s > estimate * 60
            and planned > estimate * 60):
        cues.append(Cue(OVERRUN, "This is taking longer than you guessed — that's "
                                 "information, not failure."))
    if planned > 2 * FIVE_MINUTES and after.left_s <= FIVE_MINUTES and FIVE not in said:
        cues.append(Cue(FIVE, "Five minutes left."))
    elif after.left_s <= planned / 2 and HALF not in said and FIVE not in said:
        cues.append(Cue(HALF, "Half time."))
    return cues


def length_words(seconds: float) -> str:
    if seconds < 60:
        return "<1 min"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest:02d}" if rest else f"{hours} h"


def start_session(store: FocusStore, *, action_id: int | None = None,
                  text: str | None = None, minutes: int | None = None,
                  nudge_id: int | None = None) -> FocusSession:
    """Start a step (by id or words), or a nudge's own step: the tray, `wise focus start`
    and `wise nudge --respond ID started` all start here."""
    if action_id is None and text is None and nudge_id is not None:
        action_id, nudge_text = store.nudge_step(nudge_id)
        if action_id is None:
            text = nudge_text
    return store.start(action_id=action_id, text=text, minutes=minutes, nudge_id=nudge_id)


def interrupted_words(found: Interrupted) -> tuple[str, str]:
    """What the next start says of a session a crash interrupted: (title, text)."""
    session = found.session
    title = session.title if len(session.title) <= 80 else session.title[:79] + "…"
    given = given_seconds(session, found.last_seen)
    return ("Your focus session was interrupted",
            f"Wise stopped while you were on “{title}”: {length_words(given)} given, until "
            f"{found.last_seen.astimezone():%H:%M}. That time is kept in your journal.")


# ------------------------------------------------------------------ time you can see

def time_by_goal(steps: list[StepTime], goals: dict[int, str]) -> list[tuple[str, float]]:
    """(goal title, seconds), most first; steps without a goal are left out."""
    totals: dict[str, float] = defaultdict(float)
    for step in steps:
        if step.action_id in goals:
            totals[goals[step.action_id]] += step.seconds
    return sorted(totals.items(), key=lambda item: -item[1])


# ------------------------------------------------------------------ far past the plan

# "The first two minutes that turned into forty": a session that ran at least twice its
# planned length (the "5 more minutes" asked for included) and a quarter of an hour more.
FAR_PAST_FACTOR = 2
FAR_PAST_EXTRA_S = 15 * 60
MAX_FAR_PAST = 3  # a day's reflection gets the three biggest, no more


def far_past_plan(sessions: list[FocusSession], now: datetime,
                  limit: int = MAX_FAR_PAST) -> list[tuple[FocusSession, float]]:
    """(session, seconds given) of the sessions that ran far past their plan, most past
    first, at most `limit`."""
    found = []
    for session in sessions:
        given = given_seconds(session, now)
        if (given >= FAR_PAST_FACTOR * session.planned_seconds
                and given - session.planned_seconds >= FAR_PAST_EXTRA_S):
            found.append((session, given))
    found.sort(key=lambda pair: pair[0].planned_seconds - pair[1])
    return found[:limit]


def far_past_plan_lines(reader: Reader, start: datetime, end: datetime) -> list[str]:
    """The reflection context's facts for the sessions that started in [start, end) and
    ran far past their plan: "- write the intro: planned for 2 min, went on for 40 min"."""
    from storage.focus import sessions_between

    lines = []
    for session, given in far_past_plan(sessions_between(reader, start, end, limit=200),
                                        utc_now()):
        title = " ".join(session.title.split())
        title = title if len(title) <= 120 else title[:119] + "…"
        ongoing = ", still going" if session.running else ""
        lines.append(f"- {title}: planned for {length_words(session.planned_seconds)}, went "
                     f"on for {length_words(given)}{ongoing}")
    return lines


# ------------------------------------------------------------------ estimate calibration

SIZES = ((1, 5), (6, 15), (16, 30), (31, 60), (61, 24 * 60))  # minutes guessed
ENOUGH_FOR_CALIBRATION = 3


@dataclass(frozen=True)
class Calibration:
    low: int
    high: int
    typical_guess: int  # the median guess in this size
    typical_real: int  # the median time those steps really took, in minutes
    count: int

    def words(self) -> str:
        return (f"your ~{self.typical_guess} min steps take about {self.typical_real}"
                f" ({self.count} timed)")


def calibrate(sessions: list[FocusSession]) -> list[Calibration]:
    """Per size of estimate, how long done steps really took (medians, so one long
    afternoon does not speak for every step). Sizes with too few sessions are left out."""
    by_size: dict[tuple[int, int], list[tuple[int, float]]] = defaultdict(list)
    for session in sessions:
        if session.estimate_minutes is None or session.ended_at is None:
            continue
        for low, high in SIZES:
            if low <= session.estimate_minutes <= high:
                by_size[(low, high)].append(
                    (session.estimate_minutes, given_seconds(session, session.ended_at) / 60))
    found = []
    for (low, high), pairs in sorted(by_size.items()):
        if len(pairs) < ENOUGH_FOR_CALIBRATION:
            continue
        found.append(Calibration(low, high, round(_median([g for g, _ in pairs])),
                                 max(1, round(_median([r for _, r in pairs]))), len(pairs)))
    return found


def calibration_for(estimate: int, calibrations: list[Calibration]) -> Calibration | None:
    return next((c for c in calibrations if c.low <= estimate <= c.high), None)


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2



def calibration_hint(estimate: int | None, calibrations: list[Calibration]) -> str:
    """A quiet line for an estimate being typed: "your ~10 min steps take about 18", or ""
    when there is nothing to say yet (too few timed steps of that size, or they take what
    was guessed)."""
    if not estimate:
        return ""
    found = calibration_for(estimate, calibrations)
    if found is None or found.typical_real == found.typical_guess:
        return ""
    return f"your ~{found.typical_guess} min steps take about {found.typical_real}"


def typed_step(text: str) -> tuple[str, int | None]:
    """A step typed by hand ("call the bank ~10m"): its words and its estimate, the
    estimate read as the capture language reads one. Only the estimate is taken off:
    a "#tag" or a date stays in the words (these fields already say where it goes)."""
    from app.capture.parser import parse_capture
    from app.daytime import local_now

    words = text.strip()
    parsed = parse_capture(words, local_now(), local=True)  # the day does not matter here
    spans = [span for span in parsed.spans if span.kind == "estimate"]
    if not spans or parsed.estimate_minutes is None:
        return words, None
    left, right = words[:spans[0].start].rstrip(), words[spans[0].end:].lstrip()
    title = f"{left} {right}".strip() if left and right else (left or right)
    return (title, parsed.estimate_minutes) if title else (words, None)


def typed_estimate_hint(text: str, calibrations: list[Calibration]) -> str:
    """The quiet word on an estimate being typed in a step's field ("your ~10 min steps
    take about 18"), or "" (no estimate, or nothing to say about its size yet)."""
    if not text.strip() or not calibrations:
        return ""
    return calibration_hint(typed_step(text)[1], calibrations)


def estimate_calibrations(db: Path) -> list[Calibration]:
    """Calibration from the journal's done, timed steps; none for a journal not made yet.
    Blocks: call it off the GUI thread (the windows use their writer thread)."""
    if not db.exists():
        return []
    store = FocusStore(db)
    try:
        return calibrate(store.finished_with_estimates())
    finally:
        store.close()
