"""Keeping API keys out of logs and stored error messages.

Two nets: the exact key values Wise has handed out this run (``register_secret``;
``app.llm.keys.get_key`` registers every key it returns), and the shapes keys usually
have (``sk-...``, ``sk-ant-...``, ``AIza...``, ``gsk_...``, ``Bearer ...``,
``api_key=...``). ``RedactingFilter`` applies both to a log record's message, its
arguments and its exception text; ``app.logs.configure_logging`` installs it on the file
handler.
"""

from __future__ import annotations

import logging
import re
import threading
import traceback

REDACTED = "[redacted]"
_MIN_SECRET = 8  # shorter values would redact ordinary words

_secrets: set[str] = set()
_lock = threading.Lock()

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # "Authorization: Bearer abc", "bearer abc.def"
    (re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=-]{8,}"), r"\1" + REDACTED),
    # api_key=..., "api-key": "...", x-api-key: ..., token=..., secret: ...
    (re.compile(r"""(?ix)
        \b((?:x-)?api[_-]?key|access[_-]?token|auth[_-]?token|token|secret|password)
        (["']?\s*[:=]\s*["']?)
        (?!\[redacted\])[^\s"',;&}]{4,}"""), r"\1\2" + REDACTED),
    # OpenAI / Anthropic / OpenRouter / DeepSeek: sk-..., sk-proj-..., sk-ant-..., sk-or-v1-...
    (re.compile(r"\bsk-[A-Za-z0-9_-]{12,}"), REDACTED),
    # Google AI Studio
    (re.compile(r"\bAIza[0-9A-Za-z_-]{30,}"), REDACTED),
    # Groq, xAI
    (re.compile(r"\b(?:gsk|xai)[_-][A-Za-z0-9]{20,}"), REDACTED),
)


def register_secret(value: str | None) -> None:
    """Remember a secret's exact value so that it is redacted wherever it turns up."""
    if value and len(value.strip()) >= _MIN_SECRET:
        with _lock:
            _secrets.add(value.strip())


def forget_secrets() -> None:
    """For tests."""
    with _lock:
        _secrets.clear()


def redact(text: str) -> str:
    """The text with every known secret and every key-shaped string replaced."""
    if not text:
        return text
    with _lock:
        known = sorted(_secrets, key=len, reverse=True)  # longest first: no partial leaks
    for secret in known:
        if secret in text:
            text = text.replace(secret, REDACTED)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites a record so that no secret reaches any handler after this filter.

    The message is formatted with its arguments first (a secret may hide in either), the
    exception and stack texts are formatted and redacted too; the record keeps its level,
    name and exception type."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep what there is, redacted
            message = f"{record.msg!r} {record.args!r}"
        record.msg = redact(message)
        record.args = None
        if record.exc_info and record.exc_info[0] is not None:
            if not record.exc_text:
                record.exc_text = "".join(
                    traceback.format_exception(*record.exc_info)).rstrip("\n")
            record.exc_text = redact(record.exc_text)
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True
