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
from pathlib import Path

from app.llm.providers import LOCAL_PROVIDERS, normalize_provider, provider_of
from app.memory.tokens import estimate_tokens as estimate_text_tokens

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


def estimate_tokens(messages: list[dict]) -> int:
    """What the messages cost for the budget check: the one estimate the previews and the
    context builder use (app.memory.tokens, an upper bound), plus each message's framing."""
    total = 0
    for message in messages:
        content = message.get("content", "")
        if not isinstance(content, str):
            content = json.dumps(content, ensure_ascii=False)
        total += estimate_text_tokens(content) + 4
    return total + 3
