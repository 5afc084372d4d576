"""The cold-start baseline for bench_tray: the least a PySide6 tray app with a text box does.

QApplication + QSystemTrayIcon with an icon + a QLineEdit, shown; nothing of Wise is
imported. It prints, on standard output, one line per moment (time.monotonic(), the same
clock as the parent's, which is system-wide on Linux):

    tray-available <True|False>
    ready <monotonic>      the event loop runs with the tray icon and the line edit shown
                           (what Wise's "ready to save" is compared with)

and then idles until it is terminated (SIGTERM). Whether the tray icon is *on screen* is
measured from outside, through the X server, exactly as for Wise (bench_tray.TrayWatcher).

Run: python tests/benchmarks/minimal_tray_app.py
"""

import sys
import time

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QLineEdit, QSystemTrayIcon


def icon() -> QIcon:
    """A small drawn icon (a disc with a dot), so it has more than one colour on screen."""
    pixmap = QPixmap(22, 22)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor("#b5651d"))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawEllipse(1, 1, 20, 20)
    painter.setBrush(QColor("#fff4e0"))
    painter.drawEllipse(7, 7, 8, 8)
    painter.end()
    return QIcon(pixmap)


def main() -> int:
    app = QApplication(sys.argv)
    app.setQuitOnLastWindowClosed(False)
    print(f"tray-available {QSystemTrayIcon.isSystemTrayAvailable()}", flush=True)
    tray = QSystemTrayIcon(icon())
    tray.setToolTip("minimal")
    tray.show()
    box = QLineEdit()
    box.setPlaceholderText("What's on your mind?")
    box.show()

    def ready() -> None:
        print(f"ready {time.monotonic():.6f}", flush=True)

    QTimer.singleShot(0, ready)  # runs on the event loop's first turn
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
