"""Several processes writing the journal at once: nothing lost, nothing locked out.

Each writer is one child process capturing in a loop through the real capture service
(tests/integration/capture_loop.py); a pipe barrier releases them together. Readers are
the real `wise search` command, run while the writers write.
"""

from __future__ import annotations

import itertools
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LOOP = Path(__file__).with_name("capture_loop.py")
PER_WRITER = 500


def _start_writers(home: Path, prefixes: list[str], count: int,
                   errs: list[Path]) -> list[subprocess.Popen]:
    """Start the writers and wait until each has imported everything and is ready."""
    env = {**os.environ, "WISE_HOME": str(home)}
    writers = []
    for prefix, err_path in zip(prefixes, errs, strict=True):
        err = open(err_path, "wb")  # noqa: SIM115 - closed once the child has ended
        writers.append(subprocess.Popen(
            [sys.executable, str(LOOP), prefix, str(count), "--wait"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=err, env=env, cwd=ROOT))
        err.close()  # the child has its own copy
    try:
        for writer in writers:
            assert writer.stdout.readline() == b"ready\n"
    except BaseException:
        for writer in writers:  # leave no child behind, blocked on its barrier
            writer.kill()
            writer.communicate()
        raise
    return writers


def _release(writers: list[subprocess.Popen]) -> None:
    # The barrier: one line on each child's stdin, written back to back.
    for writer in writers:
        writer.stdin.write(b"go\n")
    for writer in writers:
        writer.stdin.flush()
        writer.stdin.close()


def _finish(writer: subprocess.Popen, err_path: Path) -> tuple[int, list[str], str]:
    out = writer.stdout.read().decode()
    writer.stdout.close()
    code = writer.wait(120)
    return code, out.splitlines(), err_path.read_text("utf-8", "replace")


def _texts(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return [row[0] for row in conn.execute("SELECT text FROM entries")]
    finally:
        conn.close()


@pytest.mark.timeout(180)
def test_two_writers_capture_500_each_at_the_same_time(wise, wise_home: Path,
                                                       tmp_path: Path) -> None:
    # A fresh WISE_HOME: both writers also race to create and migrate the journal.
    errs = [tmp_path / "a.err", tmp_path / "b.err"]
    writers = _start_writers(wise_home, ["alpha", "beta"], PER_WRITER, errs)
    searches: list[tuple[bool, object]] = []  # (writers still running at start, result)
    try:
        _release(writers)
        # Readers while the writers write: the real `wise search`, again and again.
        while any(w.poll() is None for w in writers) or not searches:
            running = any(w.poll() is None for w in writers)
            searches.append((running, wise("search", "--json", "--limit", "1000", "alpha")))
    finally:
        results = [_finish(w, e) for w, e in zip(writers, errs, strict=True)]

    for code, lines, err in results:
        assert "Traceback" not in err, err
        assert "locked" not in err and "busy" not in err, err
        assert code == 0, err
        acks = [line for line in lines if line.startswith("ack ")]
        assert len(acks) == PER_WRITER
        assert lines[-1] == f"done {PER_WRITER}"

    texts = _texts(wise_home / "wise.db")
    assert len(texts) == 2 * PER_WRITER
    expected = {f"{p} {n}" for p in ("alpha", "beta") for n in range(PER_WRITER)}
    assert set(texts) == expected
    # They really wrote at the same time: run one after the other, the commit order
    # would switch writer once; here it switches back and forth.
    conn = sqlite3.connect(wise_home / "wise.db")
    try:
        order = [r[0].split()[0] for r in conn.execute("SELECT text FROM entries ORDER BY id")]
    finally:
        conn.close()
    switches = sum(1 for a, b in itertools.pairwise(order) if a != b)
    # (SQLite's busy handler is not first-come first-served, so one writer may get several
    # turns in a row; a few switches already prove the two ran at the same time.)
    assert switches >= 4, f"the writers did not overlap ({switches} switches)"

    # Every search worked, saw only committed alpha rows, and never went backwards.
    assert searches[0][0], "the first search should have started while the writers ran"
    seen = []
    for _running, result in searches:
        assert "Traceback" not in result.err, result.err
        assert "locked" not in result.err and "busy" not in result.err, result.err
        assert result.code == 0, result.err
        hits = json.loads(result.out)
        assert all("alpha" in hit["snippet"] for hit in hits)
        seen.append(len(hits))
    assert seen == sorted(seen), seen

    # After the writers finished, the readers see everything.
    final = wise("search", "--json", "--limit", "1000", "beta")
    assert final.code == 0, final.err
    assert len(final.json()) == PER_WRITER
    conn = sqlite3.connect(wise_home / "wise.db")
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        conn.execute("INSERT INTO entries_fts(entries_fts) VALUES('integrity-check')")
        uids = conn.execute("SELECT count(DISTINCT uid) FROM entries").fetchone()[0]
    finally:
        conn.close()
    assert uids == 2 * PER_WRITER


@pytest.mark.timeout(120)
def test_search_and_today_work_while_a_writer_writes(wise, wise_home: Path,
                                                    tmp_path: Path) -> None:
    """Readers started while a long write burst is under way all succeed."""
    seeded = wise("capture", "seed note before the burst")
    assert seeded.code == 0, seeded.err
    err_path = tmp_path / "w.err"
    # COUNT 0: the writer runs until we stop it, so every reader below overlaps it.
    (writer,) = _start_writers(wise_home, ["burst"], 0, [err_path])
    acks: list[bytes] = []
    # Drain its acks all along, or a full pipe would stall it and nothing would overlap.
    drain = threading.Thread(target=lambda: acks.extend(iter(writer.stdout.readline, b"")),
                             daemon=True)
    try:
        _release([writer])
        drain.start()
        deadline = time.monotonic() + 30
        while not acks and time.monotonic() < deadline:
            time.sleep(0.01)
        assert acks, "the writer never started writing"
        before = len(acks)
        readers = [wise("search", "--json", "burst"), wise("today", "--json"),
                   wise("search", "--json", "seed"), wise("doctor")]
        during = len(acks) - before
        assert writer.poll() is None, "the writer should still have been writing"
    finally:
        writer.terminate()
        writer.wait(30)
        drain.join(30)
        writer.stdout.close()
    err = err_path.read_text("utf-8", "replace")
    # It kept committing while they ran (how many depends on the machine's load and disk).
    assert during >= len(readers), f"the writer committed {during} captures while readers ran"
    assert "database is locked" not in err
    for result in readers:
        assert "Traceback" not in result.err, result.err
        assert "locked" not in result.err and "busy" not in result.err, result.err
        assert result.code == 0, result.err
    burst, today, seed = (r.json() for r in readers[:3])
    assert burst and all("burst" in hit["snippet"] for hit in burst)
    assert [hit["snippet"] for hit in seed] == ["[seed] note before the burst"]
    assert any(note["text"] == "seed note before the burst" for note in today["notes"])


@pytest.mark.timeout(120)
def test_many_processes_creating_the_journal_at_once(wise_home: Path, tmp_path: Path) -> None:
    """First use from several processes at once: one creates it, nobody fails."""
    for round_no in range(3):
        home = wise_home / f"round{round_no}"
        errs = [tmp_path / f"r{round_no}-{i}.err" for i in range(4)]
        writers = _start_writers(home, [f"p{i}" for i in range(4)], 5, errs)
        try:
            _release(writers)
        finally:
            results = [_finish(w, e) for w, e in zip(writers, errs, strict=True)]
        for code, lines, err in results:
            assert "Traceback" not in err, err
            assert code == 0, err
            assert lines[-1] == "done 5"
        assert sorted(_texts(home / "wise.db")) == sorted(
            f"p{i} {n}" for i in range(4) for n in range(5))
        conn = sqlite3.connect(home / "wise.db")
        try:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            (version,) = conn.execute("SELECT count(*) FROM alembic_version").fetchone()
        finally:
            conn.close()
        assert version == 1


_LOCKER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.readline()  # hold the write lock until the test says so
conn.execute("ROLLBACK")
conn.close()
"""


@pytest.mark.timeout(120)
def test_doctor_while_another_program_writes_does_not_call_the_index_broken(
        wise, wise_home: Path) -> None:
    assert wise("capture", "a note to index").code == 0
    with subprocess.Popen([sys.executable, "-c", _LOCKER, str(wise_home / "wise.db")],
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE) as locker:
        try:
            assert locker.stdout.readline() == b"locked\n"
            doctor = wise("doctor", "--json")
        finally:
            locker.communicate(b"release\n", timeout=30)
    assert "Traceback" not in doctor.err, doctor.err
    index = next(c for c in doctor.json()["checks"] if c["name"] == "search index")
    assert "out of step" not in index["detail"], index
    assert index["status"] != "problem", index
    assert doctor.code == 0, doctor.out
