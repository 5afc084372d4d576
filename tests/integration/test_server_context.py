"""The context window as the user's own server says it, asked of the scripted server
(tests/fake_openai.py) the way llama.cpp's server, vLLM and Ollama answer; remembered in
model-memory.json; the user's explicit llm.context_tokens still wins. No model call is
made (nothing starts a worker)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.journal import Context
from app.llm.gateway import Gateway
from app.llm.model_memory import FILE_NAME
from app.structured_call import ASSUMED_LOCAL_CONTEXT, context_tokens, input_budget
from tests.fake_openai import FakeOpenAI


@pytest.fixture
def context(wise_home: Path, fake_openai: FakeOpenAI) -> Context:
    ctx = Context.from_environment()
    ctx.settings.values.update({"llm.model": "openai/test-model",
                                "llm.api_base": fake_openai.base_url})
    return ctx


@pytest.fixture
def gateway(context: Context):
    journal = context.open_journal()
    yield Gateway(context, journal)
    journal.close()


def remembered(context: Context) -> dict:
    return json.loads((context.paths.data_dir / FILE_NAME).read_text())


def test_llama_cpp_servers_props_are_read_once_and_remembered(
        gateway: Gateway, context: Context, fake_openai: FakeOpenAI) -> None:
    fake_openai.props = {"default_generation_settings": {"n_ctx": 8192}, "total_slots": 1}
    assert context_tokens(gateway) == 8192
    assert input_budget(gateway, 6000, 700) == 6000  # no longer squeezed into 2,048
    assert fake_openai.asked == ["/props"]
    entry = remembered(context)[f"openai/test-model @ {fake_openai.base_url}"]
    assert entry["context_tokens"] == 8192
    fake_openai.props = {"default_generation_settings": {"n_ctx": 512}}
    assert context_tokens(gateway) == 8192  # from memory: the server is not asked again
    assert fake_openai.asked == ["/props"]


def test_vllm_says_it_in_its_models_list(gateway: Gateway, fake_openai: FakeOpenAI) -> None:
    fake_openai.model_fields = {"max_model_len": 32768}
    assert context_tokens(gateway) == 32768
    assert fake_openai.asked == ["/props", "/v1/models"]


def test_a_server_that_does_not_say_keeps_the_assumption_and_is_not_asked_again(
        gateway: Gateway, fake_openai: FakeOpenAI) -> None:
    assert context_tokens(gateway) == ASSUMED_LOCAL_CONTEXT  # llama-cpp-python's way
    asked = list(fake_openai.asked)
    assert context_tokens(gateway) == ASSUMED_LOCAL_CONTEXT
    assert fake_openai.asked == asked


def test_the_users_own_setting_wins(gateway: Gateway, context: Context,
                                    fake_openai: FakeOpenAI) -> None:
    fake_openai.props = {"default_generation_settings": {"n_ctx": 8192}}
    context.settings.values["llm.context_tokens"] = 3000
    assert context_tokens(gateway) == 3000
    assert fake_openai.asked == []


@pytest.mark.parametrize(("show", "expected"), [
    ({"parameters": "temperature 0.7\nnum_ctx 16384", "model_info": {
        "llama.context_length": 131072}}, 16384),
    # No num_ctx: Ollama gives the model its default, not the length it was trained to.
    ({"parameters": "", "model_info": {"gemma3.context_length": 131072}}, 4096),
    ({"model_info": {"gemma3.context_length": 1024}}, 1024),
])
def test_ollama_says_it_in_api_show(context: Context, gateway: Gateway,
                                    fake_openai: FakeOpenAI, show: dict,
                                    expected: int) -> None:
    context.settings.values.update({"llm.model": "ollama_chat/gemma3:1b",
                                    "llm.api_base": fake_openai.base_url.removesuffix("/v1")})
    fake_openai.ollama_show = show
    assert context_tokens(gateway) == expected
    assert fake_openai.asked == ["/api/show"]
