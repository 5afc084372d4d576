"""Costs from litellm's bundled price list, without importing litellm."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from app.llm.pricing import estimate_call, estimate_cost, price_file
from app.memory.tokens import estimate_message_tokens

ROOT = Path(__file__).resolve().parents[3]


def test_the_price_file_is_found() -> None:
    path = price_file()
    assert path is not None and path.is_file()


@pytest.mark.parametrize("model", [
    "gpt-4o-mini", "openai/gpt-4o-mini", "anthropic/claude-haiku-4-5",
    "gemini/gemini-2.5-flash", "mistral/mistral-small-latest",
    "openrouter/openai/gpt-4o-mini",
])
def test_known_models_cost_something(model: str) -> None:
    cost = estimate_cost(model, 1000, 500)
    assert cost is not None and cost > 0
    assert estimate_cost(model, 2000, 1000) == pytest.approx(2 * cost)


def test_gpt_4o_mini_price() -> None:
    # $0.15 per million input tokens, $0.60 per million output tokens
    assert estimate_cost("openai/gpt-4o-mini", 1_000_000, 1_000_000) == pytest.approx(0.75)


def test_unknown_and_local() -> None:
    assert estimate_cost("openai/no-such-model-xyz", 100, 100) is None
    assert estimate_cost("mystery", 100, 100) is None
    assert estimate_cost("ollama_chat/llama3.2", 10_000, 10_000) == 0.0
    assert estimate_cost("ollama/whatever-custom", 10_000, 10_000) == 0.0


def test_estimate_message_tokens() -> None:
    assert estimate_message_tokens([{"role": "user", "content": "x" * 400}]) > 100


def test_a_calls_estimate_is_its_messages_text_and_framing() -> None:
    """One estimate of a call (app.memory.tokens) for the dry-run preview, the budget
    check, the prompt's room and the worker's fallback count: each message's text plus
    its framing (the dry-run and the budget check agreeing end to end:
    tests/integration/test_gateway.py)."""
    from app.memory.tokens import estimate_tokens as text_tokens

    texts = ["Journal 📓: call Mum at 15:00 #family", "Reflect on the day, kindly." * 40]
    messages = [{"role": "system", "content": texts[0]}, {"role": "user", "content": texts[1]}]
    tokens = sum(text_tokens(t) + 4 for t in texts) + 3
    assert estimate_message_tokens(messages) == tokens
    paid = estimate_call("openai/gpt-4o-mini", None, messages, 300)
    assert paid.input_tokens == tokens
    assert paid.cost_usd == estimate_cost("openai/gpt-4o-mini", tokens, 300)
    # A server on this machine costs nothing, whatever its model's name.
    assert estimate_call("openai/gpt-4o-mini", "http://127.0.0.1:8080/v1", messages,
                         300).cost_usd == 0.0


def test_pricing_does_not_import_litellm() -> None:
    code = ("import sys\nimport importlib.util\n"
            "from app.llm.pricing import estimate_cost\n"
            "assert estimate_cost('openai/gpt-4o-mini', 10, 10) > 0\n"
            "importlib.util.find_spec('litellm')\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'litellm'))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
