"""The Qt binding itself must not leak references: PySide6 6.12.0 on Python 3.11 lost one
reference to None on every void call, and the tray aborted after ~50 captures."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QLabel


def test_void_qt_calls_do_not_lose_references_to_none(qtbot) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for _ in range(10_000):
        label.hide()
        label.setText("x")
    # Other threads may hold or drop a few; a leak here would be 20,000.
    assert sys.getrefcount(None) >= before - 100
