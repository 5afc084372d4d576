"""`wise export -o` and `wise feedback export -o` decide on purpose what they write to: a
regular file is replaced atomically, anything else is written through (never replaced), a
symlink is followed, `-` is standard output, and a disk, a socket or a folder is refused."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
COMMANDS = {"export": ("export",), "feedback export": ("feedback", "export")}


@pytest.fixture(params=list(COMMANDS))
def command(request: pytest.FixtureRequest, wise, wise_home: Path) -> tuple[str, ...]:
    """A journal with a note and two feedback records, and the command to run."""
    from storage.engine import Journal
    from storage.models import Feedback

    assert wise("capture", "a note to export").code == 0
    journal = Journal(wise_home / "wise.db")
    try:
        with journal.write() as session:
            session.add_all([Feedback(target_kind="nudge", target_id=7, rating=rating)
                             for rating in (1, -1)])
    finally:
        journal.close()
    return COMMANDS[request.param]


def run(tmp_path: Path, *args: str, stdout=subprocess.PIPE) -> subprocess.CompletedProcess:
    """The real `wise`, run in tmp_path (so a file named '-' would land there)."""
    return subprocess.run([sys.executable, "-m", "app.cli.main", *args], cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=stdout,
                          stderr=subprocess.PIPE, timeout=60, check=False)


def expected(tmp_path: Path, command: tuple[str, ...]) -> bytes:
    """What the command writes to standard output, to compare the same run's bytes with
    (the JSON export's header carries the moment it was made: that line is left out)."""
    done = run(tmp_path, *command)
    assert done.returncode == 0, done.stderr
    return done.stdout


def same_export(written: bytes, reference: bytes) -> bool:
    """The same records; a JSON export's first line (its header, with the moment it was
    made) may differ between two runs."""
    ours, theirs = written.splitlines(), reference.splitlines()
    if ours and ours[0].startswith(b'{"format"'):
        ours, theirs = ours[1:], theirs[1:]
    return len(ours) >= 2 and ours == theirs


def test_a_dash_is_standard_output(tmp_path: Path, command: tuple[str, ...]) -> None:
    done = run(tmp_path, *command, "-o", "-")
    assert done.returncode == 0, done.stderr
    assert same_export(done.stdout, expected(tmp_path, command))
    assert not (tmp_path / "-").exists()


def test_its_own_stdout_redirected_to_a_file_holds_the_export_alone(
        tmp_path: Path, command: tuple[str, ...]) -> None:
    """`-o /dev/stdout`, spelled as the link it is: /dev/stdout itself must never be used
    here, since a regression run as root would replace the system's link (one did)."""
    out = tmp_path / "redirected.txt"
    with open(out, "wb") as handle:
        done = run(tmp_path, *command, "-o", "/proc/self/fd/1", stdout=handle)
    assert done.returncode == 0, done.stderr
    assert same_export(out.read_bytes(), expected(tmp_path, command))  # no summary after it


def test_a_fifo_is_written_through_and_stays_a_fifo(tmp_path: Path,
                                                    command: tuple[str, ...]) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # a reader is there, not waiting
    try:
        done = run(tmp_path, *command, "-o", str(fifo))
        assert done.returncode == 0, done.stderr
        received = b""
        while chunk := os.read(reader, 65536):
            received += chunk
    finally:
        os.close(reader)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert same_export(received, expected(tmp_path, command))


def test_a_terminal_is_written_through(tmp_path: Path, command: tuple[str, ...]) -> None:
    """A character device any user has: a pseudo-terminal (never /dev/null itself)."""
    master, slave = os.openpty()
    name = os.ttyname(slave)
    try:
        done = run(tmp_path, *command, "-o", name)
        assert done.returncode == 0, done.stderr
        assert stat.S_ISCHR(os.stat(name).st_mode)
        os.set_blocking(master, False)
        received = b""
        try:
            while chunk := os.read(master, 65536):
                received += chunk
        except BlockingIOError:
            pass
    finally:
        os.close(master)
        os.close(slave)
    # A terminal turns "\n" into "\r\n" on its way out.
    assert same_export(received.replace(b"\r\n", b"\n"), expected(tmp_path, command))


def test_a_symlink_is_followed_and_stays_a_link(tmp_path: Path,
                                                command: tuple[str, ...]) -> None:
    target = tmp_path / "real.txt"
    target.write_text("an older export\n")
    target.chmod(0o644)
    link = tmp_path / "link.txt"
    link.symlink_to(target.name)
    dangling = tmp_path / "dangling.txt"
    dangling.symlink_to("not-yet.txt")
    for name in (link, dangling):
        done = run(tmp_path, *command, "-o", str(name))
        assert done.returncode == 0, done.stderr
        assert name.is_symlink()
    reference = expected(tmp_path, command)
    assert same_export(target.read_bytes(), reference)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644  # its permissions are kept
    assert same_export((tmp_path / "not-yet.txt").read_bytes(), reference)
    assert stat.S_IMODE((tmp_path / "not-yet.txt").stat().st_mode) == 0o600  # a new file
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_disks_sockets_and_folders_are_refused(tmp_path: Path, command: tuple[str, ...]) -> None:
    import socket

    listening = socket.socket(socket.AF_UNIX)
    listening.bind(str(tmp_path / "sock"))
    # Never a real disk: a block device node of our own, where we may make one (root).
    disk = tmp_path / "disk"
    try:
        os.mknod(disk, 0o600 | stat.S_IFBLK, os.makedev(7, 0))
    except PermissionError:
        disk = None
    mistyped = Path("/dev/wise-no-such-device")
    try:
        for name in (tmp_path / "sock", tmp_path, mistyped, *([disk] if disk else [])):
            done = run(tmp_path, *command, "-o", str(name))
            assert done.returncode == 2, (name, done.stderr)
            assert done.stderr.startswith(b"wise: ") and b"Traceback" not in done.stderr
        assert stat.S_ISSOCK(os.lstat(tmp_path / "sock").st_mode)
        assert disk is None or stat.S_ISBLK(os.lstat(disk).st_mode)
        assert not mistyped.exists()
    finally:
        listening.close()
        if mistyped.is_file():  # only ever if this test fails: leave no file among devices
            mistyped.unlink()
