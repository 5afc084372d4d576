"""The installed Wise, tested from outside as a person uses it: the `wise` that a package
put on the machine (the .deb's /usr/bin/wise, pipx's or uv's ~/.local/bin/wise), never
the source tree.

Not part of `make test` (pytest's testpaths leave this folder out): `make package-test`
and `make dist-test` install Wise, then run these with WISE_INSTALLED naming the command.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import stop_shared_model_worker

VALIDATORS = {"desktop-file-validate": "desktop-file-utils", "appstreamcli": "appstream"}
WORKER_EXIT_S = 60  # a hang guard: a worker ends within a moment of SIGTERM


@dataclass
class Installed:
    """The installed `wise` and a private environment to run it in: its own WISE_HOME,
    XDG folders, no session bus, no keyring, and PATH as a person's (the command's folder
    on it)."""

    command: str
    env: dict[str, str]

    def run(self, *args: str, env: dict[str, str] | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run([self.command, *args], env={**self.env, **(env or {})},
                              capture_output=True, text=True, timeout=timeout, check=False,
                              stdin=subprocess.DEVNULL)

    def ok(self, *args: str, env: dict[str, str] | None = None) -> str:
        done = self.run(*args, env=env)
        assert done.returncode == 0, f"wise {' '.join(args)}: {done.stderr}"
        return done.stdout


@pytest.fixture(scope="session")
def installed_command() -> str:
    command = os.environ.get("WISE_INSTALLED", "")
    if not command:
        pytest.fail("set WISE_INSTALLED to the installed `wise` (make package-test or "
                    "make dist-test do)", pytrace=False)
    assert Path(command).is_absolute() and os.access(command, os.X_OK), command
    return command


@pytest.fixture
def installed(installed_command: str, wise_home: Path, tmp_path: Path) -> Iterator[Installed]:
    with installed_wise(installed_command, wise_home, tmp_path) as wise:
        yield wise


@contextlib.contextmanager
def installed_wise(command: str, home: Path, tmp_path: Path) -> Iterator[Installed]:
    """The installed `wise` in its private environment; on leaving, the model worker its
    children shared (app.llm.shared_worker) is stopped and gone. Its lock is in this
    environment's runtime folder, not the test process's, so the suite's own clean-up
    (tests/conftest.py) would not find it, and the worker would outlive the test (and
    the package removed after the tests: it ran on from its deleted binary)."""
    folders = {name: tmp_path / name for name in ("config", "data", "runtime", "home")}
    for folder in folders.values():
        folder.mkdir(mode=0o700)
    path = os.pathsep.join([str(Path(command).parent), "/usr/local/bin",
                            "/usr/bin", "/bin"])
    env = {"PATH": path, "HOME": str(folders["home"]), "LANG": "C.UTF-8",
           "WISE_HOME": str(home),
           "XDG_CONFIG_HOME": str(folders["config"]), "XDG_DATA_HOME": str(folders["data"]),
           "XDG_RUNTIME_DIR": str(folders["runtime"]),
           "DBUS_SESSION_BUS_ADDRESS": f"unix:path={tmp_path / 'no-bus'}",
           "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
           "QT_QPA_PLATFORM": "offscreen"}
    try:
        yield Installed(command, env)
    finally:
        pid = stop_shared_model_worker(home, env)
        if pid is not None:
            _wait_gone(pid)


def _wait_gone(pid: int, timeout_s: float = WORKER_EXIT_S) -> None:
    """Until the stopped worker has ended (an unreaped child of ours counts as ended);
    one that does not end is killed, and that fails the test."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not _alive(pid):
            return
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    pytest.fail(f"the shared model worker {pid} did not stop on SIGTERM within "
                f"{timeout_s:g} s; it was killed", pytrace=False)


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except FileNotFoundError:
        return False
    except OSError:  # no /proc (pipx on macOS): ask the kernel instead
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    return stat.rpartition(")")[2].split()[0] != "Z"  # a zombie has ended


@pytest.fixture(scope="session")
def validators() -> dict[str, str]:
    missing = [f"{tool} (Debian: {package})" for tool, package in VALIDATORS.items()
               if shutil.which(tool) is None]
    if missing:
        pytest.fail("the package tests validate desktop files with " + ", ".join(missing),
                    pytrace=False)
    return {tool: shutil.which(tool) or tool for tool in VALIDATORS}


def validate(validators: dict[str, str], path: Path) -> None:
    """desktop-file-validate for a .desktop file, appstreamcli for metainfo."""
    if path.suffix == ".desktop":
        argv = [validators["desktop-file-validate"], str(path)]
    else:
        argv = [validators["appstreamcli"], "validate", "--no-net", "--pedantic", str(path)]
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    assert done.returncode == 0 and "error" not in done.stdout.lower(), (
        f"{path.name}: {done.stdout}{done.stderr}")
