"""Quick capture's way into the journal from the tray: the writer that commits a capture
(stdlib sqlite3, no ORM: the window must be instant) and the goals' #tags it offers.
ui/ reaches storage/ only through app/."""

from __future__ import annotations

from storage.capture_writer import CaptureWriter
from storage.quick_reads import GoalTag, goal_tags

__all__ = ["CaptureWriter", "GoalTag", "goal_tags"]
