"""UI tests run real widgets on Qt's offscreen platform (no display needed)."""

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

CHILD_MS = 120_000  # a `wise` child imports litellm: slow on a small, busy machine


@pytest.fixture
def tray_app(qtbot, wise_home: Path, monkeypatch: pytest.MonkeyPatch):
    """The tray app assembled in this process (no tray icon offscreen: its fallback window
    shows), with its socket in this test's own runtime folder."""
    from PySide6.QtWidgets import QApplication

    from app.journal import Context
    from app.welcome import FINISHED, remember_welcomed
    from ui.app import WiseApp

    monkeypatch.setenv("XDG_RUNTIME_DIR", str(wise_home.parent))
    context = Context.from_environment()
    # A returning user: the first-run welcome (tests/ui/test_welcome_window.py starts its
    # own app) would otherwise open over an empty journal a moment after start and take
    # the focus from whatever window the test opened first.
    remember_welcomed(context.paths, FINISHED)
    app = WiseApp(context, log_path=str(wise_home / "logs" / "wise.log"))
    app.start()
    yield app
    app.shutdown()
    # The work the test started (its `wise` children too) ends in this test, not in the
    # next one's event loop: every job finished, its child exited, its answer delivered.
    for pool in (app.background, app.children, app.health, app.setup_work):
        assert pool.wait(CHILD_MS), "work this test started is still running"
    # Work finished during shutdown reports back to its windows: let it land while they
    # still exist (pytest-qt would delete a window given to qtbot.addWidget before this
    # teardown, and the next test's event loop would deliver to a deleted one).
    QApplication.processEvents()
    for widget in QApplication.topLevelWidgets():
        widget.hide()
