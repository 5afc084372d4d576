"""`wise breakdown`, `wise goals review` and `wise goals edit` end to end: the real CLI,
the real worker and litellm, the fake OpenAI server; what the server received is checked."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest

from app.breakdown import SIZE_WORDS
from storage.clock import utc_now
from tests.conftest import ROOT
from tests.fake_openai import Reply
from tests.helpers import closed_port, connect_model, sql

STEPS = {"steps": [{"title": "Open the trip notes", "minutes": 1},
                   {"title": "Write three dates that work", "minutes": 5},
                   {"title": "Call mum and offer the dates", "minutes": 10}]}


@pytest.fixture
def goals(wise, wise_home: Path) -> None:
    assert wise("goals", "add", "Family", "--why", "I want to be there for them",
                "--cadence", "2").code == 0
    assert wise("capture", "[ ] call mum about the trip #family ~10m").code == 0
    assert wise("capture", "+ sent mum the photos #family").code == 0
    assert wise("goals", "add", "Guitar", "--why", "music calms me").code == 0
    # Guitar: made two months ago, last touched six weeks ago: quiet for four weeks.
    old = (utc_now() - timedelta(days=60)).strftime("%Y-%m-%d %H:%M:%S.%f")
    touched = (utc_now() - timedelta(days=42)).strftime("%Y-%m-%d %H:%M:%S.%f")
    sql(wise_home, "UPDATE goals SET created_at = ? WHERE slug = 'guitar'", old)
    sql(wise_home, "INSERT INTO actions (uid, title, goal_id, status, done_at, source, "
                   "created_at, updated_at) SELECT 'old-1', 'practise scales', id, 'done', ?, "
                   "'cli', ?, ? FROM goals WHERE slug = 'guitar'", touched, old, touched)


def action_id(home: Path, title: str) -> int:
    [(found,)] = sql(home, "SELECT id FROM actions WHERE title = ?", title)
    return found


# --- breakdown ----------------------------------------------------------------------------

def test_breakdown_sends_the_size_and_the_goal_around_the_action(
        wise, goals, fake_openai, wise_home: Path) -> None:
    connect_model(wise, fake_openai)
    fake_openai.script(Reply(text=json.dumps(STEPS)))
    ident = action_id(wise_home, "call mum about the trip")
    result = wise("breakdown", "--action", str(ident), "--size", "5", "--json", timeout=180)
    assert result.code == 0, result.err
    out = result.json()
    assert out["steps"][0] == {"title": "Open the trip notes", "minutes": 1}
    assert len(out["steps"]) == 3 and "test-model" in out["model"] and out["note"] is None
    [request] = fake_openai.requests
    user = request.json["messages"][1]["content"]
    assert SIZE_WORDS[5] in user and SIZE_WORDS[3] not in user
    assert "call mum about the trip" in user and "I want to be there for them" in user
    assert "sent mum the photos" in user  # what is done already, so it is left out
    # asked in the way of breaking down the user's kept steps choose (app/prompt_choice.py)
    assert out["variant"] in {"tiny", "fewer"}
    assert sql(wise_home, "SELECT purpose, prompt_name, prompt_version, status FROM llm_calls"
               ) == [("breakdown", "breakdown", f"1.1+{out['variant']}", "ok")]
    assert sql(wise_home, "SELECT count(*) FROM actions") == [(3,)]  # nothing was saved


def test_breakdown_of_a_goal_in_words_with_the_biggest_size(wise, goals,
                                                            fake_openai) -> None:
    connect_model(wise, fake_openai)
    fake_openai.script(Reply(text=json.dumps(STEPS)))
    result = wise("breakdown", "--goal", "family", "--size", "1", timeout=180)
    assert result.code == 0, result.err
    assert "1. Open the trip notes (~1 min)" in result.out
    assert "nothing was saved" in result.out
    user = fake_openai.requests[0].json["messages"][1]["content"]
    assert SIZE_WORDS[1] in user and "Family" in user


def test_a_refused_breakdown_retries_once_simpler_then_leaves_it_to_the_user(
        wise, goals, fake_openai, wise_home: Path) -> None:
    connect_model(wise, fake_openai)
    fake_openai.script(Reply(text="Sure! First, breathe."), Reply(text=json.dumps(STEPS)))
    retried = wise("breakdown", "--text", "file my taxes", "--json", timeout=180)
    assert retried.code == 0, retried.err
    assert retried.json()["steps"][1]["title"] == "Write three dates that work"
    # The retry is the compact form, not the bad reply sent back to a model that gave it.
    second = fake_openai.requests[1].json["messages"]
    assert "First, breathe" not in json.dumps(second)
    assert second[0]["content"].startswith("You are Wise, a warm and brief companion")

    # Prose twice: no steps, exit 0, and the one honest line (the user breaks it down).
    fake_openai.script(Reply(text="Step one: relax."), Reply(text="Still prose, sorry."))
    plain = wise("breakdown", "--text", "file my taxes", "--json", timeout=180)
    assert plain.code == 0, plain.err
    out = plain.json()
    assert out["steps"] == [] and out["fallback"] is True and out["reason"] == "bad_output"
    assert "not in the shape Wise asked for" in out["note"] and "by hand" in out["note"]
    fake_openai.script(Reply(text="Step one: relax."), Reply(text="Still prose, sorry."))
    human = wise("breakdown", "--text", "file my taxes", timeout=180)
    assert human.code == 0 and "Step one: relax." not in human.out + human.err
    assert "wise llm refused" in human.out
    shown = wise("llm", "refused")
    assert shown.code == 0 and "Step one: relax." in shown.out
    assert len(fake_openai.requests) == 6
    purposes = [p for (p,) in sql(wise_home, "SELECT purpose FROM llm_calls ORDER BY id")]
    assert purposes == ["breakdown", "breakdown_retry"] * 3


def test_breakdown_without_a_model_gives_no_steps_and_a_note(wise, goals) -> None:
    result = wise("breakdown", "--goal", "family", "--json")
    assert result.code == 0, result.err
    out = result.json()
    assert out["steps"] == [] and out["model"] is None and "by hand" in out["note"]
    human = wise("breakdown", "--text", "clean the garage")
    assert human.code == 0 and "wise config set llm.model" in human.out


def test_sigterm_cancels_a_breakdown(wise, goals, fake_openai, wise_home: Path) -> None:
    connect_model(wise, fake_openai)
    fake_openai.script(Reply(chunks=['{"steps": [', ' '], endless=True, chunk_delay=0.05))
    proc = subprocess.Popen(
        [sys.executable, "-m", "app.cli.main", "breakdown", "--text", "taxes", "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT,
        env={**os.environ, "WISE_HOME": str(wise_home)})
    timer = threading.Timer(120, proc.kill)
    timer.start()
    try:
        assert fake_openai.wait_for_requests(1, timeout=90)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    finally:
        timer.cancel()
    assert proc.returncode == 0, err.decode()
    assert json.loads(out) == {"cancelled": True}
    assert fake_openai.wait_for_disconnects(1)


@pytest.mark.parametrize(("args", "says"), [
    (["--goal", "nope"], "no goal 'nope'"),
    (["--action", "999"], "no action 999"),
    (["--text", "taxes", "--size", "0"], "--size goes from 1"),
    (["--text", "taxes", "--size", "6"], "--size goes from 1"),
    (["--text", "taxes", "--size", "big"], "invalid int value"),
    (["--text", "t" * 2001], "at most 2,000 characters"),
    (["--text", "   "], "--text is empty"),
    ([], "one of the arguments --goal --action --text is required"),
    (["--goal", "family", "--text", "taxes"], "not allowed with"),
])
def test_breakdown_bad_input_exits_2_and_says_why(wise, goals, args: list[str],
                                                  says: str) -> None:
    for json_flag in ([], ["--json"]):
        result = wise("breakdown", *args, *json_flag)
        assert result.code == 2, result.out
        assert says in result.err and "Traceback" not in result.err


# --- goals review -------------------------------------------------------------------------

def test_review_without_a_model_is_plain_and_kind(wise, goals) -> None:
    result = wise("goals", "review", "--json")
    assert result.code == 0, result.err
    out = result.json()
    assert out["model"] is None and "wise config set llm.model" in out["note"]
    family, guitar = out["goals"]
    assert (family["slug"], family["alive"], family["suggestion"]) == ("family", True, "keep")
    assert family["next_step"] == "call mum about the trip" and family["goal_id"] == 1
    assert family["next_step_open"] is True  # the smallest open step: nothing to add
    assert "1 step done" in family["observation"]
    assert (guitar["slug"], guitar["alive"], guitar["suggestion"]) == ("guitar", False,
                                                                       "pause")
    assert guitar["next_step"] is None and "Quiet for four weeks" in guitar["observation"]
    human = wise("goals", "review", "guitar")
    assert human.code == 0 and "maybe pause it" in human.out and "Family" not in human.out


def test_review_with_a_model_matches_goals_by_tag(wise, goals, fake_openai,
                                                  wise_home: Path) -> None:
    connect_model(wise, fake_openai)
    review = {"goals": [{"slug": "guitar", "alive": False,
                         "observation": "Guitar has been resting for six weeks.",
                         "suggestion": "smaller step",
                         "next_step": "Take the guitar out of its case"}]}
    fake_openai.script(Reply(text=json.dumps(review)))
    result = wise("goals", "review", "--json", timeout=180)
    assert result.code == 0, result.err
    out = result.json()
    family, guitar = out["goals"]
    assert guitar == {"goal_id": 2, "slug": "guitar", "title": "Guitar", "alive": False,
                      "observation": "Guitar has been resting for six weeks.",
                      "suggestion": "smaller_step",
                      "next_step": "Take the guitar out of its case",
                      "next_step_open": False, "by_model": True}
    assert family["suggestion"] == "keep" and family["alive"]  # left out: the plain review
    assert family["by_model"] is False  # what the user does with it teaches nothing
    assert out["variant"] in {"warm", "brief"}  # the way of reviewing that made it
    assert "test-model" in out["model"]
    user = fake_openai.requests[0].json["messages"][1]["content"]
    assert "#guitar" in user and "music calms me" in user and "hopes to touch it 2x" in user
    assert sql(wise_home, "SELECT purpose, prompt_name, status FROM llm_calls") == [
        ("goal_review", "goal_review", "ok")]


def test_review_gives_the_model_the_open_steps_and_marks_one_it_repeats(
        wise, goals, fake_openai) -> None:
    connect_model(wise, fake_openai)
    assert wise("capture", "[ ] book the train for the trip #family ~5m").code == 0
    review = {"goals": [{"slug": "family", "alive": True, "observation": "Moving.",
                         "suggestion": "keep", "next_step": "Call mum about the trip."}]}
    fake_openai.script(Reply(text=json.dumps(review)), Reply(text=json.dumps(review)))
    result = wise("goals", "review", "family", "--json", timeout=180)
    assert result.code == 0, result.err
    [family] = result.json()["goals"]
    assert family["next_step_open"] is True
    user = fake_openai.requests[0].json["messages"][1]["content"]
    assert ("2 open steps, smallest first: book the train for the trip; call mum about the "
            "trip") in user
    human = wise("goals", "review", "family", timeout=180)
    assert "Next step: Call mum about the trip. (already open)" in human.out


def test_review_of_an_unknown_goal_exits_2(wise, goals) -> None:
    result = wise("goals", "review", "nope", "--json")
    assert result.code == 2 and "no goal 'nope'" in result.err


def test_a_review_reply_that_never_passes_gives_the_plain_review_and_one_line(
        wise, goals, fake_openai) -> None:
    connect_model(wise, fake_openai)
    fake_openai.script(Reply(text="All your goals look lovely."), Reply(text="{nope"))
    result = wise("goals", "review", "--json", timeout=180)
    assert result.code == 0, result.err
    out = result.json()
    assert out["model"] is None and out["fallback"] is True
    assert out["note"].startswith("The model's reply was not in the shape Wise asked for, "
                                  "so this is the plain review from your data")
    assert [g["slug"] for g in out["goals"]] == ["family", "guitar"]  # the plain review
    assert "All your goals look lovely." not in result.out


def test_an_unreachable_model_gives_the_plain_review_with_the_reason(wise, goals) -> None:
    with closed_port() as port:
        for key, value in (("llm.model", "openai/test-model"), ("llm.max_retries", "0"),
                           ("llm.api_base", f"http://127.0.0.1:{port}/v1")):
            assert wise("config", "set", key, value).code == 0
        result = wise("goals", "review", timeout=180)
        assert result.code == 0, result.err
        assert "Wise could not reach the model, so this is the plain review" in result.out
        assert "maybe pause it" in result.out  # guitar, from the data


# --- goals edit ---------------------------------------------------------------------------

def test_goals_edit_changes_title_why_and_rhythm_and_keeps_the_tag(wise, goals,
                                                                   wise_home: Path) -> None:
    from storage.engine import Journal
    from storage.models import Goal

    result = wise("goals", "edit", "family", "--title", "Family time", "--why",
                  "They matter most", "--cadence", "3", "--json")
    assert result.code == 0, result.err
    assert result.json()["title"] == "Family time" and result.json()["slug"] == "family"
    human = wise("goals", "edit", "1", "--no-cadence")
    assert human.code == 0 and "Updated goal 1: Family time" in human.out
    journal = Journal(wise_home / "wise.db")
    try:
        with journal.read() as session:
            goal = session.get(Goal, 1)
            assert (goal.title, goal.why, goal.slug, goal.cadence_per_week) == (
                "Family time", "They matter most", "family", None)
    finally:
        journal.close()


@pytest.mark.parametrize(("args", "says"), [
    (["nope", "--title", "x"], "no goal 'nope'"),
    (["family"], "nothing to change"),
    (["family", "--cadence", "30"], "from 1 to 21"),
    (["family", "--cadence", "2", "--no-cadence"], "not allowed with"),
    (["family", "--title", "  "], "a goal needs a title"),
    (["family", "--title", "t" * 201], "at most 200 characters"),
    (["family", "--why", "w" * 5001], "at most 5,000 characters"),
])
def test_goals_edit_bad_input_exits_2(wise, goals, wise_home: Path, args: list[str],
                                      says: str) -> None:
    result = wise("goals", "edit", *args)
    assert result.code == 2 and says in result.err
    assert sql(wise_home, "SELECT title, why FROM goals WHERE slug = 'family'") == [
        ("Family", "I want to be there for them")]
