"""Learning when and how to nudge, from the `nudges` rows themselves (the evidence is the
journal; nothing else is stored but the moment learning was last reset).

Model: Beta-Bernoulli, one Beta per local hour-of-day bucket (0-23) and one per wording
style, each starting from the prior Beta(1, 1). Each answered nudge adds to its hour's and
its style's counts:

    done       1 success                (the point of a nudge)
    opened     0.5 success, 0.5 failure (they engaged, but no step was taken)
    snooze     0.5 failure              (the step may be fine; the moment was not)
    not_today  1 failure
    ignored    1 failure                (unanswered for 2 hours counts as ignored)

Timing (Thompson sampling): for each (journal day, hour) one draw is taken from that
hour's Beta, from a generator seeded with (seed, day, hour), so every tick inside one
hour -- and `wise nudge --dry-run` -- sees the same draw. ``hour_weight(hour)`` is that
draw divided by the best draw among the day's active hours: 1.0 means "today's best
hour"; the policy nudges only when it is at least ``policy.GOOD_MOMENT`` (0.6). With
no data every hour is alike and about half of them pass, so Wise explores; as evidence
gathers, hours that led to action win almost every day and the others rarely pass.

Style: ``choose_style(hour)`` draws once from each style's Beta and takes the highest
(classic Thompson sampling; the hour is accepted for a future per-hour refinement, and
styles are learned across all hours: there are too few nudges to split them 24 ways).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

STYLES = ("plain", "why_first", "tiny_step", "question")
STYLE_WORDS = {
    "plain": "plain reminders",
    "why_first": "nudges that start from your why",
    "tiny_step": "nudges that offer a tiny first step",
    "question": "questions",
}
PRIOR = (1.0, 1.0)
EVIDENCE = {  # response -> (success, failure)
    "done": (1.0, 0.0),
    "opened": (0.5, 0.5),
    "snooze": (0.0, 0.5),
    "not_today": (0.0, 1.0),
    "ignored": (0.0, 1.0),
}
FAVOURITE_MEAN = 0.6  # a proven hour (mean >= this) keeps its place in every day's plan
ENOUGH_ANSWERS = 8  # below this, describe() says there is not enough to go on
ENOUGH_PER_ARM = 3  # an hour or a style needs this many answers to be compared


@dataclass
class Arm:
    """One Beta posterior: prior plus weighted successes and failures."""

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
    def __init__(self, *, seed: int | str = 0, rng: random.Random | None = None) -> None:
        self.hours = [Arm() for _ in range(24)]
        self.styles = {style: Arm() for style in STYLES}
        self.seed = seed
        self.rng = rng if rng is not None else random.Random()
        self._draws: dict[tuple, float] = {}

    # -- evidence ---------------------------------------------------------------------

    @classmethod
    def from_counts(cls, rows: Iterable[tuple[int, str, str | None, int]], *,
                    seed: int | str = 0, rng: random.Random | None = None) -> Learner:
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

    def hour_draw(self, hour: int, day: date | None) -> float:
        """This hour's Thompson draw for `day` (the same all day long for one seed)."""
        arm = self.hours[hour]
        if day is None:
            return arm.draw(self.rng)
        key = (day, hour, arm.alpha, arm.beta)
        draw = self._draws.get(key)
        if draw is None:
            if len(self._draws) > 4096:
                self._draws.clear()
            draw = arm.draw(random.Random(f"{self.seed}/{day.isoformat()}/{hour}"))
            self._draws[key] = draw
        return draw

    def hour_weight(self, hour: int, *, day: date | None = None,
                    active_hours: Iterable[int] = range(24)) -> float:
        """This hour's draw relative to the best draw among the day's active hours, in
        [0, 1]: 1.0 = today's best hour. Without a day, every call draws afresh."""
        favourite = self.favourite_hour(active_hours)
        if hour == favourite:
            return 1.0
        return self.hour_draw(hour, day)

    def favourite_hour(self, active_hours: Iterable[int] = range(24)) -> int | None:
        """The active hour with the best record so far, if it is a good one (posterior
        mean at least FAVOURITE_MEAN, with at least one Done); else None."""
        best, best_mean = None, FAVOURITE_MEAN
        for h in active_hours:
            arm = self.hours[h]
            if arm.successes >= 1 and arm.mean >= best_mean:
                best, best_mean = h, arm.mean
        return best

    # -- style ------------------------------------------------------------------------

    def choose_style(self, hour: int | None = None) -> str:
        draws = {style: arm.draw(self.rng) for style, arm in self.styles.items()}
        return max(draws, key=draws.__getitem__)

    # -- in plain words ---------------------------------------------------------------

    def best_hours(self) -> list[int]:
        """Hours with enough answers, best first by posterior mean."""
        known = [h for h in range(24) if self.hours[h].answers >= ENOUGH_PER_ARM]
        return sorted(known, key=lambda h: (-self.hours[h].mean, h))

    def describe(self) -> str:
        """What Wise has learned, for Settings: a sentence or two, or "not enough yet"."""
        answered = self.answers
        if answered < ENOUGH_ANSWERS:
            return (f"Not enough to go on yet ({answered} nudge{'s' if answered != 1 else ''} "
                    f"answered so far). Wise keeps trying different times and wordings.")
        done = sum(arm.successes for arm in self.hours)
        sentences = [f"Of the {answered} nudges answered, about {_share(done, answered)} "
                     "led to a step."]
        timing = self._timing_words()
        if timing:
            sentences.append(timing)
        styles = self._style_words()
        if styles:
            sentences.append(styles)
        if not timing and not styles:
            sentences.append("No time of day or wording stands out yet.")
        return " ".join(sentences)

    def _timing_words(self) -> str:
        ranked = self.best_hours()
        if len(ranked) < 1:
            return ""
        top = ranked[0]
        top_arm = self.hours[top]
        if top_arm.successes < 1:
            return ""
        others = [self.hours[h].mean for h in ranked[1:]]
        if others and top_arm.mean - max(others) < 0.05 and len(ranked) > 2:
            return ""
        span = [top]
        for neighbour in (top + 1, top - 1):
            if neighbour in ranked and self.hours[neighbour].mean >= top_arm.mean - 0.1:
                span.append(neighbour)
                break
        start, end = min(span), max(span) + 1
        return f"You act on nudges most around {_hour_range(start, end)}."

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
        return {
            "answers": self.answers,
            "hours": {h: {"alpha": round(a.alpha, 2), "beta": round(a.beta, 2),
                          "answers": a.answers}
                      for h, a in enumerate(self.hours) if a.answers},
            "styles": {s: {"alpha": round(a.alpha, 2), "beta": round(a.beta, 2),
                           "answers": a.answers}
                       for s, a in self.styles.items()},
            "description": self.describe(),
        }


def _share(part: float, whole: int) -> str:
    if whole <= 0:
        return "none"
    ratio = part / whole
    for n in (2, 3, 4, 5, 10):
        if abs(ratio - 1 / n) < 0.04:
            return f"1 in {n}"
    return f"{round(ratio * 100)}%"


def _hour_range(start: int, end: int) -> str:
    """10, 11 -> '10–11 am'; 11, 13 -> '11 am–1 pm'."""
    def clock(h: int) -> tuple[int, str]:
        h %= 24
        return (12 if h % 12 == 0 else h % 12), ("am" if h < 12 else "pm")

    (a, a_half), (b, b_half) = clock(start), clock(end)
    if a_half == b_half:
        return f"{a}–{b} {b_half}"
    return f"{a} {a_half}–{b} {b_half}"


def styles_in(values: Sequence[str]) -> list[str]:
    return [v for v in values if v in STYLES]
