"""`wise reflect --stream`: the JSON lines the reflection window reads, end to end (the real
CLI, worker and litellm, the fake OpenAI server), including Stop (SIGTERM) mid-stream."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.fake_openai import Reply
from tests.helpers import GOOD_REFLECTION, connect_model

GOOD = GOOD_REFLECTION


@pytest.fixture
def a_day(wise) -> None:
    assert wise("goals", "add", "Family", "--why", "I want to be there for them").code == 0
    assert wise("capture", "+ went for a walk ~20m").code == 0
    assert wise("capture", "[ ] call mum about the trip #family").code == 0


def events(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines()]  # every line is one JSON object


def rows(home: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(home / "wise.db")
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_without_a_model_the_plain_reflection_streams_in_one_delta(wise, a_day,
                                                                   wise_home: Path) -> None:
    result = wise("reflect", "--stream")
    assert result.code == 0, result.err
    start, delta, done = events(result.out)
    assert start["event"] == "start" and start["model"] is None
    assert start["day"] and set(start["prompt"]) == {"name", "version"}
    assert delta["event"] == "delta" and "went for a walk" in delta["text"]
    assert done["event"] == "done" and done["model"] is None
    assert done["text"] == delta["text"] and "wise config set llm.model" in done["note"]
    assert rows(wise_home, "SELECT id, model FROM reflections") == [(done["reflection_id"],
                                                                     None)]


def test_a_model_reflection_streams_prose_and_is_stored(wise, a_day, fake_openai,
                                                        wise_home: Path) -> None:
    connect_model(wise, fake_openai)
    fake_openai.script(Reply(text=json.dumps(GOOD)))
    result = wise("reflect", "--stream", "--words", "Tired, but the walk helped.",
                  timeout=180)
    assert result.code == 0, result.err
    lines = events(result.out)
    start, done = lines[0], lines[-1]
    assert start["model"] == "openai/test-model"
    assert start["prompt"]["name"] == "daily_reflection" and start["prompt"]["version"]
    deltas = [e["text"] for e in lines[1:-1]]
    assert len(deltas) > 1 and all(e["event"] == "delta" for e in lines[1:-1])
    prose = "".join(deltas)
    assert "You went for a walk" in prose and "{" not in prose  # prose, not JSON
    assert done["event"] == "done" and "test-model" in done["model"]
    assert "Open mum's contact" in done["text"] and done["note"] is None
    [request] = fake_openai.requests
    assert "Tired, but the walk helped." in request.json["messages"][1]["content"]
    assert rows(wise_home, "SELECT id, prompt_name FROM reflections") == [
        (done["reflection_id"], "daily_reflection")]


def test_sigterm_cancels_the_call_closes_the_connection_and_stores_nothing(
        wise, a_day, fake_openai, wise_home: Path) -> None:
    connect_model(wise, fake_openai)
    fake_openai.script(Reply(chunks=['{"celebrate": "You walked', " and walked"],
                             endless=True, chunk_delay=0.05))
    proc = subprocess.Popen([sys.executable, "-m", "app.cli.main", "reflect", "--stream"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT,
                            env={**os.environ, "WISE_HOME": str(wise_home)})
    timer = threading.Timer(120, proc.kill)  # never hang the suite
    timer.start()
    try:
        first = json.loads(proc.stdout.readline())
        assert first["event"] == "start"
        delta = json.loads(proc.stdout.readline())
        assert delta["event"] == "delta"  # the model is streaming now
        proc.send_signal(signal.SIGTERM)
        rest, err = proc.communicate(timeout=60)
    finally:
        timer.cancel()
    assert proc.returncode == 0, err.decode()
    lines = events(rest.decode())
    assert lines[-1] == {"event": "cancelled"}
    assert all(e["event"] == "delta" for e in lines[:-1])
    assert fake_openai.wait_for_disconnects(1)  # the server saw the connection close
    assert rows(wise_home, "SELECT id FROM reflections") == []
    assert rows(wise_home, "SELECT purpose, status FROM llm_calls") == [
        ("daily_reflection", "cancelled")]


def test_a_model_error_gives_the_plain_reflection_with_its_reason(wise, a_day, fake_openai,
                                                                  wise_home: Path) -> None:
    connect_model(wise, fake_openai)
    fake_openai.script(Reply(status=401))
    result = wise("reflect", "--stream", timeout=180)
    assert result.code == 0, result.err
    start, *_deltas, done = events(result.out)
    assert start["event"] == "start" and done["event"] == "done"
    assert done["fallback"] is True and done["reason"] == "auth" and done["model"] is None
    assert "refused the key" in done["note"]
    assert rows(wise_home, "SELECT model FROM reflections") == [(None,)]


def test_words_come_from_standard_input(wise, a_day, fake_openai) -> None:
    connect_model(wise, fake_openai)
    words = "Ein langer Tag — café, Regen, und doch ein Spaziergang. " * 100  # ~5,700 chars
    result = wise("reflect", "--dry-run", "--json", "--words", "-", stdin=words)
    assert result.code == 0, result.err
    user = result.json()["messages"][1]["content"]
    assert words.strip() in user
    assert fake_openai.requests == []  # a dry run sends nothing


@pytest.mark.parametrize(("data", "says"), [
    (b"a good day\xff\xfe", "not valid UTF-8"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "NUL bytes"),
    (("x" * 10_001).encode(), "at most 10,000 characters"),
])
def test_bad_words_on_standard_input_are_refused_clearly(wise, a_day, wise_home: Path,
                                                         data: bytes, says: str) -> None:
    result = wise("reflect", "--stream", "--words", "-", stdin=data)
    assert result.code == 2
    [error] = events(result.out)
    assert error["event"] == "error" and error["kind"] == "bad_input" and says in error[
        "message"]
    assert says in result.err
    assert rows(wise_home, "SELECT id FROM reflections") == []


def test_enormous_words_in_argv_and_a_bad_date_are_refused(wise, a_day) -> None:
    result = wise("reflect", "--words", "y" * 10_001)
    assert result.code == 2 and "at most 10,000 characters" in result.err
    result = wise("reflect", "--stream", "--date", "yesterday-ish")
    assert result.code == 2 and "--date must be a day like 2026-11-26" in result.err
    assert events(result.out)[0]["kind"] == "bad_input"
