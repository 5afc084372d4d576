"""SIGTERM as "stop": how a window's Stop button ends a `wise` child's model call cleanly.

The window terminates the child; instead of dying mid-write, the child sets a cancel
event that the gateway watches (it kills the model worker, so the HTTP request closes),
then reports "cancelled" and exits 0 with nothing stored.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def sigterm_cancels() -> Iterator[threading.Event]:
    """An event set by SIGTERM while the block runs (the old handler is put back after)."""
    event = threading.Event()

    def stop(_signum: int, _frame: object) -> None:
        event.set()

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield event
    finally:
        signal.signal(signal.SIGTERM, previous)
