"""Enter-to-committed in the quick-capture window, inside the real tray app (bench_tray).

Run as a child process (`python -m tests.benchmarks.tray_probe SAMPLES`, from the
project folder) with WISE_HOME (a journal that exists), XDG_RUNTIME_DIR and
QT_QPA_PLATFORM=offscreen set. It builds the real `ui.app.WiseApp` and
starts it as `wise` does (socket, tray or fallback window, journal prepared on the worker
thread), then, SAMPLES times:

  1. untimed: open the window (`show_capture`, as the hotkey does) and type a line into
     `capture_window.box` key by key (QTest.keyClicks: the preview updates per key, and
     the 400 ms draft timer is pending, as after real typing);
  2. timed: QTest.keyClick(box, Enter), then run the event loop
     (processEvents(WaitForMoreEvents): it sleeps until something arrives, as the real
     loop does, so the worker thread is not starved of the GIL) until the window's status
     line says "Saved ✓". `show_saved` runs only when the worker thread reports the row
     committed (synchronous=FULL), so this is Enter -> committed -> the window told, an
     upper bound of Enter -> committed. Also recorded: how long keyClick itself kept the
     GUI thread (validation and the durable draft write happen there, before the worker
     is asked to save);
  3. timed, side by side: one 4 KiB write + fdatasync in the journal's folder (the
     disk's flush floor, as in bench_capture);
  4. untimed: Esc (clears the saved text, hides the window).

Nothing in Wise is patched or wrapped; the probe only uses the window's widgets. It prints
one JSON object on standard output: the samples (seconds) and the row counts before and
after (read with a separate sqlite3 connection).

None's reference count is recorded before and after the samples. PySide6 6.12.0 on Python
3.11 (where None is not yet immortal) drops one reference to None on every call of a
Qt method that returns nothing, so a long-running process eventually aborts with "Fatal
Python error: none_dealloc". The probe reports how many references one capture costs and
how many captures the tray's start-up count would last (the probe's own such calls, about
one reference each, are counted and reported apart); to get its own numbers at all it
first holds a million extra references to None (a list), which changes nothing else.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import time

LINES = (
    "call the garage about the brakes tomorrow",
    "[ ] renew passport in 3 days ~20m",
    "+ went for a walk ~30m",
    "talked with Sam about the trip, good evening",
    "buy milk and bread",
)


def main() -> int:
    samples = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    from PySide6.QtCore import QCoreApplication, QEventLoop, Qt, QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from app.journal import Context
    from tests.benchmarks.harness import fsync_probe
    from ui.app import WiseApp

    none_at_start = sys.getrefcount(None)
    ballast = [None] * 1_000_000 if sys.version_info < (3, 12) else []  # see the docstring
    qapp = QApplication([sys.argv[0]])
    qapp.setQuitOnLastWindowClosed(False)
    context = Context.from_environment()
    db = context.paths.db

    def count() -> int:
        conn = sqlite3.connect(db)
        try:
            return conn.execute("SELECT (SELECT count(*) FROM entries) + "
                                "(SELECT count(*) FROM actions)").fetchone()[0]
        finally:
            conn.close()

    before = count()
    wise = WiseApp(context, log_path=str(context.paths.logs_dir / "wise.log"))
    wise.start()
    wait = QEventLoop.ProcessEventsFlag.WaitForMoreEvents
    # Let _finish_start run and the journal be prepared (goals loaded) before timing.
    QCoreApplication.processEvents()
    wise.background.wait(30_000)
    for _ in range(5):
        QCoreApplication.processEvents()
    # A watchdog: should a save never be reported, this wakes the loop so we can give up.
    watchdog = QTimer()
    watchdog.setInterval(5_000)
    watchdog.timeout.connect(lambda: None)
    watchdog.start()

    window = wise.capture_window
    box = window.box
    none_started = sys.getrefcount(None) - len(ballast)  # what the tray starts typing with
    probe, close_probe = fsync_probe(context.paths.data_dir)
    enter, gui, flush, failures = [], [], [], []
    warmup = 3
    harness_calls = 0  # the probe's own calls into Qt that return nothing (see docstring)
    none_before = sys.getrefcount(None)
    try:
        for i in range(-warmup, samples):
            wise.show_capture()
            QTest.keyClicks(box, f"{LINES[i % len(LINES)]} {i + warmup}")
            QCoreApplication.processEvents()
            start = time.perf_counter()
            QTest.keyClick(box, Qt.Key.Key_Return)
            returned = time.perf_counter()
            deadline = start + 10
            while not window.preview.text().startswith("Saved"):
                if window.preview.text() not in ("Saving…",) and not box.isReadOnly():
                    failures.append(window.preview.text())  # show_failed: editable again
                    break
                if time.perf_counter() > deadline:
                    failures.append("no answer within 10 s")
                    break
                QCoreApplication.processEvents(wait)
                harness_calls += 1
            done = time.perf_counter()
            probe_start = time.perf_counter()
            probe(i)
            probe_done = time.perf_counter()
            if i >= 0:
                enter.append(done - start)
                gui.append(returned - start)
                flush.append(probe_done - probe_start)
            QTest.keyClick(box, Qt.Key.Key_Escape)  # "Saved ✓" -> cleared and hidden
            QCoreApplication.processEvents()
            harness_calls += 5  # keyClicks, processEvents, keyClick x 2, processEvents
            if failures:
                break
    finally:
        none_after = sys.getrefcount(None)
        close_probe()
        watchdog.stop()
        wise.quit()
        wise.shutdown()
    after = count()
    print(json.dumps({"enter_to_saved": enter, "keyclick_gui": gui, "fsync": flush,
                      "failures": failures[:3], "rows_before": before, "rows_after": after,
                      "platform": QApplication.platformName(), "pid": os.getpid(),
                      "python": sys.version.split()[0], "pyside": pyside_version(),
                      "none_refs_at_interpreter_start": none_at_start,
                      "none_refs_when_ready": none_started,
                      "none_refs_lost": none_before - none_after,
                      "none_refs_lost_by_probe_calls": harness_calls,
                      "captures_in_loop": samples + warmup}))
    return 0 if not failures else 1


def pyside_version() -> str:
    import PySide6

    return PySide6.__version__


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # Skip interpreter finalization: PySide6 can abort while tearing down the widgets of an
    # app whose QApplication was never exec()'d, which would turn a good run into a crash.
    os._exit(code)
