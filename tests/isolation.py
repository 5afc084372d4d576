"""Keeps the suite away from the developer's desktop: no test (nor any process it starts)
reaches their D-Bus session bus, their keyring or their model providers' keys.

Set once, before anything is imported or started (pytest_configure), so that module- and
session-scoped fixtures and every subprocess inherit it, and again around every test:

- the session bus is none: DBUS_SESSION_BUS_ADDRESS names a socket nothing listens on, and
  XDG_RUNTIME_DIR (where a missing address is looked for) is a private, empty folder; a
  test that needs a bus starts its own (`private_bus`, tests/dbus_bus.py);
- every provider variable litellm or Wise would read (keys, endpoints, cloud credentials)
  is removed;
- the keyring is one that fails (as on a machine without one), in this process and in
  children (PYTHON_KEYRING_BACKEND); a test that needs a working one asks for
  `memory_keyring` (this process) or `file_keyring` (shared with `wise` children).
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.dbus_bus import Bus, start_bus

FAILING_KEYRING = "keyring.backends.fail.Keyring"

# Provider variables: any *_API_KEY-like name, and everything under a provider's prefix
# (litellm reads e.g. AZURE_API_VERSION, OLLAMA_API_BASE, OPENAI_ORGANIZATION,
# AWS_REGION_NAME, GOOGLE_APPLICATION_CREDENTIALS). LITELLM_* too: the model worker sets
# the ones it needs itself.
_PROVIDER_SUFFIXES = ("API_KEY", "API_BASE", "API_TOKEN", "API_VERSION", "BASE_URL",
                      "ACCESS_KEY", "SECRET_KEY", "ACCESS_TOKEN")
_PROVIDER_PREFIXES = (
    "OPENAI", "AZURE", "ANTHROPIC", "GEMINI", "GOOGLE", "VERTEX", "VERTEXAI", "OLLAMA",
    "GROQ", "MISTRAL", "OPENROUTER", "OR", "TOGETHER", "TOGETHERAI", "COHERE", "CO",
    "HUGGINGFACE", "HF", "AWS", "DEEPSEEK", "XAI", "PERPLEXITY", "PERPLEXITYAI",
    "FIREWORKS", "FIREWORKS_AI", "REPLICATE", "DATABRICKS", "WATSONX", "LM_STUDIO",
    "LITELLM", "NVIDIA_NIM", "CEREBRAS", "SAMBANOVA", "DEEPINFRA", "VOYAGE", "AI21",
    "CLOUDFLARE", "PREDIBASE", "FRIENDLI", "NSCALE", "MOONSHOT", "DASHSCOPE", "VLLM",
    "HOSTED_VLLM", "LLAMAFILE", "XINFERENCE", "TRITON")
PROVIDER_ENV = re.compile(
    rf"^(?:[A-Z0-9_]*_(?:{'|'.join(_PROVIDER_SUFFIXES)})"
    rf"|(?:{'|'.join(_PROVIDER_PREFIXES)})_[A-Z0-9_]*)$")


def provider_variables(environ: dict[str, str] | os._Environ) -> list[str]:
    return sorted(name for name in environ if PROVIDER_ENV.match(name.upper()))


class _NoDesktop:
    """The session-wide settings: a dead bus address and an empty runtime folder."""

    def __init__(self) -> None:
        # Short (a socket path has a length limit) and private, as a real one is.
        self.runtime = Path(tempfile.mkdtemp(prefix="wise-rt-"))
        self.runtime.chmod(0o700)
        self.dead_bus = f"unix:path={self.runtime / 'no-session-bus'}"

    def apply(self, setenv) -> None:
        setenv("DBUS_SESSION_BUS_ADDRESS", self.dead_bus)
        setenv("XDG_RUNTIME_DIR", str(self.runtime))
        setenv("PYTHON_KEYRING_BACKEND", FAILING_KEYRING)


_no_desktop: _NoDesktop | None = None


def pytest_configure(config: pytest.Config) -> None:
    global _no_desktop
    _no_desktop = _NoDesktop()
    for name in provider_variables(os.environ):
        del os.environ[name]
    os.environ.pop("DBUS_STARTER_ADDRESS", None)
    _no_desktop.apply(lambda name, value: os.environ.__setitem__(name, value))


def pytest_unconfigure(config: pytest.Config) -> None:
    if _no_desktop is not None:
        shutil.rmtree(_no_desktop.runtime, ignore_errors=True)


def _reset_keyring() -> None:
    """In this process: back to the failing backend (only once keyring is imported; a
    first import reads PYTHON_KEYRING_BACKEND, set above)."""
    if "keyring" in sys.modules:
        import keyring
        from keyring.backends import fail

        keyring.set_keyring(fail.Keyring())


@pytest.fixture(autouse=True)
def no_desktop(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Again for each test (a test or a fixture may have changed os.environ directly):
    no session bus, no provider variable, a failing keyring."""
    assert _no_desktop is not None
    for name in provider_variables(os.environ):
        monkeypatch.delenv(name)
    _no_desktop.apply(monkeypatch.setenv)
    _reset_keyring()
    yield
    _reset_keyring()
    if "app.llm.redact" in sys.modules:  # keys seen by one test are not the next one's
        sys.modules["app.llm.redact"].forget_secrets()


@pytest.fixture
def memory_keyring():
    """A working keyring in this process only (tests/keyring_backend.MemoryKeyring)."""
    import keyring

    from tests.keyring_backend import MemoryKeyring

    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    return backend


@pytest.fixture
def file_keyring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working keyring shared with `wise` children: a JSON file (its path returned).
    This process uses it too: once an earlier test has imported keyring, the environment
    variable alone would leave it on the failing backend."""
    import keyring

    from tests.keyring_backend import FILE_ENV, FileKeyring

    path = tmp_path / "keyring.json"
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "tests.keyring_backend.FileKeyring")
    monkeypatch.setenv(FILE_ENV, str(path))
    keyring.set_keyring(FileKeyring())
    return path


@pytest.fixture
def private_bus(monkeypatch: pytest.MonkeyPatch) -> Iterator[Bus]:
    """A D-Bus session bus of this test's own; DBUS_SESSION_BUS_ADDRESS points at it."""
    with start_bus() as bus:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", bus.address)
        yield bus
