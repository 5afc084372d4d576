"""The gateway against the real worker, real litellm and the scripted fake server.

The fake server listens on 127.0.0.1, so a model with api_base there is "local": no key
is needed and it costs 0. Tests that need a key (or a budget) use the in-memory keyring,
and the budget and no-key checks use a cloud model that is stopped before any request."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from app.journal import Context
from app.llm.gateway import LOCAL_PLACEHOLDER_KEY, Gateway, backoff_delay
from app.llm.types import ModelError
from app.llm.usage import month_cost, month_usage
from app.llm.worker_client import ModelWorker
from app.logs import configure_logging
from storage.models import LLMCall
from tests.fake_openai import Reply
from tests.helpers import closed_port

MESSAGES = [{"role": "system", "content": "You are kind."},
            {"role": "user", "content": "Say hello."}]


@pytest.fixture(scope="module")
def worker() -> Iterator[ModelWorker]:
    model_worker = ModelWorker(idle_exit_s=300)
    yield model_worker
    model_worker.stop()


# Never the user's real keyring (it might ask to be unlocked, or hold real keys): one in
# memory, for the tests that need a key (or a budget); provider variables are cleared for
# every test (tests/isolation.py).
pytestmark = pytest.mark.usefixtures("memory_keyring")


@pytest.fixture
def context(wise_home: Path, fake_openai) -> Context:
    ctx = Context.from_environment()
    ctx.settings.values.update({"llm.model": "openai/test-model",
                                "llm.api_base": fake_openai.base_url,
                                "llm.max_retries": 2, "llm.timeout": 20,
                                "llm.stall_timeout": 10})
    return ctx


@pytest.fixture
def journal(context: Context):
    from storage.engine import Journal

    context.prepare_storage()  # the ORM: the test arranges rows with it
    opened = Journal(context.paths.db)
    yield opened
    opened.close()


@pytest.fixture
def gateway(context: Context, journal, worker: ModelWorker) -> Gateway:
    return Gateway(context, journal, worker=worker)


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    root = logging.getLogger()
    before, level = set(root.handlers), root.level
    path = configure_logging(tmp_path / "logs")
    yield path
    for handler in set(root.handlers) - before:
        root.removeHandler(handler)
        handler.close()
    root.setLevel(level)


def rows(journal) -> list[LLMCall]:
    with journal.read() as session:
        return list(session.scalars(select(LLMCall).order_by(LLMCall.id)))


def test_a_reply_is_streamed_returned_and_recorded(gateway, journal, fake_openai) -> None:
    fake_openai.script(Reply("Hello there, friend.", usage={"prompt_tokens": 21,
                                                            "completion_tokens": 5}))
    deltas: list[str] = []
    result = gateway.complete("daily_reflection", MESSAGES, prompt_name="daily",
                              prompt_version="3", on_delta=deltas.append)
    assert result.text == "Hello there, friend."
    assert "".join(deltas) == result.text and len(deltas) > 1
    assert result.attempts == ["openai/test-model"]
    assert (result.input_tokens, result.output_tokens, result.cost_usd) == (21, 5, 0.0)
    request = fake_openai.requests[-1]
    assert request.json["messages"] == MESSAGES
    assert request.json["model"] == "test-model"
    assert request.headers["authorization"] == f"Bearer {LOCAL_PLACEHOLDER_KEY}"
    [row] = rows(journal)
    assert (row.status, row.purpose, row.model, row.prompt_name, row.prompt_version) == (
        "ok", "daily_reflection", "openai/test-model", "daily", "3")
    assert (row.input_tokens, row.output_tokens, row.cost_usd) == (21, 5, 0.0)
    assert row.latency_ms > 0 and row.first_token_ms is not None
    assert row.first_token_ms <= row.latency_ms
    assert row.error_kind is None and row.error is None


def test_a_stored_key_is_sent_even_to_a_local_server(gateway, fake_openai,
                                                     memory_keyring) -> None:
    memory_keyring.set_password("wise", "openai", "local-proxy-key-0123456789")
    gateway.complete("llm_test", MESSAGES)
    assert fake_openai.requests[-1].headers["authorization"] == (
        "Bearer local-proxy-key-0123456789")


@pytest.mark.allow_warning_logs(r"^model call failed: .* kind=rate_limited ")
def test_rate_limit_waits_for_retry_after(gateway, journal, fake_openai) -> None:
    fake_openai.script(Reply(status=429, headers={"Retry-After": "1"}), Reply("ok now"))
    started = time.monotonic()
    result = gateway.complete("nudge", MESSAGES)
    waited = time.monotonic() - started
    assert result.text == "ok now"
    assert waited >= 1.0
    assert result.attempts == ["openai/test-model"] * 2
    first, second = rows(journal)
    assert (first.status, first.error_kind, second.status) == ("error", "rate_limited", "ok")
    assert "rate" in first.error


@pytest.mark.allow_warning_logs(r"^model call failed: .* kind=server ")
def test_server_errors_are_retried_up_to_max_retries(gateway, context, journal,
                                                     fake_openai) -> None:
    fake_openai.script(Reply(status=500), Reply(status=503), Reply("third time"))
    assert gateway.complete("nudge", MESSAGES).text == "third time"
    assert [(r.status, r.error_kind) for r in rows(journal)] == [
        ("error", "server"), ("error", "server"), ("ok", None)]

    context.settings.values["llm.max_retries"] = 0
    fake_openai.script(Reply(status=500), Reply("not reached"))
    with pytest.raises(ModelError) as caught:
        gateway.complete("nudge", MESSAGES)
    assert caught.value.kind == "server"
    assert len(fake_openai.requests) == 4


@pytest.mark.allow_warning_logs(r"^model call failed: .* kind=unreachable ")
def test_a_fallback_answers_when_the_main_model_is_unreachable(gateway, context, journal,
                                                               fake_openai) -> None:
    with closed_port() as port, closed_port() as other:
        dead = f"http://127.0.0.1:{port}/v1"
        context.settings.values.update({
            "llm.api_base": dead, "llm.max_retries": 0,
            "llm.fallbacks": f"openai/fallback-model {fake_openai.base_url}"})
        fake_openai.script(Reply("from the fallback"))
        result = gateway.complete("daily_reflection", MESSAGES)
        assert result.text == "from the fallback"
        assert result.model == "openai/fallback-model"
        assert result.attempts == ["openai/test-model", "openai/fallback-model"]
        main, fallback = rows(journal)
        assert (main.model, main.status, main.error_kind) == ("openai/test-model", "error",
                                                              "unreachable")
        assert (fallback.model, fallback.status) == ("openai/fallback-model", "ok")

        # When every model fails, the main model's error is raised, naming the address.
        context.settings.values["llm.fallbacks"] = f"openai/other http://127.0.0.1:{other}"
        with pytest.raises(ModelError) as caught:
            gateway.complete("daily_reflection", MESSAGES)
        assert caught.value.kind == "unreachable"
        assert "127.0.0.1" in str(caught.value) and "openai/other" in str(caught.value)


@pytest.mark.allow_warning_logs(r"^model call failed: .* kind=auth ")
def test_a_refused_key_is_not_retried_and_never_written_anywhere(
        gateway, journal, fake_openai, memory_keyring, log_file) -> None:
    secret = "plainsecretvalue0123456789"  # no key-like shape: only registration hides it
    memory_keyring.set_password("wise", "openai", secret)
    fake_openai.script(Reply(status=401, error_body={"error": {
        "message": f"Incorrect API key provided: {secret}", "type": "invalid_request_error"}}))
    with pytest.raises(ModelError) as caught:
        gateway.complete("daily_reflection", MESSAGES)
    assert caught.value.kind == "auth"
    assert "wise key set openai" not in str(caught.value)  # local: the server refused it
    assert "refused" in str(caught.value)
    assert len(fake_openai.requests) == 1
    assert fake_openai.requests[0].headers["authorization"] == f"Bearer {secret}"
    [row] = rows(journal)
    assert (row.status, row.error_kind) == ("error", "auth")
    for text in (str(caught.value), row.error, log_file.read_text(encoding="utf-8")):
        assert secret not in text
    assert "model call failed" in log_file.read_text(encoding="utf-8")


def test_over_budget_stops_a_paid_call_before_it_starts(context, journal,
                                                        memory_keyring) -> None:
    memory_keyring.set_password("wise", "openai", "sk-test-budget-0123456789")
    context.settings.values.update({"llm.model": "openai/gpt-4o-mini", "llm.api_base": "",
                                    "llm.monthly_budget_usd": 5.0})
    with journal.write() as session:
        session.add(LLMCall(purpose="daily_reflection", model="openai/gpt-4o-mini",
                            status="ok", cost_usd=4.9999))
    gateway = Gateway(context, journal)  # its own worker: must never start
    with pytest.raises(ModelError) as caught:
        gateway.complete("daily_reflection", MESSAGES)
    assert caught.value.kind == "over_budget"
    assert "$5.00 of your $5.00 budget" in str(caught.value)
    assert gateway._worker is None
    assert len(rows(journal)) == 1

    # Zero budget: no paid call at all.
    context.settings.values["llm.monthly_budget_usd"] = 0.0
    with journal.write() as session:
        session.query(LLMCall).delete()
    with pytest.raises(ModelError) as caught:
        gateway.complete("daily_reflection", MESSAGES)
    assert caught.value.kind == "over_budget"


def test_local_models_are_never_stopped_by_the_budget(gateway, context, journal) -> None:
    context.settings.values["llm.monthly_budget_usd"] = 1.0
    with journal.write() as session:
        session.add(LLMCall(purpose="x", model="openai/gpt-4o-mini", status="ok",
                            cost_usd=3.0))
    assert gateway.complete("nudge", MESSAGES).text
    from app.daytime import local_now

    today = local_now().date()
    usage = month_usage(journal, today)
    assert usage.total.calls == 2 and usage.total.ok == 2 and usage.total.cost_usd == 3.0
    assert usage.by_model["openai/test-model"].calls == 1
    assert usage.as_dict()["by_model"]["openai/test-model"]["calls"] == 1
    assert month_cost(journal, today.replace(day=1)) == 3.0


def test_no_key_for_a_cloud_model_says_what_to_do(context, journal, memory_keyring) -> None:
    context.settings.values.update({"llm.model": "openai/gpt-4o-mini", "llm.api_base": ""})
    gateway = Gateway(context, journal)
    with pytest.raises(ModelError) as caught:
        gateway.complete("daily_reflection", MESSAGES)
    assert caught.value.kind == "no_key"
    assert "`wise key set openai`" in str(caught.value)
    assert "OPENAI_API_KEY" in str(caught.value)
    assert gateway._worker is None


def test_no_model_starts_no_worker(context, journal) -> None:
    context.settings.values["llm.model"] = ""
    gateway = Gateway(context, journal)
    assert not gateway.configured
    with pytest.raises(ModelError) as caught:
        gateway.complete("daily_reflection", MESSAGES)
    assert caught.value.kind == "no_model"
    assert "wise config set llm.model" in str(caught.value)
    assert gateway._worker is None
    gateway.close()
    assert rows(journal) == []


def test_cancel_stops_the_stream_and_is_recorded(gateway, journal, fake_openai) -> None:
    fake_openai.script(Reply("tick ", endless=True, chunk_delay=0.05))
    cancel = threading.Event()
    seen: list[str] = []

    def on_delta(text: str) -> None:
        seen.append(text)
        if len(seen) == 3:
            cancel.set()

    with pytest.raises(ModelError) as caught:
        gateway.complete("daily_reflection", MESSAGES, on_delta=on_delta, cancel=cancel)
    assert caught.value.kind == "cancelled"
    assert fake_openai.wait_for_disconnects(1)
    [row] = rows(journal)
    assert (row.status, row.error_kind) == ("cancelled", "cancelled")
    assert len(fake_openai.requests) == 1


@pytest.mark.allow_warning_logs(r"^model call failed: .* kind=stalled ")
def test_a_stream_that_showed_text_is_not_retried(gateway, context, journal,
                                                  fake_openai) -> None:
    context.settings.values["llm.stall_timeout"] = 2
    fake_openai.script(Reply("one two three four", stall_after=2), Reply("never"))
    seen: list[str] = []
    with pytest.raises(ModelError) as caught:
        gateway.complete("daily_reflection", MESSAGES, on_delta=seen.append)
    assert caught.value.kind == "stalled"
    assert "".join(seen) == "one two "
    assert len(fake_openai.requests) == 1
    assert [r.error_kind for r in rows(journal)] == ["stalled"]


def test_backoff_delay() -> None:
    assert backoff_delay(0, 1.0) == 1.0
    assert backoff_delay(3, 60.0) == 60.0
    assert backoff_delay(0, 61.0) is None
    for retry, ceiling in ((0, 1), (1, 2), (2, 4), (6, 30), (20, 30)):
        delay = backoff_delay(retry)
        assert ceiling / 2 <= delay <= ceiling


@pytest.mark.allow_warning_logs(r"^model call failed: .* kind=other .*ValueError in the caller")
def test_a_failing_on_delta_is_recorded_and_raised(gateway, journal, fake_openai) -> None:
    fake_openai.script(Reply("a b c d"))

    def broken(text: str) -> None:
        raise ValueError("the window went away")

    with pytest.raises(ValueError, match="window"):
        gateway.complete("daily_reflection", MESSAGES, on_delta=broken)
    [row] = rows(journal)
    assert (row.status, row.error_kind, row.error) == ("error", "other",
                                                       "ValueError in the caller")
    fake_openai.script(Reply("fine again"))
    assert gateway.complete("daily_reflection", MESSAGES).text == "fine again"


def test_the_dry_run_shows_the_cost_the_budget_check_counts(context, journal,
                                                            memory_keyring) -> None:
    """One estimate of a call (app.llm.pricing.estimate_call): a budget of exactly what
    `wise reflect --dry-run` says the call may cost lets it start, a hair less stops it.
    (The preview once left out each message's framing, so it promised a call the budget
    check then refused.)"""
    from datetime import date

    from app.llm.gateway import Target
    from app.reflection import plan_daily_reflection

    memory_keyring.set_password("wise", "openai", "sk-test-budget-0123456789")
    context.settings.values.update({"llm.model": "openai/gpt-4o-mini", "llm.api_base": ""})
    gateway = Gateway(context, journal)  # its own worker: must never start
    plan = plan_daily_reflection(context, journal, date(2026, 11, 18),
                                 "a long day, " * 400, gateway=gateway)
    assert plan.estimated_cost_usd and plan.estimated_cost_usd > 0
    target = Target(plan.model, None, main=True)
    settings = context.settings.values
    settings["llm.monthly_budget_usd"] = plan.estimated_cost_usd
    assert gateway._prepare(target, plan.messages, None, plan.max_output_tokens)
    settings["llm.monthly_budget_usd"] = plan.estimated_cost_usd * (1 - 1e-9)
    with pytest.raises(ModelError) as caught:
        gateway._prepare(target, plan.messages, None, plan.max_output_tokens)
    assert caught.value.kind == "over_budget"
    assert gateway._worker is None and rows(journal) == []
