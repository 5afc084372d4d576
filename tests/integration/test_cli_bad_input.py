"""`wise` given bad input, or a journal it cannot use: a clear message, the right exit
code, never a traceback, and nothing written (or, for a capture that could not be saved,
the text kept in the rescue file).

Exit codes: 0 ok, 2 bad input or usage (one line on stderr starting "wise: "), 1 any other
failure.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import ReadOnlyFolder, quiesce

ROOT = Path(__file__).resolve().parents[2]
TABLES = ("goals", "actions", "entries", "tags", "entry_tags", "action_tags")
MAX_CHARS = 10_000


# --- helpers ----------------------------------------------------------------------------------


def _counts(home: Path) -> dict[str, int]:
    conn = sqlite3.connect(home / "wise.db")
    try:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    finally:
        conn.close()


def _entry_texts(home: Path) -> list[str]:
    conn = sqlite3.connect(home / "wise.db")
    try:
        return [r[0] for r in conn.execute("SELECT text FROM entries ORDER BY id")]
    finally:
        conn.close()


def _no_traceback(result) -> None:
    assert "Traceback" not in result.err, result.err
    assert "Traceback" not in result.out, result.out


def _one_error_line(result, code: int, *words: str) -> str:
    """Exit `code`, nothing on stdout, one line on stderr starting "wise: " with `words`."""
    _no_traceback(result)
    assert result.code == code, (result.code, result.err)
    assert result.out == ""
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    line = lines[0]
    assert line.startswith("wise: ") and len(line) > len("wise: ") + 10, line
    for word in words:
        assert word.lower() in line.lower(), f"{word!r} not in {line!r}"
    return line


def _failure(result, *words: str) -> str:
    """Exit 1 with a message that starts "wise: " and contains `words`; returns stderr."""
    _no_traceback(result)
    assert result.code == 1, (result.code, result.out, result.err)
    assert result.err.startswith("wise: "), result.err
    for word in words:
        assert word.lower() in result.err.lower(), f"{word!r} not in {result.err!r}"
    return result.err


def _text_kept(home: Path, text: str, stderr: str) -> None:
    """The unsaved text is in the rescue file, or at least printed for the user to copy."""
    rescue = home / "unsaved-captures.txt"
    kept = rescue.read_text("utf-8") if rescue.exists() else ""
    assert text in kept or text in stderr, (kept, stderr)
    if text in kept:
        assert str(rescue) in stderr, "the message should say where the text was kept"


@pytest.fixture(scope="module")
def journal_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Made once per module with the real CLI: a goal, a tagged note, a to-do and a win."""
    home = tmp_path_factory.mktemp("template") / "wise-home"
    env = {**os.environ, "WISE_HOME": str(home)}
    for args in (("goals", "add", "Health", "--why", "to feel good"),
                 ("capture", "walked to the park #health #outside"),
                 ("capture", "todo: call mum tomorrow"),
                 ("capture", "+ fixed the bike")):
        done = subprocess.run([sys.executable, "-m", "app.cli.main", *args], env=env,
                              cwd=ROOT, capture_output=True, check=False, timeout=60)
        assert done.returncode == 0, done.stderr.decode()
    quiesce(home / "wise.db")
    return home / "wise.db"


@pytest.fixture
def journal(wise_home: Path, journal_template: Path) -> dict[str, int]:
    """This test's own copy of the template journal; returns its row counts."""
    wise_home.mkdir(mode=0o700)
    shutil.copyfile(journal_template, wise_home / "wise.db")
    counts = _counts(wise_home)
    assert counts["entries"] == 1 and counts["actions"] == 2 and counts["goals"] == 1
    assert counts["tags"] == 1  # "health" links the goal; "outside" is a tag
    return counts


# --- capture text -------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", " ", "   \t  ", "\n\n", " \r\n "])
def test_empty_or_blank_capture_is_refused(wise, wise_home: Path, journal, text: str) -> None:
    result = wise("capture", text)
    _one_error_line(result, 2, "empty")
    assert _counts(wise_home) == journal
    assert not (wise_home / "unsaved-captures.txt").exists()


@pytest.mark.parametrize("data", [b"", b"   \n", b"\r\n\t\r\n"])
def test_empty_or_blank_stdin_is_refused(wise, wise_home: Path, journal, data: bytes) -> None:
    result = wise("capture", "-", stdin=data)
    _one_error_line(result, 2, "empty")
    assert _counts(wise_home) == journal


def test_text_over_the_limit_is_refused(wise, wise_home: Path, journal) -> None:
    result = wise("capture", "a" * (MAX_CHARS + 1))
    line = _one_error_line(result, 2, "10,001", "10,000")
    assert "nothing was saved" in line.lower()
    assert _counts(wise_home) == journal
    assert not (wise_home / "unsaved-captures.txt").exists()


def test_text_over_the_limit_on_stdin_is_refused(wise, wise_home: Path, journal) -> None:
    # Multi-byte characters: the limit counts characters, and a long input still fails.
    result = wise("capture", "-", stdin=("é" * (MAX_CHARS + 1)).encode())
    _one_error_line(result, 2, "10,000")
    result = wise("capture", "-", stdin=b"x" * (MAX_CHARS * 5))
    _one_error_line(result, 2, "10,000")
    assert _counts(wise_home) == journal


def test_text_of_exactly_the_limit_is_saved_whole(wise, wise_home: Path, journal) -> None:
    text = "a" * MAX_CHARS
    result = wise("capture", "--json", text)
    _no_traceback(result)
    assert result.code == 0, result.err
    assert result.err == ""
    assert result.json()["text"] == text
    assert _entry_texts(wise_home)[-1] == text
    # Four-byte characters from standard input: 10,000 characters is 40,000 bytes.
    emoji = "🙂" * MAX_CHARS
    result = wise("capture", "--json", "-", stdin=emoji.encode())
    assert result.code == 0, result.err
    assert _entry_texts(wise_home)[-1] == emoji
    assert _counts(wise_home)["entries"] == journal["entries"] + 2


def test_exactly_the_limit_with_a_trailing_newline_from_a_pipe_is_saved(
        wise, wise_home: Path, journal) -> None:
    text = "a" * MAX_CHARS
    result = wise("capture", "-", stdin=(text + "\n").encode())
    assert result.code == 0, result.err
    assert _entry_texts(wise_home)[-1] == text


@pytest.mark.parametrize("data", [b"\x00", b"half\x00way", b"PK\x03\x04\x00\x00binary\x00"])
def test_nul_bytes_on_stdin_are_refused(wise, wise_home: Path, journal, data: bytes) -> None:
    result = wise("capture", "-", stdin=data)
    _one_error_line(result, 2, "NUL", "nothing was saved")
    assert _counts(wise_home) == journal


def test_invalid_utf8_on_stdin_is_saved_with_replacement_and_a_warning(
        wise, wise_home: Path, journal) -> None:
    result = wise("capture", "--json", "-", stdin=b"caf\xe9 au lait \xff\xfe ok\n")
    _no_traceback(result)
    assert result.code == 0, result.err
    lines = result.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("wise: warning: "), result.err
    assert "UTF-8" in lines[0]
    saved = "caf\ufffd au lait \ufffd\ufffd ok"
    assert result.json()["text"] == saved
    assert _entry_texts(wise_home)[-1] == saved
    assert _counts(wise_home)["entries"] == journal["entries"] + 1


def test_invalid_utf8_in_a_capture_argument_is_saved_with_replacement_and_a_warning(
        wise, wise_home: Path, journal) -> None:
    # Python hands such bytes over as lone surrogates (os.fsdecode); SQLite refuses them.
    result = wise("capture", "--json", "caf" + os.fsdecode(b"\xe9") + " au lait")
    _no_traceback(result)
    assert result.code == 0, result.err
    lines = result.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("wise: warning: "), result.err
    assert "UTF-8" in lines[0]
    assert result.json()["text"] == _entry_texts(wise_home)[-1] == "caf\ufffd au lait"


@pytest.mark.parametrize("args", [
    ("goals", "add", "Bad " + os.fsdecode(b"\xff") + " title"),
    ("goals", "add", "Fine", "--why", os.fsdecode(b"\xfe\xff")),
    ("search", os.fsdecode(b"caf\xe9")),
    ("config", "set", "day.start_hour", os.fsdecode(b"\xff")),
])
def test_invalid_utf8_in_other_arguments_is_one_clear_line(wise, wise_home: Path, journal,
                                                           args: tuple[str, ...]) -> None:
    result = wise(*args)
    _one_error_line(result, 2, "not valid UTF-8", "nothing was done")
    assert _counts(wise_home) == journal


def test_bad_capture_input_in_a_new_home_creates_nothing(wise, wise_home: Path) -> None:
    for args, stdin in ((("capture", ""), None), (("capture", "   "), None),
                        (("capture", "x" * (MAX_CHARS + 1)), None),
                        (("capture", "-"), b"a\x00b"), (("frobnicate",), None),
                        (("capture", "--bogus", "x"), None)):
        result = wise(*args, stdin=stdin)
        assert result.code == 2, (args, result.err)
        _no_traceback(result)
    assert not wise_home.exists(), list(wise_home.rglob("*"))


# --- usage errors ---------------------------------------------------------------------------


@pytest.mark.parametrize(("args", "words"), [
    (("frobnicate",), ("invalid choice", "frobnicate")),
    (("--bogus",), ("--bogus",)),
    (("capture", "--bogus", "x"), ("--bogus",)),
    (("search",), ("query",)),
    (("search", "--limit", "abc", "x"), ("--limit",)),
    (("search", "--limit", "0", "x"), ("--limit",)),
    (("export", "--format", "xml"), ("xml",)),
    (("import",), ("file",)),
    (("actions", "done", "abc"), ("abc",)),
    (("actions", "done", "999"), ("999",)),
    (("goals", "frob"), ("frob",)),
    (("goals", "pause", "nosuch"), ("nosuch",)),
    (("today", "--date", "2026-13-45"), ("--date",)),
    (("config", "set", "no.such", "1"), ("no.such",)),
    (("config", "get", "no.such"), ("no.such",)),
])
def test_usage_errors(wise, wise_home: Path, journal, args: tuple[str, ...],
                      words: tuple[str, ...]) -> None:
    settings = wise_home / "settings.toml"
    result = wise(*args)
    _one_error_line(result, 2, *words)
    assert "usage:" not in result.err.lower()
    assert _counts(wise_home) == journal
    assert not settings.exists()


# --- import ---------------------------------------------------------------------------------


def _other_journal_export(wise, tmp_path: Path) -> str:
    """A valid export of a different journal, with three notes."""
    home = tmp_path / "other-home"
    for text in ("first other note", "second other note", "third other note"):
        result = wise("capture", text, env={"WISE_HOME": str(home)})
        assert result.code == 0, result.err
    result = wise("export", "--format", "json", env={"WISE_HOME": str(home)})
    assert result.code == 0, result.err
    assert result.out.startswith('{"format": "wise-journal"')
    return result.out


IMPORT_CASES = {
    "not-json.txt": (b"Dear diary, today I learned that this is not JSON.\n", ("JSON",)),
    "cut-short.json": (b'{"format": "wise-journal", "version": 1, "goals": [\n', ("JSON",)),
    "binary.png": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4,
                   ("not a wise export",)),
    "latin1.json": ('{"format": "wise-journal", "note": "café"}'.encode("latin-1"),
                    ("UTF-8",)),
    "empty.json": (b"", ("empty",)),
    "other-format.json": (b'{"format": "diary-pro", "version": 3, "pages": []}\n',
                          ("diary-pro",)),
    "no-format.json": (b'{"entries": [{"text": "hi"}]}\n', ("format",)),
    "a-list.json": (b'[{"text": "hi"}]\n', ("format",)),
    "too-new.json": (b'{"format": "wise-journal", "version": 99, "exported_at": '
                     b'"2030-01-01T00:00:00+00:00", "goals": [], "actions": [], '
                     b'"entries": []}\n', ("version 99",)),
}


@pytest.mark.parametrize("name", sorted(IMPORT_CASES))
def test_import_of_a_file_that_is_not_an_export(wise, wise_home: Path, journal,
                                                tmp_path: Path, name: str) -> None:
    data, words = IMPORT_CASES[name]
    source = tmp_path / name
    source.write_bytes(data)
    before = _entry_texts(wise_home)
    result = wise("import", str(source))
    _one_error_line(result, 2, *words)
    assert _counts(wise_home) == journal
    assert _entry_texts(wise_home) == before


def test_import_of_the_journal_database_itself(wise, wise_home: Path, journal,
                                               tmp_path: Path) -> None:
    copy = tmp_path / "copy-of-wise.db"
    shutil.copyfile(wise_home / "wise.db", copy)
    result = wise("import", str(copy))
    _one_error_line(result, 2, "SQLite")
    assert _counts(wise_home) == journal


def test_import_of_a_missing_file(wise, wise_home: Path, journal, tmp_path: Path) -> None:
    result = wise("import", str(tmp_path / "nope.json"))
    _one_error_line(result, 2, "no such file")
    assert _counts(wise_home) == journal


def test_import_with_one_bad_record_imports_nothing(wise, wise_home: Path, journal,
                                                    tmp_path: Path) -> None:
    export = _other_journal_export(wise, tmp_path)
    lines = export.splitlines(keepends=True)
    # Spoil the last note: all or nothing means the first two are not imported either.
    index = max(i for i, line in enumerate(lines) if "third other note" in line)
    lines[index] = lines[index].replace('"note"', '"diary-page"', 1)
    assert lines[index] != export.splitlines(keepends=True)[index]
    source = tmp_path / "spoiled.json"
    source.write_text("".join(lines), encoding="utf-8")
    result = wise("import", str(source))
    _one_error_line(result, 2, "diary-page")
    assert _counts(wise_home) == journal
    assert not any("other note" in text for text in _entry_texts(wise_home))
    # The same file, unspoiled, imports fine: the refusal was about that one record.
    good = tmp_path / "good.json"
    good.write_text(export, encoding="utf-8")
    result = wise("import", str(good))
    assert result.code == 0, result.err
    assert _counts(wise_home)["entries"] == journal["entries"] + 3


# --- a locked journal -----------------------------------------------------------------------

_LOCKER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)
conn.execute("BEGIN IMMEDIATE")
conn.execute("INSERT INTO tags (name) VALUES ('written-by-the-locker')")
print("locked", flush=True)
sys.stdin.readline()  # hold the write lock until the test says so (or goes away)
conn.execute("ROLLBACK")
conn.close()
print("released", flush=True)
"""


@pytest.mark.timeout(120)
def test_capture_while_another_program_holds_the_write_lock(wise, wise_home: Path,
                                                            journal) -> None:
    text = "kept safe while the journal was locked"
    with subprocess.Popen([sys.executable, "-c", _LOCKER, str(wise_home / "wise.db")],
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE) as locker:
        try:
            assert locker.stdout.readline() == b"locked\n", locker.stderr.read()
            started = time.monotonic()
            result = wise("capture", text)
            waited = time.monotonic() - started
        finally:
            locker.stdin.write(b"release\n")
            locker.stdin.close()
            released = locker.stdout.read()
            locker.wait(30)
    assert released == b"released\n"
    assert locker.returncode == 0
    err = _failure(result, "busy")
    assert result.out == ""
    assert 4.5 <= waited < 30, f"capture gave up after {waited:.1f} s, not the 5 s timeout"
    assert "database is locked" not in err
    _text_kept(wise_home, text, err)
    assert text in (wise_home / "unsaved-captures.txt").read_text("utf-8")
    assert _counts(wise_home) == journal

    # The lock is gone: capturing works again, and doctor points at the unsaved text.
    again = wise("capture", "after the lock")
    assert again.code == 0, again.err
    _no_traceback(again)
    assert _counts(wise_home)["entries"] == journal["entries"] + 1
    doctor = wise("doctor", "--json")
    assert doctor.code == 0, doctor.out + doctor.err
    unsaved = next(c for c in doctor.json()["checks"] if c["name"] == "unsaved captures")
    assert unsaved["status"] == "warning" and "1 capture" in unsaved["detail"]


# --- a damaged journal ----------------------------------------------------------------------


def _damage(db: Path, where: str) -> None:
    size = db.stat().st_size
    page = 4096
    assert size >= 8 * page
    with open(db, "r+b") as handle:
        if where == "header":
            handle.write(b"\xde\xad\xbe\xef" * (page // 4))
        else:  # every page but the first and the last: the tables themselves
            handle.seek(page)
            handle.write(bytes((i * 7919 + 13) % 251 for i in range(size - 2 * page)))
        handle.flush()
        os.fsync(handle.fileno())


@pytest.mark.parametrize("where", ["header", "middle"])
def test_damaged_journal(wise, wise_home: Path, journal, where: str) -> None:
    first = wise("backup", "--json")
    assert first.code == 0, first.err
    assert wise("capture", "one more note").code == 0
    newest = wise("backup", "--json")
    assert newest.code == 0, newest.err
    newest_path = newest.json()["backup"]
    assert newest_path != first.json()["backup"]
    db = wise_home / "wise.db"
    quiesce(db)
    _damage(db, where)

    doctor = wise("doctor")
    _no_traceback(doctor)
    assert doctor.code == 1, doctor.out + doctor.err
    assert "damaged" in doctor.out
    assert newest_path in doctor.out, "doctor should name the newest backup"
    assert first.json()["backup"] not in doctor.out

    text = "written after the damage"
    result = wise("capture", text)
    err = _failure(result, "wise doctor")
    assert result.out == ""
    _text_kept(wise_home, text, err)
    assert text in (wise_home / "unsaved-captures.txt").read_text("utf-8")

    # Readers fail cleanly too.
    for args in (("search", "note"), ("today",), ("export", "--format", "json")):
        reader = wise(*args)
        _failure(reader)
    # And the backup it names is a sound journal holding what was captured before.
    conn = sqlite3.connect(f"file:{newest_path}?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        texts = {r[0] for r in conn.execute("SELECT text FROM entries")}
    finally:
        conn.close()
    assert "one more note" in texts


def test_a_rescue_file_that_is_a_symbolic_link_is_not_written_through(
        wise, wise_home: Path, journal, tmp_path: Path) -> None:
    target = tmp_path / "someone-elses-file.txt"
    target.write_text("theirs\n")
    (wise_home / "unsaved-captures.txt").symlink_to(target)
    db = wise_home / "wise.db"
    quiesce(db)
    _damage(db, "header")

    text = "a private thought while the journal is damaged"
    result = wise("capture", text)
    err = _failure(result, "damaged")
    assert target.read_text() == "theirs\n"  # the link's target is untouched
    [kept] = [p for p in wise_home.glob("unsaved-captures-*.txt")]
    assert text in kept.read_text("utf-8") and str(kept) in err
    assert kept.stat().st_mode & 0o777 == 0o600
    unsaved = next(c for c in wise("doctor", "--json").json()["checks"]
                   if c["name"] == "unsaved captures")
    assert unsaved["status"] == "warning" and str(kept) in unsaved["detail"]


# --- a data folder that cannot be written ---------------------------------------------------


def test_data_folder_that_cannot_be_created(wise, tmp_path: Path) -> None:
    blocker = tmp_path / "a-regular-file"
    blocker.write_text("not a folder\n")
    for home in (blocker / "wise-home", blocker):
        env = {"WISE_HOME": str(home)}
        text = f"nowhere to go {home.name}"
        result = wise("capture", text, env=env)
        err = _failure(result, "cannot create", str(home))
        assert result.out == ""
        _text_kept(home, text, err)  # no folder, so the text is printed to copy
        assert blocker.read_text() == "not a folder\n"


def test_read_only_journal_refuses_capture_cleanly(wise, wise_home: Path, journal) -> None:
    quiesce(wise_home / "wise.db")
    text = "a thought with nowhere to be written"
    with ReadOnlyFolder(wise_home) as read_only:
        result = wise("capture", text, prefix=read_only.prefix)
        err = _failure(result, str(wise_home / "wise.db"))
        assert result.out == ""
        _text_kept(wise_home, text, err)
        again = wise("capture", "--json", "second try", prefix=read_only.prefix)
        _failure(again)
        assert again.out == ""
    assert _counts(wise_home) == journal
    # Writable again: capture works.
    assert wise("capture", "writable again").code == 0


def test_read_only_journal_is_not_called_damaged(wise, wise_home: Path, journal) -> None:
    quiesce(wise_home / "wise.db")
    with ReadOnlyFolder(wise_home) as read_only:
        result = wise("capture", "a thought with nowhere to be written",
                      prefix=read_only.prefix)
        doctor = wise("doctor", prefix=read_only.prefix)
    assert result.code == 1
    message = result.err.lower()
    assert "cannot be read" not in message and "damaged" not in message, result.err
    assert any(w in message for w in ("permission", "writable", "read-only", "cannot write"))
    assert "damaged" not in doctor.out, doctor.out


# --- settings ---------------------------------------------------------------------------------


def test_settings_file_that_is_not_toml(wise, wise_home: Path, journal) -> None:
    settings = wise_home / "settings.toml"
    settings.write_text("[day\nstart_hour = = 5\n")
    result = wise("capture", "--json", "still works")
    _no_traceback(result)
    assert result.code == 0, result.err
    assert result.json()["saved"] is True
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("wise: warning: ") and "not valid TOML" in lines[0]
    assert str(settings) in lines[0]
    assert _counts(wise_home)["entries"] == journal["entries"] + 1
    # Defaults are in force, and the broken file is left for the user to fix.
    got = wise("config", "get", "day.start_hour")
    assert got.code == 0 and got.out.strip() == "4"
    assert "not valid TOML" in got.err
    refused = wise("config", "set", "day.start_hour", "5")
    _failure(refused, "nothing was changed")
    assert settings.read_text() == "[day\nstart_hour = = 5\n"


def test_settings_file_with_one_bad_value(wise, wise_home: Path, journal) -> None:
    settings = wise_home / "settings.toml"
    settings.write_text("[day]\nstart_hour = 99\n\n[backup]\nkeep = 3\n")
    result = wise("capture", "still works")
    _no_traceback(result)
    assert result.code == 0, result.err
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("wise: warning: ")
    assert "day.start_hour" in lines[0] and "4" in lines[0]
    got = wise("config", "get", "day.start_hour")
    assert got.code == 0 and got.out.strip() == "4"  # the default is used
    assert "day.start_hour" in got.err
    kept = wise("config", "get", "backup.keep")
    assert kept.code == 0 and kept.out.strip() == "3"  # the good value is still used


@pytest.mark.parametrize("value", ["99", "-1", "24", "four", ""])
def test_config_set_refuses_a_bad_value(wise, wise_home: Path, value: str) -> None:
    settings = wise_home / "settings.toml"
    assert wise("config", "set", "day.start_hour", "6").code == 0
    before = settings.read_bytes()
    result = wise("config", "set", "day.start_hour", value)
    _one_error_line(result, 2, "day.start_hour")
    assert settings.read_bytes() == before
    got = wise("config", "get", "day.start_hour")
    assert got.out.strip() == "6"
