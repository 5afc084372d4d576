"""What Wise has learned about each model it talks to, kept in the data folder.

One small private JSON file (``model-memory.json``), keyed by model and server: which
form of structured output the server accepts (learned from its first refusals), the
context window when known, and how the quality gate fared with the full and the compact
prompts (so a small model gets the compact one first). It is a cache of facts about
servers, not journal content: losing it costs a few learning calls, nothing else.

A second file, ``refused-replies.jsonl``, keeps the last few replies the quality gate
refused, for `wise llm refused` ("show what it said"). They are never shown as the
companion's words and never used as memory.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from storage.private import write_private_atomically

log = logging.getLogger(__name__)

FILE_NAME = "model-memory.json"
REFUSED_FILE_NAME = "refused-replies.jsonl"
REFUSED_KEEP = 20
REFUSED_TEXT_MAX = 8000
MAX_BYTES = 512 * 1024

# The forms of structured output, in the order they are tried for a server of unknown
# habits. "json_schema": OpenAI's response_format (OpenAI, vLLM, LM Studio, llama.cpp's
# server; litellm turns it into Ollama's `format`). "json_object": {"type": "json_object",
# "schema": ...}, grammar-constrained JSON on llama-cpp-python-style servers.
# "prompt_only": nothing asked of the server; the prompt says the shape.
STRUCTURED_MODES = ("json_schema", "json_object", "prompt_only")
COMPACT_AFTER_REFUSALS = 2  # full-prompt refusals (with no pass) before compact goes first

_lock = threading.Lock()


@dataclass(frozen=True)
class ModelFacts:
    structured: str | None = None  # the mode that worked (None: not learned yet)
    refused_modes: tuple[str, ...] = ()  # modes the server refused, in order
    context_tokens: int | None = None  # as the server said (app.llm.server_context)
    context_checked: float = 0.0  # when the server was last asked (it may not say)
    full_passed: int = 0
    full_refused: int = 0
    compact_passed: int = 0
    compact_refused: int = 0
    last_refusal: str | None = None  # the gate's last rule for this model
    updated: float = 0.0

    @property
    def prefers_compact(self) -> bool:
        """The full prompt keeps failing the gate and the compact one does no worse."""
        return self.full_refused >= COMPACT_AFTER_REFUSALS and self.full_passed == 0

    def next_mode(self, available: tuple[str, ...]) -> str:
        """The structured mode to use now: the one that worked, else the first untried."""
        if self.structured in available:
            return self.structured
        for mode in available:
            if mode not in self.refused_modes:
                return mode
        return "prompt_only"

    def as_dict(self) -> dict:
        data = asdict(self)
        data["refused_modes"] = list(self.refused_modes)
        return data


def key_for(model: str, api_base: str | None) -> str:
    return f"{model} @ {api_base or 'default'}"


@dataclass
class ModelMemory:
    """The memory file of one Wise home. Every method reads the file afresh (a tray and a
    `wise` child may both learn) and writes it whole, atomically."""

    folder: Path
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def path(self) -> Path:
        return self.folder / FILE_NAME

    def facts(self, model: str, api_base: str | None) -> ModelFacts:
        entry = self._read().get(key_for(model, api_base))
        return _facts_from(entry) if isinstance(entry, dict) else ModelFacts()

    def update(self, model: str, api_base: str | None, **changes) -> ModelFacts:
        with _lock:
            data = self._read()
            key = key_for(model, api_base)
            entry = data.get(key)
            current = _facts_from(entry) if isinstance(entry, dict) else ModelFacts()
            if "refused_modes" in changes:
                changes["refused_modes"] = tuple(changes["refused_modes"])
            new = replace(current, **changes, updated=round(time.time(), 3))
            data[key] = new.as_dict()
            try:
                write_private_atomically(
                    self.path, json.dumps(data, indent=1, sort_keys=True).encode("utf-8"),
                    durable=False)
            except OSError as exc:  # a cache: the call goes on without it
                log.warning("could not save what Wise learned about %s: %s", model, exc)
            return new

    def count(self, model: str, api_base: str | None, *, compact: bool, passed: bool,
              rule: str | None = None) -> ModelFacts:
        facts = self.facts(model, api_base)
        name = f"{'compact' if compact else 'full'}_{'passed' if passed else 'refused'}"
        changes = {name: asdict(facts)[name] + 1}
        if not passed:
            changes["last_refusal"] = rule
        return self.update(model, api_base, **changes)

    def all(self) -> dict[str, ModelFacts]:
        return {key: _facts_from(entry) for key, entry in self._read().items()
                if isinstance(entry, dict)}

    def _read(self) -> dict:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as exc:
            log.warning("could not read %s: %s", self.path, exc)
            return {}
        if len(raw) > MAX_BYTES:
            return {}
        try:
            data = json.loads(raw)
        except ValueError:
            log.warning("%s is not valid JSON; starting afresh", self.path)
            return {}
        return data if isinstance(data, dict) else {}

    # -- refused replies ----------------------------------------------------------------

    @property
    def refused_path(self) -> Path:
        return self.folder / REFUSED_FILE_NAME

    def keep_refused(self, *, purpose: str, model: str, rule: str, detail: str,
                     text: str) -> None:
        record = {"at": round(time.time(), 3), "purpose": purpose, "model": model,
                  "rule": rule, "detail": detail, "text": text[:REFUSED_TEXT_MAX]}
        with _lock:
            kept = [*self.refused()[-(REFUSED_KEEP - 1):], record]
            data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in kept)
            try:
                write_private_atomically(self.refused_path, data.encode("utf-8"),
                                         durable=False)
            except OSError as exc:
                log.warning("could not keep the refused reply: %s", exc)

    def refused(self) -> list[dict]:
        try:
            lines = self.refused_path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            return []
        out = []
        for line in lines[-REFUSED_KEEP:]:
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict):
                out.append(record)
        return out


def _facts_from(entry: dict) -> ModelFacts:
    known = {name: entry[name] for name in ModelFacts.__dataclass_fields__ if name in entry}
    modes = known.get("refused_modes") or ()
    known["refused_modes"] = tuple(m for m in modes if m in STRUCTURED_MODES)
    if known.get("structured") not in (*STRUCTURED_MODES, None):
        known["structured"] = None
    for name in ("full_passed", "full_refused", "compact_passed", "compact_refused"):
        if not isinstance(known.get(name, 0), int):
            known[name] = 0
    if not isinstance(known.get("context_tokens"), int | None):
        known["context_tokens"] = None
    if not isinstance(known.get("context_checked", 0.0), int | float):
        known["context_checked"] = 0.0
    try:
        return ModelFacts(**known)
    except TypeError:
        return ModelFacts()
