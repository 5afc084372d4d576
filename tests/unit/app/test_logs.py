"""The log files: private (0600 in a 0700 folder) whatever the umask, rotated copies too;
and the one line a short-lived command may add."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.logs import PrivateRotatingFileHandler, configure_logging, note_once


@pytest.fixture
def loose_umask() -> Iterator[None]:
    """The usual desktop umask, under which files are created 0644."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_log_and_every_rotated_copy_are_private(tmp_path: Path, loose_umask) -> None:
    handler = PrivateRotatingFileHandler(tmp_path / "wise.log", maxBytes=200, backupCount=3,
                                         encoding="utf-8")
    logger = logging.getLogger("tests.logs.rotation")
    logger.propagate = False
    logger.addHandler(handler)
    try:
        for n in range(40):
            logger.warning("line %d of a log that rotates after 200 bytes", n)
    finally:
        logger.removeHandler(handler)
        handler.close()
    files = sorted(tmp_path.glob("wise.log*"))
    assert [f.name for f in files] == ["wise.log", "wise.log.1", "wise.log.2", "wise.log.3"]
    assert {f.name: mode(f) for f in files} == {f.name: 0o600 for f in files}


def test_logs_written_before_are_made_private(tmp_path: Path, loose_umask) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    for name in ("wise.log", "wise.log.1"):
        (logs / name).write_text("an old line\n")
        (logs / name).chmod(0o644)
    root = logging.getLogger()
    before, level = set(root.handlers), root.level
    try:
        path = configure_logging(logs)
    finally:
        for handler in set(root.handlers) - before:
            root.removeHandler(handler)
            handler.close()
        root.setLevel(level)
    assert mode(path) == 0o600 and mode(logs / "wise.log.1") == 0o600


def test_a_log_that_is_a_symbolic_link_is_not_written_through(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    target = tmp_path / "elsewhere.txt"
    target.write_text("")
    (logs / "wise.log").symlink_to(target)
    with pytest.raises(OSError, match="symbolic links"):  # ELOOP, from O_NOFOLLOW
        configure_logging(logs)
    assert target.read_text() == ""


def test_note_once_writes_one_line_for_a_burst(tmp_path: Path, loose_umask) -> None:
    logs = tmp_path / "logs"
    for _ in range(20):
        note_once(logs, "busy", "the tray's socket was full")
    lines = (logs / "wise.log").read_text().splitlines()
    assert len(lines) == 1 and "WARNING" in lines[0] and "socket was full" in lines[0]
    assert mode(logs / "wise.log") == 0o600
