"""Show a structured reply as readable text while it streams in.

The daily reflection arrives as a JSON object. Printing raw JSON would be noise; this turns
the stream into prose as it comes: the characters of each text field are passed on as soon
as they arrive, with a short lead-in per field, and everything else (keys, numbers,
punctuation) is held back.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "", "f": "", "n": "\n", "r": "", "t": " "}


class JsonProseStreamer:
    """Feed it the reply's deltas; it calls `emit` with the prose they contain."""

    def __init__(self, lead_ins: Mapping[str, str], emit: Callable[[str], None]) -> None:
        self._lead_ins = lead_ins  # field -> text shown before its value ("" shows it plainly)
        self._emit = emit
        self._state = "outside"  # outside | key | after_key | value_string | value_other
        self._key: list[str] = []
        self._current_key = ""
        self._escape: str | None = None  # collecting an escape sequence
        self._shown_any = False
        self._showing = False

    def feed(self, delta: str) -> None:
        out: list[str] = []
        for char in delta:
            self._step(char, out)
        if out:
            self._emit("".join(out))

    def _step(self, char: str, out: list[str]) -> None:
        state = self._state
        if state == "outside":
            if char == '"':
                self._state, self._key = "key", []
        elif state == "key":
            if self._escape is not None:
                self._escape = None
                self._key.append(char)
            elif char == "\\":
                self._escape = ""
            elif char == '"':
                self._current_key, self._state = "".join(self._key), "after_key"
            else:
                self._key.append(char)
        elif state == "after_key":
            if char == '"':
                self._start_value(out)
            elif char not in " \t\r\n:":
                self._state = "value_other"
        elif state == "value_other":
            if char in ",}":
                self._state = "outside"
        elif state == "value_string":
            self._string_char(char, out)

    def _start_value(self, out: list[str]) -> None:
        self._state = "value_string"
        self._showing = self._current_key in self._lead_ins
        if self._showing:
            lead = self._lead_ins[self._current_key]
            out.append(("\n\n" if self._shown_any else "") + lead)
            self._shown_any = True

    def _string_char(self, char: str, out: list[str]) -> None:
        if self._escape is not None:
            self._escape += char
            if self._escape[0] == "u":
                if len(self._escape) < 5:
                    return
                try:
                    decoded = chr(int(self._escape[1:], 16))
                except ValueError:
                    decoded = ""
            else:
                decoded = _ESCAPES.get(self._escape, self._escape)
            self._escape = None
            if self._showing:
                out.append(decoded)
            return
        if char == "\\":
            self._escape = ""
        elif char == '"':
            self._state = "outside"
        elif self._showing:
            out.append(char)
