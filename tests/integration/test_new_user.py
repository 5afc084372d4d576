"""The README's first steps, run as a new user would: the real `wise`, in subprocesses."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_first_steps_from_the_readme(wise, wise_home: Path) -> None:
    added = wise("goals", "add", "Family", "--why", "I want to be there for them")
    assert added.code == 0, added.err
    assert "#family" in added.out and "I want to be there for them" in added.out

    saved = wise("capture", "call mum about the trip #family tomorrow")
    assert saved.code == 0, saved.err
    assert saved.out.startswith("Saved to-do 1: call mum about the trip (goal Family, due ")

    today = wise("today")
    assert today.code == 0
    assert "call mum about the trip" in today.out and "#family" in today.out

    found = wise("search", "mum")
    assert found.code == 0 and "call [mum] about the trip" in found.out

    markdown = wise("export", "--format", "markdown")
    assert markdown.code == 0, markdown.err
    assert "Family" in markdown.out and "I want to be there for them" in markdown.out
    assert "call mum about the trip" in markdown.out

    for result in (added, saved, today, found, markdown):
        assert result.err == ""

    # Private by default: the folder and the journal are the user's alone.
    assert wise_home.stat().st_mode & 0o777 == 0o700
    assert (wise_home / "wise.db").stat().st_mode & 0o777 == 0o600


def test_capture_from_stdin_keeps_lines(wise) -> None:
    result = wise("capture", "-", "--json", stdin="first line\nsecond line\n")
    assert result.code == 0, result.err
    assert result.json()["text"] == "first line\nsecond line"


def test_console_script_is_installed() -> None:
    # The `wise` entry point from pyproject.toml, next to the interpreter running the tests.
    exe = Path(sys.executable).parent / "wise"
    proc = subprocess.run([str(exe), "--version"], capture_output=True, text=True, check=False)
    assert proc.returncode == 0
    assert proc.stdout.startswith("wise ")
