"""A small window that stands in for the tray where the desktop shows no tray icons."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ui.tray import TrayActions

EXPLANATION = (
    "Your desktop shows no tray icons, so Wise lives in this small window instead. "
    "On GNOME, the “AppIndicator and KStatusNotifierItem Support” extension brings "
    "the tray icon back.\n\n"
    "Quick capture still works from your keyboard shortcut and from the command "
    "line: wise capture \"…\""
)


class FallbackWindow(QWidget):
    def __init__(self, actions: TrayActions, *, name: str = "Wise") -> None:
        super().__init__()
        self._actions = actions
        self.setWindowTitle(name)  # "Wise", or "Wise (~/wise-work)" for a second home
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 18, 20, 18)
        layout.setSpacing(14)
        title = QLabel("<b>Wise is running</b>")
        title.setTextFormat(Qt.TextFormat.RichText)
        explanation = QLabel(EXPLANATION)
        explanation.setWordWrap(True)
        explanation.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(title)
        layout.addWidget(explanation)
        buttons = QHBoxLayout()
        self.capture_button = self._button("Capture…", actions.show_capture, buttons)
        self.settings_button = self._button("Settings…", actions.show_settings, buttons)
        buttons.addStretch(1)
        self.quit_button = self._button("Quit Wise", actions.quit, buttons)
        layout.addLayout(buttons)
        self.capture_button.setDefault(True)
        self.setMinimumWidth(440)

    def _button(self, text: str, slot, row: QHBoxLayout) -> QPushButton:
        button = QPushButton(text)
        button.clicked.connect(slot)
        row.addWidget(button)
        return button

    def closeEvent(self, event: QCloseEvent) -> None:
        # Closing must not quit (there is no tray to come back through): tuck it away.
        event.ignore()
        self.showMinimized()
