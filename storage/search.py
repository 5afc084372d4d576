"""Full-text search over notes and actions with SQLite FTS5, newest-best first.

Each item is indexed with its words, its tags (and its goal's #tag) and its goal's title
(migration 0005), so `family` finds what is tagged #family or belongs to the goal Family,
and `famil` finds it too. `#family` in a query keeps only items carrying that tag or
belonging to that goal; a query of tags alone lists those items, newest first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

from storage.sqlite import fts_match_expression, split_tags
from storage.timeutil import from_db


@dataclass(frozen=True)
class SearchHit:
    kind: str  # "entry" | "action"
    id: int
    snippet: str
    status: str | None  # actions only
    goal_slug: str | None
    created_at: datetime
    tags: tuple[str, ...] = ()  # its own tags (its goal's #tag is goal_slug)


# The best matches (bm25 rank) among the newest RANKED_WINDOW matches of each kind. Ranking
# every match of a common word costs ~30 ms at 100k entries, because SQLite scores them all
# before the LIMIT; the window keeps a search as fast in year five as in week one, and in a
# journal the recent mentions are the ones wanted. FTS5 walks rowids newest-first cheaply.
RANKED_WINDOW = 2000
SNIPPET_TOKENS = 16
_KINDS = (
    # kind, fts table, item table, link table, link column, status column
    ("entry", "entries_fts", "entries", "entry_tags", "entry_id", "NULL"),
    ("action", "actions_fts", "actions", "action_tags", "action_id", "x.status"),
)


def search(session: Session, query: str, *, limit: int = 20) -> list[SearchHit]:
    words, tags = split_tags(query)
    match = fts_match_expression(words, tags)
    if match is None:
        return []
    ranked = fts_match_expression(words) is not None  # words to rank by, not tags alone
    params: dict[str, object] = {"match": match, "limit": limit, "window": RANKED_WINDOW - 1}
    params.update({f"tag{n}": tag for n, tag in enumerate(tags)})
    parts = [_kind_sql(kind, len(tags), ranked) for kind in _KINDS]
    order = "rank" if ranked else "created_at DESC"
    sql = (f"SELECT * FROM ({parts[0]}) UNION ALL SELECT * FROM ({parts[1]}) "
           f"ORDER BY {order} LIMIT :limit")
    rows = session.execute(text(sql), params).all()
    return [SearchHit(kind, id_, snip, status, slug, from_db(created),
                      tuple(tag for tag in (indexed or "").split() if tag != slug))
            for kind, id_, snip, status, slug, created, indexed, _rank in rows]


def _kind_sql(kind: tuple[str, ...], tag_count: int, ranked: bool) -> str:
    """One kind's best `limit` matches: ranked among the newest RANKED_WINDOW matches of
    the words, or (tags alone) the newest."""
    name, fts, table, links, link, status = kind
    # The index's tag column matches words of a tag (family-dinner holds family): the
    # exact tag, or the goal's #tag, is checked here.
    exact = "".join(
        f" AND (g.slug = :tag{n} OR EXISTS (SELECT 1 FROM {links} l JOIN tags t "
        f"ON t.id = l.tag_id WHERE l.{link} = x.id AND t.name = :tag{n}))"
        for n in range(tag_count))
    head = (f"SELECT '{name}' AS kind, x.id, snippet({fts}, 0, '[', ']', '…', "
            f"{SNIPPET_TOKENS}) AS snip, {status} AS status, g.slug, x.created_at, "
            f"{fts}.tags, {fts}.rank AS rank FROM {fts} JOIN {table} x ON x.id = {fts}.rowid "
            f"LEFT JOIN goals g ON g.id = x.goal_id WHERE {fts} MATCH :match{exact}")
    if not ranked:
        return f"{head} ORDER BY {fts}.rowid DESC LIMIT :limit"
    return (f"{head} AND {fts}.rowid >= coalesce((SELECT rowid FROM {fts} WHERE {fts} "
            f"MATCH :match ORDER BY rowid DESC LIMIT 1 OFFSET :window), 0) "
            f"ORDER BY {fts}.rank LIMIT :limit")
