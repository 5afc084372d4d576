"""No API key reaches a log: registered values and key-shaped strings become [redacted]."""

from __future__ import annotations

import io
import logging

import pytest

from app.llm import redact
from app.logs import configure_logging

REGISTERED = "my-own-proxy-secret-7f3a9b"
PATTERNED = "sk-proj-AbCdEfGhIjKlMnOpQrStUv0123"


@pytest.fixture(autouse=True)
def _forget():
    yield
    redact.forget_secrets()


@pytest.mark.parametrize("text", [
    "key sk-abcdefghijklmnopqrstuv",
    "key sk-ant-api03-abcdefghijklmnopqrstuv-xyz",
    "google AIzaSyA1234567890abcdefghijklmnopqrstuv",
    "groq gsk_abcdefghijklmnopqrstuvwxyz0123",
    "Authorization: Bearer abcdef0123456789xyz",
    "url https://x.example/v1?api_key=abcdef123456&x=1",
    '{"api-key": "abcdef123456"}',
])
def test_patterns(text: str) -> None:
    out = redact.redact(text)
    assert "[redacted]" in out
    assert not any(piece in out for piece in ("abcdef", "A1234567890", "0123456789"))


def test_ordinary_words_are_kept() -> None:
    text = "model call ok: purpose=llm_test tokens=12+1 max_tokens=700 latency=80 ms"
    assert redact.redact(text) == text


def test_registered_secret_is_redacted_anywhere() -> None:
    assert redact.redact(f"x{REGISTERED}y") == f"x{REGISTERED}y"
    redact.register_secret(REGISTERED)
    assert redact.redact(f"x{REGISTERED}y") == "x[redacted]y"
    redact.register_secret("short")  # too short to be a key: never redacted
    assert redact.redact("a short word") == "a short word"


def _logger_to(stream: io.StringIO) -> tuple[logging.Logger, logging.Handler]:
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    handler.addFilter(redact.RedactingFilter())
    logger = logging.getLogger("tests.redact")
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger, handler


def test_filter_redacts_message_args_and_exception() -> None:
    redact.register_secret(REGISTERED)
    stream = io.StringIO()
    logger, handler = _logger_to(stream)
    try:
        logger.info("message has %s", REGISTERED)
        logger.info(f"inline {PATTERNED}")
        logger.info("dict arg %(key)s", {"key": PATTERNED})
        try:
            raise RuntimeError(f"provider said: bad key {REGISTERED} / {PATTERNED}")
        except RuntimeError:
            logger.exception("call failed")
    finally:
        logger.removeHandler(handler)
    text = stream.getvalue()
    assert REGISTERED not in text and PATTERNED not in text
    assert text.count("[redacted]") >= 5
    assert "RuntimeError: provider said: bad key [redacted]" in text
    assert "Traceback" in text


def test_the_log_file_is_redacted(tmp_path) -> None:
    redact.register_secret(REGISTERED)
    root = logging.getLogger()
    level = root.level
    before = set(root.handlers)
    path = configure_logging(tmp_path / "logs")
    try:
        logging.getLogger("app.llm.test").info("key %s and %s", REGISTERED, PATTERNED)
        try:
            raise ValueError(REGISTERED)
        except ValueError:
            logging.getLogger("app.llm.test").info("oops", exc_info=True)
    finally:
        for handler in set(root.handlers) - before:
            root.removeHandler(handler)
            handler.close()
        root.setLevel(level)
    text = path.read_text(encoding="utf-8")
    assert "key [redacted] and [redacted]" in text
    assert "ValueError: [redacted]" in text
    assert REGISTERED not in text and PATTERNED not in text
