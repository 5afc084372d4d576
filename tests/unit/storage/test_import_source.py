"""Reading other apps' exports as streams (storage.import_source): a JSON list one element
at a time whatever the layout and however the window cuts it, with line numbers for
messages; text lines; and every bound (record size, digits, nesting, encoding)."""

from __future__ import annotations

import io
import json

import pytest

from storage import limits
from storage.errors import ImportRejected
from storage.import_source import JsonList, text_lines

ENTRIES = [{"title": "x" * 50, "body": "é😀 שלום\n", "n": 12345678, "f": 149.086929300001},
           5, 1234567, "text", [1, [2, {"deep": None}]], {}, [], True, None]
DOCUMENT = {"tags": {"@a": 1}, "entries": ENTRIES, "after": {"k": "v"}}
LAYOUTS = {
    "minified": json.dumps(DOCUMENT, separators=(",", ":")),
    "jrnl (indent 2, ASCII escapes)": json.dumps(DOCUMENT, indent=2),
    "Day One (key : value, escaped slashes)": json.dumps(
        DOCUMENT, indent=2, ensure_ascii=False, separators=(",", " : ")).replace("/", "\\/"),
    "BOM and CRLF": "\ufeff" + json.dumps(DOCUMENT, indent=4).replace("\n", "\r\n"),
}


def read(raw: bytes | str, key: str = "entries", chunk: int = 1 << 20) -> tuple[list, JsonList]:
    data = raw.encode("utf-8") if isinstance(raw, str) else raw
    reader = JsonList(io.BytesIO(data), "f.json", "a jrnl export", chunk=chunk)
    return list(reader.items(key)), reader


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("chunk", [1, 3, 7, 64, 1 << 20])
def test_every_element_whatever_the_layout_and_wherever_the_window_cuts(
        layout: str, chunk: int) -> None:
    items, reader = read(LAYOUTS[layout], chunk=chunk)
    assert [value for _, _, value in items] == ENTRIES
    assert [index for index, _, _ in items] == list(range(len(ENTRIES)))
    assert reader.fields == {"tags": {"@a": 1}, "after": {"k": "v"}}


def test_each_element_says_the_line_it_starts_on() -> None:
    text = json.dumps({"tags": {}, "entries": [{"a": 1}, {"b": [1, 2]}, 3]}, indent=2)
    items, _ = read(text, chunk=5)
    lines = text.splitlines()
    for _, line, value in items:
        assert lines[line - 1].strip().startswith(json.dumps(value)[:1])
    assert [line for _, line, _ in items] == [4, 7, 13]


@pytest.mark.parametrize(("raw", "words"), [
    ("", "f.json is not a jrnl export: it is empty"),
    ("[1, 2]", "f.json is not a jrnl export: it does not start with '{'"),
    ('{"entries": 5}', 'its "entries" is not a list'),
    ('{"tags": {}}', 'it has no "entries" list'),
    ('{"entries": [1, 2', "the file ends inside the list: it was cut short"),
    ('{"entries": [1, 2]', "the file ends inside the JSON object: it was cut short"),
    ('{"entries": [1 2]}', "expected ',' or ']' after element 0"),
    ('{"entries": [1, tru, 3]}', "line 1: not valid JSON (Expecting value)"),
    ('{"entries": [],\n\n "x": [1,, 2]}', "line 3: not valid JSON"),
    ('{"entries": []} {}', "something follows the end of the JSON object"),
    ('{"entries": [' + "9" * 30 + "]}", "a number with 30 digits (at most 19 are read)"),
    ('{"entries": [' + "[" * 100_000 + "]" * 100_000 + "]}", "nested far deeper"),
    (b'{"entries": ["\xff\xfe"]}', "not UTF-8 text"),
    (b"\xff\xfe{\x00", "f.json is UTF-16 text"),
    (b"PK\x03\x04rest", "f.json is a zip archive, not a jrnl export"),
    (b"SQLite format 3\x00", "f.json is an SQLite database"),
])
def test_a_file_that_is_not_one_is_refused_in_words(raw: str | bytes, words: str) -> None:
    with pytest.raises(ImportRejected) as refused:
        read(raw, chunk=4)
    assert words in str(refused.value)
    assert "\n" not in str(refused.value)


def test_a_record_longer_than_the_bound_is_refused_unread_to_its_end() -> None:
    huge = '{"entries": [{"title": "' + "x" * (limits.IMPORT_RECORD_BYTES + 10)
    source = io.BytesIO((huge + '"}]}').encode())
    with pytest.raises(ImportRejected, match="a record longer than 16 MB"):
        list(JsonList(source, "f.json", "a jrnl export").items("entries"))
    assert source.tell() < len(source.getvalue())  # it stopped before the end


def test_text_lines_number_lines_and_drop_line_endings_and_the_bom() -> None:
    raw = "\ufeff(A) first\r\nsecond\n\nלקנות חלב 😀\nlast".encode()
    assert list(text_lines(io.BytesIO(raw), "todo.txt", "a todo.txt file")) == [
        (1, "(A) first"), (2, "second"), (3, ""), (4, "לקנות חלב 😀"), (5, "last")]


@pytest.mark.parametrize(("raw", "words"), [
    (b"ok\n\xff bad\n", "todo.txt, line 2: not UTF-8 text"),
    (b"ok\n" + b"x" * 9000 + b"\x00\n", "todo.txt, line 2: holds a NUL character"),
    (b"\x00\x01binary", "todo.txt is a binary file"),
])
def test_text_lines_refuse_what_is_not_text(raw: bytes, words: str) -> None:
    with pytest.raises(ImportRejected, match=words):
        list(text_lines(io.BytesIO(raw), "todo.txt", "a todo.txt file"))
