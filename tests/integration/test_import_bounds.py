"""`wise import` of hostile files: nesting 100,000 deep, a 5,000-digit number, a 2 GB file (a
sparse one: no test writes 2 GB). Each is refused whole in one clear line, with memory that
does not grow with the file, and nothing is imported."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.helpers import PEAK_RSS_BOUND_MB, import_measured, sparse_file

ROOT = Path(__file__).resolve().parents[2]


def _export(wise, tmp_path: Path) -> list[str]:
    assert wise("capture", "already here").code == 0
    target = tmp_path / "good.json"
    assert wise("export", "-o", str(target)).code == 0
    return target.read_text().splitlines()


def _goal(**overrides: object) -> dict:
    return {"uid": "g1", "slug": "s", "title": "t", "why": "w", "status": "active",
            "cadence_per_week": None, "created_at": "2026-01-01T00:00:00+00:00",
            "updated_at": "2026-01-01T00:00:00+00:00", **overrides}


def _with_goal_line(lines: list[str], goal_line: str) -> str:
    assert lines[1] == '"goals": [' and lines[2] == "],"
    return "\n".join([lines[0], lines[1], goal_line, *lines[2:]]) + "\n"


def _files(tmp_path: Path, good: list[str]) -> dict[str, Path]:
    deep = "[" * 100_000 + "]" * 100_000
    pad = "x" * 16_384  # past the check for binary files at the start
    files = {
        "deep record": _with_goal_line(good, json.dumps(_goal())[:-1] + f', "x": {deep}}}'),
        "deep document": '{"format": "wise-journal", "version": 2, "goals": ' + deep + "}",
        "long number": _with_goal_line(good, json.dumps(_goal())[:-1]
                                       + ', "cadence_per_week": ' + "9" * 5000 + "}"),
    }
    paths = {name: tmp_path / f"{name.replace(' ', '-')}.json" for name in files}
    for name, text in files.items():
        paths[name].write_text(text)
    paths["2 GB line"] = sparse_file(tmp_path / "line.json",
                                 f'{good[0]}\n"goals": [\n{{"uid": "g1", "title": "{pad}',
                                 '"}\n' + "\n".join(good[2:]) + "\n")
    paths["2 GB document"] = sparse_file(tmp_path / "document.json",
                                     '{\n  "format": "wise-journal",\n  "version": 2,\n'
                                     f'  "goals": [{{"title": "{pad}', '"}]}\n')
    return paths


@pytest.mark.parametrize(("name", "words"), [
    ("deep record", "line 3: the JSON is nested far deeper than any record"),
    ("deep document", "nested far deeper than a Wise export"),
    ("long number", "line 3: a number with 5,000 digits"),
    ("2 GB line", "line 3 is longer than 16 MB"),
    ("2 GB document", "larger than 256 MB and not laid out one record per line"),
])
def test_a_hostile_file_is_refused_in_one_line_with_bounded_memory(
        wise, wise_home: Path, tmp_path: Path, name: str, words: str) -> None:
    path = _files(tmp_path, _export(wise, tmp_path))[name]
    done, peak_mb = import_measured(path)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("wise: ") and len(done.stderr.splitlines()) == 1
    assert words in done.stderr
    assert peak_mb < PEAK_RSS_BOUND_MB, f"{peak_mb:.0f} MB"
    conn = sqlite3.connect(wise_home / "wise.db")
    try:  # the journal is as it was
        counts = [conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("entries", "goals")]
    finally:
        conn.close()
    assert counts == [1, 0]
