"""Model API keys: in the OS keyring only (service "wise", one entry per provider).

The provider's usual environment variable (OPENAI_API_KEY, ...) wins when it is set, so a
machine without a keyring can still use a cloud model. Where no keyring backend exists
(or it refuses to work), these functions raise ModelError("no_keyring") with one clear
message naming the alternatives. Wise never falls back to storing a key in plain text,
and refuses by name the backends that would (REFUSED_BACKENDS), even when keyring picks
one by itself.

Threading: keyring calls may block for a long time (a Secret Service unlock prompt, D-Bus
start-up). Never call these functions on the GUI thread; the tray calls them through its
background worker, the CLI and the gateway call them directly.
"""

from __future__ import annotations

import os
from types import ModuleType
from typing import TYPE_CHECKING, TypeGuard

from app.llm import redact
from app.llm.providers import env_vars, normalize_provider, valid_provider_name
from app.llm.types import ModelError

if TYPE_CHECKING:
    from keyring.backends.chainer import ChainerBackend

SERVICE = "wise"


def no_keyring_message(provider: str | None = None) -> str:
    if provider is None:
        return ("No system keyring is available to keep model API keys, and Wise never "
                "stores keys in plain text. Either set the provider's environment variable "
                "for Wise (e.g. OPENAI_API_KEY, ANTHROPIC_API_KEY), or install and unlock a "
                "Secret Service (such as gnome-keyring, KWallet or KeePassXC), then run "
                "`wise key set PROVIDER`.")
    provider = normalize_provider(provider)
    return (f"No system keyring is available to keep your {provider} API key, and Wise never "
            "stores keys in plain text. Either set the environment variable "
            f"{env_vars(provider)[0]} for Wise, or install and unlock a Secret Service "
            "(such as gnome-keyring, KWallet or KeePassXC), then run "
            f"`wise key set {provider}`.")


# Backends Wise never keeps a key in, by class name: keyring picks them on its own when
# keyrings.alt is installed, and "stored in the system keyring" would then be untrue.
REFUSED_BACKENDS = {
    "PlaintextKeyring": "keeps keys in a plain text file, readable by anything that can "
                        "read your files",
    # keyrings.alt's file-based EncryptedKeyring (not its Windows one, which uses DPAPI):
    # it asks for its own password on a terminal in every new process, which the tray and
    # its background tasks cannot answer, so a key would be unusable when it is needed.
    "EncryptedKeyring": "asks for its own password on a terminal every time a program "
                        "starts, which the tray and its background tasks cannot answer",
}
_ENCRYPTED_FILE_MODULES = ("keyrings.alt.file", "keyrings.alt.pyfs")


def backend_name(backend: object) -> str:
    return f"{type(backend).__module__}.{type(backend).__qualname__}"


def refused_because(backend: object) -> str | None:
    """Why Wise will not keep keys in this backend (None: it will). A chainer is judged
    by its first backend, the one keyring writes to."""
    if _is_chainer(backend):
        chained = list(backend.backends)
        return refused_because(chained[0]) if chained else None
    kind = type(backend).__name__
    if kind == "EncryptedKeyring" and not type(backend).__module__.startswith(
            _ENCRYPTED_FILE_MODULES):
        return None
    return REFUSED_BACKENDS.get(kind)


def refused_message(backend: object, why: str, provider: str | None = None) -> str:
    chained = list(backend.backends) if _is_chainer(backend) else []
    name = backend_name(chained[0] if chained else backend)
    if provider is None:
        variable, then = "the provider's environment variable (e.g. OPENAI_API_KEY)", "."
    else:
        provider = normalize_provider(provider)
        variable, then = env_vars(provider)[0], f", then run `wise key set {provider}`."
    return (f"The keyring backend {name} {why}, so Wise does not keep keys in it. Set "
            f"{variable} for Wise instead, or install and unlock a Secret Service (such as "
            "gnome-keyring, KWallet or KeePassXC) and choose it with PYTHON_KEYRING_BACKEND "
            f"(e.g. keyring.backends.SecretService.Keyring){then}")


def _keyring(provider: str | None):  # -> the keyring module, with a working backend
    import keyring
    from keyring.backends import fail

    try:
        backend = keyring.get_keyring()
    except Exception as exc:  # a broken keyring configuration is "no keyring" to the user
        raise ModelError("no_keyring", no_keyring_message(provider)) from exc
    if _unusable(backend, fail):
        raise ModelError("no_keyring", no_keyring_message(provider))
    why = refused_because(backend)
    if why is not None:
        raise ModelError("no_keyring", refused_message(backend, why, provider))
    return keyring


def _unusable(backend: object, fail: ModuleType) -> bool:
    if isinstance(backend, fail.Keyring):
        return True
    if backend_name(backend) == "keyring.backends.null.Keyring":  # would drop keys
        return True
    # The chainer with nothing to chain, or only backends that cannot keep a key, behaves
    # like the fail backend.
    return _is_chainer(backend) and all(_unusable(each, fail) for each in backend.backends)


def _is_chainer(backend: object) -> TypeGuard[ChainerBackend]:
    from keyring.backends.chainer import ChainerBackend

    return isinstance(backend, ChainerBackend)


def _check(provider: str) -> str:
    provider = normalize_provider(provider)
    if not valid_provider_name(provider):
        raise ValueError(f"{provider!r} is not a provider name (e.g. openai, anthropic)")
    return provider


def env_key(provider: str) -> tuple[str, str] | None:
    """(variable, value) of the first of the provider's env vars that is set, or None."""
    for name in env_vars(provider):
        value = os.environ.get(name, "").strip()
        if value:
            return name, value
    return None


def get_key(provider: str) -> str | None:
    """The provider's key: its environment variable when set, else the keyring's entry,
    else None. Raises ModelError("no_keyring") when the keyring is needed and missing."""
    provider = _check(provider)
    found = env_key(provider)
    if found is not None:
        redact.register_secret(found[1])
        return found[1]
    keyring = _keyring(provider)
    try:
        value = keyring.get_password(SERVICE, provider)
    except keyring.errors.KeyringError as exc:  # locked and not unlocked, D-Bus gone...
        raise ModelError("no_keyring", _failed(provider, exc)) from exc
    if value:
        redact.register_secret(value)
    return value or None


def set_key(provider: str, secret: str) -> None:
    provider = _check(provider)
    secret = secret.strip()
    if not secret:
        raise ValueError("an empty key cannot be stored")
    redact.register_secret(secret)
    keyring = _keyring(provider)
    try:
        keyring.set_password(SERVICE, provider, secret)
    except keyring.errors.KeyringError as exc:
        raise ModelError("no_keyring", _failed(provider, exc)) from exc


def delete_key(provider: str) -> bool:
    """Remove the stored key; False when there was none."""
    provider = _check(provider)
    keyring = _keyring(provider)
    try:
        if keyring.get_password(SERVICE, provider) is None:
            return False
        keyring.delete_password(SERVICE, provider)
    except keyring.errors.PasswordDeleteError:
        return False
    except keyring.errors.KeyringError as exc:
        raise ModelError("no_keyring", _failed(provider, exc)) from exc
    return True


def key_source(provider: str) -> str | None:
    """"environment", "keyring" or None. Raises ModelError("no_keyring") only when no env
    var is set and the keyring cannot be asked."""
    provider = _check(provider)
    if env_key(provider) is not None:
        return "environment"
    keyring = _keyring(provider)
    try:
        return "keyring" if keyring.get_password(SERVICE, provider) else None
    except keyring.errors.KeyringError as exc:
        raise ModelError("no_keyring", _failed(provider, exc)) from exc


def keyring_problem(provider: str | None = None) -> str | None:
    """None when a usable keyring backend exists, else the one clear message."""
    try:
        _keyring(provider)
    except ModelError as exc:
        return str(exc)
    return None


def _failed(provider: str, exc: Exception) -> str:
    detail = redact.redact(str(exc)) or type(exc).__name__
    return (f"The system keyring did not answer ({detail}). Unlock it (gnome-keyring, "
            f"KWallet, KeePassXC...) and try again, or set {env_vars(provider)[0]} for Wise.")
