"""storage.private: the one way Wise creates folders and files (0700 and 0600)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from storage.private import (
    create_private_file,
    open_private,
    private_folder,
    write_private_atomically,
)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def session_umask() -> Iterator[None]:
    """A desktop session's umask, under which plain mkdir/open give 0755 and 0644."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_every_missing_folder_is_made_0700_and_existing_ones_are_left(tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir(mode=0o755)
    private_folder(mine / "a" / "b" / "c")
    assert [mode(mine / p) for p in ("a", "a/b", "a/b/c")] == [0o700] * 3
    assert mode(mine) == 0o755  # not ours to change


def test_a_file_in_place_of_a_folder_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("")
    with pytest.raises(NotADirectoryError):
        private_folder(tmp_path / "taken" / "inside")


def test_files_are_created_0600_and_existing_ones_keep_their_mode(tmp_path: Path) -> None:
    assert create_private_file(tmp_path / "new" / "journal.db") is True
    assert mode(tmp_path / "new") == 0o700
    assert mode(tmp_path / "new" / "journal.db") == 0o600
    assert create_private_file(tmp_path / "new" / "journal.db") is False
    shared = tmp_path / "shared.txt"
    shared.write_text("x")
    shared.chmod(0o640)
    os.close(open_private(shared, os.O_WRONLY | os.O_APPEND))
    assert mode(shared) == 0o640


def test_an_atomic_write_is_private_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "state" / "state.json"
    write_private_atomically(target, b"one")
    write_private_atomically(target, b"two", durable=False)
    assert target.read_bytes() == b"two"
    assert mode(target) == 0o600 and mode(target.parent) == 0o700
    assert [p.name for p in target.parent.iterdir()] == ["state.json"]
