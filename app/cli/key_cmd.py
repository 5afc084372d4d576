"""`wise key set|delete|status`: model API keys in the system keyring.

A key is read from a hidden prompt (a terminal) or one line of standard input (a pipe),
never from the command line, where it would land in the shell history and in `ps`. No
output ever shows any part of it.
"""

from __future__ import annotations

import getpass
import sys
from argparse import Namespace
from dataclasses import dataclass

from app.cli.output import emit
from app.errors import BadInput, WiseError


@dataclass(frozen=True)
class KeyStored:
    provider: str
    stored: bool
    store: str  # where: "keyring"
    environment_overrides: str | None  # a variable set here that is used instead


@dataclass(frozen=True)
class KeyDeleted:
    provider: str
    deleted: bool  # False: none was stored
    environment: str | None  # a variable set here that still provides a key


@dataclass(frozen=True)
class Keyring:
    available: bool
    backend: str
    message: str | None  # why it is not available


@dataclass(frozen=True)
class ProviderKey:
    provider: str
    source: str | None  # "environment", "keyring" or None
    env_var: str
    used_by: list[str]  # the configured models that need it


@dataclass(frozen=True)
class KeyStatus:
    keyring: Keyring
    providers: list[ProviderKey]


def _provider(args: Namespace) -> str:
    from app.llm.providers import normalize_provider, valid_provider_name

    provider = normalize_provider(args.provider)
    if not valid_provider_name(provider):
        raise BadInput(f"{args.provider!r} is not a provider name; use e.g. openai, anthropic, "
                       "gemini, openrouter, groq or mistral")
    return provider


def _read_secret(provider: str) -> str:
    if sys.stdin is None:
        raise BadInput("no key given: pipe it on standard input or run this in a terminal")
    if sys.stdin.isatty():
        try:
            secret = getpass.getpass(f"API key for {provider} (typing is hidden): ")
        except EOFError:
            secret = ""
    else:
        secret = sys.stdin.readline()
    secret = secret.strip()
    if not secret:
        raise BadInput("no key given (nothing was stored)")
    if any(c.isspace() for c in secret):
        raise BadInput("the key contains spaces or line breaks; paste just the key "
                       "(nothing was stored)")
    return secret


def run_set(args: Namespace) -> int:
    from app.llm import keys
    from app.llm.types import ModelError

    provider = _provider(args)
    problem = keys.keyring_problem(provider)  # before asking for a secret that cannot be kept
    if problem:
        raise WiseError(problem)
    secret = _read_secret(provider)
    try:
        keys.set_key(provider, secret)
    except ModelError as exc:
        raise WiseError(str(exc)) from None
    del secret
    env = keys.env_key(provider)
    lines = [f"Stored the {provider} API key in the system keyring (service \"wise\")."]
    if env is not None:
        lines.append(f"Note: {env[0]} is set in this environment and is used instead of "
                     "the stored key while it is set.")
    emit(args, KeyStored(provider, True, "keyring", env[0] if env else None),
         "\n".join(lines))
    return 0


def run_delete(args: Namespace) -> int:
    from app.llm import keys
    from app.llm.types import ModelError

    provider = _provider(args)
    try:
        deleted = keys.delete_key(provider)
    except ModelError as exc:
        raise WiseError(str(exc)) from None
    env = keys.env_key(provider)
    text = (f"Removed the stored {provider} API key." if deleted
            else f"No {provider} API key was stored.")
    if env is not None:
        text += f" ({env[0]} is still set in this environment and provides a key.)"
    emit(args, KeyDeleted(provider, deleted, env[0] if env else None), text)
    return 0


def run_status(args: Namespace) -> int:
    """Exit 0 even without a keyring: the status itself was found (it says so)."""
    from app.journal import Context
    from app.llm import keys, providers
    from app.llm.types import ModelError

    names = list(providers.KNOWN_PROVIDERS)
    needed: dict[str, list[str]] = {}
    settings = Context.from_environment().settings
    configured = [settings.get("llm.model").strip()]
    configured += [m for m, _ in providers.parse_fallbacks(settings.get("llm.fallbacks"))]
    api_base = settings.get("llm.api_base").strip() or None
    for index, model in enumerate(m for m in configured if m):
        provider = providers.provider_of(model)
        if provider is None or not providers.valid_provider_name(provider):
            continue
        if provider not in names and providers.needs_key(model, api_base if index == 0
                                                          else None):
            names.append(provider)
        needed.setdefault(provider, []).append(model)

    problem = keys.keyring_problem()
    rows = []
    for provider in names:
        env = keys.env_key(provider)
        if env is not None:
            source = "environment"
        elif problem:
            source = None
        else:
            try:
                source = keys.key_source(provider)
            except ModelError as exc:  # the keyring stopped answering mid-way
                problem = str(exc)
                source = None
        rows.append(ProviderKey(provider, source,
                                env[0] if env else providers.env_vars(provider)[0],
                                needed.get(provider, [])))

    data = KeyStatus(Keyring(problem is None, _backend_name(), problem), rows)
    width = max(len(r.provider) for r in rows)
    lines = [f"Keyring: {_backend_name()}" if problem is None
             else "Keyring: not available"]
    for row in rows:
        if row.source == "environment":
            where = f"environment ({row.env_var})"
        elif row.source == "keyring":
            where = "keyring"
        else:
            where = "none" if problem is None else "none in the environment"
        used = f"   ← {', '.join(row.used_by)}" if row.used_by else ""
        lines.append(f"  {row.provider:<{width}}  {where}{used}")
    if problem:
        lines += ["", problem]
    emit(args, data, "\n".join(lines))
    return 0


def _backend_name() -> str:
    import keyring

    from app.llm.keys import backend_name

    try:
        backend = keyring.get_keyring()
    except Exception:
        return "unknown"
    return backend_name(backend)
