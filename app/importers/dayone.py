"""Day One's JSON export (File > Export > JSON: a zip, or the folder it unpacks to) as notes.

The shape, from Day One exports published with their authors' journals and importers
(jrnl-org/jrnl#409 and #798, marph91/jimmy's Day One converter, and a trip journal in
gokuvinoth/Cairns): a zip holding one `<journal name>.json` per journal exported
("Journal.json" for the default one) beside folders of photos, videos, audios and pdfs:

    {"metadata": {"version": "1.0"},
     "entries": [{"uuid": "2F8DDCA2…", "creationDate": "2021-03-03T11:48:50Z",
                  "modifiedDate": "…", "timeZone": "Australia/Sydney", "starred": false,
                  "tags": ["travel"], "text": "# All packed up \\.\\.\\.\\n\\n![](dayone-moment://…)",
                  "richText": "…", "photos": [{…, "md5": "…"}], "location": {…}, …}, …]}

Each entry with words becomes a note. Its moment is exact (Day One writes UTC). The text
is Day One's Markdown without the escapes its exporter adds (`\\.` -> `.`) and without the
embedded photos, videos and recordings, which are counted and named in the summary but not
imported (Wise keeps words). Tags are kept (#road-trip for "road trip"); starred and
pinned entries get #starred and #pinned; when the export holds several journals, each
entry also gets its journal's name as a tag. Places and weather are not imported.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import IO, Any

from app.errors import BadInput
from app.importers.items import (
    BROKEN_TEXT,
    NOTE,
    UNUSABLE_TAGS,
    Item,
    clean_text,
    stable_uid,
    tag_name,
)
from app.importers.reading import Reading, open_source
from storage.errors import ImportRejected
from storage.import_source import JsonList

WHAT = "a Day One journal (JSON)"
# An embedded photo, video, recording or PDF: ![](dayone-moment://ID), ![](dayone-moment:/audio/ID)
_MOMENT = re.compile(r"!\[[^\]\n]*\]\(dayone-moment:[^)\s]*\)[ \t]*")
# Day One escapes Markdown's punctuation ("3\.5", "\(yes\)"): CommonMark's backslash escapes.
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_BLANK_LINES = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")
_ATTACHMENTS = {"photos": "photos", "videos": "videos", "audios": "audio recordings",
                "pdfAttachments": "PDFs"}


def read(path: Path, reading: Reading) -> Iterator[Item]:
    reading.tally.times = "exact moments (Day One records each one with its zone)"
    with ExitStack() as stack:
        journals = _journals(path, stack)
        several = len(journals) > 1
        for name, journal, opened in journals:
            journal_tag = tag_name(journal) if several else None
            with opened() as source:
                entries = JsonList(source, name, WHAT)
                for index, line, entry in entries.items("entries"):
                    where = f"{name}, line {line} (entry {index + 1})"
                    item = _item(entry, where, journal_tag, reading)
                    if item is not None:
                        yield item


def _journals(path: Path, stack: ExitStack) -> list[tuple[str, str, Any]]:
    """(name for messages, the journal's name, a callable opening it) for each journal
    (.json file) of the export."""
    if path.is_dir():
        found = sorted(path.glob("*.json")) or sorted(path.glob("*/*.json"))
        found = [file for file in found if not file.name.startswith(".")]
        if not found:
            raise BadInput(f"{path} holds no journal (.json file); a Day One export has "
                           "Journal.json beside its photos folder")
        return [(str(file.relative_to(path)), file.stem, lambda file=file: open_source(file))
                for file in found]
    with open_source(path) as probe:
        is_zip = probe.read(4) == b"PK\x03\x04"
    if not is_zip:
        return [(path.name, path.stem, lambda: open_source(path))]
    try:
        archive = stack.enter_context(zipfile.ZipFile(path))
        names = [info.filename for info in archive.infolist() if _is_journal(info)]
    except (zipfile.BadZipFile, OSError) as exc:
        raise ImportRejected(f"{path.name} is a zip archive Wise cannot read ({exc})"
                             ) from None
    top = [name for name in names if "/" not in name] or [
        name for name in names if name.count("/") == 1]
    if not top:
        raise ImportRejected(f"{path.name} holds no journal (.json file); a Day One export "
                             "has Journal.json beside its photos folder")
    return [(f"{path.name}: {name}", PurePosixPath(name).stem,
             lambda name=name: _open_member(archive, name)) for name in sorted(top)]


def _is_journal(info: zipfile.ZipInfo) -> bool:
    name = PurePosixPath(info.filename)
    return (not info.is_dir() and name.suffix.lower() == ".json"
            and not name.name.startswith(".") and "__MACOSX" not in name.parts)


def _open_member(archive: zipfile.ZipFile, name: str) -> IO[bytes]:
    try:
        return archive.open(name)
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError) as exc:
        # RuntimeError: an encrypted member; NotImplementedError: an unknown compression
        raise ImportRejected(f"{name} in the zip cannot be read ({exc})") from None


def _item(entry: Any, where: str, journal_tag: str | None, reading: Reading) -> Item | None:
    if not isinstance(entry, dict):
        raise ImportRejected(f"{where}: expected a Day One entry (a JSON object)")
    for key, what in _ATTACHMENTS.items():
        attached = entry.get(key)
        if isinstance(attached, list):
            reading.tally.leave_out(f"{what} (Wise keeps words; they stay in your Day One "
                                    "export)", len(attached))
    created = _moment(entry, "creationDate", where)
    if created is None:
        raise ImportRejected(f"{where}: the entry has no creationDate (Day One writes one "
                             "like \"2021-03-03T11:48:50Z\")")
    updated = _moment(entry, "modifiedDate", where)
    text = entry.get("text", "")
    if not isinstance(text, str):
        raise ImportRejected(f"{where}: the entry's text is not text")
    text, broken = clean_text(_plain(text))
    if not text:
        reading.tally.leave_out("entries with no words (only photos, or empty)")
        return None
    reading.tally.change(BROKEN_TEXT, int(broken))
    written = _words(entry, "tags", where)
    tags = [name for name in map(tag_name, written) if name]
    reading.tally.leave_out(UNUSABLE_TAGS, len(written) - len(tags))
    for flag, tag in (("starred", "starred"), ("isPinned", "pinned")):
        if entry.get(flag) is True:
            tags.append(tag)
    if journal_tag:
        tags.append(journal_tag)
    identity = entry.get("uuid")
    uid = (stable_uid("dayone", identity.upper()) if isinstance(identity, str) and identity
           else stable_uid("dayone-text", created.isoformat(), text))
    return Item(NOTE, uid, text, created, where, tags=tuple(tags),
                updated=updated if updated and updated > created else None)


def _plain(text: str) -> str:
    """Day One's Markdown as the person wrote it: no escapes, no embedded media."""
    text = _MOMENT.sub("", text.replace("\r\n", "\n"))
    text = _ESCAPE.sub(r"\1", text)
    return _BLANK_LINES.sub("\n\n", text).strip()


def _words(entry: dict[str, Any], key: str, where: str) -> list[str]:
    value = entry.get(key) or []
    if not isinstance(value, list) or not all(isinstance(word, str) for word in value):
        raise ImportRejected(f"{where}: the entry's {key} are not a list of words")
    return value


def _moment(entry: dict[str, Any], key: str, where: str) -> datetime | None:
    value = entry.get(key)
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise ImportRejected(f"{where}: the entry's {key} {value!r} is not a moment (Day One "
                             "writes one like \"2021-03-03T11:48:50Z\")") from None
    # Day One writes UTC ("Z"); a moment without its offset is taken as UTC too.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
