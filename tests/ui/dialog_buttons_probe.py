"""Builds Wise's dialogs in the tray's own QApplication (ui.app.make_qapplication) on the
platform it is given, for test_dialog_buttons.py. Prints one JSON document: for each dialog,
its buttons' texts and whether each carries an icon; with --shot DIR, a PNG of each."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from PySide6.QtWidgets import QAbstractButton, QDialogButtonBox, QMessageBox, QWidget

from ui.app import make_qapplication


def main() -> int:
    qapp = make_qapplication()
    from ui.reflection.sent_dialog import SentDialog
    from ui.review.dialogs import GoalDialog, TextDialog

    parent = QWidget()
    notice = QMessageBox(QMessageBox.Icon.Information, "Your data folder",
                         "Wise keeps everything in /tmp/example.",
                         QMessageBox.StandardButton.Ok)
    dialogs = {
        "goal": GoalDialog(parent, lambda *_a: None),
        "text": TextDialog(parent, title="Edit", intro="A text", text="words",
                           on_accept=lambda _t: None),
        "sent": SentDialog({"day": "2026-11-26", "messages": []}, parent),
        "message": notice,
    }
    shots = Path(sys.argv[sys.argv.index("--shot") + 1]) if "--shot" in sys.argv else None
    report = {}
    for name, dialog in dialogs.items():
        dialog.show()
        qapp.processEvents()
        buttons = [b for box in dialog.findChildren(QDialogButtonBox)
                   for b in box.findChildren(QAbstractButton)]
        report[name] = [(b.text(), not b.icon().isNull()) for b in buttons]
        if shots is not None:
            dialog.grab().save(str(shots / f"dialog-{name}.png"))
        dialog.hide()
    print(json.dumps({"style": qapp.style().name(), "dialogs": report}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
