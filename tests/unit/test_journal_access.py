"""Only storage/ touches the journal's tables (issue 11, "done when").

A module outside storage/ touches the journal when it holds SQL text, imports SQLAlchemy,
imports a mapped table class from storage.models (a row object is a live query handle),
or imports sqlite3. The allow-list names the modules still to move; it only shrinks:
a listed module that no longer touches the journal fails too, so its line is removed.

Inside storage/, the journal is read and written with sqlite3 (storage/db.py and
storage/repo/); SQLAlchemy and Alembic stay where they earn their place, declaring the
schema and migrating it: only the modules of ORM_ALLOWED and the migrations import them
(or storage.models / storage.engine). That list only shrinks too.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OUTSIDE_STORAGE = ("app", "ui", "prompts", "packaging")

# Still to move into storage/repo/ (none left: a module that must touch the journal for a
# while goes here, with why).
STILL_TO_MOVE: set[str] = set()

# storage/ modules that may use the ORM, besides storage/migrations/.
ORM_ALLOWED = {
    "storage/models.py",  # the schema, declared
    "storage/engine.py",  # the engine Alembic migrates with (and tests arrange rows with)
    "storage/migrate.py",  # runs Alembic when the schema is behind
}
ORM_MODULES = {"sqlalchemy", "alembic", "storage.models", "storage.engine"}

SQL = re.compile(
    r"\bSELECT\b[\s\S]*\bFROM\b|\bINSERT\s+(?:OR\s+\w+\s+)?INTO\b|\bUPDATE\s+\w+\s+SET\b"
    r"|\bDELETE\s+FROM\b|\bPRAGMA\s+\w+|\b(?:CREATE|DROP)\s+(?:TABLE|INDEX|TRIGGER|VIEW)\b")


def mapped_classes() -> frozenset[str]:
    from storage.models import Base

    return frozenset(mapper.class_.__name__ for mapper in Base.registry.mappers)


def string_texts(tree: ast.AST) -> list[str]:
    """Every string literal, f-strings' literal parts included."""
    return [node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)]


def journal_touches(source: str, mapped: frozenset[str]) -> list[str]:
    """Why this module counts as touching the journal ([] when it does not)."""
    tree = ast.parse(source)
    why: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in {"sqlalchemy", "sqlite3"}:
                    why.append(f"imports {alias.name}")
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] in {"sqlalchemy", "sqlite3"}:
                why.append(f"imports from {node.module}")
            elif node.module == "storage.models":
                tables = sorted(a.name for a in node.names if a.name in mapped)
                if tables:
                    why.append(f"imports the table classes {', '.join(tables)}")
    why += [f"SQL text {text.strip()[:40]!r}" for text in string_texts(tree)
            if SQL.search(text)]
    return why


def modules_outside_storage() -> list[Path]:
    return [p for package in OUTSIDE_STORAGE for p in sorted((ROOT / package).rglob("*.py"))]


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_no_journal_access_outside_storage() -> None:
    mapped = mapped_classes()
    found = {rel(p): journal_touches(p.read_text(encoding="utf-8"), mapped)
             for p in modules_outside_storage()}
    new = {path: why for path, why in found.items() if why and path not in STILL_TO_MOVE}
    assert not new, ("the journal is read or written outside storage/ (move it into a "
                     f"storage/repo/ module): {new}")


def test_the_allow_list_only_shrinks() -> None:
    mapped = mapped_classes()
    moved = sorted(path for path in STILL_TO_MOVE
                   if not (ROOT / path).exists()
                   or not journal_touches((ROOT / path).read_text(encoding="utf-8"), mapped))
    assert not moved, f"no longer touches the journal: remove from STILL_TO_MOVE: {moved}"


@pytest.mark.parametrize(("source", "reason"), [
    ("import sqlite3\n", "imports sqlite3"),
    ("from sqlalchemy import select\n", "imports from sqlalchemy"),
    ("from storage.models import Goal, GoalStatus\n", "imports the table classes Goal"),
    ("q = f'SELECT id FROM {table} WHERE x = ?'\n", "SQL text 'SELECT id FROM'"),
    ("conn.execute('INSERT OR IGNORE INTO tags(name) VALUES (?)')\n", "SQL text"),
    ("'UPDATE goals SET status = ?'\n", "SQL text"),
    ("'PRAGMA integrity_check'\n", "SQL text"),
])
def test_the_checker_sees_each_kind_of_access(source: str, reason: str) -> None:
    why = journal_touches(source, mapped_classes())
    assert why and why[0].startswith(reason), why


def test_the_checker_lets_words_and_the_vocabulary_pass() -> None:
    source = ('from storage.models import GoalStatus\nfrom storage.engine import Journal\n'
              'message = "Select a model from the list, then update Wise"\n')
    assert journal_touches(source, mapped_classes()) == []


def orm_imports(source: str) -> list[str]:
    """The ORM modules this module imports, at its top or inside a function."""
    found = []
    for node in ast.walk(ast.parse(source)):
        names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                 else [node.module] if isinstance(node, ast.ImportFrom) and node.module
                 and node.level == 0 else [])
        found += [name for name in names if name in ORM_MODULES
                  or name.split(".")[0] in {"sqlalchemy", "alembic"}]
    return found


def storage_modules() -> list[str]:
    return [rel(p) for p in sorted((ROOT / "storage").rglob("*.py"))
            if not rel(p).startswith("storage/migrations/")]


def test_storage_reads_and_writes_without_the_orm() -> None:
    found = {path: orm_imports((ROOT / path).read_text(encoding="utf-8"))
             for path in storage_modules()}
    new = {path: why for path, why in found.items() if why and path not in ORM_ALLOWED}
    assert not new, ("storage/ uses the ORM outside the schema's declaration and its "
                     f"migration (read and write with storage/db.py and storage/repo/): {new}")


def test_the_orm_allow_list_only_shrinks() -> None:
    done = sorted(path for path in ORM_ALLOWED if not (ROOT / path).exists()
                  or not orm_imports((ROOT / path).read_text(encoding="utf-8")))
    assert not done, f"no longer uses the ORM: remove from ORM_ALLOWED: {done}"


def test_the_orm_checker_sees_imports_inside_functions() -> None:
    source = ("from storage.engine import Journal\n"
              "def later():\n    from sqlalchemy import select\n    import alembic.command\n")
    assert orm_imports(source) == ["storage.engine", "sqlalchemy", "alembic.command"]
    assert orm_imports("from storage.db import writing\nimport sqlite3\n") == []
