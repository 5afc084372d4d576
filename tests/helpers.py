"""Small helpers several test modules share (fixtures live in conftest.py)."""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

# A daily reflection as a model would return it (prompts.schemas.DailyReflection).
GOOD_REFLECTION = {
    "celebrate": "You went for a walk, and it helped.",
    "reflection": "Being there for your family seems to matter a lot to you.",
    "question": None, "next_step": "Open mum's contact after lunch and press call",
    "next_step_minutes": 2, "goal": "family"}


def connect_model(wise, server) -> None:
    """Point Wise at the fake OpenAI-compatible server (through the real `wise config`)."""
    assert wise("config", "set", "llm.model", "openai/test-model").code == 0
    assert wise("config", "set", "llm.api_base", server.base_url).code == 0
    # A large model's window: the full prompts (a small one gets the compact forms first).
    assert wise("config", "set", "llm.context_tokens", "32768").code == 0


def sql(home: Path, statement: str, *params) -> list[tuple]:
    """One statement on the journal in `home`, committed; its rows."""
    conn = sqlite3.connect(home / "wise.db")
    try:
        rows = conn.execute(statement, params).fetchall()
        conn.commit()
        return rows
    finally:
        conn.close()


@contextmanager
def closed_port() -> Iterator[int]:
    """A port on 127.0.0.1 that surely refuses connections until the block ends: this
    socket holds it bound and never listens (without SO_REUSEADDR nobody else can bind
    it, and the kernel hands it to no one). A port picked, closed and used later may be
    taken meanwhile by a test beside this one."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def require_tools(*names: str, install: str) -> None:
    """Skip, saying what to install, when a tool is not on PATH (in CI, which installs
    them all, that skip is a failure: tests/skip_policy.py)."""
    missing = [name for name in names if shutil.which(name) is None]
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed (Debian: apt-get install {install})")


def outside_the_fence(content: str) -> str:
    """A prompt's text with every <journal-data>...</journal-data> span taken out: what
    the model reads as instructions rather than as the user's data."""
    from prompts.loader import FENCE_CLOSE, FENCE_OPEN

    outside, rest = [], content
    while FENCE_OPEN in rest:
        before, _, after = rest.partition(FENCE_OPEN)
        assert FENCE_CLOSE in after, "a fence opened and never closed"
        outside.append(before)
        rest = after.partition(FENCE_CLOSE)[2]
    return "".join([*outside, rest])


def damage_one_page(db: Path) -> int:
    """Scribble over the page of a table no capture touches (summaries), as a failing disk
    would: captures still work, SQLite's integrity check does not pass. Its page number."""
    conn = sqlite3.connect(db)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        (page,) = conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = 'summaries'").fetchone()
        (page_size,) = conn.execute("PRAGMA page_size").fetchone()
    finally:
        conn.close()
    with open(db, "r+b") as handle:
        handle.seek((page - 1) * page_size)
        handle.write(b"\xff" * 64)  # the page header: no valid page type any more
        handle.flush()
        os.fsync(handle.fileno())
    return page


def assert_write_lock_free(db: Path) -> None:
    """No connection holds the journal's write lock: another writer gets it at once."""
    conn = sqlite3.connect(db, timeout=0, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")  # "database is locked" if a writer kept it
        conn.execute("ROLLBACK")
    finally:
        conn.close()


def quiesce(db: Path) -> None:
    """Fold the WAL into the main file and close, so no -wal/-shm file is left behind."""
    conn = sqlite3.connect(db)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)


# Root ignores permission bits (CAP_DAC_OVERRIDE): as root, a process that must respect a
# read-only folder runs without the capabilities that let it (setpriv, util-linux), so the
# bits stop it as they stop a plain user. Works in containers (which rarely allow
# `chattr +i`) and on any file system.
AS_PLAIN_USER: tuple[str, ...] = (
    ("setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner", "--")
    if os.geteuid() == 0 else ())


class ReadOnlyFolder:
    """The data folder (0500) and journal (0400) made read-only for every process started
    with `prefix` in front of its command (AS_PLAIN_USER: also as root)."""

    prefix = AS_PLAIN_USER

    def __init__(self, home: Path) -> None:
        self.home, self.db = home, home / "wise.db"

    def __enter__(self) -> ReadOnlyFolder:
        self.db.chmod(0o400)
        self.home.chmod(0o500)
        # Check it took, for the process `wise` will be: it cannot write into the folder.
        probe = subprocess.run(
            [*self.prefix, sys.executable, "-c", "import sys; open(sys.argv[1], 'w')",
             str(self.home / "probe")], capture_output=True, text=True, check=False)
        if probe.returncode == 0 or "PermissionError" not in probe.stderr:
            self.__exit__()
            pytest.fail(f"the data folder is still writable: {probe.stderr}")
        return self

    def __exit__(self, *exc: object) -> None:
        self.home.chmod(0o700)
        self.db.chmod(0o600)


def export_import_export(wise, tmp_path: Path) -> dict:
    """The README's promise for `wise export`: complete and re-importable. Export the
    journal of the `wise` runner's WISE_HOME, import it into a fresh journal, export that:
    the two files are the same but for the moment each was made (the header's
    exported_at). Returns the first export, parsed."""
    import json

    first, second = tmp_path / "first.json", tmp_path / "second.json"
    made = wise("export", "--format", "json", "-o", str(first))
    assert made.code == 0, made.err
    fresh = {"WISE_HOME": str(tmp_path / "fresh-journal")}
    imported = wise("import", str(first), env=fresh)
    assert imported.code == 0, imported.err
    made = wise("export", "--format", "json", "-o", str(second), env=fresh)
    assert made.code == 0, made.err

    def header_and_records(text: str) -> tuple[dict, str]:
        header, records = text.split("\n", 1)  # line 1: the header's fields, then a comma
        fields = json.loads(header.rstrip(",") + "}")
        fields.pop("exported_at")
        return fields, records

    before = first.read_text("utf-8")
    assert header_and_records(second.read_text("utf-8")) == header_and_records(before)
    return json.loads(before)


TWO_GB = 2 * 1024**3
PEAK_RSS_BOUND_MB = 250  # what a 2 GB file must not push an import past


def sparse_file(path: Path, head: str, tail: str) -> Path:
    """A file of 2 GB that takes no room: `head`, a hole (NUL bytes), then `tail`."""
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(head)
        handle.seek(TWO_GB)
        handle.write(tail)
    return path


def import_measured(path: Path, *options: str) -> tuple[subprocess.CompletedProcess, float]:
    """`wise import [OPTIONS] PATH` and its peak RSS in MB, measured by a parent of its own."""
    probe = ("import resource, subprocess, sys; "
             "done = subprocess.run([sys.executable, '-m', 'app.cli.main', 'import', "
             "*sys.argv[1:]], capture_output=True, text=True); "
             "sys.stderr.write(done.stderr); "
             "print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    done = subprocess.run([sys.executable, "-c", probe, *options, str(path)],
                          cwd=Path(__file__).resolve().parents[1], env=os.environ,
                          capture_output=True, text=True, timeout=300, check=False)
    code, peak_kb = done.stdout.split()
    return (subprocess.CompletedProcess(done.args, int(code), "", done.stderr),
            int(peak_kb) / 1024)
