"""The ritual windows opened and streamed in a fresh process, as in the tray (bench_windows).

Run as a child process from the project folder with WISE_HOME (a journal that exists) and
QT_QPA_PLATFORM=offscreen:

  python -m tests.benchmarks.window_probe open reflection|review
      One first open, as the user's first click in a running tray: the QApplication and
      the journal-writer thread exist already (the tray has them); timed from the moment
      the window is asked for (its modules imported, built, shown) to its first paint
      (a Paint event reaching the window), and to the moment its data is on screen (the
      reflection window's `day_loaded`; the review window's goal cards filled).

  python -m tests.benchmarks.window_probe lag SECONDS
      Event-loop lag: a 10 ms PreciseTimer records how late each of its ticks comes,
      first for SECONDS with the window open and idle, then while a reflection streams in
      through the real `wise reflect --stream` child and model worker (the settings in
      WISE_HOME point at a local fake server). Lateness = interval - 10 ms.

Prints one JSON object on standard output.
"""

from __future__ import annotations

import json
import sys
import time

TICK_MS = 10


def _app():
    from PySide6.QtWidgets import QApplication

    from app.journal import Context
    from ui.tasks import Background

    qapp = QApplication.instance() or QApplication([sys.argv[0]])
    context = Context.from_environment()
    background = Background(threads=1)
    holder: dict = {}

    def run_ritual(work, on_success, on_error):
        def job():
            if "writer" not in holder:
                from storage.ritual_writes import RitualWriter

                holder["writer"] = RitualWriter(context.paths.db)
            return work(holder["writer"])

        background.run(job, on_success=on_success, on_error=on_error)

    return qapp, context, background, run_ritual


def _spin_until(qapp, done, timeout_s: float = 30.0) -> None:
    from PySide6.QtCore import QEventLoop

    deadline = time.perf_counter() + timeout_s
    while not done():
        if time.perf_counter() > deadline:
            raise TimeoutError("the window did not get there in time")
        qapp.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 50)


def open_window(kind: str) -> dict:
    qapp, context, background, run_ritual = _app()
    from PySide6.QtCore import QEvent, QObject

    from app.launch import wise_command

    marks: dict[str, float] = {}

    class FirstPaint(QObject):
        def eventFilter(self, watched, event):
            if event.type() == QEvent.Type.Paint and "paint" not in marks:
                marks["paint"] = time.perf_counter()
            return False

    spy = FirstPaint()
    start = time.perf_counter()
    if kind == "reflection":
        from ui.reflection_window import ReflectionWindow

        window = ReflectionWindow(context.paths.db, run_ritual,
                                  lambda: context.day_start_hour, wise_command)
        window.installEventFilter(spy)
        window.day_loaded.connect(lambda _day: marks.setdefault("filled", time.perf_counter()))
        window.open_day(None)
        window.show()
    else:
        from ui.review_window import ReviewWindow

        window = ReviewWindow(context.paths.db, run_ritual,
                              lambda: context.day_start_hour, wise_command)
        window.installEventFilter(spy)
        window.show_goal(None)
    built = time.perf_counter()

    def filled() -> bool:
        if kind == "review" and window.goals_page.loaded:
            marks.setdefault("filled", time.perf_counter())
        return "paint" in marks and "filled" in marks

    _spin_until(qapp, filled)
    result = {"built_s": built - start, "paint_s": marks["paint"] - start,
              "filled_s": marks["filled"] - start}
    window.hide()
    background.wait(5000)
    return result


def lag(seconds: float) -> dict:
    qapp, context, background, run_ritual = _app()
    from PySide6.QtCore import Qt, QTimer

    from app.launch import wise_command
    from ui.reflection_window import ReflectionWindow

    window = ReflectionWindow(context.paths.db, run_ritual, lambda: context.day_start_hour,
                              wise_command)
    loaded: list = []
    window.day_loaded.connect(loaded.append)
    window.open_day(None)
    window.show()
    _spin_until(qapp, lambda: bool(loaded))

    samples: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        samples.append(now - last[0] - TICK_MS / 1000)
        last[0] = now

    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setInterval(TICK_MS)
    timer.timeout.connect(tick)

    def measure(until) -> list[float]:
        samples.clear()
        last[0] = time.perf_counter()
        timer.start()
        _spin_until(qapp, until, timeout_s=180)
        timer.stop()
        return list(samples)

    idle_end = time.perf_counter() + seconds
    idle = measure(lambda: time.perf_counter() >= idle_end)

    finished: list = []
    window.reflection_done.connect(finished.append)
    started = time.perf_counter()
    window.reflection.reflect()
    streaming = measure(lambda: bool(finished))
    elapsed = time.perf_counter() - started
    text = window.reflection.view.toPlainText()
    window.shutdown()
    background.wait(5000)
    return {"idle": idle, "streaming": streaming, "stream_s": elapsed,
            "shown_chars": len(text)}


def main() -> int:
    mode = sys.argv[1]
    if mode == "open":
        result = open_window(sys.argv[2])
    elif mode == "lag":
        result = lag(float(sys.argv[2]))
    else:
        raise SystemExit(f"unknown mode {mode!r}")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
