"""Providers and their keys: env var mapping, the keyring (in memory here), no keyring."""

from __future__ import annotations

import keyring
import keyring.errors
import pytest
from keyring.backends import fail
from keyring.backends.chainer import ChainerBackend

from app.llm import keys, providers, redact
from app.llm.types import ModelError
from tests.keyring_backend import MemoryKeyring

ALL_ENV_VARS = {name for names in providers.ENV_VARS.values() for name in names}


class LockedKeyring(MemoryKeyring):
    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringLocked("the collection is locked")


@pytest.fixture
def use_keyring():
    previous = keyring.get_keyring()

    def install(backend):
        keyring.set_keyring(backend)
        return backend

    yield install
    keyring.set_keyring(previous)


@pytest.fixture
def memory(use_keyring) -> MemoryKeyring:
    return use_keyring(MemoryKeyring())


# -- providers -------------------------------------------------------------------------------


@pytest.mark.parametrize(("model", "provider"), [
    ("openai/gpt-4o-mini", "openai"),
    ("anthropic/claude-haiku-4-5", "anthropic"),
    ("gemini/gemini-2.5-flash", "gemini"),
    ("ollama/llama3", "ollama"),
    ("ollama_chat/llama3.2", "ollama"),
    ("openrouter/anthropic/claude-3.5-sonnet", "openrouter"),
    ("groq/llama-3.1-8b-instant", "groq"),
    ("mistral/mistral-small-latest", "mistral"),
    ("gpt-4o", "openai"),
    ("claude-haiku-4-5", "anthropic"),
    ("o3-mini", "openai"),
    ("mystery-model", None),
])
def test_provider_of(model: str, provider: str | None) -> None:
    assert providers.provider_of(model) == provider


def test_env_vars() -> None:
    assert providers.env_vars("openai") == ("OPENAI_API_KEY",)
    assert providers.env_vars("anthropic") == ("ANTHROPIC_API_KEY",)
    assert providers.env_vars("gemini") == ("GEMINI_API_KEY", "GOOGLE_API_KEY")
    assert providers.env_vars("groq") == ("GROQ_API_KEY",)
    assert providers.env_vars("mistral") == ("MISTRAL_API_KEY",)
    assert providers.env_vars("openrouter") == ("OPENROUTER_API_KEY",)
    assert providers.env_vars("together_ai") == ("TOGETHER_AI_API_KEY",)


@pytest.mark.parametrize(("model", "api_base", "local"), [
    ("ollama_chat/llama3.2", None, True),
    ("ollama/llama3", "http://192.168.1.20:11434", True),  # the user's own server
    ("openai/test-model", "http://127.0.0.1:8080/v1", True),
    ("openai/test-model", "http://localhost:1234/v1", True),
    ("openai/test-model", "http://[::1]:8000/v1", True),
    ("openai/gpt-4o-mini", None, False),
    ("openai/gpt-4o-mini", "https://proxy.example.com/v1", False),
])
def test_local_and_key_need(model: str, api_base: str | None, local: bool) -> None:
    assert providers.is_local(model, api_base) is local
    assert providers.needs_key(model, api_base) is (not local)


def test_setting_problems() -> None:
    assert providers.model_problem("openai/gpt-4o-mini") is None
    assert providers.model_problem("") is None
    assert "provider/model" in providers.model_problem("mystery")
    assert "space" in providers.model_problem("openai/gpt 4o")
    assert providers.api_base_problem("http://127.0.0.1:8080/v1") is None
    assert "http(s)" in providers.api_base_problem("localhost:8080")
    assert providers.parse_fallbacks("a/b, c/d http://127.0.0.1:1/v1 ,") == [
        ("a/b", None), ("c/d", "http://127.0.0.1:1/v1")]
    assert providers.fallback_problem("openai/gpt-4o-mini, ollama_chat/llama3.2") is None
    assert providers.fallback_problem("openai/x ftp://nope") is not None


# -- keys ------------------------------------------------------------------------------------


def test_set_get_delete(memory: MemoryKeyring) -> None:
    assert keys.get_key("openai") is None
    assert keys.key_source("openai") is None
    keys.set_key("openai", "  sk-test-abcdefghijklmnop1234  ")
    assert memory.items[("wise", "openai")] == "sk-test-abcdefghijklmnop1234"
    assert keys.get_key("OpenAI") == "sk-test-abcdefghijklmnop1234"
    assert keys.key_source("openai") == "keyring"
    assert keys.delete_key("openai") is True
    assert keys.delete_key("openai") is False
    assert keys.get_key("openai") is None


def test_environment_wins(memory: MemoryKeyring, monkeypatch: pytest.MonkeyPatch) -> None:
    keys.set_key("gemini", "stored-gemini-key-123456")
    assert keys.get_key("gemini") == "stored-gemini-key-123456"
    monkeypatch.setenv("GOOGLE_API_KEY", "google-env-key-123456")
    assert keys.get_key("gemini") == "google-env-key-123456"
    assert keys.key_source("gemini") == "environment"
    monkeypatch.setenv("GEMINI_API_KEY", "gemini-env-key-123456")
    assert keys.get_key("gemini") == "gemini-env-key-123456"


def test_returned_keys_are_redacted_from_then_on(memory: MemoryKeyring) -> None:
    memory.items[("wise", "mistral")] = "plainlookingmistralkey42"
    assert redact.redact("x plainlookingmistralkey42 y") == "x plainlookingmistralkey42 y"
    keys.get_key("mistral")
    assert redact.redact("x plainlookingmistralkey42 y") == "x [redacted] y"


def test_no_keyring_backend_is_said_clearly(use_keyring) -> None:
    use_keyring(fail.Keyring())
    for action in (lambda: keys.get_key("openai"), lambda: keys.set_key("openai", "sk-x1234567"),
                   lambda: keys.delete_key("openai"), lambda: keys.key_source("openai")):
        with pytest.raises(ModelError) as caught:
            action()
        assert caught.value.kind == "no_keyring"
        message = str(caught.value)
        assert "OPENAI_API_KEY" in message
        assert "gnome-keyring" in message and "KWallet" in message and "KeePassXC" in message
        assert "plain text" in message
    assert keys.keyring_problem() is not None


def test_environment_works_without_a_keyring(use_keyring,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    use_keyring(fail.Keyring())
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-env-0123456789abcdef")
    assert keys.get_key("anthropic") == "sk-ant-env-0123456789abcdef"
    assert keys.key_source("anthropic") == "environment"


class PlaintextKeyring(MemoryKeyring):
    """Named as keyrings.alt's plain-text backend: what keyring picks by itself when
    keyrings.alt is installed and no Secret Service runs."""


class EncryptedKeyring(MemoryKeyring):
    """Named and placed as keyrings.alt's file-based EncryptedKeyring (terminal password)."""


EncryptedKeyring.__module__ = "keyrings.alt.file"


def chainer_of(*backends) -> ChainerBackend:
    class Chain(ChainerBackend):
        pass

    Chain.backends = list(backends)  # what keyring would find, in priority order
    return Chain()


@pytest.mark.parametrize(("backend", "name", "why"), [
    (PlaintextKeyring(), "PlaintextKeyring", "plain text file"),
    (EncryptedKeyring(), "keyrings.alt.file.EncryptedKeyring",
     "asks for its own password on a terminal"),
    (chainer_of(PlaintextKeyring(), MemoryKeyring()), "PlaintextKeyring", "plain text file"),
])
def test_keyrings_that_would_not_keep_a_key_safe_are_refused_by_name(
        use_keyring, backend, name: str, why: str) -> None:
    """keyring picks such a backend on its own; Wise must not say "stored in the system
    keyring" then. It refuses, says why, and offers the environment variable."""
    use_keyring(backend)
    for action in (lambda: keys.get_key("openai"), lambda: keys.set_key("openai", "sk-x1234567"),
                   lambda: keys.key_source("openai")):
        with pytest.raises(ModelError) as caught:
            action()
        assert caught.value.kind == "no_keyring"
        message = str(caught.value)
        assert why in message and "OPENAI_API_KEY" in message
        assert "PYTHON_KEYRING_BACKEND" in message
    assert name in keys.keyring_problem()
    assert getattr(backend, "items", {}) == {}  # nothing was written into it


def test_a_chainer_writing_to_a_good_keyring_first_is_accepted(use_keyring) -> None:
    good = MemoryKeyring()
    use_keyring(chainer_of(good, PlaintextKeyring()))
    keys.set_key("openai", "sk-proj-0123456789abcdef")
    assert good.items == {("wise", "openai"): "sk-proj-0123456789abcdef"}
    assert keys.keyring_problem() is None


def test_a_chainer_of_nothing_usable_is_no_keyring(use_keyring) -> None:
    use_keyring(chainer_of())
    assert "No system keyring" in keys.keyring_problem()


def test_the_windows_encrypted_keyring_is_not_the_refused_one() -> None:
    class WindowsEncrypted(MemoryKeyring):
        pass

    WindowsEncrypted.__name__ = "EncryptedKeyring"
    WindowsEncrypted.__module__ = "keyrings.alt.Windows"  # DPAPI: no terminal prompt
    assert keys.refused_because(WindowsEncrypted()) is None


def test_a_locked_keyring_is_no_keyring(use_keyring) -> None:
    use_keyring(LockedKeyring())
    with pytest.raises(ModelError) as caught:
        keys.get_key("groq")
    assert caught.value.kind == "no_keyring"
    assert "GROQ_API_KEY" in str(caught.value)


def test_bad_provider_names_are_refused(memory: MemoryKeyring) -> None:
    with pytest.raises(ValueError, match="provider"):
        keys.set_key("../etc", "sk-whatever-1234567")
    with pytest.raises(ValueError, match="empty"):
        keys.set_key("openai", "   ")
