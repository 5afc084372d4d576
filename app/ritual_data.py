"""What the reflection and goal-review windows read and write, in stdlib sqlite3 (the tray
never imports the ORM): a day, the goals' cards and pages, the week, memory; the writer
that saves as the user types. ui/ reaches storage/ only through app/."""

from __future__ import annotations

from storage.errors import StorageError
from storage.goal_links import counted
from storage.repo.goals import GoalTagTaken
from storage.repo.ritual_reads import (
           day_view,
           earliest_day,
           goal_cards,
           goal_page,
           memory_items,
           next_open_steps,
           week_review,
)
from storage.ritual_writes import MAX_ACTION_CHARS, RitualWriter

__all__ = ["MAX_ACTION_CHARS", "GoalTagTaken", "RitualWriter", "StorageError", "counted",
           "day_view",
           "earliest_day", "goal_cards", "goal_page", "memory_items", "next_open_steps",
           "week_review"]
