"""What a capture may be: checked before anything is parsed, sent or written."""

from __future__ import annotations

from app.errors import BadInput

MAX_CAPTURE_CHARS = 10_000


def validate_capture_text(text: str) -> str:
    """The text to save, or BadInput saying what is wrong with it."""
    if "\x00" in text:
        raise BadInput("the text contains NUL bytes (is it a binary file?); nothing was saved")
    # Line endings from Windows clipboards and trailing newlines from pipes are not content,
    # so they neither count against the limit nor get saved.
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        raise BadInput("nothing to capture: the text is empty")
    if len(text) > MAX_CAPTURE_CHARS:
        raise BadInput(f"the text is {len(text):,} characters long; a capture holds at most "
                       f"{MAX_CAPTURE_CHARS:,}. Nothing was saved.")
    return text
