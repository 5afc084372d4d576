"""What a model call costs, from litellm's bundled price list, without importing litellm.

litellm ships ``model_prices_and_context_window_backup.json`` inside its package. Importing
litellm takes seconds (and only the worker process may), so this module finds the file
with ``importlib.util.find_spec("litellm")`` — for a top-level package that locates it on
disk without running its ``__init__`` — and parses the JSON once, on first use.

Cost follows the model *name*: "openai/gpt-4o-mini" is priced even behind a loopback
proxy; local providers (Ollama, LM Studio, llamafile) cost 0; a name the list does not
know is None ("unknown"), which callers treat as free for local servers and as
"unpriced" for cloud ones.
"""

from __future__ import annotations

import importlib.util
import json
import threading
from dataclasses import dataclass
from pathlib import Path

from app.llm.providers import LOCAL_PROVIDERS, is_local, normalize_provider, provider_of
from app.memory.tokens import estimate_message_tokens

PRICE_FILE = "model_prices_and_context_window_backup.json"

_prices: dict[str, dict] | None = None
_lock = threading.Lock()


def price_file() -> Path | None:
    spec = importlib.util.find_spec("litellm")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        candidate = Path(folder) / PRICE_FILE
        if candidate.is_file():
            return candidate
    return None


def _table() -> dict[str, dict]:
    global _prices
    with _lock:
        if _prices is None:
            path = price_file()
            try:
                data = json.loads(path.read_text(encoding="utf-8")) if path else {}
            except (OSError, ValueError):
                data = {}
            _prices = {k: v for k, v in data.items() if isinstance(v, dict)}
        return _prices


def _entry(model: str, depth: int = 0) -> dict | None:
    table = _table()
    if model in table:
        return table[model]
    provider = provider_of(model)
    if "/" in model:
        prefix, rest = model.split("/", 1)
        normalized = f"{normalize_provider(prefix)}/{rest}"
        if normalized in table:
            return table[normalized]
        if rest in table:
            return table[rest]
        if "/" in rest and depth < 2:  # openrouter/openai/gpt-4o-mini: the model behind it
            return _entry(rest, depth + 1)
        return None
    if provider and f"{provider}/{model}" in table:
        return table[f"{provider}/{model}"]
    return None


def estimate_cost(model: str, input_tokens: int, output_tokens: int) -> float | None:
    """US dollars for this many tokens; 0.0 for local providers; None when unknown."""
    if provider_of(model) in LOCAL_PROVIDERS:
        return 0.0
    entry = _entry(model.strip())
    if entry is None:
        return None
    try:
        per_in = float(entry["input_cost_per_token"])
        per_out = float(entry.get("output_cost_per_token", 0.0))
    except (KeyError, TypeError, ValueError):
        return None
    return max(0, input_tokens) * per_in + max(0, output_tokens) * per_out


@dataclass(frozen=True)
class CallEstimate:
    """What a call is expected to cost before it is made."""

    input_tokens: int
    cost_usd: float | None  # None: a cloud model the price list does not know


def estimate_call(model: str, api_base: str | None, messages: list[dict],
                  max_output_tokens: int) -> CallEstimate:
    """The one estimate of a call, for the budget check and the dry-run preview alike: the
    messages' tokens (app.memory.tokens) and the most the call may cost; a server on this
    machine costs nothing."""
    tokens = estimate_message_tokens(messages)
    if is_local(model, api_base):
        return CallEstimate(tokens, 0.0)
    return CallEstimate(tokens, estimate_cost(model, tokens, max_output_tokens))
