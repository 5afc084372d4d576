"""Find language-model servers already running on this computer (Ollama, LM Studio,
llama.cpp), and the models each offers, so choosing one is a click instead of a typed
provider/model string.

Only loopback is asked (127.0.0.1), each port once, with a short timeout: nothing leaves
the machine. The standard library only; blocking, so call it off the GUI thread. The ports
are parameters, so tests run their own servers on free ports and never see the user's.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

HOST = "127.0.0.1"
MAX_MODELS = 50  # a server listing hundreds (a proxy) is cut here: the picker stays usable
MAX_REPLY_BYTES = 1_000_000


@dataclass(frozen=True)
class ServerKind:
    name: str  # for a person: "Ollama"
    port: int  # where it listens unless told otherwise
    prefix: str  # litellm's provider for it
    models_path: str  # where it lists its models
    api_suffix: str  # appended to the server's address for llm.api_base


OLLAMA = ServerKind("Ollama", 11434, "ollama_chat", "/api/tags", "")
LM_STUDIO = ServerKind("LM Studio", 1234, "openai", "/v1/models", "/v1")
LLAMA_CPP = ServerKind("llama.cpp", 8080, "openai", "/v1/models", "/v1")
KINDS: tuple[ServerKind, ...] = (OLLAMA, LM_STUDIO, LLAMA_CPP)


@dataclass(frozen=True)
class LocalModel:
    server: str  # "Ollama"
    name: str  # as the server names it: "llama3.2:latest"
    model: str  # the llm.model setting: "ollama_chat/llama3.2:latest"
    api_base: str  # the llm.api_base setting: "http://127.0.0.1:11434"

    @property
    def label(self) -> str:
        return f"{self.name} (on {self.server})"


@dataclass(frozen=True)
class FoundServer:
    kind: ServerKind
    port: int
    models: tuple[LocalModel, ...]

    @property
    def address(self) -> str:
        return f"http://{HOST}:{self.port}"


def find_local_models(kinds: Sequence[tuple[ServerKind, int]] | None = None, *,
                      timeout: float = 0.8) -> list[FoundServer]:
    """The servers answering on loopback, in the order asked, each with its models.
    `kinds`: (kind, port) pairs to ask; by default each kind on its usual port."""
    asked = list(kinds) if kinds is not None else [(kind, kind.port) for kind in KINDS]
    with ThreadPoolExecutor(max_workers=max(1, len(asked))) as pool:
        found = list(pool.map(lambda pair: _ask(pair[0], pair[1], timeout), asked))
    return [server for server in found if server is not None]


def _ask(kind: ServerKind, port: int, timeout: float) -> FoundServer | None:
    # Imported here: urllib.request loads ssl, which the tray must not carry until asked.
    import urllib.error
    import urllib.request

    url = f"http://{HOST}:{port}{kind.models_path}"
    # No proxy: a proxy from the environment must never see (or answer for) loopback.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=timeout) as reply:
            data = json.loads(reply.read(MAX_REPLY_BYTES))
    except (OSError, ValueError, urllib.error.URLError):
        return None  # nothing there, or not what we asked for
    names = _model_names(kind, data)
    if names is None:
        return None
    base = f"http://{HOST}:{port}{kind.api_suffix}"
    models = tuple(LocalModel(kind.name, name, f"{kind.prefix}/{name}", base)
                   for name in names[:MAX_MODELS])
    return FoundServer(kind, port, models)


def _model_names(kind: ServerKind, data: object) -> list[str] | None:
    """The model names in a server's list, or None when the reply is not such a list."""
    if not isinstance(data, dict):
        return None
    key, field = ("models", "name") if kind is OLLAMA else ("data", "id")
    items = data.get(key)
    if not isinstance(items, list):
        return None
    names = []
    for item in items:
        name = item.get(field) if isinstance(item, dict) else None
        if isinstance(name, str) and name.strip() and not any(c.isspace() for c in name):
            names.append(name.strip())
    return names
