"""Full-text search over notes and actions with SQLite FTS5, newest-best first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

from storage.sqlite import fts_match_expression
from storage.timeutil import from_db


@dataclass(frozen=True)
class SearchHit:
    kind: str  # "entry" | "action"
    id: int
    snippet: str
    status: str | None  # actions only
    goal_slug: str | None
    created_at: datetime


# The best matches (bm25 rank) among the newest RANKED_WINDOW matches of each kind. Ranking
# every match of a common word costs ~30 ms at 100k entries, because SQLite scores them all
# before the LIMIT; the window keeps a search as fast in year five as in week one, and in a
# journal the recent mentions are the ones wanted. FTS5 walks rowids newest-first cheaply.
RANKED_WINDOW = 2000

_SQL = """
SELECT * FROM (
  SELECT 'entry' AS kind, e.id, snippet(entries_fts, 0, '[', ']', '…', 16) AS snip,
         NULL AS status, g.slug, e.created_at, entries_fts.rank AS rank
  FROM entries_fts JOIN entries e ON e.id = entries_fts.rowid
  LEFT JOIN goals g ON g.id = e.goal_id
  WHERE entries_fts MATCH :match AND entries_fts.rowid >= coalesce(
    (SELECT rowid FROM entries_fts WHERE entries_fts MATCH :match
     ORDER BY rowid DESC LIMIT 1 OFFSET :window), 0)
  ORDER BY entries_fts.rank LIMIT :limit)
UNION ALL
SELECT * FROM (
  SELECT 'action', a.id, snippet(actions_fts, 0, '[', ']', '…', 16),
         a.status, g.slug, a.created_at, actions_fts.rank
  FROM actions_fts JOIN actions a ON a.id = actions_fts.rowid
  LEFT JOIN goals g ON g.id = a.goal_id
  WHERE actions_fts MATCH :match AND actions_fts.rowid >= coalesce(
    (SELECT rowid FROM actions_fts WHERE actions_fts MATCH :match
     ORDER BY rowid DESC LIMIT 1 OFFSET :window), 0)
  ORDER BY actions_fts.rank LIMIT :limit)
ORDER BY rank LIMIT :limit
"""


def search(session: Session, query: str, *, limit: int = 20) -> list[SearchHit]:
    match = fts_match_expression(query)
    if match is None:
        return []
    rows = session.execute(text(_SQL), {"match": match, "limit": limit,
                                         "window": RANKED_WINDOW - 1}).all()
    return [SearchHit(kind, id_, snip, status, slug, from_db(created))
            for kind, id_, snip, status, slug, created, _rank in rows]
