"""`wise llm test|usage` and `wise key set|delete|status`, as real subprocesses.

A subprocess cannot see an in-memory keyring, so every `wise` here uses the file-backed
test backend (tests/keyring_backend.py, the `file_keyring` fixture) through
PYTHON_KEYRING_BACKEND."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.fake_openai import Reply
from tests.helpers import closed_port, sql

SECRET = "plain-test-secret-0123456789"
NUDGE = json.dumps({"text": "Fill the watering can and water the plants by the window.",
                    "why": "a calm place to come back to", "action_uid": "test-step"})


pytestmark = pytest.mark.usefixtures("file_keyring")


def configure(wise, model: str, api_base: str = "", **more: str) -> None:
    for key, value in {"llm.model": model, "llm.api_base": api_base, **more}.items():
        result = wise("config", "set", key, value) if value else wise("config", "reset", key)
        assert result.code == 0, result.err


def test_key_set_then_llm_test_then_usage(wise, fake_openai, file_keyring: Path) -> None:
    stored = wise("key", "set", "openai", stdin=SECRET + "\n")
    assert stored.code == 0, stored.err
    assert "openai" in stored.out and SECRET not in stored.out + stored.err
    assert json.loads(file_keyring.read_text())["wise/openai"] == SECRET

    status = wise("key", "status")
    assert status.code == 0, status.err
    assert SECRET not in status.out + status.err
    line = next(x for x in status.out.splitlines() if x.strip().startswith("openai"))
    assert "keyring" in line
    assert next(x for x in status.out.splitlines()
                if x.strip().startswith("anthropic")).split()[-1] == "none"

    configure(wise, "openai/test-model", fake_openai.base_url)
    fake_openai.script(Reply(NUDGE, usage={"prompt_tokens": 20, "completion_tokens": 1}))
    tested = wise("llm", "test")
    assert tested.code == 0, tested.err
    assert "✓ openai/test-model answered in shape: 'Fill the watering can" in tested.out
    assert "latency" in tested.out and " ms" in tested.out
    assert "first token after" in tested.out
    assert "20 in, 1 out" in tested.out
    assert "$0.000000" in tested.out and "local" in tested.out
    assert "enforced by the server (JSON schema)" in tested.out
    assert "2,048 tokens" in tested.out  # a local server that does not say: the usual
    request = fake_openai.requests[-1].json
    assert "water the plants" in request["messages"][-1]["content"]
    assert request["response_format"]["type"] == "json_schema"
    assert request["max_tokens"] <= 120
    assert fake_openai.requests[-1].headers["authorization"] == f"Bearer {SECRET}"

    usage = wise("llm", "usage", "--json")
    assert usage.code == 0, usage.err
    data = usage.json()
    assert (data["calls"], data["ok"], data["error"]) == (1, 1, 0)
    assert data["by_purpose"]["llm_test"]["calls"] == 1
    assert data["by_model"]["openai/test-model"]["input_tokens"] == 20
    assert data["budget_usd"] == 5.0 and data["cost_usd"] == 0.0
    human = wise("llm", "usage")
    assert "Model calls in" in human.out and "llm_test" in human.out

    deleted = wise("key", "delete", "openai")
    assert deleted.code == 0 and "Removed" in deleted.out
    assert "wise/openai" not in json.loads(file_keyring.read_text())
    log = (Path(wise("config", "path").out.strip()).parent / "logs" / "wise.log")
    if log.exists():
        assert SECRET not in log.read_text(encoding="utf-8")


def test_llm_test_json(wise, fake_openai) -> None:
    configure(wise, "openai/test-model", fake_openai.base_url)
    fake_openai.script(Reply(NUDGE))
    result = wise("llm", "test", "--json")
    assert result.code == 0, result.err
    data = result.json()
    assert list(data) == ["ok", "model", "reply", "latency_ms", "first_token_ms",
                          "input_tokens", "output_tokens", "cost_usd", "local", "api_base",
                          "attempts", "structured", "structured_enforced", "context_tokens",
                          "passed_gate"]
    assert data["ok"] is True and data["model"] == "openai/test-model"
    assert data["reply"].startswith("Fill the watering can")
    assert data["latency_ms"] > 0 and data["local"] is True
    assert data["passed_gate"] and data["structured_enforced"]


@pytest.mark.parametrize("reply", [
    "ready mendatang mendatangmodel Reply with the single",  # what a 270M model said
    json.dumps({"text": "one gentle, short reminder to start this step: water the plants",
                "why": None, "action_uid": None}),  # the prompt's own words
])
def test_llm_test_fails_a_reply_the_gate_refuses(wise, fake_openai, reply: str) -> None:
    configure(wise, "openai/test-model", fake_openai.base_url)
    fake_openai.script(Reply(reply), Reply(reply))
    result = wise("llm", "test", "--json")
    assert result.code == 1
    data = result.json()
    assert list(data) == ["ok", "error_kind", "rule", "message", "model", "api_base", "reply",
                          "passed_gate"]
    assert data["ok"] is False and data["passed_gate"] is False
    assert data["rule"] in ("shape", "echo", "copied_example")
    assert "✗" in result.err and "wise llm refused" in result.err


def test_a_server_that_refuses_json_schema_is_asked_again_and_remembered(
        wise, wise_home: Path, fake_openai) -> None:
    """llama-cpp-python answers a json_schema response_format with HTTP 500; it takes
    {"type": "json_object", "schema": ...}. The user never sees the refusal."""
    configure(wise, "openai/test-model", fake_openai.base_url)
    fake_openai.refuse_formats = {"json_schema": 500}
    fake_openai.script(Reply(NUDGE), Reply(NUDGE))
    first = wise("llm", "test")
    assert first.code == 0, first.err
    assert "JSON with a grammar" in first.out and "500" not in first.out + first.err
    forms = [(r.json.get("response_format") or {}).get("type") for r in fake_openai.requests]
    assert forms == ["json_schema", "json_object"]
    assert fake_openai.requests[1].json["response_format"]["schema"]["required"] == ["text"]
    memory = json.loads((wise_home / "model-memory.json").read_text())
    facts = memory[f"openai/test-model @ {fake_openai.base_url}"]
    assert facts["structured"] == "json_object" and facts["refused_modes"] == ["json_schema"]
    # Remembered: the next call asks the accepted way at once.
    assert wise("llm", "test").code == 0
    assert fake_openai.requests[2].json["response_format"]["type"] == "json_object"
    assert len(fake_openai.requests) == 3


def test_a_server_that_refuses_every_form_gets_the_shape_in_the_prompt(
        wise, fake_openai) -> None:
    configure(wise, "openai/test-model", fake_openai.base_url)
    fake_openai.refuse_formats = {"json_schema": 400, "json_object": 400}
    fake_openai.script(Reply(NUDGE))
    result = wise("llm", "test", "--json")
    assert result.code == 0, result.err
    assert result.json()["structured"] == "prompt_only"
    assert "response_format" not in fake_openai.requests[-1].json
    assert len(fake_openai.requests) == 3


def test_unreachable_names_the_address(wise) -> None:
    with closed_port() as port:
        configure(wise, "openai/test-model", f"http://127.0.0.1:{port}/v1",
                  **{"llm.max_retries": "0"})
        result = wise("llm", "test")
    assert result.code == 1
    assert f"127.0.0.1:{port}" in result.err
    assert "cannot reach" in result.err
    usage = wise("llm", "usage", "--json").json()
    assert (usage["calls"], usage["error"]) == (1, 1)


def test_no_model_says_how_to_set_one(wise) -> None:
    result = wise("llm", "test")
    assert result.code == 1
    assert "wise config set llm.model ollama_chat/llama3.2" in result.err
    assert "openai/gpt-4o-mini" in result.err
    as_json = wise("llm", "test", "--json")
    assert as_json.code == 1 and as_json.json()["error_kind"] == "no_model"
    assert list(as_json.json()) == ["ok", "error_kind", "message", "model", "api_base"]


def test_a_model_setting_that_cannot_work_is_bad_input(wise) -> None:
    configure(wise, "mystery-model")
    result = wise("llm", "test")
    assert result.code == 2
    assert "provider/model" in result.err


def test_no_key_for_a_cloud_model(wise) -> None:
    configure(wise, "anthropic/claude-haiku-4-5")
    result = wise("llm", "test")
    assert result.code == 1
    assert "`wise key set anthropic`" in result.err and "ANTHROPIC_API_KEY" in result.err


def test_key_set_refuses_empty_input(wise, file_keyring: Path) -> None:
    result = wise("key", "set", "openai", stdin="\n")
    assert result.code == 2
    assert "no key given" in result.err
    assert not file_keyring.exists()


def test_without_a_keyring_backend(wise) -> None:
    env = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    result = wise("key", "set", "openai", stdin=SECRET + "\n", env=env)
    assert result.code == 1
    assert "No system keyring" in result.err and "OPENAI_API_KEY" in result.err
    assert "gnome-keyring" in result.err and SECRET not in result.err + result.out
    status = wise("key", "status", "--json", env={**env, "GROQ_API_KEY": SECRET})
    assert status.code == 0
    data = status.json()
    assert data["keyring"]["available"] is False
    assert {r["provider"]: r["source"] for r in data["providers"]}["groq"] == "environment"
    assert SECRET not in status.out


def test_a_refused_key_echoed_by_the_server_is_on_no_file_under_wise_home(
        wise, wise_home: Path, fake_openai, file_keyring: Path) -> None:
    """Every file under WISE_HOME, byte for byte - the journal, its -wal, settings, logs,
    backups - after a 401 that quotes the key back, and a backup."""
    secret = "plainsecretvalue0123456789"  # no key-like shape: only registration hides it
    assert wise("key", "set", "openai", stdin=secret + "\n").code == 0
    configure(wise, "openai/test-model", fake_openai.base_url)
    refused = Reply(status=401, error_body={"error": {
        "message": f"Incorrect API key provided: {secret}", "type": "invalid_request_error",
        "code": "invalid_api_key"}})
    fake_openai.script(refused, refused)
    assert wise("capture", "a walk by the river").code == 0
    # A reader kept open holds the journal's -wal file on disk (the last connection to
    # close would fold it into wise.db and delete it): it is swept too.
    reader = sqlite3.connect(wise_home / "wise.db")
    try:
        reader.execute("SELECT count(*) FROM entries").fetchone()
        tested = wise("llm", "test")
        reflected = wise("reflect", "--json")
        backup = wise("backup", "--json")
        assert backup.code == 0, backup.err
        files = [path for path in wise_home.rglob("*") if path.is_file()]
        wal = wise_home / "wise.db-wal"
        assert wal in files and wal.stat().st_size > 0
        assert Path(backup.json()["backup"]) in files
        assert any(path.parent.name == "logs" for path in files)
        holding = [str(path) for path in files if secret.encode() in path.read_bytes()]
    finally:
        reader.close()
    assert [r.headers["authorization"] for r in fake_openai.requests] == [
        f"Bearer {secret}"] * 2  # the key was sent, and quoted back, twice
    assert holding == []
    assert tested.code != 0 and "refused" in tested.err + tested.out
    # The reflection is the plain one, with the reason in one line.
    assert reflected.code == 0, reflected.err
    assert reflected.json()["fallback"] is True and reflected.json()["reason"] == "auth"
    assert "refused the key" in reflected.json()["note"]
    for result in (tested, reflected, backup):
        assert secret not in result.out + result.err
    assert secret.encode() in file_keyring.read_bytes()  # where the sweep would find it
    assert sql(wise_home, "SELECT status, error_kind FROM llm_calls") == [
        ("error", "auth"), ("error", "auth")]


def test_a_plaintext_keyring_is_refused_and_doctor_says_so(wise, tmp_path: Path) -> None:
    """keyring picks keyrings.alt's plain-text file by itself when no Secret Service
    runs; a test backend of that name stands in for it (keyrings.alt is not installed)."""
    path = tmp_path / "plaintext-keyring.json"
    env = {"PYTHON_KEYRING_BACKEND": "tests.keyring_backend.PlaintextKeyring",
           "WISE_TEST_KEYRING_FILE": str(path)}
    result = wise("key", "set", "openai", stdin=SECRET + "\n", env=env)
    assert result.code == 1, result.out + result.err
    assert "Stored" not in result.out
    assert "PlaintextKeyring" in result.err and "plain text" in result.err
    assert "OPENAI_API_KEY" in result.err and "PYTHON_KEYRING_BACKEND" in result.err
    assert not path.exists() and SECRET not in result.err
    doctor = wise("doctor", "--json", env=env)
    check = next(c for c in doctor.json()["checks"] if c["name"] == "keyring")
    assert check["status"] == "warning" and "PlaintextKeyring" in check["detail"]
    status = wise("key", "status", "--json", env=env).json()
    assert status["keyring"]["available"] is False
    assert "plain text" in status["keyring"]["message"]
