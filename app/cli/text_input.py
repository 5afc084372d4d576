"""Long text for a command read from standard input: strict UTF-8, bounded, never argv."""

from __future__ import annotations

import sys

from app.errors import BadInput


def read_stdin_text(what: str, max_chars: int) -> str:
    """Standard input as text; BadInput for binary data, invalid UTF-8 or too much."""
    limit = max_chars * 4  # the most bytes max_chars UTF-8 characters can take
    data = sys.stdin.buffer.read(limit + 1)
    if b"\x00" in data:
        raise BadInput(f"{what} from standard input contains NUL bytes (is it a binary "
                       "file?); nothing was done")
    too_long = BadInput(f"{what} may be at most {max_chars:,} characters; nothing was done")
    if len(data) > limit:
        raise too_long
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadInput(f"{what} from standard input is not valid UTF-8 (byte "
                       f"{exc.start}); nothing was done") from None
    if len(text) > max_chars:
        raise too_long
    return text


def check_length(text: str, what: str, max_chars: int) -> str:
    if len(text) > max_chars:
        raise BadInput(f"{what} may be at most {max_chars:,} characters (this is "
                       f"{len(text):,}); nothing was done")
    return text
