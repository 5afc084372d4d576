"""Ask a local model server how large its context window is (standard library only).

A local server's window is what it was started with, not what the model could take:
llama.cpp's server says it in ``GET /props`` (``default_generation_settings.n_ctx``);
vLLM in ``GET /v1/models`` (``max_model_len``), llama.cpp there too (``meta``);
Ollama in ``POST /api/show`` (the model's ``num_ctx`` parameter when it sets one, else
the model's ``*.context_length``, within what Ollama gives a model by default).
llama-cpp-python's server says nothing: the 2,048-token assumption stays for it.

Only servers of the user's own are asked (an ``api_base``, or Ollama), each question with
a short timeout; the answer is remembered (app.llm.model_memory) and a person's explicit
``llm.context_tokens`` still wins (app.structured_call).
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from urllib.parse import urlsplit, urlunsplit

from app.llm import providers

log = logging.getLogger(__name__)

TIMEOUT_S = 2.0
MAX_BYTES = 1024 * 1024
OLLAMA_DEFAULT_BASE = "http://localhost:11434"
# What Ollama gives a model that sets no num_ctx (its documented default since 0.6); a
# model's trained length is far more than the server then reads.
OLLAMA_DEFAULT_NUM_CTX = 4096
SANE = range(256, 10_000_001)


def ask_server(model: str, api_base: str | None, *, timeout: float = TIMEOUT_S) -> int | None:
    """The server's context window in tokens, or None when it does not say."""
    provider = providers.provider_of(model)
    name = model.split("/", 1)[1] if "/" in model else model
    try:
        if provider in ("ollama", "ollama_chat"):
            return _ollama(api_base or OLLAMA_DEFAULT_BASE, name, timeout)
        if api_base:
            return _llama_cpp_props(api_base, timeout) or _models_list(api_base, name,
                                                                       timeout)
    except (OSError, ValueError, urllib.error.URLError) as exc:
        log.info("could not ask %s for its context window: %s", _where(api_base), exc)
    return None


def _sane(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and \
        value in SANE else None


def _root(api_base: str) -> str:
    """http://host:port/v1 -> http://host:port (where llama.cpp's /props lives)."""
    parts = urlsplit(api_base.rstrip("/"))
    path = parts.path[:-3] if parts.path.endswith("/v1") else parts.path
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def _get(url: str, timeout: float, body: dict | None = None) -> object:
    if urlsplit(url).scheme not in ("http", "https"):
        raise ValueError(f"not an http(s) address: {url}")
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(  # noqa: S310 (http and https only, checked above)
        url, data=data, method="POST" if data else "GET",
        headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        return json.loads(response.read(MAX_BYTES + 1)[:MAX_BYTES])


def _llama_cpp_props(api_base: str, timeout: float) -> int | None:
    try:
        props = _get(_root(api_base) + "/props", timeout)
    except urllib.error.HTTPError:
        return None  # not llama.cpp's server
    if not isinstance(props, dict):
        return None
    settings = props.get("default_generation_settings")
    found = _sane(settings.get("n_ctx")) if isinstance(settings, dict) else None
    return found or _sane(props.get("n_ctx"))


def _models_list(api_base: str, name: str, timeout: float) -> int | None:
    try:
        listing = _get(api_base.rstrip("/") + "/models", timeout)
    except urllib.error.HTTPError:
        return None
    entries = listing.get("data") if isinstance(listing, dict) else None
    if not isinstance(entries, list):
        return None
    mine = [e for e in entries if isinstance(e, dict) and e.get("id") == name]
    for entry in mine or (entries if len(entries) == 1 else []):
        meta = entry.get("meta")
        if not isinstance(meta, dict):
            meta = {}
        for value in (entry.get("max_model_len"), meta.get("n_ctx"), entry.get("context_length"),
                      meta.get("n_ctx_train")):
            if _sane(value):
                return value
    return None


def _ollama(base: str, name: str, timeout: float) -> int | None:
    try:
        shown = _get(base.rstrip("/") + "/api/show", timeout, {"model": name})
    except urllib.error.HTTPError:
        return None
    if not isinstance(shown, dict):
        return None
    for line in str(shown.get("parameters") or "").splitlines():
        words = line.split()
        if len(words) == 2 and words[0] == "num_ctx" and words[1].isdigit():
            return _sane(int(words[1]))
    info = shown.get("model_info")
    if isinstance(info, dict):
        for key, value in info.items():
            if key.endswith(".context_length") and _sane(value):
                return min(value, OLLAMA_DEFAULT_NUM_CTX)
    return None


def _where(api_base: str | None) -> str:
    if not api_base:
        return "the server"
    parts = urlsplit(api_base)
    return f"{parts.scheme}://{parts.hostname}:{parts.port}" if parts.port else \
        f"{parts.scheme}://{parts.hostname}"
