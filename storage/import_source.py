"""Reading another app's export safely: its text lines, or the one big list of a JSON file,
streamed and bounded.

jrnl and Day One write everything as one pretty-printed JSON object whose "entries" list
holds every entry; todo.txt and Markdown are lines. Such a file can be gigabytes, so none
is read whole: a JSON list is parsed one element at a time (json's own C decoder on a
sliding window of the file), lines one at a time. Whatever the file holds, a record (an
element, a line) is read no further than storage.limits.IMPORT_RECORD_BYTES, an integer
no longer than IMPORT_NUMBER_DIGITS digits is converted, and nesting deeper than Python's
recursion limit is refused, so memory and time stay bounded by the records, not the file.

Every problem is an ImportRejected naming the file and the line, in words for a person.
Standard library only.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from typing import Any, BinaryIO

from storage import limits
from storage.errors import ImportRejected

# How much is read at a time; an element that does not fit is retried with twice as much.
_CHUNK = 1024 * 1024
_SNIFF_SIZE = 8192
# A value cut by the window's end fails within its last few characters ("tr" of "true",
# "\\u12" of an escape); an error further back is in the file itself.
_TAIL = 8
_SPACE = re.compile(r"[ \t\n\r]*")
_DECODER = None  # made on first use (below): json.JSONDecoder with the digit bound


class _NumberTooLong(ValueError):
    def __init__(self, digits: int) -> None:
        super().__init__(f"a number with {digits:,} digits (at most "
                         f"{limits.IMPORT_NUMBER_DIGITS} are read)")


def _bounded_int(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > limits.IMPORT_NUMBER_DIGITS:
        raise _NumberTooLong(digits)
    return int(text)


def _decoder() -> json.JSONDecoder:
    global _DECODER
    if _DECODER is None:
        _DECODER = json.JSONDecoder(parse_int=_bounded_int)
    return _DECODER


def refuse_non_text(start: bytes, name: str, what: str) -> None:
    """Refuse, in words, a file whose first bytes show it is not UTF-8 text at all."""
    if start.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportRejected(f"{name} is UTF-16 text; {what} is UTF-8 (save it as UTF-8)")
    if start.startswith(b"PK\x03\x04"):
        raise ImportRejected(f"{name} is a zip archive, not {what} (a Day One export is a "
                             "zip: import it with --from dayone)")
    if start.startswith(b"SQLite format 3\x00"):
        raise ImportRejected(f"{name} is an SQLite database, not {what}")
    if b"\x00" in start:
        raise ImportRejected(f"{name} is a binary file, not {what} (which is text)")


def text_lines(source: BinaryIO, name: str, what: str) -> Iterator[tuple[int, str]]:
    """(line number, text without its line ending) for each line of a UTF-8 text file
    (`source` must be seekable: its start is looked at first)."""
    start = source.tell()
    refuse_non_text(source.read(_SNIFF_SIZE), name, what)
    source.seek(start)
    number = 0
    while raw := source.readline(limits.IMPORT_RECORD_BYTES + 1):
        number += 1
        if len(raw) > limits.IMPORT_RECORD_BYTES:
            raise ImportRejected(f"{name}, line {number}: longer than "
                                 f"{limits.IMPORT_RECORD_BYTES // 2**20} MB, so the file is "
                                 f"damaged or not {what}")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ImportRejected(f"{name}, line {number}: not UTF-8 text (save the file as "
                                 "UTF-8 and import it again)") from None
        if number == 1:
            text = text.removeprefix("\ufeff")
        if "\x00" in text:
            raise ImportRejected(f"{name}, line {number}: holds a NUL character, so it is "
                                 f"a binary file or damaged, not {what}")
        yield number, text.rstrip("\r\n")


class JsonList:
    """The elements of one list in a file's top-level JSON object, read as a stream.

    `fields` holds the object's other members once they have been read (a member that
    comes after the list is there only once the list has been read to its end).
    """

    def __init__(self, source: BinaryIO, name: str, what: str, *, chunk: int = _CHUNK) -> None:
        self._source = source
        self._chunk = chunk  # how much is read at a time (tests make it small)
        self._name = name  # the file, as messages name it
        self._what = what  # "a jrnl export": what the file should be, for messages
        self._utf8 = codecs.getincrementaldecoder("utf-8")()
        self._text = ""
        self._at = 0  # where reading has got to in _text
        self._line = 1  # the line number at _at
        self._eof = False
        self._read_bytes = 0
        self.fields: dict[str, Any] = {}

    def items(self, key: str) -> Iterator[tuple[int, int, Any]]:
        """(index, line where it starts, value) for each element of the list `key`."""
        first = self._source.read(_SNIFF_SIZE)
        refuse_non_text(first, self._name, self._what)
        self._take(first)
        if self._text.startswith("\ufeff"):
            self._text = self._text[1:]
        if self._peek() != "{":
            raise self._not_it("it is empty" if not self._text.strip()
                               else "it does not start with '{'")
        self._at += 1
        found = False
        while (char := self._peek()) != "}":
            if not char:
                raise self._bad("the file ends inside the JSON object: it was cut short")
            if self.fields or found:
                if char != ",":
                    raise self._bad("expected ',' or '}' between the object's members")
                self._at += 1
            name = self._value()
            if not isinstance(name, str):
                raise self._bad("expected a member's name in quotes")
            if self._peek() != ":":
                raise self._bad("expected ':' after a member's name")
            self._at += 1
            if name == key and not found:
                found = True
                yield from self._elements(key)
            else:
                self.fields[name] = self._value()
        self._at += 1
        if self._peek() != "":
            raise self._bad("something follows the end of the JSON object")
        if not found:
            raise self._not_it(f"it has no \"{key}\" list")

    def _elements(self, key: str) -> Iterator[tuple[int, int, Any]]:
        if self._peek() != "[":
            raise self._not_it(f"its \"{key}\" is not a list")
        self._at += 1
        index = 0
        while (char := self._peek()) != "]":
            if not char:
                raise self._bad("the file ends inside the list: it was cut short")
            if index:
                if char != ",":
                    raise self._bad(f"expected ',' or ']' after element {index - 1} of "
                                    f"\"{key}\"")
                self._at += 1
                self._peek()
            line = self._line
            yield index, line, self._value()
            index += 1
        self._at += 1

    # --- Reading ------------------------------------------------------------------------

    def _take(self, raw: bytes) -> None:
        """Decode more of the file onto the window, first dropping what was read."""
        if self._at:
            self._text = self._text[self._at:]
            self._at = 0
        try:
            self._text += self._utf8.decode(raw, final=not raw)
        except UnicodeDecodeError:
            line = self._line + self._text.count("\n")
            raise ImportRejected(f"{self._name}, around line {line}: not UTF-8 text, so it "
                                 f"is not {self._what}") from None
        self._eof = not raw

    def _more(self, at_least: int = 0) -> bool:
        """Read more of the file; False at its end."""
        if self._eof:
            return False
        self._take(self._source.read(max(at_least, self._chunk)))
        return True

    def _advance(self, to: int) -> None:
        self._line += self._text.count("\n", self._at, to)
        self._at = to

    def _peek(self) -> str:
        """The next character that is not white space ("" at the end of the file)."""
        while True:
            self._advance(_SPACE.match(self._text, self._at).end())  # type: ignore[union-attr]  # [ \t\n\r]* matches always
            if self._at < len(self._text) or not self._more():
                return self._text[self._at:self._at + 1]

    def _value(self) -> Any:
        """The JSON value starting at the next character, read whole (and bounded)."""
        self._peek()
        while True:
            pending = len(self._text) - self._at
            try:
                value, end = _decoder().raw_decode(self._text, self._at)
            except _NumberTooLong as exc:
                raise self._bad(str(exc)) from None
            except RecursionError:
                raise self._bad("nested far deeper than any export is") from None
            except json.JSONDecodeError as exc:
                if self._cut_by_window(exc) and self._grow(pending):
                    continue
                line = self._line + exc.lineno - 1 - self._text.count("\n", 0, self._at)
                raise ImportRejected(
                    f"{self._name}, line {line}: not valid JSON ({exc.msg}), so it is not "
                    f"{self._what} or it was cut short") from None
            # A number may go on past the window's end ("12" of "1234"): read on to be sure.
            if end < len(self._text) or not self._grow(pending):
                if end - self._at > limits.IMPORT_RECORD_BYTES:
                    raise self._too_long()
                self._advance(end)
                return value

    def _cut_by_window(self, exc: json.JSONDecodeError) -> bool:
        """Whether the error may only mean that the value goes on past the window's end:
        a string not closed yet, or anything else failing at the window's very end."""
        return (exc.msg.startswith("Unterminated string")
                or exc.pos >= len(self._text) - _TAIL)

    def _grow(self, pending: int) -> bool:
        """Read more so that a value of `pending` characters so far may be complete."""
        if pending > limits.IMPORT_RECORD_BYTES:
            raise self._too_long()
        # Twice as much each time, but never more than one past the bound.
        return self._more(at_least=min(pending, limits.IMPORT_RECORD_BYTES + 1 - pending))

    def _too_long(self) -> ImportRejected:
        return self._bad(f"a record longer than {limits.IMPORT_RECORD_BYTES // 2**20} MB, so "
                         f"the file is damaged or not {self._what}")

    def _bad(self, problem: str) -> ImportRejected:
        return ImportRejected(f"{self._name}, line {self._line}: {problem}")

    def _not_it(self, why: str) -> ImportRejected:
        return ImportRejected(f"{self._name} is not {self._what}: {why}")
