"""Which way a line of the user's text reads. A right-to-left line (Arabic, Hebrew, …) is
aligned to the right wherever Wise shows it, whatever the window's own direction."""

from __future__ import annotations

import unicodedata

RIGHT_TO_LEFT = frozenset({"R", "AL"})


def reads_right_to_left(text: str) -> bool:
    """By the first strong character, as the Unicode bidi algorithm sets a paragraph's
    direction (rule P2): "سلام hello" reads right to left, "hello سلام" left to right."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in RIGHT_TO_LEFT:
            return True
        if kind == "L":
            return False
    return False
