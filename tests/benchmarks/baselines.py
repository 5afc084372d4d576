"""The baselines: jrnl (in its own venv) and taskwarrior (where installed), set up to run
non-interactively with all their state inside bench-out.

jrnl is installed with pip into bench-out/jrnl-venv on first use, never into the
project's venv. It is configured through its YAML config file under an XDG_CONFIG_HOME
in bench-out (plain-text journal, no encryption, no colour, no editor).

taskwarrior is used if `task` is on PATH; TASKRC and TASKDATA point into bench-out, with
confirmations, hooks and news nags off. 2.x keeps pending/completed .data files, 3.x a
TaskChampion SQLite store; both accept `task import FILE.json`, which seeds it fast.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.benchmarks import seed
from tests.benchmarks.harness import Workspace

# ------------------------------------------------------------------------------ jrnl


@dataclass
class Jrnl:
    exe: Path
    version: str
    home: Path  # holds config/ and the journal

    @property
    def journal(self) -> Path:
        return self.home / "journal.txt"

    def env(self, ws: Workspace) -> dict[str, str]:
        return ws.env(XDG_CONFIG_HOME=str(self.home / "config"),
                      XDG_DATA_HOME=str(self.home / "data"), HOME=str(self.home))


_jrnl_found: dict[Path, tuple[Path | None, str]] = {}  # one install attempt per run


def jrnl_venv(ws: Workspace) -> tuple[Path | None, str]:
    """bench-out/jrnl-venv/bin/jrnl, installing it on first use; (None, why) if it can't."""
    venv = ws.out / "jrnl-venv"
    if venv not in _jrnl_found:
        _jrnl_found[venv] = _install_jrnl(ws, venv)
    return _jrnl_found[venv]


def _install_jrnl(ws: Workspace, venv: Path) -> tuple[Path | None, str]:
    exe = venv / "bin" / "jrnl"
    if not exe.exists():
        ws.log("installing jrnl into bench-out/jrnl-venv (first run only) ...")
        shutil.rmtree(venv, ignore_errors=True)
        python = shutil.which("python3") or sys.executable
        try:
            subprocess.run([python, "-m", "venv", str(venv)], check=True,
                           capture_output=True, timeout=120)
            subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
                            "--disable-pip-version-check", "--timeout", "30", "jrnl"],
                           check=True, capture_output=True, timeout=300)
        except (subprocess.SubprocessError, OSError) as exc:
            detail = getattr(exc, "stderr", b"") or b""
            tail = detail.decode("utf-8", "replace").strip().splitlines()[-1:] or [str(exc)]
            shutil.rmtree(venv, ignore_errors=True)
            return None, f"jrnl could not be installed ({tail[0]})"
    probe = subprocess.run([str(venv / "bin" / "python"), "-c",
                            "import jrnl; print(jrnl.__version__)"],
                           capture_output=True, text=True, check=False)
    if probe.returncode != 0:
        return None, "jrnl is installed in bench-out/jrnl-venv but does not import " \
                     "(delete that folder to reinstall)"
    return exe, probe.stdout.strip().lstrip("v")


_JRNL_CONFIG = """\
colors:
  body: none
  date: none
  tags: none
  title: none
default_hour: 9
default_minute: 0
editor: ''
encrypt: false
highlight: false
indent_character: '|'
journals:
  default:
    journal: {journal}
linewrap: 79
tagsymbols: '#@'
template: false
timeformat: '%F %r'
version: '{version}'
"""


def jrnl_instance(ws: Workspace, name: str, entries: int) -> Jrnl | str:
    """A configured jrnl with its own journal of `entries` entries, or why there is none."""
    exe, version = jrnl_venv(ws)
    if exe is None:
        return version
    home = ws.run / name
    shutil.rmtree(home, ignore_errors=True)
    (home / "config" / "jrnl").mkdir(parents=True)
    jrnl = Jrnl(exe, version, home)
    # jrnl rewrites a config whose version differs from its own ("Configuration updated"),
    # so the config names the installed version.
    (home / "config" / "jrnl" / "jrnl.yaml").write_text(
        _JRNL_CONFIG.format(journal=json.dumps(str(jrnl.journal)), version=version))
    seed.jrnl_journal(ws, entries, jrnl.journal)
    return jrnl


# ------------------------------------------------------------------------ taskwarrior


@dataclass
class Task:
    exe: str
    version: str
    home: Path

    def env(self, ws: Workspace) -> dict[str, str]:
        return ws.env(TASKRC=str(self.home / "taskrc"), TASKDATA=str(self.home / "data"),
                      HOME=str(self.home))


TASK_MISSING = "taskwarrior: not installed (apt-get install taskwarrior)"


def task_instance(ws: Workspace, name: str, tasks: int) -> Task | str:
    """A taskwarrior database holding `tasks` tasks, or the reason there is none."""
    exe = shutil.which("task")
    if exe is None:
        return TASK_MISSING
    probe = subprocess.run([exe, "--version"], capture_output=True, text=True, check=False,
                           env=ws.env(TASKRC="/dev/null"))
    match = re.search(r"\d+\.\d+(\.\d+)?", probe.stdout)
    version = match.group(0) if match else "unknown"
    home = ws.run / name
    shutil.rmtree(home, ignore_errors=True)
    (home / "data").mkdir(parents=True)
    task = Task(exe, version, home)
    # confirmation=no for any prompt, verbose=nothing: no chatter to format; gc keeps
    # completed tasks out of 2.x's pending.data, as it would be on a real machine.
    (home / "taskrc").write_text(
        f"data.location={home / 'data'}\n"
        "confirmation=no\n"
        "verbose=nothing\n"
        "hooks=off\n"
        "color=off\n"
        "recurrence=off\n"
        f"news.version={version}\n")
    if tasks:
        cached = ws.cache / f"task-{tasks}-s{seed.SEED_VERSION}-v{version}"
        if not cached.exists():
            ws.log(f"importing {tasks:,} tasks into taskwarrior {version} (cached) ...")
            building = ws.run / f"{name}-building"
            shutil.rmtree(building, ignore_errors=True)
            (building / "data").mkdir(parents=True)
            seeder = Task(exe, version, building)
            (building / "taskrc").write_text(
                (home / "taskrc").read_text().replace(str(home / "data"),
                                                      str(building / "data")))
            source = building / "tasks.json"
            source.write_text(json.dumps(seed.task_import_json(tasks)))
            env = seeder.env(ws)
            for argv in ([exe, "import", str(source)], [exe, "rc.gc=on", "list"]):
                done = subprocess.run(argv, env=env, capture_output=True, text=True,
                                      check=False, timeout=900)
                if done.returncode not in (0, 1):  # `list` exits 1 when nothing matches
                    return (f"taskwarrior {version}: seeding failed: "
                            f"{(done.stderr or done.stdout).strip()[-200:]}")
            shutil.copytree(building / "data", cached)
            shutil.rmtree(building, ignore_errors=True)
        shutil.rmtree(home / "data")
        shutil.copytree(cached, home / "data")
    return task
