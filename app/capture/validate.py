"""What a capture may be: checked before anything is parsed, sent or written."""

from __future__ import annotations

import re

from app.errors import BadInput

MAX_CAPTURE_CHARS = 10_000

# A str can hold code points that no UTF-8 text can: a lone half of a surrogate pair (what
# a JavaScript client sends for half an emoji), or an undecodable byte of a command-line
# argument (Python keeps it as U+DC80..U+DCFF). SQLite cannot store them.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
REPLACED_WARNING = ("the text held characters that are not valid Unicode (half of an "
                    "emoji, or bytes that are not UTF-8); each was replaced by \ufffd")


def broken_characters(text: str) -> int:
    """How many lone surrogates `text` holds (validate_capture_text replaces them)."""
    return len(_LONE_SURROGATE.findall(text))


def validate_capture_text(text: str) -> str:
    """The text to save, or BadInput saying what is wrong with it. Lone surrogates are
    replaced by U+FFFD, as undecodable bytes on standard input are: the rest of the
    user's words are kept, and half a character carries nothing worth refusing them for."""
    if "\x00" in text:
        raise BadInput("the text contains NUL bytes (is it a binary file?); nothing was saved")
    # Line endings from Windows clipboards and trailing newlines from pipes are not content,
    # so they neither count against the limit nor get saved.
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    text = _LONE_SURROGATE.sub("\ufffd", text)
    if not text:
        raise BadInput("nothing to capture: the text is empty")
    if len(text) > MAX_CAPTURE_CHARS:
        raise BadInput(f"the text is {len(text):,} characters long; a capture holds at most "
                       f"{MAX_CAPTURE_CHARS:,}. Nothing was saved.")
    return text
