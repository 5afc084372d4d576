"""A streamed JSON reply reads as prose, however the stream is cut into pieces."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from app.reflection_stream import JsonProseStreamer

LEADS = {"celebrate": "", "reflection": "", "question": "", "next_step": "Next: "}
REPLY = {"celebrate": "You called \"mum\" — nice.", "reflection": "Family matters\nto you.",
         "question": None, "next_step": "Text her a photo", "next_step_minutes": 2,
         "goal": "family"}
EXPECTED = "You called \"mum\" — nice.\n\nFamily matters\nto you.\n\nNext: Text her a photo"


def stream(pieces: list[str]) -> str:
    shown: list[str] = []
    streamer = JsonProseStreamer(LEADS, shown.append)
    for piece in pieces:
        streamer.feed(piece)
    return "".join(shown)


def test_whole_reply_reads_as_prose() -> None:
    assert stream([json.dumps(REPLY)]) == EXPECTED


def test_unicode_escapes_and_char_by_char() -> None:
    text = json.dumps(REPLY, ensure_ascii=True)  # "—" arrives as \u2014
    assert stream(list(text)) == EXPECTED


@given(st.lists(st.integers(min_value=1, max_value=7), min_size=1, max_size=60))
def test_any_chunking_gives_the_same_prose(sizes: list[int]) -> None:
    text = json.dumps(REPLY, indent=2)
    pieces, start = [], 0
    for size in sizes * 50:
        if start >= len(text):
            break
        pieces.append(text[start:start + size])
        start += size
    pieces.append(text[start:])
    assert stream(pieces) == EXPECTED


def test_fields_not_listed_and_non_strings_are_held_back() -> None:
    assert stream(['{"secret_field": "hidden", "n": 5, "celebrate": "shown"}']) == "shown"
