"""Sync: two devices (two WISE_HOMEs) through a folder, with the real `wise sync now`.

  1,000 captures   1,000 new captures on device A (written untimed), then `wise sync now`
                   on A (stamp, seal, write batches) and on B (read, open, apply); wall
                   time of each, and the bytes the batches take (the change log's size
                   per 1,000 captures, as it travels: compressed and encrypted)
  first sync       a five-year journal (100,000 entries) set up for sync, sent by its
                   device, then received by a new device: wall time and peak RSS of each
                   (both stream: at most one batch of 2,000 operations in memory)
  capture on/off   `wise capture TEXT` as a new process into a journal with sync set up
                   (every change logged by the triggers) and one without, interleaved;
                   and the in-process commit, side by side (target for the process:
                   <= 1.2x)

Keys: the test suite's file keyring (tests/keyring_backend.py), so nothing touches the
machine's real keyring.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

from tests.benchmarks import seed
from tests.benchmarks.harness import (
    BIN,
    ROOT,
    Cmd,
    Row,
    Workspace,
    interleaved,
    last_line,
    med_p90,
    mib,
    ms,
    ratio,
    run_cmd,
    secs,
    time_calls_interleaved,
)

PASSPHRASE = b"correct horse battery staple\n"
TEXT = "Called the garage about the brakes, they can look at it next week"


def _sizes(ws: Workspace) -> dict[str, int]:
    if ws.quick:
        return {"captures": 200, "journal": 10_000, "runs": 6, "inproc": 100}
    return {"captures": 1_000, "journal": 100_000, "runs": 20, "inproc": 500}


def _env(ws: Workspace, home: Path) -> dict[str, str]:
    return ws.env(WISE_HOME=str(home), PYTHONPATH=str(ROOT),
                  PYTHON_KEYRING_BACKEND="tests.keyring_backend.FileKeyring",
                  WISE_TEST_KEYRING_FILE=str(ws.run / "sync-keyring.json"))


def _wise(ws: Workspace, home: Path, *args: str, stdin: bytes | None = None,
          rss: bool = False):
    result = run_cmd([str(BIN / "wise"), *args], _env(ws, home), stdin=stdin,
                     measure_rss=rss, timeout=1800)
    if result.returncode != 0:
        raise RuntimeError(f"wise {' '.join(args)}: {last_line(result.stderr)}")
    return result


def _setup(ws: Workspace, home: Path, folder: Path) -> None:
    _wise(ws, home, "sync", "setup", "--folder", str(folder), stdin=PASSPHRASE)


def _bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*.wsb"))


def run_captures(ws: Workspace) -> list[Row]:
    from storage.capture_writer import CaptureRow, CaptureWriter

    n = _sizes(ws)["captures"]
    group = f"sync: {n:,} new captures between two devices (folder)"
    folder = ws.run / "sync-captures-folder"
    a, b = seed.copy_journal(None, ws, "sync-a"), seed.copy_journal(None, ws, "sync-b")
    _wise(ws, a, "capture", "first")
    _setup(ws, a, folder)
    _setup(ws, b, folder)
    _wise(ws, a, "sync", "now")
    _wise(ws, b, "sync", "now")
    before = _bytes(folder)
    writer = CaptureWriter(a / "wise.db")
    for i in range(n):
        tags = ["errands"] if i % 3 == 0 else []
        writer.write(CaptureRow("todo" if i % 2 else "note", f"{TEXT} {i}", f"{TEXT} {i}",
                                tags, None, None, None, "capture"), datetime.now(UTC))
    writer.close()
    send = _wise(ws, a, "sync", "now")
    size = _bytes(folder) - before
    receive = _wise(ws, b, "sync", "now")
    return [
        Row(group, "wise sync now on A: send", secs(send.seconds)),
        Row(group, "wise sync now on B: receive and apply", secs(receive.seconds)),
        Row(group, "change log as sent, per 1,000 captures (compressed, encrypted)",
            f"{size / n * 1000 / 1024:.0f} KiB", data={"bytes": size, "captures": n}),
    ]


def run_first_sync(ws: Workspace) -> list[Row]:
    size = _sizes(ws)["journal"]
    group = f"sync: first sync of a five-year journal ({size // 1000}k entries)"
    folder = ws.run / "sync-first-folder"
    source = seed.fresh_wise_home(ws, size, "sync-first-a")
    target = seed.copy_journal(None, ws, "sync-first-b")
    _wise(ws, source, "migrate")
    _setup(ws, source, folder)
    _setup(ws, target, folder)
    floor = run_cmd([str(BIN / "python"), "-c", "pass"], ws.env(), measure_rss=True)
    send = _wise(ws, source, "sync", "now", rss=True)
    receive = _wise(ws, target, "sync", "now", rss=True)
    total = _bytes(folder)
    return [
        Row(group, "send: wise sync now on the journal's device",
            f"{secs(send.seconds)}, {mib(send.peak_rss_kib)} peak",
            f"python -c pass {mib(floor.peak_rss_kib)}"),
        Row(group, "receive: wise sync now on a new device",
            f"{secs(receive.seconds)}, {mib(receive.peak_rss_kib)} peak",
            f"python -c pass {mib(floor.peak_rss_kib)}"),
        Row(group, "batches in the sync folder", f"{total / 1024 / 1024:.1f} MiB",
            data={"bytes": total}),
    ]


def run_capture_on_off(ws: Workspace) -> list[Row]:
    from storage.capture_writer import CaptureRow, CaptureWriter

    size = _sizes(ws)
    group = "sync: a capture with sync on vs off"
    off, on = seed.copy_journal(None, ws, "sync-off"), seed.copy_journal(None, ws, "sync-on")
    for home in (off, on):
        _wise(ws, home, "capture", "first")
    _setup(ws, on, ws.run / "sync-on-folder")
    wise = str(BIN / "wise")
    stats = interleaved({
        "off": Cmd([wise, "capture", TEXT], _env(ws, off)),
        "on": Cmd([wise, "capture", TEXT], _env(ws, on)),
    }, size["runs"], warmup=2)
    writers = {name: CaptureWriter(home / "wise.db") for name, home in (("off", off),
                                                                         ("on", on))}
    row = CaptureRow("note", TEXT, TEXT + " #errands", ["errands"], None, None, None,
                     "capture")
    inproc = time_calls_interleaved(
        {name: (lambda _i, w=writer: w.write(row, datetime.now(UTC)))
         for name, writer in writers.items()}, size["inproc"])
    for writer in writers.values():
        writer.close()
    shutil.rmtree(ws.run / "sync-on-folder", ignore_errors=True)
    wall = ratio(stats["on"].median, stats["off"].median)
    commit = ratio(inproc["on"].median, inproc["off"].median)
    return [
        Row(group, "wise capture TEXT, sync on vs off (new process)", med_p90(stats["on"]),
            med_p90(stats["off"]), wall, "≤ 1.20×", None if wall is None else wall <= 1.2),
        Row(group, "↳ in-process commit with a tag, on vs off", ms(inproc["on"].median),
            ms(inproc["off"].median), commit),
    ]


STEPS = (run_captures, run_first_sync, run_capture_on_off)
