"""`wise focus ...` and `wise today` through the real command, on a real journal."""

from __future__ import annotations


def test_start_extend_done_and_today_shows_the_time(wise) -> None:
    assert wise("capture", "[ ] write the intro ~10m").code == 0
    started = wise("focus", "start", "1", "--json")
    assert started.code == 0, started.err
    data = started.json()
    assert data["session"]["planned_seconds"] == 600 and data["left_seconds"] > 590
    assert "10 min left" in wise("focus", "status").out
    assert wise("focus", "start", "something else").code == 2  # one at a time, said clearly
    assert wise("focus", "pause").code == 0
    assert wise("focus", "status", "--json").json()["paused"] is True
    assert wise("focus", "resume").code == 0
    extended = wise("focus", "extend", "5", "--json").json()
    assert extended["session"]["planned_seconds"] == 900
    done = wise("focus", "done")
    assert done.code == 0 and "Ticked off" in done.out
    again = wise("focus", "done", "--json")
    assert again.code == 1 and again.json()["session"] is None
    today = wise("today", "--json").json()
    assert [s["title"] for s in today["focus"]["steps"]] == ["write the intro"]
    assert [a["title"] for a in today["wins"]] == ["write the intro"]
    assert "Time given" in wise("today").out


def test_starting_by_words_makes_a_step_and_bad_lengths_are_refused(wise) -> None:
    refused = wise("focus", "start", "call", "the", "bank", "--minutes", "0")
    assert refused.code == 2 and "minutes" in refused.err
    assert wise("focus", "status", "--json").json() == {"session": None}
    started = wise("focus", "start", "call", "the", "bank", "--json").json()
    assert started["session"]["title"] == "call the bank"
    assert started["session"]["planned_seconds"] == 120  # "just start": two minutes
    assert wise("focus", "stop").code == 0
