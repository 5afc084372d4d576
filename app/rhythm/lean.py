"""Import APScheduler 3 without asyncio, for the tray's memory budget. Imported for its
effect, before any `apscheduler` import (`app.rhythm.scheduler` does so first).

On Python < 3.14 `apscheduler.util` imports asyncio only for `asyncio.iscoroutinefunction`,
which it uses only in its asyncio and tornado executors (Wise uses neither). Importing
asyncio also imports ssl, loading OpenSSL: ~7 MB in the idle tray, whose budget is 100 MB.
So while `apscheduler.util` is imported, `asyncio` is a stand-in holding
`inspect.iscoroutinefunction` (the same answer for every `async def`); it is removed at
once, and a real `import asyncio` later loads the real module as usual. When asyncio is
already loaded, or from Python 3.14 on, this does nothing special.
"""

from __future__ import annotations

import inspect
import sys
import threading
import types

_lock = threading.Lock()


def import_apscheduler_util() -> None:
    with _lock:
        if "apscheduler.util" in sys.modules or "asyncio" in sys.modules \
                or sys.version_info >= (3, 14):
            import apscheduler.util
            return
        stand_in = types.ModuleType("asyncio", "a stand-in while apscheduler.util loads")
        stand_in.iscoroutinefunction = inspect.iscoroutinefunction  # type: ignore[attr-defined]  # a bare module
        sys.modules["asyncio"] = stand_in
        try:
            import apscheduler.util  # noqa: F401
        finally:
            if sys.modules.get("asyncio") is stand_in:
                del sys.modules["asyncio"]


import_apscheduler_util()
