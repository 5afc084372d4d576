"""Everything SQLite-specific in one place: connection PRAGMAs, FTS5 and its query syntax.

Used by both the SQLAlchemy engine and the sqlite3-only capture path, so that a later
PostgreSQL backend has one module to replace.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
import time
from pathlib import Path

BUSY_TIMEOUT_MS = 5000
# How long a new connection waits for another process to finish creating the journal
# (its first migration holds the write lock for as long as that takes on a busy machine).
WAL_SWITCH_WAIT_S = 60.0

# synchronous=FULL: an acknowledged capture must survive a power cut, even in WAL mode.
# The busy timeout comes first: every later PRAGMA may have to wait for a lock.
CONNECTION_PRAGMAS = (
    f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}",
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
)


def apply_pragmas(dbapi_connection: sqlite3.Connection) -> None:
    for pragma in CONNECTION_PRAGMAS:
        dbapi_connection.execute(pragma)
    ensure_wal(dbapi_connection)


def ensure_wal(conn: sqlite3.Connection, *, wait_s: float = WAL_SWITCH_WAIT_S) -> None:
    """Put the journal in WAL mode, which is stored in the file: once one connection has
    done it, every later one only reads it. Switching needs the file to itself, so on
    the journal's very first use, while another process holds it for its first
    migration, the switch is refused ("database is locked") until that one is done: that
    process switched it already, or it will; wait for it instead of failing."""
    deadline = time.monotonic() + wait_s
    while True:
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
        if str(mode).lower() == "wal":
            return
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
        time.sleep(0.05)


def connect_readonly(db_path: Path) -> sqlite3.Connection:
    """A read-only connection: it can never create or change the file."""
    return sqlite3.connect(readonly_uri(db_path), uri=True)


def readonly_uri(db_path: Path) -> str:
    """The `file:` URI of a read-only open. SQLite reads '?' as the start of the options
    and '#' as a fragment, so a folder named 'a#b' once opened (and created) the file
    'a' read-write instead: those and '%' are escaped, as RFC 3986 and SQLite ask."""
    path = str(db_path).replace("%", "%25").replace("?", "%3F").replace("#", "%23")
    return f"file:{path}?mode=ro"


def roll_back(conn: sqlite3.Connection) -> None:
    """End the connection's open transaction, if any, whatever went wrong inside it. A
    write that failed half-way (a SQLite error, text SQLite cannot take, an interrupt)
    must never keep the journal's write lock: every other writer would wait on it."""
    if conn.in_transaction:
        # SQLite may have rolled back by itself already (after SQLITE_FULL, say).
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")


def close_connection(conn: sqlite3.Connection) -> None:
    roll_back(conn)
    conn.close()


def fts5_available(conn: sqlite3.Connection | None = None) -> bool:
    conn = conn or sqlite3.connect(":memory:")
    try:
        conn.execute("CREATE VIRTUAL TABLE temp.wise_fts5_probe USING fts5(x)")
        conn.execute("DROP TABLE temp.wise_fts5_probe")
    except sqlite3.OperationalError:
        return False
    return True


_WORD = re.compile(r"\w+", re.UNICODE)
_TAG = re.compile(r"(?<![\w#])#([\w-]*\w)", re.UNICODE)  # as the capture language writes one


def split_tags(query: str) -> tuple[str, tuple[str, ...]]:
    """'call #Family mum' -> ('call   mum', ('family',)): the words, and the #tags asked
    for (lowercased, as captures store them; each once)."""
    tags = tuple(dict.fromkeys(tag.lower() for tag in _TAG.findall(query)))
    return _TAG.sub(" ", query), tags


def fts_match_expression(query: str, tags: tuple[str, ...] = ()) -> str | None:
    """A user's search words -> an FTS5 MATCH expression: all words, each as a prefix, in
    any indexed column; and each tag as a whole word of the `tags` column.

    Quoting every word means FTS5 operators and punctuation in the query are searched
    for as text instead of failing as syntax. (A tag's column match is approximate:
    `#family` also matches the tag family-dinner; the caller checks the exact tag.)
    """
    parts = [f'"{word}"*' for word in _WORD.findall(query)]
    parts += [f'tags : "{tag}"' for tag in tags]  # a tag is [\w-]: nothing to escape
    return " ".join(parts) or None
