"""`wise eval` end to end: scenarios built through the real services, the real worker and
litellm, against the scripted OpenAI-compatible server on 127.0.0.1.

One test drives the real CLI (a run, its scorecard, results and report, and `compare`);
the others call the same harness in-process with one model worker for the module, so
litellm starts once here rather than once a test (that start was most of this file's
time: about 30 s a start on a loaded machine)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.evals.runner import (
    RunSpec,
    find_run,
    new_run_dir,
    read_meta,
    read_results,
    resumed,
    run_suite,
)
from app.evals.scenarios import load_suite
from app.evals.scorecard import Scorecard
from tests.fake_openai import Reply

# A run builds a journal a scenario and starts the model worker once: minutes on a loaded
# machine, so these tests get more than the suite's default 300 s.
pytestmark = pytest.mark.timeout(900)

PICK = "day_summary_busy,dr_crisis,nudge_spanish"  # sorted by name, as the suite runs
SCENARIOS = load_suite(PICK)
ECHO = "<journal-data>\nWhat they did today, what is still open\n</journal-data>"


@pytest.fixture(scope="module")
def worker():
    """One model worker (litellm imported once) for the in-process runs of this module."""
    from app.llm.worker_client import ModelWorker

    started = ModelWorker(idle_exit_s=300)
    yield started
    started.stop()


def run_here(server, home: Path, worker, *, scenarios=SCENARIOS, variant=None,
             label: str = "", context_tokens: int | None = None) -> tuple[Path, dict]:
    """A run through the harness in this process: (its folder, its scorecard)."""
    spec = RunSpec("openai/test-model", server.base_url, variant,
                   tuple(s.name for s in scenarios), label=label,
                   context_tokens=context_tokens)
    folder = new_run_dir(home, spec)
    run_suite(spec, scenarios, folder, worker=worker)
    return folder, Scorecard(read_meta(folder), read_results(folder)).as_dict()


def runs(home: Path) -> list[Path]:
    return sorted(p for p in (home / "evals").glob("*") if p.is_dir())


def test_the_cli_runs_scores_reports_and_compares(wise, fake_openai, wise_home: Path,
                                                  worker) -> None:
    fake_openai.script(*(Reply(s.scripted.bad) for s in SCENARIOS))
    bad, _ = run_here(fake_openai, wise_home, worker, label="bad")
    asked_before = len(fake_openai.requests)
    fake_openai.script(*(Reply(s.scripted.good) for s in SCENARIOS))
    result = wise("eval", "run", "--model", "openai/test-model", "--api-base",
                  fake_openai.base_url, "--scenario", PICK, "--json", timeout=600)
    assert result.code == 0, result.err
    card = result.json()
    assert card["totals"]["cases"] == 3 and card["totals"]["usable"] == 3
    assert card["totals"]["all_checks_passed"] == 3, [c["failed"] for c in card["cases"]]
    assert card["checks"]["crisis_help"] == {"passed": 1, "applied": 1}
    assert card["checks"]["language"]["applied"] == 3
    # nothing was sent but to the model asked for, once a scenario (no retry needed)
    new = fake_openai.requests[asked_before:]
    assert len(new) == 3 and {r.json["model"] for r in new} == {"test-model"}
    good = next(p for p in runs(wise_home) if p != bad)
    lines = (good / "results.jsonl").read_text().splitlines()
    assert [json.loads(line)["scenario"] for line in lines] == [s.name for s in SCENARIOS]
    report = Path(card["report"]).read_text()
    assert "<svg" in report and "prefers-color-scheme: dark" in report
    assert "dr_crisis" in report and "<script" not in report

    compared = wise("eval", "compare", bad.name, good.name, "--json")
    assert compared.code == 0, compared.err
    data = compared.json()
    for scenario in SCENARIOS:  # what the bad replies broke, the good ones mended
        for check in scenario.scripted.bad_fails:
            assert f"{scenario.name}: {check}" in data["better"], (scenario.name, check)
    assert data["worse"] == []
    text = wise("eval", "compare", bad.name, good.name).out
    assert "Better in B" in text and "+ nudge_spanish: language" in text


def test_bad_replies_fail_the_checks_they_break_with_evidence(fake_openai, tmp_path: Path,
                                                              worker) -> None:
    fake_openai.script(*(Reply(s.scripted.bad) for s in SCENARIOS))
    _, card = run_here(fake_openai, tmp_path, worker)
    failed = {c["scenario"]: set(c["failed"]) for c in card["cases"]}
    for scenario in SCENARIOS:
        assert set(scenario.scripted.bad_fails) <= failed[scenario.name], scenario.name
    assert card["totals"]["all_checks_passed"] == 0
    crisis = next(c for c in card["cases"] if c["scenario"] == "dr_crisis")
    evidence = next(ch["evidence"] for ch in crisis["checks"] if ch["name"] == "crisis_help")
    assert evidence  # the failure says why


def test_an_echoed_prompt_is_not_usable_and_not_scored(fake_openai, tmp_path: Path,
                                                       worker) -> None:
    # what a tiny model sends back: the prompt's own fence and what was inside it
    fake_openai.default = Reply(ECHO)
    _, card = run_here(fake_openai, tmp_path, worker)
    assert card["totals"]["usable"] == 0
    assert all(c["failed"] == ["not_an_echo"] or c["error"] for c in card["cases"])


def test_a_refused_first_reply_gets_the_compact_retry_and_the_result_says_so(
        fake_openai, tmp_path: Path, worker) -> None:
    [crisis] = load_suite("dr_crisis")
    fake_openai.script(Reply(ECHO), Reply(crisis.scripted.good))
    # a server with a large window gets the full prompt first, as in the app
    folder, card = run_here(fake_openai, tmp_path, worker, scenarios=[crisis],
                            context_tokens=8192)
    [case] = read_results(folder)
    assert case.usable and case.compact_retry and case.calls == 2
    assert case.forms == ["daily_reflection", "daily_reflection_small"]
    assert card["totals"]["all_checks_passed"] == 1
    assert card["totals"]["compact_retries"] == card["totals"]["usable_after_retry"] == 1
    first, second = fake_openai.requests
    assert len(str(second.json["messages"])) < len(str(first.json["messages"]))
    # a reply that passes at once needs no retry, and says so too; a local server of
    # unknown window gets the compact form first
    fake_openai.script(Reply(crisis.scripted.good))
    folder, _ = run_here(fake_openai, tmp_path, worker, scenarios=[crisis], label="again")
    [case] = read_results(folder)
    assert case.usable and not case.compact_retry and case.forms == ["daily_reflection_small"]


def test_a_run_cut_short_resumes_where_it_stopped(fake_openai, tmp_path: Path,
                                                  worker) -> None:
    fake_openai.script(*(Reply(s.scripted.good) for s in SCENARIOS))
    folder, _ = run_here(fake_openai, tmp_path, worker)
    results = folder / "results.jsonl"
    lines = results.read_text().splitlines()
    # as a crash would leave it: the last case missing, a half-written line instead
    results.write_text("\n".join(lines[:2]) + "\n" + lines[2][:40])
    before = len(fake_openai.requests)
    fake_openai.script(Reply(SCENARIOS[2].scripted.good))
    spec, suite = resumed(find_run(tmp_path, "last"))  # what `--resume last` carries on
    assert [s.name for s in suite] == [s.name for s in SCENARIOS]
    results = run_suite(spec, suite, folder, worker=worker)
    assert len(fake_openai.requests) == before + 1  # only the missing case was asked again
    assert sorted(r.scenario for r in results) == [s.name for s in SCENARIOS]
    assert len(read_results(folder)) == 3 and runs(tmp_path) == [folder]


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
    from app.daytime import journal_day, local_now
    from app.evals.mine import MineCase, render_text
    from storage.engine import Journal
    from storage.models import Reflection
    from storage.ritual_writes import RitualWriter
    from tests.helpers import GOOD_REFLECTION, connect_model

    assert wise("goals", "add", "Family", "--why", "I want to be there for them").code == 0
    assert wise("capture", "+ went for a walk ~20m").code == 0
    connect_model(wise, fake_openai)
    # the reflection the user rated, as `wise reflect` stores it (tested on its own)
    journal = Journal(wise_home / "wise.db")
    try:
        with journal.write() as session:
            session.add(Reflection(kind="daily", period=journal_day(local_now(), 4),
                                   prompt_name="daily_reflection", prompt_version="1.0+warm",
                                   model="openai/test-model",
                                   content="You went for a walk, and it helped.",
                                   created_at=datetime.now(UTC)))
    finally:
        journal.close()
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
    assert case["new"]["prompt"].startswith("daily_reflection")  # full or compact form
    assert "+" in case["new"]["prompt"]  # with the variant it was made with
    words = render_text([MineCase(
        day=case["day"], rating=case["rating"], note=case["note"],
        old_prompt=case["old"]["prompt"], old_model=case["old"]["model"],
        old_text=case["old"]["text"], new_prompt=case["new"]["prompt"],
        new_text=case["new"]["text"], new_failed=tuple(case["new"]["failed_checks"]),
        error=case["new"]["error"])])
    assert "you said Not quite" in words and "stay on this machine" in words
