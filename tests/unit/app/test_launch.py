"""How Wise starts its own processes, from a venv and from a frozen bundle, and which
command a login or menu entry runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import __version__, launch

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def frozen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """sys as PyInstaller's bootloader sets it: frozen, and the executable is Wise."""
    program = tmp_path / "opt" / "wise" / "wise"
    program.parent.mkdir(parents=True)
    program.write_bytes(b"\x7fELF")
    program.chmod(0o755)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(program))
    return program


def test_from_a_venv_every_process_is_this_python_running_a_module() -> None:
    assert launch.wise_command() == [sys.executable, "-m", "app.cli.main"]
    assert launch.tray_command() == [sys.executable, "-m", "ui.launcher", "tray"]
    assert launch.model_worker_command("--idle-exit", "5") == [
        sys.executable, "-m", "app.llm.worker_main", "--idle-exit", "5"]


def test_the_venv_commands_really_start_wise() -> None:
    done = subprocess.run([*launch.wise_command(), "--version"], capture_output=True,
                          text=True, cwd=ROOT, check=False, timeout=60)
    assert done.stdout.strip() == f"wise {__version__}"


def test_frozen_every_process_is_the_one_executable(frozen: Path) -> None:
    assert launch.wise_command() == [str(frozen)]
    assert launch.tray_command() == [str(frozen), "tray"]
    assert launch.model_worker_command("--idle-exit", "5") == [
        str(frozen), launch.MODEL_WORKER_ARG, "--idle-exit", "5"]


def test_the_launcher_runs_the_model_worker_on_its_hidden_argument() -> None:
    # What the frozen executable does with MODEL_WORKER_ARG, run from source: the entry
    # point becomes the model worker, says it is ready, and leaves when stdin closes.
    worker = subprocess.Popen(
        [sys.executable, "-m", "ui.launcher", launch.MODEL_WORKER_ARG, "--idle-exit", "60"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    try:
        assert worker.stdout is not None and worker.stdin is not None
        ready = json.loads(worker.stdout.readline())
        worker.stdin.close()
        assert worker.wait(60) == 0
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
        for stream in (worker.stdout, worker.stderr):
            if stream is not None:
                stream.close()
    assert ready["event"] == "ready" and ready["pid"] == worker.pid


def test_installed_command_prefers_the_wise_on_path_that_is_this_install(
        frozen: Path, tmp_path: Path) -> None:
    bin_dir = tmp_path / "usr" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "wise").symlink_to(frozen)
    assert launch.installed_command(str(bin_dir)) == [str(bin_dir / "wise")]


def test_installed_command_ignores_another_wise_on_path(frozen: Path, tmp_path: Path) -> None:
    other = tmp_path / "elsewhere"
    other.mkdir()
    (other / "wise").write_text("#!/bin/sh\n")
    (other / "wise").chmod(0o755)
    assert launch.installed_command(str(other)) == [str(frozen)]
    assert launch.installed_command("") == [str(frozen)]


def test_installed_command_from_a_venv_is_its_wise_script(tmp_path: Path) -> None:
    # `make run` and `make test` install Wise into .venv, so its `wise` script is there.
    script = Path(sys.executable).parent / "wise"
    assert launch.installed_command("") == [str(script)]
    link_dir = tmp_path / "local-bin"
    link_dir.mkdir()
    (link_dir / "wise").symlink_to(script)  # what pipx and uv tool put on PATH
    assert launch.installed_command(os.fspath(link_dir)) == [str(link_dir / "wise")]


def test_a_frozen_wise_gives_programs_it_starts_the_systems_libraries(
        frozen: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # What PyInstaller's bootloader leaves in the environment when it re-executes itself.
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("LD_LIBRARY_PATH", str(frozen.parent / "_internal"))
    launch.forget_bundle_library_path()
    assert "LD_LIBRARY_PATH" not in os.environ
    monkeypatch.setenv("LD_LIBRARY_PATH", str(frozen.parent / "_internal"))
    monkeypatch.setenv("LD_LIBRARY_PATH_ORIG", "/usr/local/lib")
    launch.forget_bundle_library_path()
    assert os.environ["LD_LIBRARY_PATH"] == "/usr/local/lib"
    assert "LD_LIBRARY_PATH_ORIG" not in os.environ


def test_from_a_venv_the_library_path_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LD_LIBRARY_PATH", "/opt/mine/lib")
    launch.forget_bundle_library_path()
    assert os.environ["LD_LIBRARY_PATH"] == "/opt/mine/lib"
