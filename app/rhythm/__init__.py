"""Wise's rhythm: scheduled check-ins, reflections, nudge ticks, reviews and maintenance.

Qt-free. `jobs` derives the jobs from settings (pure), `clock` holds the time arithmetic
(pure), `scheduler` runs them with APScheduler 3 and reports `RhythmEvent`s to a callback
(the tray turns them into Qt signals).
"""
