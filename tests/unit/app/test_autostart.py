"""The XDG autostart entry: written as a proper .desktop file, found, and removed."""

from __future__ import annotations

import configparser
import sys
from pathlib import Path

import pytest

from app.autostart import (
    autostart_enabled,
    default_command,
    disable_autostart,
    enable_autostart,
)

pytestmark = pytest.mark.skipif(sys.platform in {"win32", "darwin"},
                                reason="the XDG autostart entry is for Linux and the BSDs")


@pytest.fixture
def config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "xdg config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    return home


def read_entry(path: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # keys are case-sensitive in desktop files
    parser.read_string(path.read_text(encoding="utf-8"))
    return parser["Desktop Entry"]


def unescape_string(value: str) -> str:
    """The desktop-file string escapes: \\s \\n \\t \\r \\\\."""
    out, chars = [], iter(value)
    for ch in chars:
        if ch == "\\":
            nxt = next(chars)
            out.append({"s": " ", "n": "\n", "t": "\t", "r": "\r", "\\": "\\"}[nxt])
        else:
            out.append(ch)
    return "".join(out)


def split_exec(value: str) -> list[str]:
    """Undo the Exec key's quoting as the Desktop Entry spec describes it."""
    text = unescape_string(value)
    args: list[str] = []
    current: list[str] = []
    in_quotes = started = False
    i = 0
    while i < len(text):
        ch = text[i]
        if in_quotes:
            if ch == "\\" and text[i + 1] in '"`$\\':
                current.append(text[i + 1])
                i += 1
            elif ch == '"':
                in_quotes = False
            else:
                current.append(ch)
        elif ch == '"':
            in_quotes = started = True
        elif ch == " ":
            if started:
                args.append("".join(current))
            current, started = [], False
        else:
            assert ch not in "\t\n'\\><~|&;$*?#()`", f"reserved {ch!r} outside quotes"
            current.append(ch)
            started = True
        i += 1
    assert not in_quotes
    if started:
        args.append("".join(current))
    return [arg.replace("%%", "%") for arg in args]


def test_enable_writes_a_proper_desktop_entry(config_home: Path, wise_home: Path) -> None:
    written = enable_autostart(["/usr/bin/wise"])
    assert written == config_home / "autostart" / "wise.desktop"
    entry = read_entry(written)
    assert entry["Type"] == "Application"
    assert entry["Name"] == "Wise"
    assert entry["Comment"]
    assert entry["Icon"] == "wise"
    assert entry["Terminal"] == "false"
    assert entry["X-GNOME-Autostart-enabled"] == "true"
    assert entry["Categories"] == "Utility;"
    # The autostarted app uses the same data as the one that enabled it.
    assert split_exec(entry["Exec"]) == ["env", f"WISE_HOME={wise_home}", "/usr/bin/wise"]
    assert autostart_enabled()


def test_without_wise_home_the_command_runs_as_is(
        config_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WISE_HOME")
    entry = read_entry(Path(enable_autostart(["/opt/wise/bin/wise"])))
    assert entry["Exec"] == "/opt/wise/bin/wise"


def test_exec_quotes_spaces_and_special_characters(
        config_home: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    home = tmp_path / "my journal $HOME \\ 100% \"ok\""
    monkeypatch.setenv("WISE_HOME", str(home))
    command = ["/home/ann/My Apps/venv/bin/python", "-m", "app.cli.main"]
    entry = read_entry(Path(enable_autostart(command)))
    assert '"/home/ann/My Apps/venv/bin/python"' in entry["Exec"]
    assert split_exec(entry["Exec"]) == ["env", f"WISE_HOME={home}", *command]


def test_relative_wise_home_is_made_absolute(
        config_home: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("WISE_HOME", "data")
    entry = read_entry(Path(enable_autostart(["wise"])))
    assert split_exec(entry["Exec"]) == ["env", f"WISE_HOME={tmp_path / 'data'}", "wise"]


def test_disable_removes_the_entry(config_home: Path) -> None:
    path = Path(enable_autostart(["wise"]))
    disable_autostart()
    assert not path.exists()
    assert not autostart_enabled()


def test_disable_when_absent_is_fine(config_home: Path) -> None:
    assert not autostart_enabled()
    disable_autostart()
    assert not autostart_enabled()


def test_enable_twice_replaces_the_entry(config_home: Path) -> None:
    enable_autostart(["old"])
    path = Path(enable_autostart(["new"]))
    assert split_exec(read_entry(path)["Exec"])[-1] == "new"
    assert sorted(p.name for p in path.parent.iterdir()) == ["wise.desktop"]


def test_default_xdg_config_home_is_dot_config(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert enable_autostart(["wise"]) == tmp_path / ".config" / "autostart" / "wise.desktop"


def test_default_command_starts_wise() -> None:
    command = default_command()
    name = Path(command[0]).name
    assert name.startswith("wise") or command[1:] == ["-m", "app.cli.main"]
    assert Path(command[0]).is_file()
