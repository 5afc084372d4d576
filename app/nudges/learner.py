"""Learning when and how to nudge, from the `nudges` rows themselves: the evidence is the
journal, and nothing else is stored but the moment learning was last reset. The service
counts the answers of the last 180 days since that reset (habits change).

Model: Beta-Bernoulli, one Beta per local hour-of-day bucket (0-23) and one per wording
style, each starting from the prior Beta(1, 2) -- a blind guess of one in three, about
what studies of reminders report. Each answered nudge adds to its hour's and its style's
counts:

    started    1.25 successes           (a focus session began from it: doing, now)
    done       1 success                (the point of a nudge)
    opened     0.5 success, 0.5 failure (they engaged, but no step was taken)
    snooze     0.5 failure              (the step may be fine; the moment was not)
    not_today  1 failure
    ignored    1 failure                (unanswered for 2 hours counts as ignored)

Timing -- ``hour_weight(hour, day=...)``, which the policy turns into today's plan of good
hours (policy rule 10; the plan takes the highest weight and any other of at least
``policy.GOOD_MOMENT`` = 0.7):

- the *favourite* hour, the one with the best record so far (highest posterior mean
  among hours with at least one Done), weighs 1.0: it is in every day's plan;
- an hour never tried yet weighs at least GOOD_MOMENT, so each gets a first try early;
- any other hour weighs a Thompson draw from its Beta. The draw is made once per
  (journal day, hour) from a generator seeded with (seed, day, hour), so every tick
  inside one hour -- and ``wise nudge --dry-run`` -- sees the same weight.

So the favourite gets its nudge every day, and another hour only when its draw says it
might well be better (a 70% chance of action or more); hours that keep going unanswered
stop being drawn that high. On a simulated user who acts on 4 nudges in 5 shown at 10 am
and on none at other hours, in the fourth week (N = 28 days) the median run sends 78% of
its nudges at 10 am, and 93 runs in 100 reach 60%; in the rest the first two 10 am nudges
happened to go unanswered and it takes longer (tests/unit/app/test_nudge_learner.py).

Style: ``choose_style(hour)`` is classic Thompson sampling: one draw from each style's
Beta, the highest wins. Styles are learned across all hours (there are too few nudges to
split them 24 ways); the hour is accepted for a later per-hour refinement.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from app.nudges import policy
from storage.vocabulary import NudgeStyle

STYLES = tuple(style.value for style in NudgeStyle)  # the database refuses any other
STYLE_WORDS = {
    "plain": "plain reminders",
    "why_first": "nudges that start from your why",
    "tiny_step": "nudges that offer a tiny first step",
    "question": "questions",
}
PRIOR = (1.0, 2.0)
EVIDENCE = {  # response -> (success, failure)
    "started": (1.25, 0.0),  # more than a Done later: the nudge's moment itself worked
    "done": (1.0, 0.0),
    "opened": (0.5, 0.5),
    "snooze": (0.0, 0.5),
    "not_today": (0.0, 1.0),
    "ignored": (0.0, 1.0),
}
ENOUGH_ANSWERS = 8  # below this, describe() says there is not enough to go on
ENOUGH_PER_ARM = 3  # an hour or a style needs this many answers to be compared
_DRAW_CACHE_MAX = 4096


@dataclass
class Arm:
    """One Beta posterior: the prior plus weighted successes and failures."""

    successes: float = 0.0
    failures: float = 0.0
    answers: int = 0

    @property
    def alpha(self) -> float:
        return PRIOR[0] + self.successes

    @property
    def beta(self) -> float:
        return PRIOR[1] + self.failures

    @property
    def mean(self) -> float:
        return self.alpha / (self.alpha + self.beta)

    def add(self, response: str, count: int = 1) -> None:
        success, failure = EVIDENCE[response]
        self.successes += success * count
        self.failures += failure * count
        self.answers += count

    def draw(self, rng: random.Random) -> float:
        return rng.betavariate(self.alpha, self.beta)


class Learner:
    """What the answers so far say about hours and styles. `seed` fixes the per-(day,
    hour) timing draws; `rng` is used for style draws (and undated hour draws)."""

    def __init__(self, *, seed: int | str = 0, rng: random.Random | None = None) -> None:
        self.hours = [Arm() for _ in range(24)]
        self.styles = {style: Arm() for style in STYLES}
        self.seed = seed
        self.rng = rng if rng is not None else random.Random()
        self._draws: dict[tuple, float] = {}

    # -- evidence ---------------------------------------------------------------------

    @classmethod
    def from_counts(cls, rows: Iterable[Iterable[Any]], *, seed: int | str = 0,
                    rng: random.Random | None = None) -> Learner:
        """From (hour_bucket, style, response, count) rows, e.g. a GROUP BY over `nudges`."""
        learner = cls(seed=seed, rng=rng)
        for hour, style, response, count in rows:
            learner.observe(hour, style, response, count)
        return learner

    def observe(self, hour: int, style: str | None, response: str | None,
                count: int = 1) -> None:
        if response not in EVIDENCE or count <= 0:
            return  # not answered yet: no evidence either way
        if 0 <= hour < 24:
            self.hours[hour].add(response, count)
        if style in self.styles:
            self.styles[style].add(response, count)

    @property
    def answers(self) -> int:
        return sum(arm.answers for arm in self.hours)

    # -- timing -----------------------------------------------------------------------

    def favourite_hour(self, active_hours: Iterable[int] = range(24)) -> int | None:
        """The active hour with the best record so far (the highest posterior mean among
        hours with at least one Done); None before the first Done."""
        best, best_mean = None, -1.0
        for h in sorted(active_hours):
            arm = self.hours[h]
            if arm.successes >= 1 and arm.mean > best_mean:
                best, best_mean = h, arm.mean
        return best

    def hour_draw(self, hour: int, day: date | None) -> float:
        """This hour's Thompson draw for `day` (the same all day for one seed and data)."""
        arm = self.hours[hour]
        if day is None:
            return arm.draw(self.rng)
        key = (day, hour, arm.alpha, arm.beta)
        draw = self._draws.get(key)
        if draw is None:
            if len(self._draws) >= _DRAW_CACHE_MAX:
                self._draws.clear()
            draw = arm.draw(random.Random(f"{self.seed}/{day.isoformat()}/{hour}"))
            self._draws[key] = draw
        return draw

    def hour_weight(self, hour: int, *, day: date | None = None,
                    active_hours: Iterable[int] = range(24)) -> float:
        """How good a moment `hour` is today, in [0, 1] (see the module doc): 1.0 for the
        favourite, at least GOOD_MOMENT for an untried hour, else a Thompson draw."""
        if hour == self.favourite_hour(active_hours):
            return 1.0
        draw = self.hour_draw(hour, day)
        if self.hours[hour].answers == 0:
            return max(draw, policy.GOOD_MOMENT)  # every hour gets a first try
        return draw

    # -- style ------------------------------------------------------------------------

    def choose_style(self, hour: int | None = None) -> str:
        draws = {style: arm.draw(self.rng) for style, arm in self.styles.items()}
        return max(draws, key=draws.__getitem__)

    # -- in plain words ---------------------------------------------------------------

    def describe(self) -> str:
        """What Wise has learned, for Settings and `wise nudge`: a sentence or three, or
        "not enough to go on yet"."""
        answered = self.answers
        if answered < ENOUGH_ANSWERS:
            return (f"Not enough to go on yet ({answered} nudge{'s' if answered != 1 else ''} "
                    "answered so far): Wise keeps trying different times and wordings.")
        done = sum(arm.successes for arm in self.hours)
        sentences = [f"Of the {answered} nudges you answered or let pass, about "
                     f"{_share(done, answered)} led to a step."]
        timing = self._timing_words()
        styles = self._style_words()
        sentences += [words for words in (timing, styles) if words]
        if not timing and not styles:
            sentences.append("No time of day or wording stands out yet.")
        return " ".join(sentences)

    def _timing_words(self) -> str:
        known = [h for h in range(24) if self.hours[h].answers >= ENOUGH_PER_ARM
                 or self.hours[h].successes >= 2]
        if not known:
            return ""
        ranked = sorted(known, key=lambda h: (-self.hours[h].mean, h))
        top = ranked[0]
        arm = self.hours[top]
        if arm.successes < 1:
            return ""
        rest = [self.hours[h].mean for h in range(24) if h != top and self.hours[h].answers]
        if rest and arm.mean - max(rest) < 0.05:
            return ""  # nothing stands out
        end = top + 1
        if top + 1 in known and self.hours[top + 1].mean >= arm.mean - 0.1:
            end = top + 2
        return f"You act on nudges most around {_hour_range(top, end)}."

    def _style_words(self) -> str:
        known = [s for s in STYLES if self.styles[s].answers >= ENOUGH_PER_ARM]
        if len(known) < 2:
            return ""
        ranked = sorted(known, key=lambda s: -self.styles[s].mean)
        best, worst = ranked[0], ranked[-1]
        if self.styles[best].mean - self.styles[worst].mean < 0.1:
            return ""
        words = STYLE_WORDS[best]
        return f"{words[0].upper()}{words[1:]} work better than {STYLE_WORDS[worst]}."

    def summary(self) -> dict:
        """The numbers behind describe(), for --json and Settings."""
        def arm_dict(arm: Arm) -> dict:
            return {"alpha": round(arm.alpha, 2), "beta": round(arm.beta, 2),
                    "answers": arm.answers, "mean": round(arm.mean, 3)}

        return {"answers": self.answers,
                "favourite_hour": self.favourite_hour(),
                "hours": {str(h): arm_dict(a) for h, a in enumerate(self.hours) if a.answers},
                "styles": {s: arm_dict(a) for s, a in self.styles.items()},
                "description": self.describe()}


def _share(part: float, whole: int) -> str:
    ratio = part / whole if whole > 0 else 0.0
    if ratio < 0.05:
        return "none of them" if part == 0 else "a few of them"
    for n in (2, 3, 4, 5, 10):
        if abs(ratio - 1 / n) < 0.03:
            return f"1 in {n}"
    return f"{round(ratio * 100)}%"


def _hour_range(start: int, end: int) -> str:
    """10, 11 -> '10–11 am'; 11, 13 -> '11 am–1 pm'; 23, 24 -> '11 pm–12 am'."""
    def clock(h: int) -> tuple[int, str]:
        h %= 24
        return (12 if h % 12 == 0 else h % 12), ("am" if h < 12 else "pm")

    (a, a_half), (b, b_half) = clock(start), clock(end)
    if a_half == b_half:
        return f"{a}–{b} {b_half}"
    return f"{a} {a_half}–{b} {b_half}"
