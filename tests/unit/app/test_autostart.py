"""The XDG autostart entry: written as a proper .desktop file, found, and removed."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app.autostart import (
    autostart_enabled,
    default_command,
    disable_autostart,
    enable_autostart,
    follow_setting,
    remove_login_entry,
)
from app.launch import installed_command

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
    assert entry["Icon"] == "org.wise.companion"
    # Once Wise is uninstalled the login session skips the entry instead of failing on it.
    assert entry["TryExec"] == "/usr/bin/wise"
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


def test_following_the_setting_writes_this_installations_command(config_home: Path) -> None:
    assert follow_setting(True)
    entry = read_entry(config_home / "autostart" / "wise.desktop")
    assert split_exec(entry["Exec"])[2:] == installed_command()
    assert not follow_setting(True)  # already so: nothing written


def test_following_the_setting_refreshes_an_entry_for_an_old_install(config_home: Path) -> None:
    enable_autostart(["/gone/old-venv/bin/wise"])
    assert follow_setting(True)
    entry = read_entry(config_home / "autostart" / "wise.desktop")
    assert split_exec(entry["Exec"])[2:] == installed_command()


def test_following_the_setting_off_removes_this_homes_entry(config_home: Path) -> None:
    enable_autostart(["wise"])
    assert follow_setting(False)
    assert not autostart_enabled()
    assert not follow_setting(False)


def test_another_homes_entry_is_left_alone(
        config_home: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # The person's own entry (default home) survives a Wise started on another WISE_HOME,
    # such as every test's: only the home an entry starts may remove it.
    monkeypatch.delenv("WISE_HOME")
    path = Path(enable_autostart(["/usr/bin/wise"]))
    monkeypatch.setenv("WISE_HOME", str(tmp_path / "another home"))
    assert not follow_setting(False)
    assert not remove_login_entry()
    assert path.is_file()
    monkeypatch.delenv("WISE_HOME")
    assert remove_login_entry()
    assert not path.exists()


def test_a_default_homes_wise_leaves_another_homes_entry(
        config_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = Path(enable_autostart(["wise"]))  # WISE_HOME is set: the entry carries it
    monkeypatch.delenv("WISE_HOME")
    assert not follow_setting(False)
    assert path.is_file()


def test_the_entry_is_valid_for_desktop_file_validate(config_home: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    tool = shutil.which("desktop-file-validate")
    if tool is None:
        pytest.skip("desktop-file-validate (Debian: desktop-file-utils) is not installed")
    monkeypatch.setenv("WISE_HOME", str(tmp_path / "a home with spaces & 100%"))
    path = Path(enable_autostart(["/home/ann/My Apps/bin/wise"]))
    done = subprocess.run([tool, str(path)], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and not done.stdout, done.stdout
