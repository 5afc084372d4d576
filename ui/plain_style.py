"""The platform's own widget style, with one change: dialog buttons are plain text. Qt's
generic Unix theme (a bare X session, some desktops) gives OK, Save and Cancel old stock
icons (a green tick, a red X) that no desktop's own dialogs show."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QApplication, QProxyStyle, QStyle


class PlainDialogButtons(QProxyStyle):
    """Wraps whatever style the platform chose; only the button-icon hint differs."""

    def styleHint(self, hint: QStyle.StyleHint, option: Any = None, widget: Any = None,
                  returnData: Any = None) -> int:
        if hint == QStyle.StyleHint.SH_DialogButtonBox_ButtonsHaveIcons:
            return 0
        return super().styleHint(hint, option, widget, returnData)


def use_plain_dialog_buttons(qapp: QApplication) -> None:
    """Before the first window: every dialog the app makes then has plain buttons."""
    qapp.setStyle(PlainDialogButtons(qapp.style().name()))
