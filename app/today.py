"""Today at a glance: what was done, what is due, what was noted, in journal-day terms."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from app.daytime import day_bounds_utc
from storage.engine import Journal
from storage.models import Action, ActionStatus, Entry


@dataclass(frozen=True)
class TodayView:
    day: date
    wins: list[Action]  # done during the day
    due: list[Action]  # open, due on or before the day (overdue included)
    captured: list[Action]  # open to-dos captured during the day, not already due
    notes: list[Entry]


def today_view(journal: Journal, day: date, start_hour: int) -> TodayView:
    start, end = day_bounds_utc(day, start_hour)
    eager = (selectinload(Action.goal), selectinload(Action.tags))
    with journal.read() as session:
        wins = session.scalars(
            select(Action).options(*eager)
            .where(Action.done_at >= start, Action.done_at < end).order_by(Action.done_at)).all()
        due = session.scalars(
            select(Action).options(*eager)
            .where(Action.status == ActionStatus.OPEN.value,
                   or_(Action.due_on <= day, and_(Action.due_at.is_not(None), Action.due_at < end)))
            .order_by(Action.due_on, Action.due_at, Action.created_at)).all()
        captured = session.scalars(
            select(Action).options(*eager)
            .where(Action.status == ActionStatus.OPEN.value,
                   or_(Action.due_on.is_(None), Action.due_on > day),
                   Action.created_at >= start, Action.created_at < end)
            .order_by(Action.created_at)).all()
        notes = session.scalars(
            select(Entry).options(selectinload(Entry.goal), selectinload(Entry.tags))
            .where(Entry.created_at >= start, Entry.created_at < end)
            .order_by(Entry.created_at)).all()
    return TodayView(day, list(wins), list(due), list(captured), list(notes))
