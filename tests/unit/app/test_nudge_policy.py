"""The nudge policy with a controllable clock: one test per rule, the scoring, and
hypothesis properties over random settings and histories (a simulated day or two of
ticks every 15 minutes, each decision fed back into the history)."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from app.nudges import policy
from app.nudges.policy import (
    Candidate,
    Decision,
    NudgeRules,
    PastNudge,
    active_hours,
    decide,
    explain_choice,
    in_quiet_hours,
    journal_day_of,
    plan_hours,
    score,
)

TZ = timezone(timedelta(hours=1))  # local time is not UTC: local days must be honoured
DAY = date(2026, 11, 26)
RULES = NudgeRules(enabled=True, daily_cap=4, min_gap=timedelta(minutes=90),
                   quiet_start=time(22), quiet_end=time(8), day_start_hour=4)


def at(hh: int, mm: int = 0, day: int = 0) -> datetime:
    """Local wall-clock time on DAY (+ day offset)."""
    return datetime.combine(DAY + timedelta(days=day), time(hh, mm), tzinfo=TZ)


def cand(action_id: int = 1, title: str = "call mum about the trip", **kw) -> Candidate:
    fields = {"goal_id": None, "goal_title": None, "goal_why": None, "estimate_minutes": None,
              "due_on": None, "created_at": at(9, day=-1)}
    fields.update(kw)
    return Candidate(action_id, f"u{action_id}", title, **fields)


def run(now: datetime, history=(), candidates=None, rules: NudgeRules = RULES, *,
        paused_until=None, busy=False, **kw) -> Decision:
    candidates = [cand()] if candidates is None else candidates
    return decide(candidates, list(history), now, rules, paused_until=paused_until, busy=busy,
                  **kw)


def past(when: datetime, response: str | None = "done", action_id: int | None = 9):
    return PastNudge(when.astimezone(UTC), action_id, response)  # stored as UTC


# ------------------------------------------------------------------- one rule at a time


def test_a_plain_moment_gives_one_nudge_with_its_reasons() -> None:
    decision = run(at(10, 15))
    assert decision.nudge and decision.candidate.action_id == 1
    assert decision.rule == "nudge" and decision.style == "plain"
    assert decision.hour_bucket == 10  # the local hour, not UTC's 9
    assert decision.reason and not decision.reason.startswith("no nudge")


def test_disabled_says_so() -> None:
    decision = run(at(10), rules=NudgeRules(False, 4, timedelta(minutes=90), time(22), time(8),
                                            4))
    assert not decision.nudge and decision.rule == "disabled"
    assert "turned off" in decision.reason and decision.next_possible is None


def test_paused_until_a_moment_then_free_again() -> None:
    decision = run(at(10), paused_until=at(11, 30))
    assert (decision.rule, decision.reason) == ("paused", "no nudge: paused until 11:30")
    assert decision.next_possible == at(11, 30)
    assert run(at(11, 30), paused_until=at(11, 30)).nudge  # the pause has run out


def test_paused_until_tomorrow_points_past_the_quiet_hours() -> None:
    decision = run(at(20), paused_until=at(4, day=1))
    assert "tomorrow 04:00" in decision.reason
    assert decision.next_possible == at(8, day=1)  # 04:00 is inside quiet hours


def test_busy_user_is_left_alone() -> None:
    decision = run(at(10), busy=True)
    assert decision.rule == "busy" and "capturing or reflecting" in decision.reason


@pytest.mark.parametrize(("hh", "mm", "quiet"), [
    (21, 59, False), (22, 0, True), (23, 30, True), (0, 0, True), (3, 0, True), (7, 59, True),
    (8, 0, False), (12, 0, False)])
def test_quiet_hours_wrap_past_midnight(hh: int, mm: int, quiet: bool) -> None:
    decision = run(at(hh, mm))
    assert (decision.rule == "quiet_hours") is quiet
    if quiet:
        until = "tomorrow 08:00" if hh >= 22 else "08:00"  # the same local date, or not
        assert decision.reason == f"no nudge: quiet hours until {until}"
        assert decision.next_possible.time() == time(8)
        assert decision.next_possible > at(hh, mm)


def test_quiet_hours_inside_one_day_and_none_at_all() -> None:
    lunch = NudgeRules(True, 4, timedelta(minutes=90), time(12, 30), time(13, 45), 4)
    assert in_quiet_hours(at(12, 30), lunch) and in_quiet_hours(at(13, 44), lunch)
    assert not in_quiet_hours(at(13, 45), lunch) and not in_quiet_hours(at(23), lunch)
    assert run(at(13), rules=lunch).reason == "no nudge: quiet hours until 13:45"
    never = NudgeRules(True, 4, timedelta(minutes=90), time(9), time(9), 4)
    assert not any(in_quiet_hours(at(h), never) for h in range(24))
    assert active_hours(never) == list(range(24))
    assert active_hours(RULES) == list(range(8, 22))
    assert active_hours(lunch) == list(range(24))  # 12:00-12:29 and 13:45-13:59 are active
    assert active_hours(NudgeRules(True, 4, timedelta(minutes=90), time(12), time(14), 4)) \
        == [h for h in range(24) if h not in (12, 13)]


def test_daily_cap_counts_the_local_journal_day() -> None:
    # Four nudges since the journal day began (04:00 local) fill the cap; 04:30 local is
    # 03:30 UTC, stored as such, and still counts for today.
    today = [past(at(h, m)) for h, m in ((4, 30), (9, 0), (11, 0), (13, 0))]
    decision = run(at(16), today)
    assert decision.rule == "daily_cap"
    assert decision.reason == ("no nudge: already 4 today, the daily cap; next chance "
                               "tomorrow 08:00")
    assert decision.next_possible == at(8, day=1)
    # 00:30 local (23:30 UTC the day before) belongs to yesterday's journal day.
    yesterday = [past(at(h, day=-1)) for h in (9, 11, 13)] + [past(at(0, 30))]
    assert journal_day_of(at(0, 30), RULES, TZ) == DAY - timedelta(days=1)
    assert run(at(9), yesterday).nudge


def test_a_cap_of_zero_means_none() -> None:
    zero = NudgeRules(True, 0, timedelta(minutes=90), time(22), time(8), 4)
    decision = run(at(10), rules=zero)
    assert decision.rule == "daily_cap" and "cap is 0" in decision.reason


def test_minimum_gap_since_the_last_nudge() -> None:
    history = [past(at(10), "snooze")]
    decision = run(at(11), history)
    assert decision.rule == "min_gap"
    assert decision.reason == ("no nudge: the last one was at 10:00 and nudges are at least "
                               "90 minutes apart; not before 11:30")
    assert decision.next_possible == at(11, 30)
    assert run(at(11, 29), history).rule == "min_gap"
    assert run(at(11, 30), history).nudge


def test_a_snoozed_nudge_coming_back_counts_as_the_last_one_shown() -> None:
    # Found by hand: snoozed at 10:05 with a 15-minute gap, the nudge came back at 10:20
    # together with a brand-new one. Its return is now its moment for the gap.
    rules = NudgeRules(enabled=True, daily_cap=4, min_gap=timedelta(minutes=15),
                       quiet_start=RULES.quiet_start, quiet_end=RULES.quiet_end,
                       day_start_hour=RULES.day_start_hour)
    snoozed = PastNudge(at(10), 9, "snooze", responded_at=at(10, 5))
    assert snoozed.last_shown == at(10, 20)
    decision = run(at(10, 30), [snoozed], rules=rules)
    assert decision.rule == "min_gap" and decision.next_possible == at(10, 35)
    assert run(at(10, 35), [snoozed], rules=rules).nudge
    done = PastNudge(at(10), 9, "done", responded_at=at(10, 5))
    assert done.last_shown == at(10) and run(at(10, 15), [done], rules=rules).nudge


def test_one_at_a_time_while_the_last_one_waits_for_an_answer() -> None:
    history = [past(at(10), None)]
    decision = run(at(11, 45), history)
    assert decision.rule == "waiting" and "still waiting" in decision.reason
    assert decision.next_possible == at(12)  # when it will count as ignored
    assert run(at(12), history).nudge  # two hours unanswered: ignored, no longer waiting


def test_two_ignored_in_a_row_lets_the_rest_of_the_day_be() -> None:
    history = [past(at(9), "ignored"), past(at(11), "ignored")]
    decision = run(at(15), history)
    assert decision.rule == "backoff"
    assert "last 2 nudges today went unanswered" in decision.reason
    assert decision.next_possible == at(8, day=1)
    assert run(at(9, day=1), history).nudge  # a new day starts afresh
    # Unanswered for two hours counts as ignored.
    assert run(at(15), [past(at(9), "ignored"), past(at(11), None)]).rule == "backoff"


@pytest.mark.parametrize("answer", ["done", "snooze", "not_today", "opened"])
def test_any_answer_breaks_the_row_of_ignored(answer: str) -> None:
    history = [past(at(8), "ignored"), past(at(10), answer), past(at(12), "ignored")]
    assert run(at(15), history).nudge


def test_one_ignored_today_after_one_yesterday_is_not_yet_a_row() -> None:
    history = [past(at(20, day=-1), "ignored"), past(at(9), "ignored")]
    assert run(at(12), history).nudge


def test_not_today_keeps_that_step_out_for_the_rest_of_the_journal_day() -> None:
    steps = [cand(1, due_on=DAY, estimate_minutes=5), cand(2, "water the plants")]
    history = [past(at(9), "not_today", action_id=1)]
    assert run(at(12), history, steps).candidate.action_id == 2
    alone = run(at(12), history, steps[:1])
    assert alone.rule == "nothing" and "Not today" in alone.reason
    # The answer is also known from the step itself (its last nudge).
    said_no = cand(1, last_response="not_today", last_nudged_at=at(9).astimezone(UTC),
                   last_response_at=at(9, 5).astimezone(UTC))
    assert run(at(12), [], [said_no]).rule == "nothing"
    # Tomorrow (after 04:00) it may come back.
    assert run(at(9, day=1), history, steps[:1]).candidate.action_id == 1
    assert run(at(3, 30, day=1), history, steps[:1], rules=NudgeRules(
        True, 4, timedelta(minutes=90), time(9), time(9), 4)).rule == "nothing"


def test_no_open_steps() -> None:
    decision = run(at(10), candidates=[])
    assert decision.rule == "nothing"
    assert decision.reason == "no nudge: no open steps to nudge about"


# -------------------------------------------------------------------------- the choice


def test_scoring_weights_as_documented() -> None:
    now = at(10)
    w = policy.WEIGHTS
    assert score(cand(due_on=DAY), now, RULES) == w["due_today"]
    assert score(cand(due_on=DAY - timedelta(days=3)), now, RULES) == w["overdue_recent"]
    assert score(cand(due_on=DAY - timedelta(days=30)), now, RULES) == w["overdue_old"]
    assert score(cand(due_on=DAY + timedelta(days=1)), now, RULES) == w["due_tomorrow"]
    assert score(cand(due_on=DAY + timedelta(days=5)), now, RULES) == 0
    assert score(cand(estimate_minutes=10), now, RULES) == w["tiny"]
    assert score(cand(estimate_minutes=30), now, RULES) == w["small"]
    assert score(cand(estimate_minutes=60), now, RULES) == 0
    old = at(9, day=-40)
    assert score(cand(goal_id=3, created_at=old), now, RULES) == w["neglected"]  # never touched
    assert score(cand(goal_id=3, created_at=old, goal_touched_at=now - timedelta(days=14)),
                 now, RULES) == w["neglected"] / 2
    assert score(cand(goal_id=3, created_at=old, goal_touched_at=now), now, RULES) == 0
    assert score(cand(created_at=old), now, RULES) == w["neglected_no_goal"]
    assert score(cand(created_at=at(9, day=-3), goal_id=3), now, RULES) == 0  # not old yet
    assert score(cand(goal_why="for them"), now, RULES) == w["has_why"]
    assert score(cand(), now, RULES, nudged_today=[1]) == w["nudged_today"]
    ignored = cand(last_response="ignored", last_nudged_at=now - timedelta(days=2))
    assert score(ignored, now, RULES) == w["ignored_recently"]
    before = cand(last_response="not_today", last_nudged_at=now - timedelta(days=2))
    assert score(before, now, RULES) == w["not_today_before"]


def test_prefers_due_tiny_and_neglected_steps() -> None:
    plain = cand(1, "sort the photos")
    due = cand(2, "pay the rent", due_on=DAY)
    tiny = cand(3, "text Sam back", estimate_minutes=5)
    neglected = cand(4, "write to the landlord", goal_id=7, goal_title="Home",
                     created_at=at(9, day=-60))
    assert run(at(10), candidates=[plain, due]).candidate == due
    assert run(at(10), candidates=[plain, tiny]).candidate == tiny
    assert run(at(10), candidates=[plain, neglected]).candidate == neglected
    both = cand(5, "reply to Ana", due_on=DAY, estimate_minutes=5)
    decision = run(at(10), candidates=[plain, due, tiny, neglected, both])
    assert decision.candidate == both
    assert decision.reason == "due today and small (~5 min)"
    assert decision.score == policy.WEIGHTS["due_today"] + policy.WEIGHTS["tiny"]


def test_the_same_step_is_not_repeated_when_another_is_as_good() -> None:
    a, b = cand(1, "stretch", estimate_minutes=5), cand(2, "floss", estimate_minutes=5)
    first = run(at(9), candidates=[a, b]).candidate
    second = run(at(11), [past(at(9), "snooze", action_id=first.action_id)], [a, b]).candidate
    assert second != first


def test_reasons_in_plain_words() -> None:
    now = at(10)
    assert explain_choice(cand(due_on=DAY), DAY, now) == "due today"
    assert explain_choice(cand(due_on=date(2026, 11, 23)), DAY, now) == "planned for Mon 23 Nov"
    assert explain_choice(cand(estimate_minutes=20), DAY, now) == "fairly small (~20 min)"
    stale = cand(goal_id=1, goal_title="Family", created_at=at(9, day=-21))
    assert explain_choice(stale, DAY, now) == "waiting 3 weeks, and Family has been quiet for weeks"
    assert "best open step" in explain_choice(cand(), DAY, now)


def test_ties_are_broken_by_the_rng_or_by_age() -> None:
    older = cand(1, "a", created_at=at(9, day=-3))
    newer = cand(2, "b", created_at=at(9, day=-2))
    assert run(at(10), candidates=[newer, older]).candidate == older
    picks = {run(at(10), candidates=[older, newer], rng=random.Random(seed)).candidate.action_id
             for seed in range(20)}
    assert picks == {1, 2}


def test_style_comes_from_the_learner_for_this_hour() -> None:
    hours = []

    def choose(hour: int) -> str:
        hours.append(hour)
        return "tiny_step"

    assert run(at(10, 40), choose_style=choose).style == "tiny_step" and hours == [10]


# ------------------------------------------------------------------ the learner's plan


def test_plan_keeps_the_best_hour_and_spaces_the_others() -> None:
    weights = {8: 0.1, 9: 0.75, 10: 0.95, 11: 0.8, 14: 0.9, 17: 0.2, 20: 0.71}
    assert plan_hours(weights, RULES, limit=4) == [10, 14, 11, 9]
    wide = NudgeRules(True, 4, timedelta(minutes=180), time(22), time(8), 4)
    assert plan_hours(weights, wide, limit=4) == [10, 14, 20]  # >= 3 h apart
    assert plan_hours(weights, RULES, limit=1) == [10]
    assert plan_hours({8: 0.1, 9: 0.2}, RULES, limit=4) == [9]  # the best, however low


def test_an_hour_outside_the_plan_waits_for_a_better_one() -> None:
    weights = {h: 0.1 for h in range(24)} | {10: 1.0, 15: 0.8}
    decision = run(at(12), hour_weight=weights.__getitem__)
    assert decision.rule == "not_now" and decision.score == 0.1
    assert "not one of today's nudge times (around 10:00 and 15:00)" in decision.reason
    assert decision.next_possible == at(15)
    assert run(at(10, 30), hour_weight=weights.__getitem__).nudge
    assert run(at(15, 45), hour_weight=weights.__getitem__).nudge


def test_clock_rules_come_before_the_learner() -> None:
    calls = []

    def weight(hour: int) -> float:
        calls.append(hour)
        return 1.0

    assert run(at(23), hour_weight=weight).rule == "quiet_hours" and calls == []


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        run(datetime(2026, 11, 26, 10))


# ------------------------------------------------------------------ properties


ZONES = [UTC, TZ, timezone(timedelta(hours=-7)), timezone(timedelta(hours=5, minutes=30)),
         ZoneInfo("Europe/Berlin")]
RESPONSES = [None, "done", "snooze", "not_today", "ignored", "opened"]


@st.composite
def scenarios(draw):
    hhmm = st.tuples(st.integers(0, 23), st.sampled_from([0, 15, 30, 45, 10]))
    qs, qe = draw(hhmm), draw(hhmm)
    rules = NudgeRules(enabled=True, daily_cap=draw(st.integers(0, 8)),
                       min_gap=timedelta(minutes=draw(st.integers(15, 300))),
                       quiet_start=time(*qs), quiet_end=time(*qe),
                       day_start_hour=draw(st.integers(0, 23)))
    tz = draw(st.sampled_from(ZONES))
    # Around the 2026 spring DST change in Berlin on some runs.
    start_day = draw(st.sampled_from([date(2026, 3, 28), date(2026, 10, 24), DAY]))
    start = datetime.combine(start_day, time(draw(st.integers(0, 23))), tzinfo=tz)
    earlier = draw(st.lists(st.tuples(st.integers(1, 60 * 48), st.sampled_from(RESPONSES)),
                            max_size=12))
    history = [PastNudge(start - timedelta(minutes=m), draw(st.integers(1, 6)), r)
               for m, r in earlier]
    pauses = draw(st.lists(st.tuples(st.integers(0, 60 * 40), st.integers(15, 600)),
                           max_size=3))
    busy = draw(st.frozensets(st.integers(0, 191), max_size=40))
    learner = draw(st.none() | st.lists(st.floats(0, 1), min_size=24, max_size=24))
    seed = draw(st.integers(0, 2**16))
    return rules, tz, start, history, pauses, busy, learner, seed


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_properties_over_two_days_of_ticks(scenario) -> None:
    """Never over the cap per local journal day, never in quiet hours, never while paused
    or busy, never two within the minimum gap -- whatever the history and answers."""
    rules, tz, start, history, pauses, busy, learner, seed = scenario
    rng = random.Random(seed)
    steps = [cand(i, f"step {i}", estimate_minutes=rng.choice([None, 5, 30]),
                  due_on=rng.choice([None, start.date()]), created_at=start - timedelta(days=9))
             for i in range(1, 7)]
    history = list(history)
    sent: list[datetime] = []
    for tick in range(192):  # two days, every 15 minutes
        now = (start + timedelta(minutes=15 * tick)).astimezone(tz)
        paused_until = None
        for offset, length in pauses:
            begin = start + timedelta(minutes=offset)
            if begin <= now < begin + timedelta(minutes=length):
                paused_until = begin + timedelta(minutes=length)
        decision = decide(steps, history, now, rules, paused_until=paused_until,
                          busy=tick in busy, rng=rng,
                          hour_weight=learner.__getitem__ if learner else None)
        if not decision.nudge:
            assert decision.candidate is None and decision.reason.startswith("no nudge")
            continue
        assert paused_until is None and tick not in busy
        assert not in_quiet_hours(now, rules)
        day = journal_day_of(now, rules, tz)
        same_day = [p for p in history if journal_day_of(p.at, rules, tz) == day]
        assert len(same_day) < rules.daily_cap
        assert all(now - p.at >= rules.min_gap for p in history if p.at <= now)
        assert decision.hour_bucket == now.hour
        assert decision.candidate.action_id not in {
            p.action_id for p in same_day if p.response == "not_today"}
        history.append(PastNudge(now, decision.candidate.action_id, rng.choice(RESPONSES)))
        sent.append(now)
    for a, b in itertools.pairwise(sent):
        assert b - a >= rules.min_gap
    event(f"nudges sent: {min(len(sent), 6)}{'+' if len(sent) > 6 else ''}")
