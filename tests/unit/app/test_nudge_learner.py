"""The learner: Beta-Bernoulli evidence per hour and style, Thompson sampling, the plain
words of describe(), and the simulated user who acts only at 10 am (N = 28 days)."""

from __future__ import annotations

import random
import statistics
from datetime import date, datetime, time, timedelta, timezone

import pytest

from app.nudges import policy
from app.nudges.learner import PRIOR, STYLES, Learner
from app.nudges.policy import Candidate, NudgeRules, PastNudge, decide, journal_day_of

TZ = timezone(timedelta(hours=1))
RULES = NudgeRules(enabled=True, daily_cap=4, min_gap=timedelta(minutes=90),
                   quiet_start=time(22), quiet_end=time(8), day_start_hour=4)
START = datetime(2026, 3, 2, 4, 0, tzinfo=TZ)  # a Monday, the journal day's start
N_DAYS = 28  # the N of the issue: by the fourth week, nudges land mostly at 10 am
P_ACT = 0.8  # at 10 am the simulated user acts on 4 nudges in 5; at other hours never


# --------------------------------------------------------------------------- evidence


def test_each_answer_counts_as_documented() -> None:
    learner = Learner()
    for response in ("done", "opened", "snooze", "not_today", "ignored", None):
        learner.observe(10, "plain", response)
    arm = learner.hours[10]
    assert (arm.successes, arm.failures, arm.answers) == (1.5, 3.0, 5)  # None: no evidence
    assert (arm.alpha, arm.beta) == (PRIOR[0] + 1.5, PRIOR[1] + 3.0)
    assert learner.styles["plain"].answers == 5 and learner.answers == 5
    learner.observe(99, "unknown-style", "done")  # out of range: ignored, no crash
    assert learner.answers == 5


def test_from_grouped_counts() -> None:
    learner = Learner.from_counts([(10, "tiny_step", "done", 3), (10, "question", "ignored", 2),
                                   (15, "plain", None, 4)])
    assert learner.hours[10].answers == 5 and learner.hours[15].answers == 0
    assert learner.styles["tiny_step"].successes == 3


def test_hour_weights_favourite_untried_and_drawn() -> None:
    learner = Learner(seed=7)
    day = date(2026, 3, 2)
    assert learner.favourite_hour() is None
    # No data: every hour is untried and weighs at least GOOD_MOMENT (each gets a try).
    assert all(learner.hour_weight(h, day=day) >= policy.GOOD_MOMENT for h in range(24))
    learner.observe(10, "plain", "done", 3)
    learner.observe(15, "plain", "ignored", 3)
    assert learner.favourite_hour() == 10 and learner.hour_weight(10, day=day) == 1.0
    # A tried hour is a Thompson draw, the same for every tick of one (day, hour)...
    draws = {learner.hour_weight(15, day=day) for _ in range(5)}
    assert len(draws) == 1 and 0 <= draws.pop() < 1
    # ...different on other days, and low for an hour that keeps going unanswered.
    week = [learner.hour_weight(15, day=day + timedelta(days=d)) for d in range(60)]
    assert len(set(week)) == 60 and statistics.mean(week) < 0.3
    # The favourite is the best among the active hours only.
    assert learner.favourite_hour(active_hours=[15, 16]) is None


def test_style_is_thompson_sampled() -> None:
    learner = Learner(rng=random.Random(3))
    assert {learner.choose_style(10) for _ in range(200)} == set(STYLES)  # explores at first
    learner.observe(10, "tiny_step", "done", 12)
    learner.observe(10, "question", "ignored", 12)
    learner.observe(10, "plain", "ignored", 6)
    learner.observe(10, "why_first", "ignored", 6)
    picks = [learner.choose_style(10) for _ in range(500)]
    assert picks.count("tiny_step") > 450 and "question" not in picks


# ------------------------------------------------------------------------ plain words


def test_describe_says_when_there_is_not_enough_to_go_on() -> None:
    learner = Learner()
    assert learner.describe().startswith("Not enough to go on yet (0 nudges answered")
    learner.observe(10, "plain", "done", 3)
    assert learner.describe().startswith("Not enough to go on yet (3 nudges")


def test_describe_in_plain_words() -> None:
    learner = Learner()
    learner.observe(10, "tiny_step", "done", 8)
    learner.observe(10, "question", "ignored", 2)
    learner.observe(11, "tiny_step", "done", 4)
    learner.observe(11, "question", "ignored", 1)
    for hour in (8, 14, 17, 20):
        learner.observe(hour, "question", "ignored", 3)
    text = learner.describe()
    assert text == ("Of the 27 nudges you answered or let pass, about 44% led to a step. "
                    "You act on nudges most around 10 am–12 pm. Nudges that offer a tiny "
                    "first step work better than questions.")
    summary = learner.summary()
    assert summary["favourite_hour"] == 10 and summary["description"] == text
    learner.observe(11, "plain", "ignored", 6)  # 11 am no longer keeps up with 10
    assert "You act on nudges most around 10–11 am." in learner.describe()


def test_describe_when_nothing_stands_out() -> None:
    learner = Learner()
    for hour in range(8, 20):
        learner.observe(hour, STYLES[hour % 4], "done")
        learner.observe(hour, STYLES[hour % 4], "ignored", 2)
    assert "No time of day or wording stands out yet." in learner.describe()
    assert "1 in 3" in learner.describe()


# ---------------------------------------------------------------- the 10 am user


def simulate(days: int, seed: int, act=lambda hour, rng: hour == 10 and rng.random() < P_ACT,
             rules: NudgeRules = RULES) -> list[list[int]]:
    """Ticks every 15 minutes through `days` journal days, policy + learner, with a user
    who answers Done when act(hour) and otherwise lets the nudge pass (ignored). Returns
    the local hours of each day's nudges."""
    rng = random.Random(seed)
    learner = Learner(seed=seed, rng=random.Random(seed + 1))
    steps = [Candidate(i, f"u{i}", f"step {i}", None, None, None, 5, None,
                       START - timedelta(days=3)) for i in range(1, 6)]
    history: list[PastNudge] = []
    active = policy.active_hours(rules)
    per_day: list[list[int]] = []
    for d in range(days):
        hours = []
        for tick in range(96):
            now = START + timedelta(days=d, minutes=15 * tick)
            today = journal_day_of(now, rules, TZ)
            decision = decide(steps, history[-40:], now, rules, paused_until=None, busy=False,
                              choose_style=learner.choose_style, rng=rng,
                              hour_weight=lambda h, today=today: learner.hour_weight(
                                  h, day=today, active_hours=active))
            if decision.nudge:
                answer = "done" if act(now.hour, rng) else "ignored"
                history.append(PastNudge(now, decision.candidate.action_id, answer))
                learner.observe(now.hour, decision.style, answer)
                hours.append(now.hour)
        per_day.append(hours)
    return per_day


def share_at_ten(per_day: list[list[int]], last_days: int = 7) -> tuple[float, int]:
    hours = [h for day in per_day[-last_days:] for h in day]
    return sum(h == 10 for h in hours) / max(len(hours), 1), len(hours)


def test_a_user_who_acts_only_at_ten_is_nudged_mostly_at_ten() -> None:
    per_day = simulate(N_DAYS, seed=1)
    share, count = share_at_ten(per_day)
    assert share >= 0.7, per_day
    assert count >= 7  # still nudged every day of that week, not silenced
    first_week = share_at_ten(per_day[:7])[0]
    assert first_week < share  # it learned: the first week was spread out


@pytest.mark.parametrize("seeds", [range(10)])
def test_ten_am_over_several_seeds(seeds) -> None:
    shares = [share_at_ten(simulate(N_DAYS, seed))[0] for seed in seeds]
    assert statistics.mean(shares) >= 0.7, shares
    assert min(shares) >= 0.5, shares


def test_a_user_who_never_answers_gets_few_nudges() -> None:
    per_day = simulate(21, seed=4, act=lambda hour, rng: False)
    assert max(len(day) for day in per_day) <= 2  # two ignored in a row end the day
    assert statistics.mean(len(day) for day in per_day[-7:]) <= 1.5
