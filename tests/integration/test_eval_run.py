"""`wise eval` end to end: the real CLI, scenarios built through the real services, the real
worker and litellm, against the scripted OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.evals.scenarios import load_suite
from tests.fake_openai import Reply

# A run builds a journal a scenario and starts the model worker once: minutes on a loaded
# machine, so these tests get more than the suite's default 300 s.
pytestmark = pytest.mark.timeout(900)

PICK = "day_summary_busy,dr_crisis,nudge_spanish"  # sorted by name, as the suite runs
SCENARIOS = load_suite(PICK)


def eval_run(wise, server, *extra: str):
    return wise("eval", "run", "--model", "openai/test-model", "--api-base", server.base_url,
                "--scenario", PICK, "--json", *extra, timeout=600)


def runs(home: Path) -> list[Path]:
    return sorted(p for p in (home / "evals").glob("*") if p.is_dir())


def test_good_replies_pass_every_check_and_the_report_is_written(wise, fake_openai,
                                                                 wise_home: Path) -> None:
    fake_openai.script(*(Reply(s.scripted.good) for s in SCENARIOS))
    result = eval_run(wise, fake_openai)
    assert result.code == 0, result.err
    card = result.json()
    assert card["totals"]["cases"] == 3 and card["totals"]["usable"] == 3
    assert card["totals"]["all_checks_passed"] == 3, [c["failed"] for c in card["cases"]]
    assert card["checks"]["crisis_help"] == {"passed": 1, "applied": 1}
    assert card["checks"]["language"]["applied"] == 3
    # nothing was sent but to the model asked for, once a scenario (no repair needed)
    assert len(fake_openai.requests) == 3
    assert {r.json["model"] for r in fake_openai.requests} == {"test-model"}
    [folder] = runs(wise_home)
    lines = (folder / "results.jsonl").read_text().splitlines()
    assert [json.loads(line)["scenario"] for line in lines] == [s.name for s in SCENARIOS]
    report = Path(card["report"]).read_text()
    assert "<svg" in report and "prefers-color-scheme: dark" in report
    assert "dr_crisis" in report and "<script" not in report


def test_bad_replies_fail_the_checks_they_break_with_evidence(wise, fake_openai) -> None:
    fake_openai.script(*(Reply(s.scripted.bad) for s in SCENARIOS))
    result = eval_run(wise, fake_openai)
    assert result.code == 0, result.err
    card = result.json()
    failed = {c["scenario"]: set(c["failed"]) for c in card["cases"]}
    for scenario in SCENARIOS:
        assert set(scenario.scripted.bad_fails) <= failed[scenario.name], scenario.name
    assert card["totals"]["all_checks_passed"] == 0
    crisis = next(c for c in card["cases"] if c["scenario"] == "dr_crisis")
    evidence = next(ch["evidence"] for ch in crisis["checks"] if ch["name"] == "crisis_help")
    assert evidence  # the failure says why


def test_an_echoed_prompt_is_not_usable_and_not_scored(wise, fake_openai) -> None:
    # what a tiny model sends back: the prompt's own fence and what was inside it
    echo = "<journal-data>\nWhat they did today, what is still open\n</journal-data>"
    fake_openai.default = Reply(echo)
    result = eval_run(wise, fake_openai)
    card = result.json()
    assert card["totals"]["usable"] == 0
    assert all(c["failed"] == ["not_an_echo"] or c["error"] for c in card["cases"])


def test_a_run_cut_short_resumes_where_it_stopped(wise, fake_openai, wise_home: Path) -> None:
    fake_openai.script(*(Reply(s.scripted.good) for s in SCENARIOS))
    assert eval_run(wise, fake_openai).code == 0
    [folder] = runs(wise_home)
    results = folder / "results.jsonl"
    lines = results.read_text().splitlines()
    # as a crash would leave it: the last case missing, a half-written line instead
    results.write_text("\n".join(lines[:2]) + "\n" + lines[2][:40])
    before = len(fake_openai.requests)
    fake_openai.script(Reply(SCENARIOS[2].scripted.good))
    resumed = wise("eval", "run", "--resume", "last", "--json", timeout=600)
    assert resumed.code == 0, resumed.err
    assert len(fake_openai.requests) == before + 1  # only the missing case was asked again
    assert resumed.json()["totals"]["cases"] == 3
    assert runs(wise_home) == [folder]


def test_compare_shows_what_got_better_and_worse(wise, fake_openai) -> None:
    fake_openai.script(*(Reply(s.scripted.bad) for s in SCENARIOS))
    assert eval_run(wise, fake_openai).code == 0
    fake_openai.script(Reply(SCENARIOS[2].scripted.good))  # the variant runs nudges only
    assert eval_run(wise, fake_openai, "--prompt", "nudge@why_led").code == 0
    names = sorted(p.name for p in (Path(wise("eval", "show", "--json").json()["report"])
                                    .parent.glob("2*")))
    compared = wise("eval", "compare", names[0], names[1], "--json")
    assert compared.code == 0, compared.err
    data = compared.json()
    assert "nudge_spanish: language" in data["better"] and data["worse"] == []
    text = wise("eval", "compare", names[0], names[1]).out
    assert "Better in B" in text and "+ nudge_spanish: language" in text


def test_nothing_is_sent_without_a_model_asked_for(wise, fake_openai) -> None:
    result = wise("eval", "run", "--scenario", PICK)
    assert result.code == 2 and "--model" in result.err
    assert fake_openai.requests == []


@pytest.mark.parametrize("bad", [["--prompt", "nudge@loud"], ["--scenario", "no_such*"],
                                 ["--repeat", "0"]])
def test_bad_options_get_a_clear_message(wise, fake_openai, bad) -> None:
    result = wise("eval", "run", "--model", "openai/test-model", "--api-base",
                  fake_openai.base_url, *bad)
    assert result.code == 2 and result.err.strip()
    assert fake_openai.requests == []


def test_mine_replays_the_users_rated_reflections_side_by_side(wise, fake_openai,
                                                              wise_home: Path) -> None:
    from storage.ritual_writes import RitualWriter
    from tests.helpers import GOOD_REFLECTION, connect_model

    assert wise("goals", "add", "Family", "--why", "I want to be there for them").code == 0
    assert wise("capture", "+ went for a walk ~20m").code == 0
    connect_model(wise, fake_openai)
    fake_openai.script(Reply(json.dumps(GOOD_REFLECTION)))
    assert wise("reflect", "--json").code == 0
    writer = RitualWriter(wise_home / "wise.db")
    try:
        writer.add_feedback(1, -1, "too long")
    finally:
        writer.close()
    again = dict(GOOD_REFLECTION, celebrate="You walked today, and it helped.")
    fake_openai.script(Reply(json.dumps(again)))
    result = wise("eval", "--mine", "--json", timeout=600)
    assert result.code == 0, result.err
    [case] = result.json()
    assert case["rating"] == -1 and case["note"] == "too long"
    assert "You went for a walk" in case["old"]["text"]
    assert "You walked today" in case["new"]["text"]
    assert case["new"]["prompt"].startswith("daily_reflection@")
    words = wise("eval", "--mine", timeout=600).out
    assert "you said Not quite" in words and "stay on this machine" in words
