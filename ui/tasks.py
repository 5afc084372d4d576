"""The one way Wise runs work off the GUI thread: the work never touches widgets, and its
result or error comes back to the main thread through a Qt signal.

Plain Python threads do the work. Only one long-lived QObject crosses threads, so no Qt
object is ever created or destroyed on a worker thread (PySide6 crashes when a
Python-owned QObject dies there).
"""

from __future__ import annotations

import concurrent.futures
import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

log = logging.getLogger(__name__)


class _MainThreadRelay(QObject):
    """Lives on the main thread; a worker emits `deliver`, Qt queues the call to `_run`."""

    deliver = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.deliver.connect(self._run)

    @Slot(object)
    def _run(self, callback: Callable[[], None]) -> None:
        callback()


class Background:
    """Worker threads (one by default, so journal writes keep their order)."""

    def __init__(self, threads: int = 1) -> None:
        self._executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=threads, thread_name_prefix="wise-worker")
        self._relay = _MainThreadRelay()
        self._running: set[concurrent.futures.Future] = set()
        self._lock = threading.Lock()

    def run(self, work: Callable[[], Any], *, on_success: Callable[[Any], None],
            on_error: Callable[[Exception], None]) -> None:
        def job() -> None:
            try:
                result = work()
            except Exception as exc:
                # Bound now: Python unbinds `exc` when the except block ends.
                self._relay.deliver.emit(lambda error=exc: on_error(error))
            else:
                self._relay.deliver.emit(lambda: on_success(result))

        future = self._executor.submit(job)
        with self._lock:
            self._running.add(future)
        future.add_done_callback(self._forget)

    def _forget(self, future: concurrent.futures.Future) -> None:
        with self._lock:
            self._running.discard(future)

    def wait(self, msecs: int = 5000) -> bool:
        """Let queued work finish (at quit, so no capture is cut off half-way)."""
        with self._lock:
            pending = set(self._running)
        _done, not_done = concurrent.futures.wait(pending, timeout=msecs / 1000)
        return not not_done
