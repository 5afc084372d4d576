"""Which provider serves a model string, which key it needs, and whether it is local.

Model strings are litellm's: ``provider/model`` ("openai/gpt-4o-mini",
"ollama_chat/llama3.2", "openrouter/anthropic/claude-3.5-sonnet"), or a bare name litellm
knows ("gpt-4o", "claude-haiku-4-5").

"Local" (one rule, which the model worker uses too):

- a local provider (Ollama, LM Studio, llamafile, vLLM, Xinference, Triton), wherever
  its server runs (it is the user's own); or
- any model whose ``api_base`` is a loopback address (localhost, 127.0.0.1, ::1, 0.0.0.0):
  a server on this machine (llama.cpp, vLLM, a test server...).

A local model needs no key and costs 0 (it is never stopped by the monthly budget). A key
stored for its provider is still sent when there is one (a local proxy may want it), but
its absence is not an error. One consequence, documented: a LiteLLM proxy on localhost
that forwards to a paid service is counted as free; set its costs there.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

# The providers `wise key status` lists, with their usual environment variables (the
# first one is the one Wise suggests; any of them is read).
ENV_VARS: dict[str, tuple[str, ...]] = {
    "openai": ("OPENAI_API_KEY",),
    "anthropic": ("ANTHROPIC_API_KEY",),
    "gemini": ("GEMINI_API_KEY", "GOOGLE_API_KEY"),
    "openrouter": ("OPENROUTER_API_KEY",),
    "groq": ("GROQ_API_KEY",),
    "mistral": ("MISTRAL_API_KEY",),
    "deepseek": ("DEEPSEEK_API_KEY",),
    "xai": ("XAI_API_KEY",),
}
KNOWN_PROVIDERS: tuple[str, ...] = tuple(ENV_VARS)

# Served on the user's own hardware: no key, no cost.
LOCAL_PROVIDERS = frozenset({"ollama", "lm_studio", "llamafile", "vllm", "hosted_vllm",
                             "xinference", "triton"})
# Credentials come from the cloud SDK's own configuration, not from one API key.
AMBIENT_CREDENTIAL_PROVIDERS = frozenset({"bedrock", "vertex_ai", "sagemaker"})

_ALIASES = {"ollama_chat": "ollama", "google": "gemini", "together": "together_ai"}
_BARE_PREFIXES = (
    ("gpt-", "openai"), ("chatgpt-", "openai"), ("o1", "openai"), ("o3", "openai"),
    ("o4", "openai"), ("text-embedding-", "openai"),
    ("claude-", "anthropic"),
    ("gemini-", "gemini"),
)
_PROVIDER_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")


def normalize_provider(name: str) -> str:
    """'OpenAI ' -> 'openai'; 'ollama_chat' -> 'ollama'."""
    name = name.strip().lower()
    return _ALIASES.get(name, name)


def provider_of(model: str) -> str | None:
    """The provider a model string names, or None for a bare name Wise cannot place."""
    model = model.strip()
    if "/" in model:
        prefix = model.split("/", 1)[0]
        return normalize_provider(prefix) if prefix else None
    lower = model.lower()
    for prefix, provider in _BARE_PREFIXES:
        if lower.startswith(prefix):
            return provider
    return None


def env_vars(provider: str) -> tuple[str, ...]:
    """The environment variables that may hold this provider's key (first: the usual one)."""
    provider = normalize_provider(provider)
    return ENV_VARS.get(provider, (f"{provider.upper().replace('-', '_')}_API_KEY",))


def is_loopback(api_base: str | None) -> bool:
    if not api_base:
        return False
    try:
        host = urlsplit(api_base.strip()).hostname
    except ValueError:
        return False
    if not host:
        return False
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def is_local(model: str, api_base: str | None = None) -> bool:
    """Served on this machine or by the user's own server: no key needed, no cost."""
    return provider_of(model) in LOCAL_PROVIDERS or is_loopback(api_base)


def needs_key(model: str, api_base: str | None = None) -> bool:
    provider = provider_of(model)
    return not (is_local(model, api_base) or provider in AMBIENT_CREDENTIAL_PROVIDERS)


def valid_provider_name(name: str) -> bool:
    return bool(_PROVIDER_NAME.match(normalize_provider(name)))


def model_problem(model: str) -> str | None:
    """Why a model string cannot be used as written, or None when it looks right."""
    if not model.strip():
        return None
    if any(c.isspace() for c in model.strip()):
        return f"the model {model!r} contains a space; write it as provider/model"
    provider = provider_of(model)
    if provider is not None and not valid_provider_name(provider):
        return f"{provider!r} in {model!r} is not a provider name (e.g. openai, ollama_chat)"
    if provider is None:
        return (f"Wise cannot tell which provider serves {model!r}; write it as "
                "provider/model, e.g. openai/gpt-4o-mini, anthropic/claude-haiku-4-5 "
                "or ollama_chat/llama3.2")
    if model.endswith("/"):
        return f"the model {model!r} names a provider but no model"
    return None


def api_base_problem(api_base: str, setting: str = "llm.api_base") -> str | None:
    """Why an api_base cannot be used, or None when it looks like an http(s) address."""
    if not api_base.strip():
        return None
    try:
        parts = urlsplit(api_base.strip())
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        return (f"{setting} must be an http(s) address like http://localhost:11434 or "
                f"http://127.0.0.1:8080/v1, not {api_base!r}")
    return None


def parse_fallbacks(text: str) -> list[tuple[str, str | None]]:
    """`llm.fallbacks` -> [(model, api_base or None)].

    Comma-separated model strings; an entry may name its own server after a space:
    "openai/gpt-4o-mini, openai/qwen2.5 http://127.0.0.1:1234/v1"."""
    result: list[tuple[str, str | None]] = []
    for entry in text.split(","):
        words = entry.split()
        if not words:
            continue
        result.append((words[0], words[1] if len(words) > 1 else None))
    return result


def fallback_problem(text: str) -> str | None:
    for entry in text.split(","):
        words = entry.split()
        if not words:
            continue
        if len(words) > 2:
            return (f"llm.fallbacks: {entry.strip()!r} should be a model, optionally followed "
                    "by its server address")
        problem = model_problem(words[0])
        if problem is None and len(words) == 2:
            problem = api_base_problem(words[1], "a fallback's address")
        if problem:
            return f"llm.fallbacks: {problem}"
    return None
