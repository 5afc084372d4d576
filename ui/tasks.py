"""The one way Wise runs work off the GUI thread: the work never touches widgets, and its
result or error comes back to the main thread through a Qt signal."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)


class _Relay(QObject):
    """Lives on the main thread. A worker emits its signals; because the receiving slots
    belong to this main-thread object, Qt queues the call onto the main thread."""

    succeeded = Signal(object)
    failed = Signal(object)

    def __init__(self, on_success: Callable[[Any], None], on_error: Callable[[Exception], None],
                 release: Callable[[_Relay], None]) -> None:
        super().__init__()
        self._on_success, self._on_error, self._release = on_success, on_error, release
        self.succeeded.connect(self._deliver_success)
        self.failed.connect(self._deliver_error)

    @Slot(object)
    def _deliver_success(self, value: Any) -> None:
        self._release(self)
        self._on_success(value)

    @Slot(object)
    def _deliver_error(self, exc: Exception) -> None:
        self._release(self)
        self._on_error(exc)


class _Job(QRunnable):
    def __init__(self, work: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self.work = work
        self.relay = relay

    def run(self) -> None:
        try:
            result = self.work()
        except Exception as exc:
            self.relay.failed.emit(exc)
        else:
            self.relay.succeeded.emit(result)


class Background:
    """A pool of worker threads. One thread by default, so journal writes keep their order."""

    def __init__(self, threads: int = 1) -> None:
        self._pool = QThreadPool()
        self._pool.setMaxThreadCount(threads)
        self._pending: set[_Relay] = set()

    def run(self, work: Callable[[], Any], *, on_success: Callable[[Any], None],
            on_error: Callable[[Exception], None]) -> None:
        relay = _Relay(on_success, on_error, self._release)
        self._pending.add(relay)
        self._pool.start(_Job(work, relay))

    def _release(self, relay: _Relay) -> None:
        self._pending.discard(relay)
        relay.deleteLater()

    def wait(self, msecs: int = 5000) -> bool:
        """Let queued work finish (at quit, so no capture is cut off half-way)."""
        return self._pool.waitForDone(msecs)
