"""The journal's limits, declared once. Capture, `wise goals`, the settings, the models'
columns, the export and the import all take them from here, so that whatever Wise
accepts, it also exports and imports back (a #tag of 81 characters was saved and
exported, then made the import refuse the whole file). Stdlib only: capture reads it.

Each limit is (lowest, highest), inclusive: characters for text, the value for numbers.
"""

from __future__ import annotations

TAG_CHARS = (1, 80)  # a #tag's name; a goal's tag (its slug) is a tag too
UID_CHARS = (1, 36)  # a row's identity (a UUID4 is 36)
GOAL_TITLE_CHARS = (1, 200)
GOAL_WHY_CHARS = (0, 5000)
CADENCE_PER_WEEK = (1, 21)
WHY_LADDER_STEPS = (0, 3)  # answers to "why does that matter?" kept with a goal (each a why)
MOOD = (1, 5)
ENERGY = (1, 5)
ESTIMATE_MINUTES = (1, 2**63 - 1)  # SQLite's integer range: no judgement about long tasks
FOCUS_SECONDS = (60, 24 * 3600)  # a focus session's planned length (the schema says so too)
FOCUS_PAUSED_SECONDS = (0, 10 * 365 * 24 * 3600)
STEP_MINUTES = (1, 24 * 60)  # a step's estimate as a capture ("~2h") or a window sets it
MODEL_CHARS = (0, 200)  # a model's name, as litellm spells it
PROMPT_NAME_CHARS = (0, 80)
PROMPT_VERSION_CHARS = (0, 20)
REFLECTION_KIND_CHARS = (1, 16)
NUDGE_STYLE_CHARS = (1, 24)
NUDGE_SOURCE_CHARS = (1, 16)
HOUR = (0, 23)
RATING = (-1, 1)

# Files read by `wise import` (Wise's own export and the other apps' files alike). They
# are single numbers, not (lowest, highest) ranges: bounds on what is read, not on what
# the journal holds.
IMPORT_RECORD_BYTES = 16 * 1024 * 1024  # no record (an entry, a line) is near this long
IMPORT_NUMBER_DIGITS = 19  # SQLite's integers have 19 digits; int() of a longer one is slow

# Every limit above by name, for the import's messages and the test that derives its
# round trips from this module.
LIMITS: dict[str, tuple[int, int]] = {
    name: value for name, value in globals().items()
    if name.isupper() and isinstance(value, tuple)
}
