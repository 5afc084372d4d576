"""The countdown on the wall clock, its cues, the ring's wake-ups, and calibration."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.focus import (
    END,
    FIVE,
    HALF,
    MAX_WAKE_S,
    OVERRUN,
    RING_STEPS,
    calibrate,
    calibration_for,
    countdown,
    due_cues,
    seconds_to_next_change,
    time_by_step,
    typed_estimate_hint,
    typed_step,
)
from storage.focus import FocusSession

T0 = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


def _session(minutes: int = 20, *, estimate: int | None = None, paused_s: int = 0,
             ended_after_s: int | None = None, action_id: int | None = 1,
             title: str = "draft") -> FocusSession:
    ended = T0 + timedelta(seconds=ended_after_s) if ended_after_s is not None else None
    return FocusSession(1, "u", action_id, None, title, estimate, T0, minutes * 60, None,
                        paused_s, ended, "done" if ended else None)


def _at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_the_ring_empties_with_the_time_left() -> None:
    session = _session(20)
    assert countdown(session, T0).ring_step == RING_STEPS
    assert countdown(session, _at(600)).ring_step == RING_STEPS // 2
    assert countdown(session, _at(1199)).ring_step == 1  # empty only at the very end
    assert countdown(session, _at(1200)).ring_step == 0


def test_wake_ups_come_when_something_visible_changes() -> None:
    long = _session(240)  # a ring step every 10 minutes: the minute label rules
    assert seconds_to_next_change(countdown(long, _at(0.5))) == MAX_WAKE_S
    short = _session(2)  # a ring step every 5 s
    assert 1.0 <= seconds_to_next_change(countdown(short, _at(1))) <= 5.1
    assert seconds_to_next_change(countdown(short, _at(0.99))) >= 1.0  # never faster than 1 s


def test_cues_come_once_each_and_a_slept_end_says_so() -> None:
    session = _session(20, estimate=8)
    said: set[str] = set()
    seen = []
    previous = None
    for second in range(0, 1300, 10):
        view = countdown(session, _at(second))
        for cue in due_cues(previous, view, frozenset(said)):
            said.add(cue.kind)
            seen.append(cue.kind)
        previous = view
    assert seen == [OVERRUN, HALF, FIVE, END]
    # A suspend across the end: one cue, the end, saying when it really was.
    asleep = due_cues(countdown(session, _at(60)), countdown(session, _at(3600)), frozenset())
    assert [c.kind for c in asleep] == [END]
    assert "asleep" in asleep[0].text and f"{(T0 + timedelta(minutes=20)).astimezone():%H:%M}" \
        in asleep[0].text


def test_time_by_step_leaves_pauses_out() -> None:
    rows = time_by_step([_session(10, paused_s=120, ended_after_s=720),
                         _session(10, ended_after_s=60)], _at(2000))
    assert [(r.action_id, r.seconds, r.sessions) for r in rows] == [(1, 660.0, 2)]


def test_calibration_reports_the_median_real_time_per_size() -> None:
    sessions = [_session(60, estimate=10, ended_after_s=s) for s in (900, 1080, 1500, 600)]
    sessions.append(_session(60, estimate=45, ended_after_s=600))  # too few of that size
    found = calibrate(sessions)
    assert [(c.low, c.typical_guess, c.typical_real, c.count) for c in found] == [
        (6, 10, 16, 4)]
    assert calibration_for(12, found) is found[0] and calibration_for(45, found) is None
    assert found[0].words().startswith("your ~10 min steps take about 16")


def test_a_step_typed_by_hand_gives_up_its_estimate_and_nothing_else() -> None:
    assert typed_step("call the bank ~10m") == ("call the bank", 10)
    assert typed_step("  ~20m outline chapter six ") == ("outline chapter six", 20)
    assert typed_step("tidy ~5m the desk #home") == ("tidy the desk #home", 5)  # tag stays
    assert typed_step("water the plants") == ("water the plants", None)
    assert typed_step("~10m") == ("~10m", None)  # an estimate alone is the step's words
    found = calibrate([_session(60, estimate=10, ended_after_s=s) for s in (900, 1080, 1500)])
    assert typed_estimate_hint("call the bank ~12m", found) == (
        "your ~10 min steps take about 18")
    assert typed_estimate_hint("call the bank ~45m", found) == ""  # no timed steps that size
    assert typed_estimate_hint("call the bank", found) == ""
    assert typed_estimate_hint("call the bank ~12m", []) == ""
