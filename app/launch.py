"""How to start Wise's own processes: the `wise` command line as a child, the tray, the
model worker, and the command a login or menu entry runs.

From a virtual environment (`make run`, pipx, uv tool) each is this Python running a
module (`python -m app.cli.main`). A frozen bundle (PyInstaller) has no `-m`: its one
executable is every process, told which by its arguments (`ui.launcher.main` dispatches),
the model worker by a hidden first argument. Everything that starts a Wise process asks
here, so the two ways cannot drift apart.

Imported on the `wise capture` path: the standard library's `sys` and `os` only.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

# The frozen executable's first argument that makes it the model worker. Never typed by a
# person: `wise --help` does not list it.
MODEL_WORKER_ARG = "--wise-model-worker"

CLI_MODULE = "app.cli.main"
TRAY_MODULE = "ui.launcher"  # app/ must not import ui/: the tray is started by name
WORKER_MODULE = "app.llm.worker_main"


def is_frozen() -> bool:
    """True inside a frozen bundle, whose sys.executable is Wise itself, not a Python."""
    return bool(getattr(sys, "frozen", False))


def forget_bundle_library_path() -> None:
    """Inside a frozen bundle on Linux: the bootloader put the bundle's own folder on
    LD_LIBRARY_PATH and re-executed itself; this process keeps the libraries it loaded,
    but the programs it starts that are not Wise (xdg-open for the data folder, a file
    manager, update-desktop-database) must find the system's, not the bundle's. Wise's
    own children are the bundle again and set the path for themselves."""
    if not is_frozen() or not sys.platform.startswith("linux"):
        return
    original = os.environ.pop("LD_LIBRARY_PATH_ORIG", None)
    if original is None:
        os.environ.pop("LD_LIBRARY_PATH", None)
    else:
        os.environ["LD_LIBRARY_PATH"] = original


def wise_command() -> list[str]:
    """The argv prefix that runs the `wise` command line as a child; a sub-command and
    its arguments follow."""
    if is_frozen():
        return [sys.executable]
    return [sys.executable, "-m", CLI_MODULE]


def tray_command() -> list[str]:
    """The argv that starts the tray app (its own options may follow)."""
    if is_frozen():
        return [sys.executable, "tray"]
    return [sys.executable, "-m", TRAY_MODULE, "tray"]


def model_worker_command(*args: str) -> list[str]:
    """The argv that starts the model worker with `args`."""
    if is_frozen():
        return [sys.executable, MODEL_WORKER_ARG, *args]
    return [sys.executable, "-m", WORKER_MODULE, *args]


def installed_command(path_env: str | None = None) -> list[str]:
    """How a person's desktop starts this installation of Wise: the `wise` on PATH when it
    is this very installation (the .deb's /usr/bin/wise, pipx's or uv's ~/.local/bin/wise),
    else this installation's own `wise` (the frozen executable, or the script next to this
    Python in its virtual environment), else this Python running the command-line module.
    Absolute paths: a login or menu entry does not run with the user's shell PATH."""
    own = own_executable()
    if own is None:
        return [sys.executable, "-m", CLI_MODULE]
    import shutil

    on_path = shutil.which("wise", path=os.environ.get("PATH", "") if path_env is None
                           else path_env)
    if on_path and Path(on_path).is_absolute() and _same_file(Path(on_path), own):
        return [on_path]
    return [str(own)]


def own_executable() -> Path | None:
    """This installation's `wise` executable, or None when there is none (a checkout
    whose package was never installed)."""
    if is_frozen():
        program = Path(sys.executable)
        windowed = program.with_name("wisew.exe")  # Windows: the same, without a console
        return windowed if sys.platform == "win32" and windowed.is_file() else program
    script = Path(sys.executable).parent / ("wise.exe" if sys.platform == "win32" else "wise")
    return script if script.is_file() else None


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False
