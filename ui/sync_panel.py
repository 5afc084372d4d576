"""The Sync section's panel in Settings: "Set up sync…" when this device does not sync;
where it syncs, how it stands, "Sync now" and "Stop syncing on this device" when it does.
Every action is a `wise sync …` child (ui.children.JsonChild): nothing here waits."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.children import JsonChild
from ui.palette import named
from ui.sync_setup import SyncSetupDialog, tame

NOT_SET_UP = "Not set up on this device."
NOT_SET_UP_NOTE = ("Choose a folder your devices share or a WebDAV server, and a "
                   "passphrase. No terminal needed.")
NAMED_NOT_SET_UP = ("The settings name a sync place, but this device has not joined it "
                    "yet (or its keyring lost the key). Set it up again with the passphrase.")
STOP_EXPLANATION = (
    "This device stops sending and receiving changes. Your journal here stays as it is, "
    "and the sync folder and your other devices are untouched.\n\n"
    "You can set it up again at any time; this device then sends its journal once more.")


class SyncPanel(QFrame):
    """`changed()` fires after a set-up or a stop rewrote the sync settings."""

    changed = Signal()
    status_shown = Signal(str)  # the status line now shown (tests wait on it)

    def __init__(self, wise_command: Callable[[], list[str]],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self._wise_command = wise_command
        self._target = ""
        self.dialog: SyncSetupDialog | None = None
        self.confirm_box: QMessageBox | None = None
        self.status_child = JsonChild(wise_command, self)
        self.status_child.finished.connect(self._show_status)
        self.status_child.failed.connect(self._say_problem)
        self.action_child = JsonChild(wise_command, self)
        self.action_child.finished.connect(self._action_done)
        self.action_child.failed.connect(self._action_failed)
        self._action = ""

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 14)
        layout.setSpacing(4)
        self.headline = named(QLabel(), "fieldTitle")
        self.headline.setWordWrap(True)
        self.headline.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status = named(QLabel(), "caption")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.headline)
        layout.addWidget(self.status)

        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 8, 0, 0)
        buttons.setSpacing(8)
        self.setup_button = named(QPushButton("Set up sync…"), "secondary")
        self.setup_button.setToolTip("Choose where to sync and a passphrase")
        self.setup_button.clicked.connect(self.open_setup)
        self.now_button = named(QPushButton("Sync now"), "secondary")
        self.now_button.setToolTip("Send this device's changes and bring in the others'")
        self.now_button.clicked.connect(self.sync_now)
        self.stop_button = named(QPushButton("Stop syncing on this device…"), "secondary")
        self.stop_button.setToolTip("Nothing is deleted anywhere; you will be asked first")
        self.stop_button.clicked.connect(self.ask_stop)
        for button in (self.setup_button, self.now_button, self.stop_button):
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.show_target("")

    # --- public -----------------------------------------------------------------------

    def show_target(self, target: str) -> None:
        """What the settings say (a folder path or a WebDAV address, or "" for none); when
        there is one, ask a child how sync stands there."""
        self._target = target
        configured = bool(target)
        self.setup_button.setVisible(not configured)
        self.now_button.setVisible(configured)
        self.stop_button.setVisible(configured)
        if not configured:
            self.headline.setText(NOT_SET_UP)
            self._set_status(NOT_SET_UP_NOTE)
            return
        self.headline.setText(f"Syncing with {tame(target)}")
        self.headline.setToolTip(target if len(target) < 500 else "")
        self._set_status("Looking at how sync stands…")
        if self.isVisible():
            self.refresh()

    def refresh(self) -> None:
        """Ask a `wise sync status` child how sync stands (shown when it answers)."""
        if self._target and not self.action_child.is_running():
            self.status_child.start(["sync", "status"], what="the sync status")

    def open_setup(self) -> SyncSetupDialog:
        """The set-up dialog, window-modal; a finished set-up updates this panel."""
        if self.dialog is None:
            self.dialog = SyncSetupDialog(self._wise_command, self.window())
            self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
            self.dialog.set_up.connect(lambda _outcome: self.changed.emit())
            self.dialog.finished.connect(self._dialog_closed)
        self.dialog.open()
        return self.dialog

    def sync_now(self) -> None:
        if self.action_child.is_running():
            return
        self._start_action("now", ["sync", "now"], "Syncing…")

    def ask_stop(self) -> QMessageBox:
        """The confirmation, window-modal and non-blocking; "Stop syncing" goes ahead."""
        box = QMessageBox(QMessageBox.Icon.Question, "Stop syncing?",
                          "Stop syncing on this device?", parent=self.window())
        box.setInformativeText(STOP_EXPLANATION)
        box.setObjectName("confirmStopSync")
        stop = box.addButton("Stop syncing", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.buttonClicked.connect(lambda button: self._stop() if button is stop else None)
        box.finished.connect(lambda _result: setattr(self, "confirm_box", None))
        self.confirm_box = box
        box.open()
        return box

    def status_text(self) -> str:
        return self.status.text()

    def stop_children(self) -> None:
        """The window is going away: no child outlives it."""
        for child in (self.status_child, self.action_child):
            child.stop_now()
        if self.dialog is not None and self.dialog.is_running():
            self.dialog.child.stop_now()

    # --- Qt events --------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh()

    def hideEvent(self, event: QHideEvent) -> None:
        # Settings closed: its children stop with it (a sync stopped midway is safe: each
        # batch is a transaction of its own, and the tray syncs again soon).
        self.stop_children()
        self._enable_buttons()
        super().hideEvent(event)

    # --- reacting ---------------------------------------------------------------------

    def _dialog_closed(self, _result: int) -> None:
        dialog, self.dialog = self.dialog, None
        if dialog is not None:
            dialog.deleteLater()  # a new one next time: no passphrase lingers in a widget

    def _stop(self) -> None:
        self._start_action("off", ["sync", "off"], "Stopping…")

    def _start_action(self, action: str, args: list[str], words: str) -> None:
        self.status_child.stop_now()  # its answer would be out of date
        self._action = action
        for button in (self.now_button, self.stop_button):
            button.setEnabled(False)
        self._set_status(words)
        self.action_child.start(args, what="the sync" if action == "now" else "stopping sync")

    def _action_done(self, result: dict) -> None:
        self._enable_buttons()
        if self._action == "off":
            self.changed.emit()  # the settings now name no target: the owner says so
            return
        words = [f"sent {int(result.get('sent_ops') or 0):,} change(s)",
                 f"received {int(result.get('received_ops') or 0):,}"]
        if result.get("captured"):
            words.append(f"captured {result['captured']} line(s) from the inbox")
        problems = [str(p) for p in result.get("problems") or []]
        text = "Synced just now: " + ", ".join(words) + "."
        if problems:
            text += " " + " ".join(f"Note: {tame(p)}." for p in problems[:3])
        self._set_status(text + _conflict_words(int(result.get("open_conflicts") or 0)))

    def _action_failed(self, sentence: str) -> None:
        self._enable_buttons()
        self._set_status(tame(sentence), warning=True)

    def _enable_buttons(self) -> None:
        for button in (self.now_button, self.stop_button):
            button.setEnabled(True)

    def _show_status(self, status: dict) -> None:
        if not status.get("enabled"):
            self.headline.setText(f"Not syncing yet with {tame(self._target)}")
            self.setup_button.setVisible(True)
            self.now_button.setVisible(False)
            self._set_status(NAMED_NOT_SET_UP, warning=True)
            return
        last, outcome = status.get("last_run_at"), status.get("last_outcome")
        if not last:
            text = "No sync has run yet: Sync now, or the tray syncs in a few minutes."
        else:
            text = f"Last sync {_when(str(last))}" + ("." if outcome == "ok" else
                                                      " had a problem.")
            problems = [str(p) for p in status.get("last_problems") or []]
            if problems:
                text += " " + tame(problems[0]).rstrip(".") + "."
        waiting = int(status.get("waiting") or 0)
        if waiting:
            text += f" {waiting:,} change(s) wait to be sent."
        peers = len(status.get("peers") or [])
        if peers:
            text += f" {peers} other device{'s' if peers != 1 else ''} seen."
        self._set_status(text + _conflict_words(len(status.get("conflicts") or [])),
                         warning=outcome not in (None, "ok"))

    def _say_problem(self, sentence: str) -> None:
        self._set_status(tame(sentence), warning=True)

    def _set_status(self, text: str, *, warning: bool = False) -> None:
        self.status.setText(text)
        self.status.setProperty("warning", warning)
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)
        self.status_shown.emit(text)


def _conflict_words(count: int) -> str:
    if not count:
        return ""
    return (f" {count} conflict{'s' if count != 1 else ''} to answer: both versions are "
            "kept until you choose, under the text in its window (the day's words in the "
            "reflection, a why in goal review) or with wise sync resolve.")


def _when(stored: str) -> str:
    """'today at 14:02', 'on 26 Nov at 09:15' for a moment as `wise sync status` gives
    it (UTC, written without its zone)."""
    try:
        moment = datetime.fromisoformat(stored)
    except ValueError:
        return stored
    from app.daytime import local_now  # the one clock (WISE_CLOCK_SHIFT moves it too)

    moment = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone()
    if moment.date() == local_now().date():
        return f"today at {moment:%H:%M}"
    return f"on {moment.day} {moment:%b} at {moment:%H:%M}"
