"""The small always-on-top timer: the step, a countdown bar, Pause / Done / Stop, and at
the end one check-in (Done, 5 more minutes, Make it smaller, Stop here). It only shows
what it is given and forwards clicks; the FocusController owns the session."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QMouseEvent, QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.focus import Countdown

TITLE_CHARS = 140  # the whole title is in the tooltip; two lines are enough to know it
PULSE_MS = 900
WIDTH = 340
MARGIN = 24  # from the screen's edges, the first time it shows


def _clock(seconds: float) -> str:
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class FocusWindow(QFrame):
    """Frameless, on top, draggable; remembers where it was put."""

    pause_clicked = Signal()
    resume_clicked = Signal()
    done_clicked = Signal()
    stop_clicked = Signal()
    more_clicked = Signal()  # "5 more minutes"
    smaller_clicked = Signal()  # "Make it smaller"

    def __init__(self, settings: QSettings | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Tool | Qt.WindowType.FramelessWindowHint
                         | Qt.WindowType.WindowStaysOnTopHint)
        self.setObjectName("focusWindow")
        self.setWindowTitle("Wise — focus")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setFixedWidth(WIDTH)
        self._settings = settings
        self._drag_from: QPoint | None = None
        self._placed = False
        self._paused = False
        self._click_through = False
        self._pulse = QTimer(self)
        self._pulse.setSingleShot(True)
        self._pulse.timeout.connect(self._end_pulse)
        self._build()
        self._restore_place()

    # -- parts --------------------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 12)
        layout.setSpacing(6)
        self.title_label = QLabel()
        self.title_label.setWordWrap(True)
        self.title_label.setTextFormat(Qt.TextFormat.PlainText)
        self.title_label.setSizePolicy(QSizePolicy.Policy.Preferred,
                                       QSizePolicy.Policy.Maximum)
        font = self.title_label.font()
        font.setBold(True)
        self.title_label.setFont(font)
        layout.addWidget(self.title_label)
        row = QHBoxLayout()
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(False)  # the time is said in words beside it
        self.bar.setFixedHeight(10)
        self.time_label = QLabel()
        self.time_label.setMinimumWidth(88)
        self.time_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        row.addWidget(self.bar, 1)
        row.addWidget(self.time_label)
        layout.addLayout(row)
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.setVisible(False)
        layout.addWidget(self.message_label)
        layout.addWidget(self._running_buttons())
        layout.addWidget(self._check_in_buttons())

    def _running_buttons(self) -> QWidget:
        self.running_row = QWidget()
        row = QHBoxLayout(self.running_row)
        row.setContentsMargins(0, 0, 0, 0)
        self.pause_button = QPushButton("Pause")
        self.pause_button.clicked.connect(self._pause_or_resume)
        self.done_button = QPushButton("Done")
        self.done_button.clicked.connect(self.done_clicked)
        self.stop_button = QPushButton("Stop")
        self.stop_button.clicked.connect(self.stop_clicked)
        for button in (self.pause_button, self.done_button, self.stop_button):
            row.addWidget(button)
        return self.running_row

    def _check_in_buttons(self) -> QWidget:
        self.check_in_row = QWidget()
        grid = QVBoxLayout(self.check_in_row)
        grid.setContentsMargins(0, 0, 0, 0)
        first, second = QHBoxLayout(), QHBoxLayout()
        self.check_done_button = QPushButton("Done")
        self.check_done_button.clicked.connect(self.done_clicked)
        self.more_button = QPushButton("5 more minutes")
        self.more_button.clicked.connect(self.more_clicked)
        self.smaller_button = QPushButton("Make it smaller")
        self.smaller_button.clicked.connect(self.smaller_clicked)
        self.stop_here_button = QPushButton("Stop here")
        self.stop_here_button.clicked.connect(self.stop_clicked)
        first.addWidget(self.check_done_button)
        first.addWidget(self.more_button)
        second.addWidget(self.smaller_button)
        second.addWidget(self.stop_here_button)
        grid.addLayout(first)
        grid.addLayout(second)
        self.check_in_row.setVisible(False)
        return self.check_in_row

    # -- what it shows ------------------------------------------------------------------

    def show_countdown(self, view: Countdown) -> None:
        title = view.session.title
        shown = title if len(title) <= TITLE_CHARS else title[:TITLE_CHARS - 1] + "…"
        self.title_label.setText(shown)
        self.title_label.setToolTip(title if len(title) <= 2000 else title[:2000] + "…")
        self.bar.setValue(round(view.fraction_left * 1000))
        self._paused = view.paused
        self.pause_button.setText("Resume" if view.paused else "Pause")
        if view.paused:
            self.time_label.setText(f"paused · {_clock(view.left_s)}")
        elif view.over:
            self.time_label.setText("0:00")
        else:
            self.time_label.setText(f"{_clock(view.left_s)} left")
        self.bar.setAccessibleName(self.time_label.text())
        self.running_row.setVisible(not view.over)
        self.check_in_row.setVisible(view.over)
        self.adjustSize()

    def say(self, text: str) -> None:
        """One quiet line (a cue, the end's question); empty hides it."""
        self.message_label.setText(text)
        self.message_label.setVisible(bool(text))
        self.adjustSize()

    def pulse(self) -> None:
        """A visual cue: the frame lights up briefly. No sound, no focus stolen."""
        self.setStyleSheet("#focusWindow { border: 2px solid palette(highlight); }")
        self._pulse.start(PULSE_MS)

    def _end_pulse(self) -> None:
        self.setStyleSheet("")

    def set_click_through(self, on: bool) -> None:
        """Clicks pass through to the window below (undone from the tray menu)."""
        self._click_through = on
        visible = self.isVisible()
        self.setWindowFlag(Qt.WindowType.WindowTransparentForInput, on)
        if visible:
            self.show()  # changing a flag hides the window

    @property
    def click_through(self) -> bool:
        return self._click_through

    def _pause_or_resume(self) -> None:
        (self.resume_clicked if self._paused else self.pause_clicked).emit()

    # -- dragging and its remembered place ---------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._drag_from = event.globalPosition().toPoint() - self.frameGeometry().topLeft()
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._drag_from is not None and event.buttons() & Qt.MouseButton.LeftButton:
            self.move(event.globalPosition().toPoint() - self._drag_from)
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._drag_from is not None:
            self._drag_from = None
            self._save_place()
        super().mouseReleaseEvent(event)

    def _save_place(self) -> None:
        if self._settings is not None:
            self._settings.setValue("focus_window/pos", self.pos())

    def _restore_place(self) -> None:
        place = self._settings.value("focus_window/pos") if self._settings is not None else None
        if isinstance(place, QPoint):
            self.move(place)
            self._placed = True

    def showEvent(self, event: QShowEvent) -> None:
        # First time, and never moved by the user: the bottom-right corner of the screen,
        # out of the way of what they are working on (not Qt's default top-left).
        if not self._placed:
            self._placed = True
            screen = self.screen() or QGuiApplication.primaryScreen()
            if screen is not None:
                area = screen.availableGeometry()
                self.adjustSize()
                self.move(area.right() - self.width() - MARGIN,
                          area.bottom() - self.height() - MARGIN)
        super().showEvent(event)
