"""The first-run welcome's decisions, Qt-free: whether to show it (a first start on an
empty journal, never again once finished or skipped), remembering that, and the exact
quick-capture command to bind where global shortcuts are impossible."""

from __future__ import annotations

import shlex
import sys

from app.launch import installed_command
from app.paths import WisePaths
from app.state import load_state, save_state

FINISHED, SKIPPED = "finished", "skipped"
WHY_LADDER_STEPS = 3  # "why does that matter to you?" asked at most this many times


def should_welcome(paths: WisePaths) -> bool:
    """Blocks on the journal (a short read): call it off the GUI thread."""
    from storage.quick_reads import journal_is_empty

    if load_state(_state_file(paths)).welcome is not None:
        return False
    return journal_is_empty(paths.db)


def remember_welcomed(paths: WisePaths, how: str) -> None:
    """Finished or skipped: not shown on its own again (Settings can reopen it)."""
    path = _state_file(paths)
    paths.ensure_data_dir()
    state = load_state(path)
    state.welcome = how
    save_state(path, state)


def capture_command() -> str:
    """The exact command a desktop shortcut should run to open quick capture: this
    installation's `wise`, with its full path (a shortcut has no shell PATH)."""
    argv = [*installed_command(), "capture"]
    if sys.platform == "win32":
        import subprocess

        return subprocess.list2cmdline(argv)
    return shlex.join(argv)


def why_of(ladder: list[str]) -> str:
    """The goal's why: the deepest answer given."""
    answers = [answer.strip() for answer in ladder if answer.strip()]
    return answers[-1] if answers else ""


def _state_file(paths: WisePaths):
    return paths.data_dir / "state.json"
