"""`wise install-desktop`: Wise's menu entry, icons and metainfo for the user who runs it
(under XDG_DATA_HOME), pointing at this installation's `wise`; and taking them away."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from pathlib import Path

from app.desktop.files import MENU_ENTRY, desktop_files
from app.launch import installed_command
from app.paths import HOME_ENV


def data_home() -> Path:
    base = os.environ.get("XDG_DATA_HOME", "").strip()
    # The spec says a relative XDG_DATA_HOME is invalid and must be ignored.
    return Path(base) if base and Path(base).is_absolute() else Path.home() / ".local" / "share"


def install_for_user() -> tuple[list[str], list[Path]]:
    """Write every file; returns the command the menu entry runs and the files written.
    Raises OSError."""
    command = installed_command()
    home = os.environ.get(HOME_ENV, "").strip()
    # The menu starts Wise elsewhere than here: a relative WISE_HOME would point elsewhere.
    home = str(Path(home).expanduser().absolute()) if home else ""
    base = data_home()
    written = []
    for place, data in desktop_files(command, home).items():
        path = base / place
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        partial.write_bytes(data)
        partial.chmod(0o644)
        os.replace(partial, path)
        written.append(path)
    _refresh_caches(base)
    return command, written


def uninstall_for_user() -> list[Path]:
    """Remove every file install_for_user writes; returns those that were there."""
    base = data_home()
    removed = []
    for place in desktop_files(["wise"]):
        path = base / place
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
            removed.append(path)
    _refresh_caches(base)
    return removed


def _refresh_caches(base: Path) -> None:
    """Tell the desktop: the MIME/desktop database where the tool exists, and the icon
    theme's folder time, which GTK and Qt check before trusting their icon caches."""
    tool = shutil.which("update-desktop-database")
    applications = (base / MENU_ENTRY).parent
    if tool and applications.is_dir():
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            subprocess.run([tool, "-q", str(applications)], check=False, timeout=30,
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    with contextlib.suppress(OSError):
        os.utime(base / "icons" / "hicolor")
