"""Goal slugs (the #tag that links captures to a goal), without SQLAlchemy, so the tray's
sqlite3 writers and the CLI make them by the same rule."""

from __future__ import annotations

import re
import unicodedata


def slugify(title: str) -> str:
    """'Learn Spanish!' -> 'learn-spanish': the #tag that links captures to the goal."""
    text = unicodedata.normalize("NFKC", title).lower()
    slug = re.sub(r"[^\w-]+", "-", text).strip("-_")
    return re.sub(r"-{2,}", "-", slug)[:60].strip("-")


def goal_slug(title: str) -> str:
    """The #tag a new goal gets from its title when none is given: a tag needs a letter,
    so '2026' becomes 'goal-2026' (and a title of symbols only, 'goal')."""
    base = slugify(title) or "goal"
    return base if any(ch.isalpha() for ch in base) else f"goal-{base}"
