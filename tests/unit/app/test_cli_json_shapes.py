"""The keys (and their order) of `wise … --json` for the commands scripts read, pinned:
the results are typed now (app.results), and a type must not change what a script sees."""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path

import pytest

from app.cli.main import main

CAPTURE_KEYS = ["saved", "kind", "table", "id", "uid", "text", "goal", "goal_title", "tags",
                "due_on", "due_at", "estimate_minutes", "already_open", "summary", "notice",
                "warnings"]
SESSION_KEYS = ["id", "uid", "action_id", "nudge_id", "title", "estimate_minutes",
                "started_at", "planned_seconds", "paused_at", "paused_seconds", "ended_at",
                "outcome"]
COUNTDOWN_KEYS = ["session", "left_seconds", "elapsed_seconds", "ends_at", "paused", "over"]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]):
    def go(*args: str, code: int = 0):
        got = main([*args, "--json"])
        out, err = capsys.readouterr()
        assert got == code, err
        return json.loads(out)

    return go


def test_capture_and_search(run) -> None:
    saved = run("capture", "[ ] call mum #family tomorrow ~10m")
    assert list(saved) == CAPTURE_KEYS
    assert (saved["kind"], saved["tags"], saved["estimate_minutes"]) == ("todo", ["family"], 10)
    assert isinstance(saved["due_on"], str) and saved["warnings"] == []
    [hit] = run("search", "mum")
    assert list(hit) == ["kind", "id", "snippet", "status", "goal", "tags", "created_at"]
    assert hit["tags"] == ["family"] and isinstance(hit["created_at"], str)


def test_config(run, wise_home: Path) -> None:
    listed = run("config", "list")
    assert list(listed[0]) == ["key", "value", "default", "type", "help"]
    assert run("config", "get", "nudges.daily_cap") == {"key": "nudges.daily_cap",
                                                       "value": listed[[o["key"] for o in listed]
                                                                       .index("nudges.daily_cap")]
                                                       ["value"]}
    assert run("config", "set", "nudges.daily_cap", "2") == {"key": "nudges.daily_cap",
                                                             "value": 2}
    assert list(run("config", "reset", "nudges.daily_cap")) == ["key", "value"]
    assert run("config", "path") == {"settings": str(wise_home / "settings.toml"),
                                     "data": str(wise_home)}


def test_journal_upkeep(run, wise_home: Path) -> None:
    migrated = run("migrate")
    assert list(migrated) == ["changed", "revision", "journal"]
    assert migrated["journal"] == str(wise_home / "wise.db")
    backup = run("backup")
    assert list(backup) == ["backup"] and Path(backup["backup"]).exists()
    target = wise_home / "feedback.jsonl"
    assert run("feedback", "export", "-o", str(target)) == {"path": str(target), "count": 0}


def test_schedule_and_tray_status(run) -> None:
    schedule = run("schedule")
    assert list(schedule) == ["tray_running", "time_zone", "jobs"]
    assert schedule["tray_running"] is False
    assert list(schedule["jobs"][0]) == ["id", "title", "when", "purpose", "next_run",
                                         "last_run", "last_status", "detail"]
    status = run("status")
    assert list(status) == ["running", "socket"] and status["running"] is False


def test_focus(run, wise_home: Path) -> None:
    assert run("focus", "status") == {"session": None}
    assert run("focus", "done", code=1).keys() == {"session", "error"}
    run("capture", "[ ] write the intro ~10m")
    started = run("focus", "start", "1")
    assert list(started) == COUNTDOWN_KEYS and list(started["session"]) == SESSION_KEYS
    assert list(run("focus", "pause")) == COUNTDOWN_KEYS
    stopped = run("focus", "stop")
    assert list(stopped) == ["session", "given_seconds"]
    assert list(stopped["session"]) == SESSION_KEYS
    assert run("focus", "calibration") == {"calibration": []}


def test_nudge(run, wise_home: Path) -> None:
    explained = run("nudge", "--dry-run")
    assert list(explained) == ["now", "sent", "dry_run", "nudge", "rule", "reason",
                               "next_possible", "hour_bucket", "style", "score", "action",
                               "preview", "worded_by", "today", "rules", "paused_until",
                               "learned", "open_steps_considered"]
    assert list(explained["today"]) == ["shown", "daily_cap"]
    assert list(explained["rules"]) == ["enabled", "daily_cap", "min_gap_minutes",
                                        "quiet_start", "quiet_end", "day_start_hour"]
    learned = run("nudge", "--learned")
    assert list(learned) == ["answers", "favourite_hour", "hours", "styles", "description",
                             "nudges_description", "reflections", "breakdowns", "goal_reviews",
                             "since"]
    reset = run("nudge", "--reset-learning")
    assert list(reset) == ["reset", "since"] and reset["reset"] is True
    ticked = run("nudge", "--tick")
    assert list(ticked) == ["nudge_id", "title", "text", "reason", "action_id", "goal_id"]


def test_a_nudge_answer(run, wise_home: Path) -> None:
    run("capture", "[ ] water the plants")
    conn = sqlite3.connect(wise_home / "wise.db")
    conn.execute("INSERT INTO nudges (created_at, action_id, text, style, hour_bucket, reason, "
                 "source) VALUES ('2026-12-01 09:00:00.000000', 1, 'water them', 'plain', 9, "
                 "'test', 'plain')")
    conn.commit()
    conn.close()
    answered = run("nudge", "--respond", "1", "snooze")
    assert list(answered) == ["nudge_id", "response", "recorded", "action_done",
                              "snooze_until"]


def test_keys(run, monkeypatch: pytest.MonkeyPatch) -> None:
    status = run("key", "status")
    assert list(status) == ["keyring", "providers"]
    assert list(status["keyring"]) == ["available", "backend", "message"]
    assert list(status["providers"][0]) == ["provider", "source", "env_var", "used_by"]
    if not status["keyring"]["available"]:
        return
    monkeypatch.setattr("sys.stdin", io.StringIO("sk-test-0123456789\n"))
    assert list(run("key", "set", "openai")) == ["provider", "stored", "store",
                                                 "environment_overrides"]
    assert list(run("key", "delete", "openai")) == ["provider", "deleted", "environment"]


def test_llm_refused_and_eval_list(run) -> None:
    assert run("llm", "refused") == {"refused": []}
    listed = run("eval", "list")
    assert list(listed[0]) == ["name", "purpose", "family", "about"]


def test_sync_when_off(run) -> None:
    assert list(run("sync", "log")) == []
    assert run("sync", "off") == {"enabled": False}


def test_results_that_need_a_tray_or_a_model_keep_their_keys() -> None:
    """Results whose commands start a tray or call a model, built directly: the keys."""
    from app.cli.model_errors import Cancelled, FailureDetail, ModelFailure
    from app.cli.open_cmd import WindowOpened
    from app.cli.tray_cmd import TrayStatus
    from app.ipc.replies import TrayStarting
    from app.results import to_json

    socket = Path("/run/wise.sock")
    assert to_json(TrayStatus(True, pid=7, socket=socket, version="1.0")) == {
        "running": True, "pid": 7, "socket": "/run/wise.sock", "version": "1.0"}
    assert to_json(TrayStatus(False, socket=socket)) == {"running": False,
                                                         "socket": "/run/wise.sock"}
    assert list(to_json(TrayStatus(False, socket=socket, untrusted="not yours",
                                   fix="remove it"))) == ["running", "socket", "untrusted",
                                                          "fix"]
    assert to_json(WindowOpened("review", shown=False, started=True, pid=9)) == {
        "window": "review", "shown": False, "started": True, "pid": 9}
    assert to_json(WindowOpened("review", shown=True, started=False)) == {
        "window": "review", "shown": True, "started": False}
    assert to_json(TrayStarting()) == {"started": True}
    assert to_json(Cancelled()) == {"cancelled": True}
    assert to_json(ModelFailure(FailureDetail("bad_output", "no", "{raw"))) == {
        "error": {"kind": "bad_output", "message": "no", "raw": "{raw"}}
    assert to_json(ModelFailure(FailureDetail("timeout", "slow", None))) == {
        "error": {"kind": "timeout", "message": "slow"}}
