"""The model worker for real: a child process running real litellm, speaking real HTTP to a
scripted OpenAI-compatible server on 127.0.0.1 (tests/fake_openai.py). Nothing is patched.

A module-wide worker serves the tests that leave it alive (litellm takes seconds to
import); the tests that kill theirs (stall, cancel, kill) or let it idle out share another.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.llm.types import CallResult, ModelCall, ModelError
from app.llm.worker_client import ModelWorker
from tests.fake_openai import FakeOpenAI, Reply
from tests.helpers import closed_port

KEY = "sk-test-1234567890"
MESSAGES = [{"role": "system", "content": "You are a kind companion."},
            {"role": "user", "content": "I went for a walk today."}]

pytestmark = pytest.mark.timeout(180)  # a hang guard: litellm alone takes seconds to load


def model_call(server: FakeOpenAI | str, **overrides) -> ModelCall:
    base = server if isinstance(server, str) else server.base_url
    fields = {"model": "openai/test-model", "messages": MESSAGES, "api_base": base,
              "api_key": KEY, "timeout": 10.0, **overrides}
    return ModelCall(**fields)


@pytest.fixture(scope="module")
def worker() -> Iterator[ModelWorker]:
    shared = ModelWorker()
    try:
        yield shared
    finally:
        shared.stop()


@pytest.fixture(scope="module")
def fragile_worker() -> Iterator[ModelWorker]:
    """For the tests that kill their worker or let it idle out (each kill means a restart,
    so sharing this one only saves the start-up of the idle test)."""
    mine = ModelWorker(idle_exit_s=2)
    try:
        yield mine
    finally:
        mine.stop()


def call_in_thread(worker: ModelWorker, call: ModelCall, **kwargs) -> tuple[threading.Thread,
                                                                            dict]:
    """Run worker.call in a thread; the outcome lands in the returned dict."""
    outcome: dict = {}

    def run() -> None:
        try:
            outcome["result"] = worker.call(call, **kwargs)
        except ModelError as e:
            outcome["error"] = e
        outcome["at"] = time.monotonic()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


# -- the normal path -------------------------------------------------------------------------


def test_ping_starts_the_worker_and_reports_litellm(worker: ModelWorker) -> None:
    pong = worker.ping()
    assert pong["event"] == "pong"
    assert pong["pid"] == worker.pid != os.getpid()
    assert pong["litellm_version"] == "1.110.2"


def test_a_streamed_reply_arrives_in_order(worker: ModelWorker, fake_openai: FakeOpenAI) -> None:
    chunks = ["You ", "walked ", "today", ". ", "That ", "counts."]
    fake_openai.script(Reply(chunks=chunks, chunk_delay=0.02,
                             usage={"prompt_tokens": 23, "completion_tokens": 6}))
    deltas: list[str] = []

    result = worker.call(model_call(fake_openai), stall_timeout_s=5, on_delta=deltas.append)

    assert isinstance(result, CallResult)
    assert deltas == chunks
    assert result.text == "You walked today. That counts."
    assert (result.input_tokens, result.output_tokens) == (23, 6)
    assert result.cost_usd == 0.0  # unknown to the cost map, and on 127.0.0.1
    assert result.model == "openai/test-model" and result.attempts == ["openai/test-model"]
    assert result.first_token_s is not None and 0 < result.first_token_s <= result.latency_s

    [request] = fake_openai.requests
    assert request.path == "/v1/chat/completions"
    assert request.json["model"] == "test-model"
    assert request.json["messages"] == MESSAGES
    assert request.json["stream"] is True
    assert request.json["max_tokens"] == 700 and request.json["temperature"] == 0.7
    assert request.headers["Authorization"] == f"Bearer {KEY}"


def test_without_a_usage_chunk_tokens_are_estimated(worker: ModelWorker,
                                                    fake_openai: FakeOpenAI) -> None:
    fake_openai.script(Reply("a fairly short reply of some words"))
    result = worker.call(model_call(fake_openai), stall_timeout_s=5)
    assert result.text == "a fairly short reply of some words"
    assert result.input_tokens > 0 and result.output_tokens > 0


def test_a_slow_first_token_is_waited_for(worker: ModelWorker, fake_openai: FakeOpenAI) -> None:
    # The stall watchdog counts between chunks; before the first one the call's timeout rules.
    fake_openai.script(Reply("worth the wait", first_token_delay=1.5))
    result = worker.call(model_call(fake_openai, timeout=10), stall_timeout_s=0.5)
    assert result.text == "worth the wait"
    assert result.first_token_s is not None and result.first_token_s >= 1.4


def test_json_schema_is_asked_of_the_users_own_server_and_of_models_that_take_it(
        worker: ModelWorker, fake_openai: FakeOpenAI) -> None:
    schema = {"type": "object", "properties": {"step": {"type": "string"}},
              "required": ["step"]}
    fake_openai.script(Reply('{"step": "drink water"}'), Reply('{"step": "stretch"}'),
                       Reply('{"step": "walk"}'))
    expected = {"type": "json_schema", "json_schema": {"name": "reply", "schema": schema,
                                                       "strict": False}}

    # A server of the user's own (api_base) is asked, whatever litellm knows of the model:
    # one that refuses gets the next form (tests/integration/test_reflect.py, refuse_formats).
    unknown = worker.call(model_call(fake_openai, json_schema=schema), stall_timeout_s=5)
    known = worker.call(model_call(fake_openai, model="openai/gpt-4o-mini", json_schema=schema),
                        stall_timeout_s=5)
    # Told the prompt alone carries the shape (what a refusal is remembered as): no
    # response_format at all.
    plain = worker.call(model_call(fake_openai, json_schema=schema,
                                   structured_mode="prompt_only"), stall_timeout_s=5)

    assert [r.text for r in (unknown, known, plain)] == [
        '{"step": "drink water"}', '{"step": "stretch"}', '{"step": "walk"}']
    first, second, third = (r.json for r in fake_openai.requests)
    assert first["response_format"] == expected
    assert second["model"] == "gpt-4o-mini" and second["response_format"] == expected
    assert "response_format" not in third
    assert known.cost_usd == 0.0  # a priced model, but served from this machine


def test_an_endless_reply_is_capped_and_the_stream_closed(worker: ModelWorker,
                                                          fake_openai: FakeOpenAI) -> None:
    fake_openai.script(Reply(chunks=["more ", "and ", "more "], endless=True, chunk_delay=0.002))
    result = worker.call(model_call(fake_openai, max_tokens=40), stall_timeout_s=5)
    # It ended by the cap, not by the server: the fake streams for a minute otherwise.
    assert 0 < len(result.text) <= 40 * 4 * 2  # ~4 characters a token, with a margin
    assert result.text.startswith("more and more ")
    assert fake_openai.wait_for_disconnects(1, timeout=5)


# -- provider errors -------------------------------------------------------------------------


def test_rate_limited_with_retry_after(worker: ModelWorker, fake_openai: FakeOpenAI) -> None:
    fake_openai.script(Reply(status=429, headers={"Retry-After": "2"}))
    with pytest.raises(ModelError) as caught:
        worker.call(model_call(fake_openai), stall_timeout_s=5)
    assert caught.value.kind == "rate_limited" and caught.value.retryable
    assert caught.value.retry_after == 2.0
    assert len(fake_openai.requests) == 1  # no hidden retries: the gateway decides


@pytest.mark.parametrize(("status", "kind"), [
    (500, "server"), (503, "server"), (404, "not_found"), (400, "bad_request"), (403, "auth")])
def test_http_errors_map_to_kinds(worker: ModelWorker, fake_openai: FakeOpenAI, status: int,
                                  kind: str) -> None:
    fake_openai.script(Reply(status=status))
    with pytest.raises(ModelError) as caught:
        worker.call(model_call(fake_openai), stall_timeout_s=5)
    assert caught.value.kind == kind
    assert f"HTTP {status}" in str(caught.value)
    assert len(fake_openai.requests) == 1


def test_a_refused_key_is_said_clearly_without_the_key(worker: ModelWorker,
                                                      fake_openai: FakeOpenAI) -> None:
    fake_openai.script(Reply(status=401, error_body={"error": {
        "message": f"Incorrect API key provided: {KEY}. Find yours at example.com.",
        "type": "invalid_request_error", "param": None, "code": "invalid_api_key"}}))
    with pytest.raises(ModelError) as caught:
        worker.call(model_call(fake_openai), stall_timeout_s=5)
    message = str(caught.value)
    assert caught.value.kind == "auth" and not caught.value.retryable
    assert "refused the API key" in message
    assert KEY not in message and "1234567890" not in message


def test_a_closed_port_is_unreachable(worker: ModelWorker) -> None:
    with closed_port() as port, pytest.raises(ModelError) as caught:
        worker.call(model_call(f"http://127.0.0.1:{port}/v1"), stall_timeout_s=5)
    assert caught.value.kind == "unreachable"
    assert f"cannot reach http://127.0.0.1:{port}" in str(caught.value)
    assert "refused" in str(caught.value)


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs /proc")
def test_the_key_is_in_neither_argv_nor_env_of_the_worker(worker: ModelWorker,
                                                          fake_openai: FakeOpenAI) -> None:
    worker.call(model_call(fake_openai), stall_timeout_s=5)
    proc = Path(f"/proc/{worker.pid}")
    assert KEY.encode() not in (proc / "cmdline").read_bytes()
    assert KEY.encode() not in (proc / "environ").read_bytes()


# -- stalls, cancels, deaths -----------------------------------------------------------------


def test_a_stall_mid_stream_is_detected(fragile_worker: ModelWorker,
                                        fake_openai: FakeOpenAI) -> None:
    fake_openai.script(Reply(chunks=["one ", "two ", "three"], stall_after=2))
    fragile_worker.ping()  # started: the clock below is about the stall alone
    seen: list[float] = []

    with pytest.raises(ModelError) as caught:
        fragile_worker.call(model_call(fake_openai, timeout=30), stall_timeout_s=1.0,
                        on_delta=lambda _text: seen.append(time.monotonic()))
    waited = time.monotonic() - seen[-1]

    assert caught.value.kind == "stalled" and caught.value.retryable
    assert "stopped sending for 1 s" in str(caught.value)
    assert len(seen) == 2
    # Not before the stall timeout (less a moment: the worker's clock started when it got
    # the chunk, a little before this process did), and long before the call's 30 s.
    assert 0.9 <= waited < 20
    assert fake_openai.wait_for_disconnects(1, timeout=5)  # the HTTP request really stopped


def test_cancel_mid_stream_stops_the_request(fragile_worker: ModelWorker,
                                             fake_openai: FakeOpenAI) -> None:
    fake_openai.script(Reply(chunks=["tick "], endless=True, chunk_delay=0.05))
    fragile_worker.ping()  # started (litellm's import takes a while on a loaded machine)
    first_delta = threading.Event()
    cancel = threading.Event()
    thread, outcome = call_in_thread(fragile_worker, model_call(fake_openai, timeout=30),
                                     stall_timeout_s=5, on_delta=lambda _t: first_delta.set(),
                                     cancel=cancel)

    assert first_delta.wait(30)
    cancel.set()
    cancelled_at = time.monotonic()
    thread.join(30)

    assert outcome["error"].kind == "cancelled"
    assert outcome["at"] - cancelled_at < 10  # promptly, long before the call's 30 s timeout
    assert fake_openai.wait_for_disconnects(1, timeout=5)
    assert fragile_worker.pid is None  # killed; the next call starts a fresh one


def test_a_worker_killed_mid_request_fails_clearly_and_the_next_call_works(
        fragile_worker: ModelWorker, fake_openai: FakeOpenAI) -> None:
    fake_openai.script(Reply(chunks=["tock "], endless=True, chunk_delay=0.05), Reply("back"))
    fragile_worker.ping()  # started, as above
    first_delta = threading.Event()
    thread, outcome = call_in_thread(fragile_worker, model_call(fake_openai, timeout=30),
                                     stall_timeout_s=5, on_delta=lambda _t: first_delta.set())
    assert first_delta.wait(30)
    victim = fragile_worker.pid
    assert victim is not None
    os.kill(victim, signal.SIGKILL)
    thread.join(30)

    error = outcome["error"]
    assert error.kind == "worker_died" and error.retryable
    assert "stopped unexpectedly" in str(error)

    result = fragile_worker.call(model_call(fake_openai), stall_timeout_s=5)
    assert result.text == "back"
    assert fragile_worker.pid not in (None, victim)


def test_an_idle_worker_exits_and_the_next_call_restarts_it(fragile_worker: ModelWorker,
                                                            fake_openai: FakeOpenAI) -> None:
    first = fragile_worker.call(model_call(fake_openai), stall_timeout_s=5)  # idle_exit_s=2
    pid = fragile_worker.pid
    assert first.text and pid is not None
    done_at = time.monotonic()

    while fragile_worker.pid is not None and time.monotonic() - done_at < 40:
        time.sleep(0.1)
    assert fragile_worker.pid is None  # gone by itself
    # After its idle time (2 s, less the moment between its last reply and this process
    # getting it), not at once; how promptly after is the machine's business.
    assert time.monotonic() - done_at > 1.0

    again = fragile_worker.call(model_call(fake_openai), stall_timeout_s=5)
    assert again.text == first.text
    assert fragile_worker.pid not in (None, pid)


# -- last: what the test process itself loaded ---------------------------------------------------


def test_this_process_never_imported_litellm() -> None:
    assert "litellm" not in sys.modules
