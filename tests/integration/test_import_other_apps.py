"""`wise import --from jrnl|dayone|todotxt|markdown` as a person runs it: real subprocesses
on the fixture journals (tests/fixtures/import/README.md says where each shape comes
from), a second import that adds nothing, a round trip through `wise export`, a broken
record that leaves the journal as it was, and hostile files refused with bounded memory."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.helpers import (
    PEAK_RSS_BOUND_MB,
    export_import_export,
    import_measured,
    sparse_file,
    sql,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "import"
SOURCES = {"jrnl": FIXTURES / "jrnl" / "export.json", "dayone": FIXTURES / "dayone",
           "todotxt": FIXTURES / "todo.txt", "markdown": FIXTURES / "notes.md"}


def counts(home: Path) -> tuple[int, int]:
    return tuple(sql(home, f"SELECT count(*) FROM {table}")[0][0]  # type: ignore[return-value]
                 for table in ("entries", "actions"))


@pytest.mark.parametrize("fmt", list(SOURCES))
def test_import_then_again_adds_nothing_the_second_time(wise, wise_home: Path, fmt: str
                                                         ) -> None:
    first = wise("import", "--from", fmt, str(SOURCES[fmt]), "--tz", "Europe/Paris", "--json")
    assert first.code == 0, first.err
    summary = first.json()
    assert summary["format"] == fmt and summary["new"] > 0 and not summary["dry_run"]
    assert sum(counts(wise_home)) == summary["new"]
    again = wise("import", "--from", fmt, str(SOURCES[fmt]), "--tz", "Asia/Tokyo")
    assert again.code == 0, again.err
    assert f"{summary['new']} were already in your journal" in again.out
    assert sum(counts(wise_home)) == summary["new"]
    assert {row[0] for row in sql(wise_home, "SELECT source FROM entries UNION "
                                             "SELECT source FROM actions")} == {"import"}


def test_the_imported_journal_round_trips_through_wise_export(wise, tmp_path: Path) -> None:
    assert wise("goals", "add", "Health", "--why", "to feel well").code == 0
    for fmt, path in SOURCES.items():
        assert wise("import", "--from", fmt, str(path), "--tz", "+01:00").code == 0
    journal = export_import_export(wise, tmp_path)
    linked = [row for row in journal["actions"] if row["goal"] is not None]
    assert {row["title"] for row in linked} >= {"Call the dentist", "Walked to the park"}
    assert (len(journal["entries"]), len(journal["actions"])) == (5 + 4 + 8, 18 + 6)


def _jrnl_export(entries: int, bad_at: int | None = None) -> str:
    rows = [{"title": f"Entry {n}.", "body": "", "date": "2023-01-01", "time": "09:00",
             "tags": ["@n"], "starred": False} for n in range(entries)]
    if bad_at is not None:
        rows[bad_at]["date"] = "2023-02-30"
    return json.dumps({"tags": {"@n": entries}, "entries": rows}, indent=2)


def test_a_broken_record_past_the_first_batch_imports_nothing(wise, wise_home: Path,
                                                              tmp_path: Path) -> None:
    assert wise("capture", "already here").code == 0
    source = tmp_path / "jrnl.json"
    source.write_text(_jrnl_export(2_500, bad_at=2_100))  # batches of 1,000 were written
    done = wise("import", "--from", "jrnl", str(source))
    assert done.code == 2
    lines = source.read_text().splitlines()
    bad = next(n for n, text in enumerate(lines) if "2023-02-30" in text)
    line = max(n for n in range(bad) if lines[n] == "    {") + 1  # where the entry starts
    assert done.err == (f"wise: jrnl.json, line {line} (entry 2101): the entry's date "
                        "'2023-02-30' is not a date (expected one like 2024-03-05)\n")
    assert counts(wise_home) == (1, 0)


def test_a_broken_journal_in_a_day_one_zip_imports_nothing(wise, wise_home: Path,
                                                           tmp_path: Path) -> None:
    archive = tmp_path / "Day One.zip"
    with zipfile_of(archive) as zip_file:
        zip_file.write(FIXTURES / "dayone" / "Journal.json", "Journal.json")
        zip_file.writestr("Work.json", '{"metadata": {}, "entries": [{"uuid": "X", '
                                       '"creationDate": "yesterday", "text": "hi"}]}')
    done = wise("import", "--from", "dayone", str(archive))
    assert done.code == 2
    assert done.err.startswith("wise: Day One.zip: Work.json, line 1 (entry 1): the entry's "
                               "creationDate 'yesterday' is not a moment")
    assert counts(wise_home) == (0, 0)


def zipfile_of(path: Path):
    import zipfile

    return zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED)


def test_dry_run_auto_and_the_hint_for_a_file_given_as_a_wise_export(
        wise, wise_home: Path) -> None:
    dry = wise("import", "--from", "auto", str(SOURCES["todotxt"]), "--dry-run")
    assert dry.code == 0, dry.err
    assert dry.out.startswith("Would import 15 to-dos and 4 wins from")
    assert counts(wise_home) == (0, 0)
    plain = wise("import", str(SOURCES["jrnl"]))
    assert plain.code == 2
    assert "it looks like a jrnl file: import it with `wise import --from jrnl FILE`" in plain.err


@pytest.mark.parametrize(("args", "words"), [
    (["--from", "jrnl", "missing.json"], "wise: no such file or folder: missing.json"),
    (["--from", "todotxt", str(SOURCES["todotxt"]), "--tz", "Mars/Base"],
     "is not a time zone Wise knows"),
    (["--from", "jrnl", str(FIXTURES / "todo.txt")], "todo.txt is not a jrnl JSON export: "
                                                     "it does not start with '{'"),
    (["--from", "markdown", str(FIXTURES / "dayone")], "is a folder; give the file itself"),
    ([str(SOURCES["jrnl"]), "--tz", "UTC"], "--tz and --dry-run go with --from"),
])
def test_bad_input_is_one_line(wise, wise_home: Path, args: list[str], words: str) -> None:
    done = wise("import", *args)
    assert done.code == 2 and "Traceback" not in done.err
    assert len(done.err.splitlines()) == 1 and words in done.err


TWO_GB_CASES = {
    "jrnl": ('{"tags": {}, "entries": [{"title": "' + "x" * 16_384, '"}]}\n',
             "not valid JSON (Invalid control character"),
    "todotxt": ("(A) " + "x" * 16_384, "\n", "line 1: longer than 16 MB"),
    "markdown": ("# 2024-03-01\n" + "x" * 16_384, "\n", "line 2: longer than 16 MB"),
}


@pytest.mark.parametrize("fmt", list(TWO_GB_CASES))
def test_a_2_gb_file_is_refused_with_bounded_memory(wise_home: Path, tmp_path: Path,
                                                   fmt: str) -> None:
    *ends, words = TWO_GB_CASES[fmt]
    path = sparse_file(tmp_path / f"big-{fmt}", *ends)
    done, peak_mb = import_measured(path, "--from", fmt)
    assert done.returncode == 2, done.stderr
    assert words in done.stderr and len(done.stderr.splitlines()) == 1
    assert peak_mb < PEAK_RSS_BOUND_MB, f"{peak_mb:.0f} MB"


def test_deep_nesting_and_long_numbers_are_refused_in_one_line(wise, tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text('{"entries": [{"title": "a", "x": ' + "[" * 100_000 + "]" * 100_000 + "}]}")
    long_number = tmp_path / "number.json"
    long_number.write_text('{"entries": [{"title": "a", "x": ' + "9" * 5000 + "}]}")
    for path, words in ((deep, "nested far deeper"), (long_number, "5,000 digits")):
        done = wise("import", "--from", "jrnl", str(path))
        assert done.code == 2 and words in done.err and "Traceback" not in done.err


def test_the_import_leaves_no_file_others_can_read(wise, wise_home: Path) -> None:
    assert wise("import", "--from", "dayone", str(SOURCES["dayone"])).code == 0
    assert (wise_home / "wise.db").stat().st_mode & 0o077 == 0
    shutil.rmtree(wise_home / "backups", ignore_errors=True)
    conn = sqlite3.connect(wise_home / "wise.db")
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        conn.close()
