"""Choosing a model without a terminal: the cloud providers offered by name, storing a key,
and `wise llm test` run as a child and told in plain words. Qt-free: the welcome and
Settings call these on a worker thread (they wait on the keyring, a process, the network).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from app.llm.providers import env_vars, provider_of

TEST_TIMEOUT_S = 180.0  # the first call pays for starting the model worker


@dataclass(frozen=True)
class CloudProvider:
    provider: str  # as `wise key set` names it
    label: str  # for a person
    example: str  # a model to start with (the user may type another)


CLOUD_PROVIDERS: tuple[CloudProvider, ...] = (
    CloudProvider("openai", "OpenAI", "openai/gpt-4o-mini"),
    CloudProvider("anthropic", "Anthropic (Claude)", "anthropic/claude-3-5-haiku-latest"),
    CloudProvider("gemini", "Google Gemini", "gemini/gemini-2.0-flash"),
    CloudProvider("openrouter", "OpenRouter", "openrouter/meta-llama/llama-3.3-70b-instruct"),
    CloudProvider("groq", "Groq", "groq/llama-3.1-8b-instant"),
    CloudProvider("mistral", "Mistral", "mistral/mistral-small-latest"),
)


@dataclass(frozen=True)
class TestOutcome:
    ok: bool
    words: str  # one or two sentences for a person
    detail: str  # the exact message, for those who want it (may be "")


# What a failed test means, and what to do, in words a non-developer can act on.
_FAILURE_WORDS = {
    "no_model": "No model is chosen yet. Pick one above, or leave it empty: Wise works "
                "without one.",
    "no_key": "This provider needs a key. Paste it above and press Store key.",
    "no_keyring": "Your computer has no keyring to keep the key safely. See below for "
                  "the environment variable that works instead.",
    "auth": "The provider refused the key. Check that it was pasted whole and is still "
            "valid.",
    "not_found": "The provider does not know this model. Check its name.",
    "bad_request": "The provider refused the request. The model name may be wrong.",
    "rate_limited": "The provider says too many requests for now. Try again in a minute.",
    "server": "The model's server had a problem. Try again in a moment.",
    "timeout": "The model took too long to answer. A local model may still be loading: try "
               "again in a minute.",
    "stalled": "The model stopped answering half-way. Try again in a moment.",
    "unreachable": "Wise could not reach the model's server. Is it running, and is the "
                   "address right?",
    "worker_died": "The part of Wise that talks to models stopped. Try again.",
    "over_budget": "This month's budget for paid models is used up (see Monthly budget).",
    "bad_output": "The model answered, but its reply could not be used. A larger model, or "
                  "one made for chat, usually does better.",
}


def test_words(data: dict) -> TestOutcome:
    """`wise llm test --json`'s answer, in plain words."""
    if data.get("ok"):
        seconds = (data.get("latency_ms") or 0) / 1000
        where = "on this computer, free" if data.get("local") else (
            f"cost ${float(data.get('cost_usd') or 0):.4f}")
        reply = " ".join(str(data.get("reply") or "").split())[:60]
        return TestOutcome(True, f"It works: {data.get('model')} answered in "
                                 f"{seconds:.1f} s ({where}).",
                           f"Its reply: “{reply}”" if reply else "")
    kind = str(data.get("error_kind") or "other")
    words = _FAILURE_WORDS.get(kind, "The test did not work.")
    return TestOutcome(False, words, str(data.get("message") or ""))


def run_test(wise_command: Sequence[str], *, timeout: float = TEST_TIMEOUT_S) -> TestOutcome:
    """Run `wise llm test --json` as a child (with the saved settings) and say how it went.
    Blocks: call it on a worker thread."""
    command = [*wise_command, "llm", "test", "--json"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, encoding="utf-8",
                              timeout=timeout, check=False, stdin=subprocess.DEVNULL,
                              creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0)
                              if sys.platform == "win32" else 0)
    except subprocess.TimeoutExpired:
        return TestOutcome(False, _FAILURE_WORDS["timeout"],
                           f"no answer within {timeout:.0f} s")
    except OSError as exc:
        return TestOutcome(False, "Wise could not start its own test.", str(exc))
    try:
        data = json.loads(done.stdout)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        lines = done.stderr.strip().splitlines()
        message = lines[-1].removeprefix("wise: ") if lines else "no message"
        # Exit 2: the settings themselves are the problem (a model name that cannot work).
        words = ("The model setting cannot work as written." if done.returncode == 2
                 else "The test did not work.")
        return TestOutcome(False, words, message)
    return test_words(data)


def key_situation(provider: str) -> str:
    """Where this provider's key would come from, in plain words (blocks on the keyring)."""
    from app.llm import keys
    from app.llm.types import ModelError

    variable = env_vars(provider)[0]
    try:
        source = keys.key_source(provider)
    except ModelError:
        return (f"No keyring is available on this computer, and Wise never keeps keys in "
                f"plain text. Set the environment variable {variable} for Wise instead.")
    if source == "environment":
        return f"A key comes from the environment variable {variable}."
    if source == "keyring":
        return "A key is stored in your system's keyring."
    return "No key is stored yet."


def store_key(provider: str, secret: str) -> str:
    """Keep the key in the keyring; the words to show. Raises ValueError with the words
    to show when it cannot be kept (nothing is stored then)."""
    from app.llm import keys
    from app.llm.types import ModelError

    secret = secret.strip()
    if not secret:
        raise ValueError("Paste the key first.")
    if any(c.isspace() for c in secret):
        raise ValueError("The key contains spaces or line breaks: paste just the key.")
    problem = keys.keyring_problem(provider)
    if problem:
        raise ValueError(problem)
    try:
        keys.set_key(provider, secret)
    except ModelError as exc:
        raise ValueError(str(exc)) from None
    env = keys.env_key(provider)
    if env is not None:
        return (f"Stored in your system's keyring. Note: {env[0]} is set, and is used "
                "instead while it is.")
    return "Stored in your system's keyring."


def cloud_provider_of(model: str) -> CloudProvider | None:
    provider = provider_of(model) if model.strip() else None
    return next((p for p in CLOUD_PROVIDERS if p.provider == provider), None)
