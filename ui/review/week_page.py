"""Week in review: steps done per day per goal, and mood and energy over the week."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from PySide6.QtWidgets import QFrame, QHBoxLayout, QVBoxLayout, QWidget

from ui.review.context import ReviewContext
from ui.review.look import button, day_range, label, plural, scrolling_page


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


class WeekPage(QWidget):
    def __init__(self, context: ReviewContext) -> None:
        super().__init__()
        from ui.charts import MoodEnergyChart, WeekBarsChart

        self.setObjectName("page")
        self.context = context
        self.week_start = monday_of(context.today())
        self.review: Any = None
        self.loaded = False
        self._request = 0

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll, _body, layout = scrolling_page((32, 26, 32, 28))
        outer.addWidget(scroll)

        top = QHBoxLayout()
        top.addWidget(label("Week in review", "pageTitle"), 1)
        self.previous_button = button("‹ Previous", accessible="Previous week")
        self.previous_button.setShortcut("Alt+Left")
        self.previous_button.clicked.connect(lambda: self.show_week(
            self.week_start - timedelta(days=7)))
        self.this_week_button = button("This week", "quiet", accessible="This week")
        self.this_week_button.clicked.connect(lambda: self.show_week(
            monday_of(self.context.today())))
        self.next_button = button("Next ›", accessible="Next week")
        self.next_button.setShortcut("Alt+Right")
        self.next_button.clicked.connect(lambda: self.show_week(
            self.week_start + timedelta(days=7)))
        for widget in (self.previous_button, self.this_week_button, self.next_button):
            top.addWidget(widget)
        layout.addLayout(top)
        self.week_label = label("", "pageIntro")
        layout.addWidget(self.week_label)
        self.summary = label("", "meta", wrap=True)
        layout.addWidget(self.summary)

        self.bars = WeekBarsChart()
        self.mood = MoodEnergyChart()
        # The charts grow with the window, up to twice their natural height.
        layout.addWidget(self._card("Steps done, per day and goal", self.bars), 3)
        layout.addWidget(self._card("Mood and energy", self.mood), 2)
        for chart in (self.bars, self.mood):
            chart.setMaximumHeight(chart.sizeHint().height() * 2)

    @staticmethod
    def _card(title: str, chart: QWidget) -> QFrame:
        card = QFrame()
        card.setObjectName("card")
        box = QVBoxLayout(card)
        box.setContentsMargins(18, 12, 18, 14)
        box.setSpacing(6)
        box.addWidget(label(title, "sectionTitle"))
        box.addWidget(chart, 1)
        return card

    def reload(self) -> None:
        self.show_week(self.week_start)

    def show_week(self, week_start: date) -> None:
        from app.ritual_data import week_review

        current = monday_of(self.context.today())
        self.week_start = min(monday_of(week_start), current)
        self.next_button.setEnabled(self.week_start < current)
        self.this_week_button.setEnabled(self.week_start < current)
        end = self.week_start + timedelta(days=6)
        prefix = "This week: " if self.week_start == current else ""
        self.week_label.setText(prefix + day_range(self.week_start, end))
        self._request += 1
        request, start, db, hour = (self._request, self.week_start, self.context.db,
                                    self.context.start_hour)
        self.context.run(lambda _writer: week_review(db, start, hour),
                         lambda review: self._show(request, review), owner=self,
                         doing="read the week")

    def _show(self, request: int, review: Any) -> None:
        if request != self._request:
            return
        self.loaded = True
        self.review = review
        self.bars.set_data(list(review.days),
                           [(s.goal_title, list(s.counts)) for s in review.series])
        self.mood.set_data(list(review.days), list(review.mood), list(review.energy))
        done = sum(sum(s.counts) for s in review.series)
        goals = [s for s in review.series if s.goal_slug is not None]
        if done:
            across = f" across {plural(len(goals), 'goal')}" if goals else ""
            self.summary.setText(f"{plural(done, 'step')} done{across}. Each one counts.")
        else:
            self.summary.setText("A quiet week in the journal. Quiet weeks are allowed.")
