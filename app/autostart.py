"""Start Wise when the user logs in: an XDG autostart entry, a macOS LaunchAgent or a
Windows Run key, whichever this platform uses."""

from __future__ import annotations

import os
import plistlib
import sys
from collections.abc import Sequence
from pathlib import Path

from app.paths import HOME_ENV

ENTRY_NAME = "wise.desktop"
LAUNCH_AGENT_LABEL = "org.wise.companion"
RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
RUN_VALUE = "Wise"

# Desktop Entry spec, "The Exec key": an argument holding any of these must be quoted.
_EXEC_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")
# ...and inside double quotes these four must be backslash-escaped.
_EXEC_ESCAPED_IN_QUOTES = set('"`$\\')


def default_command() -> list[str]:
    """How to start the tray app: a frozen bundle itself, else the `wise` script installed
    next to this Python, else this Python running the CLI module."""
    if getattr(sys, "frozen", False):
        return [sys.executable]
    script = Path(sys.executable).parent / ("wise.exe" if sys.platform == "win32" else "wise")
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-m", "app.cli.main"]


def autostart_enabled() -> bool:
    if sys.platform == "win32":
        return _windows_read() is not None
    if sys.platform == "darwin":
        return _launch_agent_path().is_file()
    return _xdg_entry_path().is_file()


def enable_autostart(command: Sequence[str]) -> Path | str:
    """Register `command` to run at login; returns the file or registry value written.
    Raises OSError when it cannot be written."""
    if not command:
        raise ValueError("the autostart command is empty")
    home = os.environ.get(HOME_ENV, "").strip()
    if home:
        # Login starts the app elsewhere: a relative or ~ path would point somewhere else.
        home = str(Path(home).expanduser().absolute())
    if sys.platform == "win32":
        return _windows_write(command, home)
    if sys.platform == "darwin":
        path = _launch_agent_path()
        _write_atomically(path, _launch_agent(command, home))
        return path
    path = _xdg_entry_path()
    _write_atomically(path, desktop_entry(command, home).encode("utf-8"))
    return path


def disable_autostart() -> None:
    """Remove the login entry; nothing to remove is fine."""
    if sys.platform == "win32":
        _windows_delete()
        return
    path = _launch_agent_path() if sys.platform == "darwin" else _xdg_entry_path()
    path.unlink(missing_ok=True)


# --- Linux and the BSDs: XDG autostart ------------------------------------------------


def _xdg_entry_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME", "").strip()
    # The spec says a relative XDG_CONFIG_HOME is invalid and must be ignored.
    config = Path(base) if base and Path(base).is_absolute() else Path.home() / ".config"
    return config / "autostart" / ENTRY_NAME


def desktop_entry(command: Sequence[str], wise_home: str = "") -> str:
    argv = list(command)
    if wise_home:
        # `env` as the program: the spec forbids "=" in the program name itself.
        argv = ["env", f"{HOME_ENV}={wise_home}", *argv]
    return (
        "[Desktop Entry]\n"
        "Type=Application\n"
        "Version=1.0\n"
        "Name=Wise\n"
        "Comment=Your journaling companion, in the system tray\n"
        f"Exec={exec_value(argv)}\n"
        "Icon=wise\n"
        "Terminal=false\n"
        "Categories=Utility;\n"
        "X-GNOME-Autostart-enabled=true\n"
    )


def exec_value(argv: Sequence[str]) -> str:
    """argv -> the Exec key's value: each argument quoted by the Exec rules, "%" doubled
    (it starts a field code), then the whole escaped as a desktop-file string."""
    return _escape_string(" ".join(_quote_exec_argument(arg) for arg in argv))


def _quote_exec_argument(arg: str) -> str:
    arg = arg.replace("%", "%%")
    if arg and not _EXEC_RESERVED.intersection(arg):
        return arg
    inner = "".join(f"\\{ch}" if ch in _EXEC_ESCAPED_IN_QUOTES else ch for ch in arg)
    return f'"{inner}"'


def _escape_string(value: str) -> str:
    # The string escapes apply to the file's text, before the Exec quoting is undone.
    return (value.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")
            .replace("\r", "\\r"))


# --- macOS: a LaunchAgent ------------------------------------------------------------


def _launch_agent_path() -> Path:
    return Path.home() / "Library" / "LaunchAgents" / f"{LAUNCH_AGENT_LABEL}.plist"


def _launch_agent(command: Sequence[str], wise_home: str) -> bytes:
    agent: dict[str, object] = {
        "Label": LAUNCH_AGENT_LABEL,
        "ProgramArguments": list(command),
        "RunAtLoad": True,
        "ProcessType": "Interactive",
    }
    if wise_home:
        agent["EnvironmentVariables"] = {HOME_ENV: wise_home}
    return plistlib.dumps(agent)


# --- Windows: the per-user Run key ---------------------------------------------------


def _windows_command_line(command: Sequence[str]) -> str:
    import subprocess

    # A Run value is one command line; it cannot set environment variables, so a custom
    # WISE_HOME must be a user environment variable there (setx WISE_HOME ...).
    return subprocess.list2cmdline(list(command))


def _windows_write(command: Sequence[str], wise_home: str) -> str:
    import winreg  # type: ignore[import-not-found]  # Windows only

    del wise_home  # see _windows_command_line
    with winreg.CreateKey(winreg.HKEY_CURRENT_USER, RUN_KEY) as key:
        winreg.SetValueEx(key, RUN_VALUE, 0, winreg.REG_SZ, _windows_command_line(command))
    return f"HKEY_CURRENT_USER\\{RUN_KEY}\\{RUN_VALUE}"


def _windows_read() -> str | None:
    import winreg  # type: ignore[import-not-found]

    try:
        with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY) as key:
            value, _ = winreg.QueryValueEx(key, RUN_VALUE)
    except FileNotFoundError:
        return None
    return str(value)


def _windows_delete() -> None:
    import winreg  # type: ignore[import-not-found]

    try:
        with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY, 0, winreg.KEY_SET_VALUE) as key:
            winreg.DeleteValue(key, RUN_VALUE)
    except FileNotFoundError:
        pass


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(data)
    os.replace(partial, path)
