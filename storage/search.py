"""Full-text search over notes and actions with SQLite FTS5, newest-best first.

Each item is indexed with its words, its tags (and its goal's #tag) and its goal's title
(migration 0005), so `family` finds what is tagged #family or belongs to the goal Family,
and `famil` finds it too. `#family` in a query keeps only items carrying that tag or
belonging to that goal; a query of tags alone lists those items, newest first.
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from dataclasses import dataclass
from datetime import datetime

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
RANK_WEIGHTS = "2.0, 1.0, 1.0"  # the item's own words count twice a tag or its goal's title
_KINDS = (
    # kind, fts table, item table, its text column, link table, link column, status
    ("entry", "entries_fts", "entries", "text", "entry_tags", "entry_id", "NULL"),
    ("action", "actions_fts", "actions", "title", "action_tags", "action_id", "x.status"),
)


def search(conn: sqlite3.Connection, query: str, *, limit: int = 20) -> list[SearchHit]:
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
    rows = conn.execute(sql, params).fetchall()
    prefixes = [_folded(word) for word in _WORDS.findall(words)]
    return [SearchHit(kind, id_, snippet(body, prefixes), status, slug, from_db(created),
                      tuple(sorted((own or "").split())))
            for kind, id_, body, status, slug, created, own, _rank in rows]


def _kind_sql(kind: tuple[str, ...], tag_count: int, ranked: bool) -> str:
    """One kind's best `limit` matches: ranked among the newest RANKED_WINDOW matches of
    the words, or (tags alone) the newest. Only the ids are ranked; the text of the few
    shown is read after, and their snippets made from it (snippet() in the ranking would
    read the indexed copy of every ranked match)."""
    name, fts, table, column, links, link, status = kind
    # The index's tag column matches words of a tag (family-dinner holds family): the
    # exact tag, or the goal's #tag, is checked here.
    exact = "".join(
        f" AND (g.slug = :tag{n} OR EXISTS (SELECT 1 FROM {links} l JOIN tags t "
        f"ON t.id = l.tag_id WHERE l.{link} = x.id AND t.name = :tag{n}))"
        for n in range(tag_count))
    joins = (f" JOIN {table} x ON x.id = {fts}.rowid LEFT JOIN goals g ON g.id = x.goal_id"
             if tag_count else "")
    # bm25() in SQLite's own ORDER BY, not FTS5's `ORDER BY rank`: that one scores every
    # match before the window applies (about twice the time for a common word).
    best = f"SELECT {fts}.rowid AS id, bm25({fts}, {RANK_WEIGHTS}) AS rank FROM {fts}" \
           f"{joins} WHERE {fts} MATCH :match{exact}"
    if ranked:
        best += (f" AND {fts}.rowid >= coalesce((SELECT rowid FROM {fts} WHERE {fts} "
                 f"MATCH :match ORDER BY rowid DESC LIMIT 1 OFFSET :window), 0) "
                 f"ORDER BY rank LIMIT :limit")
    else:
        best += f" ORDER BY {fts}.rowid DESC LIMIT :limit"
    return (f"SELECT '{name}' AS kind, x.id, x.{column} AS body, {status} AS status, g.slug, "
            f"x.created_at, (SELECT group_concat(t.name, ' ') FROM {links} l JOIN tags t "
            f"ON t.id = l.tag_id WHERE l.{link} = x.id) AS own_tags, best.rank AS rank "
            f"FROM ({best}) best JOIN {table} x ON x.id = best.id "
            f"LEFT JOIN goals g ON g.id = x.goal_id")


# ------------------------------------------------------------------------ snippets

_WORDS = re.compile(r"\w+", re.UNICODE)


def _folded(word: str) -> str:
    """As the index's tokenizer sees a word: no case, no accents (unicode61,
    remove_diacritics 2)."""
    if word.isascii():
        return word.lower()
    parts = unicodedata.normalize("NFKD", word.casefold())
    return "".join(ch for ch in parts if not unicodedata.combining(ch))


def snippet(body: str, prefixes: list[str], tokens: int = SNIPPET_TOKENS) -> str:
    """Up to `tokens` words of `body` around its first word that starts with one of
    `prefixes`, each such word in [brackets], '…' where text was left out (what FTS5's
    snippet() gives, made for the few rows shown only)."""
    spans = [m.span() for m in _WORDS.finditer(body)]
    if not spans:
        return body.strip()
    hits = [_folded(body[begin:end]).startswith(tuple(prefixes)) if prefixes else False
            for begin, end in spans]
    first = hits.index(True) if True in hits else 0
    start = max(0, min(first - tokens // 4, len(spans) - tokens))
    out, at = [], spans[start][0]
    for (begin, end), hit in zip(spans[start:start + tokens], hits[start:start + tokens],
                                 strict=True):
        out.append(body[at:begin])
        word = body[begin:end]
        out.append(f"[{word}]" if hit else word)
        at = end
    last = len(spans) <= start + tokens
    if last:
        out.append(body[at:])
    text = "".join(out).strip()
    return ("…" if start else "") + text + ("" if last else "…")
