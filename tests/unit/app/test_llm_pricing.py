"""Costs from litellm's bundled price list, without importing litellm."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from app.llm.pricing import estimate_cost, estimate_tokens, price_file

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


def test_estimate_tokens() -> None:
    assert estimate_tokens([{"role": "user", "content": "x" * 400}]) > 100


def test_the_budget_check_counts_as_the_previews_do() -> None:
    """One estimate (app.memory.tokens) for the dry-run preview, the context builder and the
    budget check; the budget adds only each message's framing."""
    from app.memory.tokens import estimate_tokens as text_tokens

    texts = ["Journal 📓: call Mum at 15:00 #family", "Reflect on the day, kindly." * 40]
    messages = [{"role": "system", "content": texts[0]}, {"role": "user", "content": texts[1]}]
    assert estimate_tokens(messages) == sum(text_tokens(t) + 4 for t in texts) + 3


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
