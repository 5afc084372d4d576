"""Sources inside the vocabulary (and enforced), and search that finds tags and goals.

- The quick-capture window wrote `source = 'tray'`, which no other part of Wise knows (the
  importer refused the export holding it). It meant "typed in a capture": such rows, and
  any other source outside the vocabulary, become 'capture'. actions.source and
  entries.source then get a CHECK constraint, so the database refuses an unknown source.
  SQLite adds a constraint by copying the table (Alembic's batch mode); storage.migrate
  runs migrations with foreign keys off so that dropping the old copy cascades nothing,
  and checks them before committing.
- Search indexed only the text of notes and the title of actions. The new FTS5 tables
  also index each item's tags (with its goal's #tag) and its goal's title, so `family`
  finds what is tagged #family or belongs to the goal Family. They keep their own copy of
  what they index (an external-content index would need the old values of a tag list or a
  goal title to forget them), kept in step by triggers on the items, their tag links and
  the goals. What is indexed is one view per table (`*_fts_rows`).

Revision ID: 0005_sources_and_tag_search
Revises: 0004_day_words
Create Date: 2026-12-04
"""

from alembic import op

revision = "0005_sources_and_tag_search"
down_revision = "0004_day_words"
branch_labels = None
depends_on = None

# Frozen copies (a migration never imports the models or the vocabulary).
SOURCES = ("capture", "cli", "import", "companion")
_SOURCE_CHECK = f"source IN ({', '.join(repr(s) for s in SOURCES)})"
_ITEMS = {
    # fts table: (item table, its text column, tag link table, link column)
    "entries_fts": ("entries", "text", "entry_tags", "entry_id"),
    "actions_fts": ("actions", "title", "action_tags", "action_id"),
}
_TOKENIZE = "tokenize='unicode61 remove_diacritics 2', prefix='2 3'"


def upgrade() -> None:
    for table in ("actions", "entries"):
        op.execute(f"UPDATE {table} SET source = 'capture' WHERE NOT ({_SOURCE_CHECK})")
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        for fts in _ITEMS:
            _drop_content_fts(fts)
    for table in ("actions", "entries"):
        with op.batch_alter_table(table, recreate="always") as batch:
            batch.create_check_constraint(op.f(f"ck_{table}_source"), _SOURCE_CHECK)
    if sqlite:
        for fts, (table, column, links, link) in _ITEMS.items():
            _create_tag_fts(fts, table, column, links, link)
        _create_goal_triggers()


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.execute("DROP TRIGGER IF EXISTS goals_fts_au")
        for fts, (_table, _column, links, _link) in _ITEMS.items():
            for trigger in (f"{fts}_ai", f"{fts}_ad", f"{fts}_au", f"{links}_fts_ai",
                            f"{links}_fts_ad"):
                op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
            op.execute(f"DROP VIEW IF EXISTS {fts}_rows")
            op.execute(f"DROP TABLE IF EXISTS {fts}")
    for table in ("actions", "entries"):
        with op.batch_alter_table(table, recreate="always") as batch:
            batch.drop_constraint(op.f(f"ck_{table}_source"), type_="check")
    if sqlite:
        for fts, (table, column, _links, _link) in _ITEMS.items():
            _create_content_fts(fts, table, column)


# ------------------------------------------------------------------- the new index


def _create_tag_fts(fts: str, table: str, column: str, links: str, link: str) -> None:
    """fts(column, tags, goal) over `table`, filled from the view {fts}_rows."""
    op.execute(
        f"CREATE VIEW {fts}_rows (id, goal_id, {column}, tags, goal) AS "
        f"SELECT t.id, t.goal_id, t.{column}, "
        f"trim(coalesce((SELECT group_concat(tags.name, ' ') FROM {links} l "
        f"JOIN tags ON tags.id = l.tag_id WHERE l.{link} = t.id), '') "
        f"|| ' ' || coalesce(g.slug, '')), coalesce(g.title, '') "
        f"FROM {table} t LEFT JOIN goals g ON g.id = t.goal_id")
    op.execute(f"CREATE VIRTUAL TABLE {fts} USING fts5({column}, tags, goal, {_TOKENIZE})")
    op.execute(f"INSERT INTO {fts}(rowid, {column}, tags, goal) "
               f"SELECT id, {column}, tags, goal FROM {fts}_rows")

    def index(row: str) -> str:
        """Index item `row` as it is now (nothing when it is gone)."""
        return (f"INSERT INTO {fts}(rowid, {column}, tags, goal) "
                f"SELECT id, {column}, tags, goal FROM {fts}_rows WHERE id = {row};")

    def refresh(row: str) -> str:
        """Forget what the index holds for item `row`, then index it as it is now."""
        return f"DELETE FROM {fts} WHERE rowid = {row}; {index(row)}"

    op.execute(f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN {index('new.id')} END")
    op.execute(f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN "
               f"DELETE FROM {fts} WHERE rowid = old.id; END")
    # A goal deleted sets goal_id to NULL: an update of goal_id, which fires this too.
    op.execute(f"CREATE TRIGGER {fts}_au AFTER UPDATE OF {column}, goal_id ON {table} "
               f"BEGIN {refresh('new.id')} END")
    # A tag link added or removed (also by a cascade, when its item or tag goes).
    op.execute(f"CREATE TRIGGER {links}_fts_ai AFTER INSERT ON {links} BEGIN "
               f"{refresh(f'new.{link}')} END")
    op.execute(f"CREATE TRIGGER {links}_fts_ad AFTER DELETE ON {links} BEGIN "
               f"{refresh(f'old.{link}')} END")


def _create_goal_triggers() -> None:
    """A goal's new title or #tag reaches the index of every item of that goal."""
    body = []
    for fts, (table, column, _links, _link) in _ITEMS.items():
        body.append(f"DELETE FROM {fts} WHERE rowid IN "
                    f"(SELECT id FROM {table} WHERE goal_id = new.id);")
        body.append(f"INSERT INTO {fts}(rowid, {column}, tags, goal) "
                    f"SELECT id, {column}, tags, goal FROM {fts}_rows WHERE goal_id = new.id;")
    op.execute(f"CREATE TRIGGER goals_fts_au AFTER UPDATE OF title, slug ON goals BEGIN "
               f"{' '.join(body)} END")


# ------------------------------------------------------- the index of 0001, frozen


def _drop_content_fts(fts: str) -> None:
    for suffix in ("ai", "ad", "au"):
        op.execute(f"DROP TRIGGER IF EXISTS {fts}_{suffix}")
    op.execute(f"DROP TABLE IF EXISTS {fts}")


def _create_content_fts(fts: str, table: str, column: str) -> None:
    """0001's external-content index over table.column, rebuilt from the table."""
    op.execute(f"CREATE VIRTUAL TABLE {fts} USING fts5({column}, content='{table}', "
               f"content_rowid='id', {_TOKENIZE})")
    op.execute(f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN "
               f"INSERT INTO {fts}(rowid, {column}) VALUES (new.id, new.{column}); END")
    op.execute(f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN "
               f"INSERT INTO {fts}({fts}, rowid, {column}) "
               f"VALUES ('delete', old.id, old.{column}); END")
    op.execute(f"CREATE TRIGGER {fts}_au AFTER UPDATE OF {column} ON {table} BEGIN "
               f"INSERT INTO {fts}({fts}, rowid, {column}) "
               f"VALUES ('delete', old.id, old.{column}); "
               f"INSERT INTO {fts}(rowid, {column}) VALUES (new.id, new.{column}); END")
    op.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")

