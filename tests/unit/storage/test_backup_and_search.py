"""Backups rotate and stay consistent; search finds words, prefixes and survives odd queries."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pytest

from storage.backup import backup_journal, list_backups
from storage.capture_writer import CaptureRow, write_capture
from storage.engine import Journal
from storage.repo.reading import reading
from storage.search import search
from storage.sqlite import fts_match_expression

NOW = datetime(2026, 11, 26, 18, 0, tzinfo=UTC)


def capture(journal: Journal, text: str, kind: str = "note") -> None:
    write_capture(journal.db_path, CaptureRow(kind, text, text, (), None, None, None, "cli"), NOW)


def test_backups_rotate_and_are_readable(journal: Journal, tmp_path) -> None:
    capture(journal, "remember this")
    made = [backup_journal(journal.db_path, tmp_path / "b", keep=3) for _ in range(5)]
    kept = list_backups(tmp_path / "b")
    assert [b.path for b in kept] == list(reversed(made[-3:]))
    assert kept[0].path.stat().st_mode & 0o777 == 0o600
    copy = sqlite3.connect(kept[0].path)
    assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert copy.execute("SELECT text FROM entries").fetchall() == [("remember this",)]
    copy.close()


def test_search_finds_notes_and_actions_by_prefix(journal: Journal) -> None:
    capture(journal, "Called mum about the trip")
    capture(journal, "book the mummers' parade", kind="todo")
    capture(journal, "nothing relevant")
    with reading(journal.db_path) as conn:
        hits = search(conn, "mum")
    assert sorted(h.kind for h in hits) == ["action", "entry"]
    assert any("[mum]" in h.snippet for h in hits)


def test_search_ignores_accents_and_case(journal: Journal) -> None:
    capture(journal, "Café with Zoë")
    with reading(journal.db_path) as conn:
        assert len(search(conn, "cafe zoe")) == 1


@pytest.mark.parametrize("query", ['"', "AND", "a OR", "NEAR(", "*", "-x", "col:val", "'; DROP"])
def test_fts_syntax_in_queries_is_searched_as_text(journal: Journal, query: str) -> None:
    capture(journal, "x val drop and near")
    with reading(journal.db_path) as conn:
        search(conn, query)  # must not raise


def test_match_expression_quotes_every_word() -> None:
    assert fts_match_expression('mum "trip') == '"mum"* "trip"*'
    assert fts_match_expression("  ?! ") is None


def test_a_common_word_ranks_only_among_its_newest_matches(journal: Journal) -> None:
    from storage.search import RANKED_WINDOW

    count = RANKED_WINDOW + 300
    with journal.write() as session:
        session.connection().exec_driver_sql(
            "INSERT INTO entries (uid, text, kind, source, created_at, updated_at) "
            "VALUES (?, ?, 'note', 'cli', ?, ?)",
            [(f"uid-{i}", f"pelican number {i}", "2026-01-01 00:00:00.000000",
              "2026-01-01 00:00:00.000000") for i in range(count)])
    with reading(journal.db_path) as conn:
        hits = search(conn, "pelican", limit=50)
    assert len(hits) == 50
    # Only the newest RANKED_WINDOW matches compete: the 300 oldest never show up.
    assert min(hit.id for hit in hits) > count - RANKED_WINDOW


# --- Tags and goals (migration 0005) ----------------------------------------------------------


def tagged(journal: Journal, text: str, kind: str, *tags: str) -> None:
    write_capture(journal.db_path, CaptureRow(kind, text, text, tags, None, None, None,
                                              "capture"), NOW)


def found(journal: Journal, query: str) -> list[str]:
    with reading(journal.db_path) as conn:
        return [hit.snippet.replace("[", "").replace("]", "") for hit in search(conn, query)]


def sql_on(journal: Journal, statement: str, *params) -> None:
    with journal.write() as session:
        session.connection().exec_driver_sql(statement, params)


def test_search_finds_tags_goal_titles_and_their_prefixes(journal: Journal) -> None:
    sql_on(journal, "INSERT INTO goals (uid, slug, title, why, status, created_at, updated_at) "
                    "VALUES ('g', 'family', 'Family time', '', 'active', ?, ?)",
           "2026-01-01 00:00:00.000000", "2026-01-01 00:00:00.000000")
    tagged(journal, "call dad about christmas", "todo", "family")  # the goal's tag: a link
    tagged(journal, "buy stamps", "todo", "errands", "family-dinner")
    tagged(journal, "a quiet evening", "note", "calm")
    tagged(journal, "nothing to do with it", "note")
    for query in ("family", "famil", "FAMILY"):
        assert sorted(found(journal, query)) == ["buy stamps", "call dad about christmas"]
    assert found(journal, "time") == ["call dad about christmas"]  # the goal's title
    assert found(journal, "calm") == ["a quiet evening"]
    assert found(journal, "#family") == ["call dad about christmas"]  # exactly that tag
    assert found(journal, "#calm evening") == ["a quiet evening"]
    assert found(journal, "#calm christmas") == []
    assert found(journal, "#nothing") == []
    with reading(journal.db_path) as conn:
        [hit] = search(conn, "stamps")
    assert (hit.goal_slug, hit.tags) == (None, ("errands", "family-dinner"))


def test_the_index_follows_tag_links_goal_changes_and_deletions(journal: Journal) -> None:
    sql_on(journal, "INSERT INTO goals (uid, slug, title, why, status, created_at, updated_at) "
                    "VALUES ('g', 'health', 'Health', '', 'active', ?, ?)",
           "2026-01-01 00:00:00.000000", "2026-01-01 00:00:00.000000")
    tagged(journal, "stretch for five minutes", "todo", "health")
    tagged(journal, "slept well", "note")
    assert found(journal, "health") == ["stretch for five minutes"]
    sql_on(journal, "UPDATE goals SET title = 'Body and mind', slug = 'body' WHERE id = 1")
    assert found(journal, "health") == [] and found(journal, "mind") == [
        "stretch for five minutes"]
    assert found(journal, "#body") == ["stretch for five minutes"]
    sql_on(journal, "INSERT INTO tags (name) VALUES ('sleep')")
    sql_on(journal, "INSERT INTO entry_tags (entry_id, tag_id) VALUES (1, 1)")
    assert found(journal, "#sleep") == ["slept well"]
    sql_on(journal, "DELETE FROM entry_tags")
    assert found(journal, "sleep") == [] and found(journal, "slept") == ["slept well"]
    assert found(journal, "#sleep") == []
    sql_on(journal, "UPDATE entries SET text = 'slept badly' WHERE id = 1")
    assert found(journal, "badly") == ["slept badly"] and found(journal, "well") == []
    sql_on(journal, "DELETE FROM goals")  # its steps stay, without a goal
    assert found(journal, "mind") == [] and found(journal, "stretch") == [
        "stretch for five minutes"]
    sql_on(journal, "DELETE FROM actions")
    assert found(journal, "stretch") == []
    with journal.write() as session:
        for fts in ("entries_fts", "actions_fts"):
            session.connection().exec_driver_sql(
                f"INSERT INTO {fts}({fts}) VALUES ('integrity-check')")


def test_snippets_mark_the_matching_words_of_a_long_text() -> None:
    from storage.search import snippet

    words = " ".join(f"w{n}" for n in range(40))
    assert snippet(f"{words} Café au lait, then {words}", ["cafe"]) == (
        "…w36 w37 w38 w39 [Café] au lait, then w0 w1 w2 w3 w4 w5 w6 w7…")
    assert snippet("called mum about the trip", ["mum"]) == "called [mum] about the trip"
    assert snippet("tagged, not written", []) == "tagged, not written"  # #tag alone
    assert snippet(words, ["nothing"]).startswith("w0 w1") and snippet(words, []).endswith("…")
    assert snippet("?!", ["x"]) == "?!"
