"""Whom the tray's socket trusts: private folders, this user's socket files, this user's
peers; and where the socket goes when XDG_RUNTIME_DIR is missing or not private."""

from __future__ import annotations

import os
import pwd
import socket
from pathlib import Path

import pytest

from app.ipc.protocol import runtime_dir, socket_path
from app.ipc.trust import (
    Untrusted,
    check_peer,
    check_private_folder,
    check_socket_file,
    ensure_private_folder,
    peer_uid,
)

STRANGER = 65534  # nobody


def mode(path: Path) -> int:
    return os.lstat(path).st_mode & 0o777


def test_a_private_folder_passes_and_anything_else_is_named(tmp_path: Path) -> None:
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    check_private_folder(private)

    private.chmod(0o755)
    with pytest.raises(Untrusted, match="mode 755"):
        check_private_folder(private)
    link = tmp_path / "link"
    link.symlink_to(private)
    with pytest.raises(Untrusted, match="symbolic link"):
        check_private_folder(link)
    regular = tmp_path / "file"
    regular.write_text("")
    with pytest.raises(Untrusted, match="not a folder"):
        check_private_folder(regular)
    with pytest.raises(FileNotFoundError):
        check_private_folder(tmp_path / "missing")


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give a folder to another "
                    "user (CI runs as root)")
def test_a_folder_of_another_user_names_the_owner_and_what_to_do(tmp_path: Path) -> None:
    squatted = tmp_path / f"wise-{os.getuid()}"
    squatted.mkdir(mode=0o700)
    os.chown(squatted, STRANGER, STRANGER)
    with pytest.raises(Untrusted) as refused:
        check_private_folder(squatted)
    assert str(refused.value) == (f"{squatted} belongs to another user, "
                                  f"{pwd.getpwuid(STRANGER).pw_name} (uid {STRANGER})")
    assert refused.value.fix.startswith("Wise never uses it")
    assert f"Remove it (sudo rm -r {squatted}), or set XDG_RUNTIME_DIR" in refused.value.fix
    with pytest.raises(Untrusted):  # never taken over, as a loose folder of ours would be
        ensure_private_folder(squatted)
    assert (os.lstat(squatted).st_uid, mode(squatted)) == (STRANGER, 0o700)


def test_a_loose_folder_of_ours_says_the_tray_makes_it_private(tmp_path: Path) -> None:
    loose = tmp_path / "loose"
    loose.mkdir(mode=0o700)
    loose.chmod(0o755)
    with pytest.raises(Untrusted) as refused:
        check_private_folder(loose)
    assert "The tray makes it private (0700) when it starts" in refused.value.fix
    link = tmp_path / "link"
    link.symlink_to(loose)
    with pytest.raises(Untrusted) as refused:
        check_private_folder(link)
    assert f"Remove it (rm {link})" in refused.value.fix  # our own link: no sudo


def test_ensure_creates_0700_and_tightens_a_folder_of_ours(tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        made = tmp_path / "made"
        assert ensure_private_folder(made) is False
        assert mode(made) == 0o700
        loose = tmp_path / "loose"
        loose.mkdir()
        loose.chmod(0o777)
        assert ensure_private_folder(loose) is True  # the caller says so
        assert mode(loose) == 0o700
    finally:
        os.umask(previous)
    link = tmp_path / "link"
    link.symlink_to(made)
    with pytest.raises(Untrusted):
        ensure_private_folder(link)


def test_only_a_private_socket_of_ours_passes(tmp_path: Path) -> None:
    path = tmp_path / "s.sock"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        path.chmod(0o700)
        check_socket_file(path)
        path.chmod(0o777)
        with pytest.raises(Untrusted, match="can be used by other users"):
            check_socket_file(path)
    regular = tmp_path / "regular"
    regular.write_text("")
    with pytest.raises(Untrusted, match="not a socket"):
        check_socket_file(regular)


def test_the_peer_of_a_connection_is_known_and_checked() -> None:
    left, right = socket.socketpair(socket.AF_UNIX)
    with left, right:
        assert peer_uid(left) == os.getuid()
        check_peer(left)
        with pytest.raises(Untrusted, match=f"uid {os.getuid()}"):
            check_peer(left, expected=os.getuid() + 1)


def test_the_runtime_folder_is_xdg_only_when_it_is_private(tmp_path: Path) -> None:
    xdg = tmp_path / "xdg"
    xdg.mkdir(mode=0o700)
    tmp = tmp_path / "tmp"
    env = {"XDG_RUNTIME_DIR": str(xdg), "TMPDIR": str(tmp)}
    assert runtime_dir(env) == xdg
    ours = tmp / f"wise-{os.getuid()}"
    xdg.chmod(0o755)  # not what the XDG spec promises: not trusted with journal text
    assert runtime_dir(env) == ours
    assert runtime_dir({"XDG_RUNTIME_DIR": "relative/dir", "TMPDIR": str(tmp)}) == ours
    assert runtime_dir({"TMPDIR": str(tmp)}) == ours
    # Never the shared folder itself: the socket is always inside a folder of our own.
    path = socket_path(tmp_path / "home", {"TMPDIR": str(tmp)})
    assert path.parent == ours and len(str(path)) < 108
