"""The shapes shared by the gateway, the worker process and their callers (no litellm here)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class ModelCall:
    """One request as the worker receives it (over its stdin, never argv or env)."""

    model: str  # litellm's provider/model form, e.g. "openai/gpt-4o-mini"
    messages: list[dict]  # [{"role": "system"|"user"|"assistant", "content": str}]
    api_base: str | None = None
    api_key: str | None = None  # from the keyring or the provider's env var; never logged
    timeout: float = 60.0
    temperature: float = 0.7
    max_tokens: int = 700
    json_schema: dict | None = None  # asked for as structured output where supported
    # How the schema is asked for (app.llm.model_memory.STRUCTURED_MODES); the gateway
    # chooses it per model and remembers which one the server accepts.
    structured_mode: str = "json_schema"

    def to_wire(self) -> dict:
        return asdict(self)

    def __repr__(self) -> str:  # a key must not reach a log through a repr
        return f"ModelCall(model={self.model!r}, messages={len(self.messages)})"


@dataclass(frozen=True)
class CallResult:
    text: str
    model: str
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    latency_s: float = 0.0
    first_token_s: float | None = None
    attempts: list[str] = field(default_factory=list)  # models tried, in order
    finish: str = "stop"  # "stop", "length" (the token limit) or "capped" (cut by Wise)
    structured_mode: str | None = None  # how the reply's shape was asked for (None: free)


# What went wrong, in words a person can act on. `retryable` kinds are retried with
# back-off (and Retry-After), then handed to the fallback models.
ERROR_KINDS = {
    "no_model": False,  # llm.model is empty
    "no_key": False,  # a cloud provider with no key in the keyring or environment
    "no_keyring": False,  # no keyring backend on this machine
    "auth": False,  # the provider refused the key (401/403)
    "not_found": False,  # unknown model (404)
    "bad_request": False,  # the provider refused the request (400)
    "rate_limited": True,  # 429
    "server": True,  # 5xx
    "timeout": True,  # the whole reply took longer than llm.timeout
    "stalled": True,  # no streamed chunk for llm.stall_timeout seconds
    "unreachable": True,  # connection refused, DNS, TLS
    "worker_died": True,  # the worker process ended mid-request
    "over_budget": False,  # this month's paid calls reached llm.monthly_budget_usd
    "cancelled": False,
    "bad_output": False,  # a structured reply that did not parse, even after one repair
    "other": False,
}


class ModelError(Exception):
    def __init__(self, kind: str, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.kind = kind if kind in ERROR_KINDS else "other"
        self.retry_after = retry_after

    @property
    def retryable(self) -> bool:
        return ERROR_KINDS[self.kind]
