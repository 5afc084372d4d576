"""Words for what a capture will become, before it is saved: the quick-capture window's live
preview line ("To-do · goal Family · due tomorrow · ~10 min"). Pure and Qt-free."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from app.capture.parser import ParsedCapture
from app.daytime import MONTHS, WEEKDAYS

SEPARATOR = " · "

KIND_LABELS = {"note": "Note", "todo": "To-do", "win": "Win"}

_WEEK_AHEAD = 6  # days ahead still named by their weekday alone


def describe_preview(parsed: ParsedCapture, goals: Mapping[str, str], today: date) -> str:
    """One line saying what `parsed` will be saved as.

    `goals` maps goal slug -> title; like storage, the first tag naming a goal links the
    capture to it and the other tags stay tags. `today` is the journal day.
    """
    parts = [KIND_LABELS.get(parsed.kind, parsed.kind.capitalize())]
    goal_tag = next((tag for tag in parsed.tags if tag in goals), None)
    if goal_tag is not None:
        parts.append(f"goal {goals[goal_tag]}")
    if parsed.due is not None:
        parts.append(f"due {due_phrase(parsed.due, parsed.due_all_day, today)}")
    if parsed.estimate_minutes:
        parts.append(f"~{estimate_phrase(parsed.estimate_minutes)}")
    plain = [tag for tag in parsed.tags if tag != goal_tag]
    if plain:
        tags = " ".join(f"#{tag}" for tag in plain)
        if goal_tag is None and goals:
            # The user has goals and named none of them: maybe a typo in a goal's tag.
            tags += " (no goal with this tag)" if len(plain) == 1 else " (no goal with these tags)"
        parts.append(tags)
    if parsed.far_due is not None:  # asked before Enter: a mistyped year is still fixable
        parts.append(parsed.far_due.notice())
    return SEPARATOR.join(parts)


def due_phrase(due: datetime, all_day: bool, today: date) -> str:
    """'today', 'tomorrow 09:30', 'Friday', 'Fri 27 Nov 15:00', 'Mon 4 Jan 2027'.

    `today` is the journal day; `due` is read in its own time zone, as storage does.
    """
    day = due.date()
    delta = (day - today).days
    if delta == 0:
        words = "today"
    elif delta == 1:
        words = "tomorrow"
    elif delta == -1:
        words = "yesterday"
    elif 1 < delta <= _WEEK_AHEAD:
        words = WEEKDAYS[day.weekday()]
    else:
        words = f"{WEEKDAYS[day.weekday()][:3]} {day.day} {MONTHS[day.month - 1][:3]}"
        if day.year != today.year:
            words += f" {day.year}"
    if not all_day:
        words += f" {due:%H:%M}"
    return words


def estimate_phrase(minutes: int) -> str:
    """'10 min', '2 h', '1 h 30 min'."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    if not rest:
        return f"{hours} h"
    return f"{hours} h {rest} min"
