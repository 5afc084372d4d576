"""Start Wise when the user logs in: an XDG autostart entry, a macOS LaunchAgent or a
Windows Run key, whichever this platform uses."""

from __future__ import annotations

import os
import plistlib
import sys
from collections.abc import Sequence
from pathlib import Path

from app.desktop import APP_ID
from app.desktop.entry_format import escape_string, exec_value, launch_argv
from app.launch import installed_command
from app.paths import HOME_ENV

ENTRY_NAME = "wise.desktop"
LAUNCH_AGENT_LABEL = "org.wise.companion"
RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
RUN_VALUE = "Wise"


def default_command() -> list[str]:
    """How login starts the tray app: this installation's `wise` (app.launch)."""
    return installed_command()


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
    home = _wise_home()
    if sys.platform == "win32":
        return _windows_write(command, home)
    path, data = _entry_file(command, home)
    _write_atomically(path, data)
    return path


def disable_autostart() -> None:
    """Remove the login entry; nothing to remove is fine."""
    if sys.platform == "win32":
        _windows_delete()
        return
    path = _launch_agent_path() if sys.platform == "darwin" else _xdg_entry_path()
    path.unlink(missing_ok=True)


def follow_setting(enabled: bool) -> bool:
    """Make this Wise home's login entry say what `startup.autostart` says: written, and
    pointing at this installation's command, when on; removed when off. An entry that
    starts another Wise home (another WISE_HOME) is left alone. True when something
    changed. Raises OSError when the entry cannot be written or removed."""
    home = _wise_home()
    if enabled:
        command = installed_command()
        if sys.platform == "win32":
            if _windows_read() == _windows_command_line(command):
                return False
        else:
            path, data = _entry_file(command, home)
            if _read_or_none(path) == data:
                return False
        enable_autostart(command)
        return True
    return remove_login_entry()


def remove_login_entry() -> bool:
    """Remove the login entry if it starts this Wise home; True when one was removed."""
    if not autostart_enabled() or not _entry_starts_home(_wise_home()):
        return False
    disable_autostart()
    return True


def _wise_home() -> str:
    home = os.environ.get(HOME_ENV, "").strip()
    # Login starts the app elsewhere: a relative or ~ path would point somewhere else.
    return str(Path(home).expanduser().absolute()) if home else ""


def _entry_file(command: Sequence[str], home: str) -> tuple[Path, bytes]:
    """The login entry's file and content on macOS, Linux and the BSDs."""
    if sys.platform == "darwin":
        return _launch_agent_path(), _launch_agent(command, home)
    return _xdg_entry_path(), desktop_entry(command, home).encode("utf-8")


def _entry_starts_home(home: str) -> bool:
    """Whether the existing login entry starts the Wise home `home` ("" the default one)."""
    if sys.platform == "win32":
        return True  # a Run value cannot carry WISE_HOME (see _windows_command_line)
    path, _ = _entry_file(["wise"], home)
    data = _read_or_none(path)
    if data is None:
        return False
    if sys.platform == "darwin":
        try:
            agent = plistlib.loads(data)
        except (plistlib.InvalidFileException, ValueError):
            return False
        env = agent.get("EnvironmentVariables", {}) if isinstance(agent, dict) else None
        return isinstance(env, dict) and env.get(HOME_ENV, "") == home
    exec_line = next((line for line in data.decode("utf-8", "replace").splitlines()
                      if line.startswith("Exec=")), "")
    if not home:
        return f"{HOME_ENV}=" not in exec_line
    return exec_line.startswith(f"Exec={exec_value(['env', f'{HOME_ENV}={home}'])} ")


def _read_or_none(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


# --- Linux and the BSDs: XDG autostart ------------------------------------------------


def _xdg_entry_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME", "").strip()
    # The spec says a relative XDG_CONFIG_HOME is invalid and must be ignored.
    config = Path(base) if base and Path(base).is_absolute() else Path.home() / ".config"
    return config / "autostart" / ENTRY_NAME


def desktop_entry(command: Sequence[str], wise_home: str = "") -> str:
    argv = launch_argv(command, wise_home)
    return (
        "[Desktop Entry]\n"
        "Type=Application\n"
        "Version=1.0\n"
        "Name=Wise\n"
        "Comment=Your journaling companion, in the system tray\n"
        # Once Wise is uninstalled the session skips this entry instead of failing on it.
        f"TryExec={escape_string(command[0])}\n"
        f"Exec={exec_value(argv)}\n"
        f"Icon={APP_ID}\n"
        "Terminal=false\n"
        "Categories=Utility;\n"
        "X-GNOME-Autostart-enabled=true\n"
    )


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
    del wise_home  # see _windows_command_line
    if sys.platform != "win32":  # called on Windows only (and a type checker reads it so)
        raise OSError("the Run key is Windows' own")
    import winreg

    with winreg.CreateKey(winreg.HKEY_CURRENT_USER, RUN_KEY) as key:
        winreg.SetValueEx(key, RUN_VALUE, 0, winreg.REG_SZ, _windows_command_line(command))
    return f"HKEY_CURRENT_USER\\{RUN_KEY}\\{RUN_VALUE}"


def _windows_read() -> str | None:
    if sys.platform != "win32":
        raise OSError("the Run key is Windows' own")
    import winreg

    try:
        with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY) as key:
            value, _ = winreg.QueryValueEx(key, RUN_VALUE)
    except FileNotFoundError:
        return None
    return str(value)


def _windows_delete() -> None:
    if sys.platform != "win32":
        raise OSError("the Run key is Windows' own")
    import winreg

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
