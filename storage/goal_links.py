"""Items tagged with a goal's #tag before the goal existed, and linking them to it.

A capture's tag becomes a link only to a goal that exists when it is saved; a `#family`
written before the goal Family was added stays a plain tag. These find such items (not
linked to any goal) and link them: the tag becomes the link, as if the goal had existed,
and the caller says which items were linked. Plain sqlite3: the tray uses it too.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

_UNLINKED = """
SELECT 'actions', x.id, x.title, x.status FROM actions x
  JOIN action_tags l ON l.action_id = x.id JOIN tags t ON t.id = l.tag_id
  WHERE t.name = :tag AND x.goal_id IS NULL
UNION ALL
SELECT 'entries', x.id, x.text, NULL FROM entries x
  JOIN entry_tags l ON l.entry_id = x.id JOIN tags t ON t.id = l.tag_id
  WHERE t.name = :tag AND x.goal_id IS NULL
ORDER BY 1, 2
"""
_KIND_WORDS = {"open": "to-do", "done": "win", "dropped": "dropped step", None: "note"}


@dataclass(frozen=True)
class TaggedItem:
    kind: str  # "to-do" | "win" | "dropped step" | "note"
    id: int
    text: str

    @property
    def table(self) -> str:
        return "entries" if self.kind == "note" else "actions"

    def short(self, limit: int = 70) -> str:
        """Its words on one line, cut to `limit` characters with '…'."""
        text = " ".join(self.text.split())
        return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def unlinked_tagged(conn: sqlite3.Connection, slug: str) -> list[TaggedItem]:
    """Items carrying #slug as a plain tag and belonging to no goal: actions, then notes,
    oldest first."""
    return [TaggedItem(_KIND_WORDS[status], row_id, text)
            for _table, row_id, text, status in conn.execute(_UNLINKED, {"tag": slug})]


def link_tagged(conn: sqlite3.Connection, goal_id: int, now: str) -> list[TaggedItem]:
    """Link every item unlinked_tagged() finds for the goal's #tag to the goal (the plain
    tag goes: the link is the tag now). Returns them. Run it inside a write transaction."""
    found = conn.execute("SELECT slug FROM goals WHERE id = ?", (goal_id,)).fetchone()
    if found is None:
        raise ValueError(f"there is no goal {goal_id} (any more)")
    items = unlinked_tagged(conn, found[0])
    for item in items:
        link, owner = (("entry_tags", "entry_id") if item.table == "entries"
                       else ("action_tags", "action_id"))
        conn.execute(f"UPDATE {item.table} SET goal_id = ?, updated_at = ? WHERE id = ?",
                     (goal_id, now, item.id))
        conn.execute(f"DELETE FROM {link} WHERE {owner} = ? "
                     "AND tag_id = (SELECT id FROM tags WHERE name = ?)", (item.id, found[0]))
    return items


def counted(items: list[TaggedItem]) -> str:
    """'2 to-dos and 1 note'."""
    counts: dict[str, int] = {}
    for item in items:
        counts[item.kind] = counts.get(item.kind, 0) + 1
    parts = [f"{n} {kind}{'s' if n != 1 else ''}" for kind, n in counts.items()]
    if len(parts) < 2:
        return parts[0] if parts else "nothing"
    return f"{', '.join(parts[:-1])} and {parts[-1]}"
