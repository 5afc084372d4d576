"""Is the journal whole? SQLite's own checks, and the mark a damaged journal leaves for
the tray (its icon and one notice) and `wise doctor` to find.

The mark is a small JSON file beside the journal (`journal-damaged.json`): written by
whoever finds damage (a backup, the doctor, the tray's check at start or after an I/O
error), removed only by a full integrity check that passes (a backup or the doctor), so
a quick check can never wave a real problem away. Stdlib only: the tray reads it.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from storage.errors import JournalCorrupt, explain_sqlite_error
from storage.private import write_private_atomically
from storage.sqlite import connect_readonly
from storage.timeutil import utc_now

MARK_NAME = "journal-damaged.json"
_SHOWN_PROBLEMS = 5


@dataclass(frozen=True)
class DamageMark:
    found_at: str  # ISO moment, UTC
    found_by: str  # "backup", "doctor", "tray"
    problems: tuple[str, ...]

    def summary(self) -> str:
        return "; ".join(self.problems[:3]) or "damaged"


def integrity_problems(db_path: Path, *, quick: bool = False) -> list[str]:
    """[] when the file passes SQLite's integrity check (`quick`: its quick check, which
    skips comparing indexes with their tables); else what SQLite reported, at most 20.

    A file that cannot be opened for another reason (no permission) is not damage: that
    raises the explained StorageError instead.
    """
    pragma = "quick_check" if quick else "integrity_check"
    try:
        conn = connect_readonly(db_path)
        try:
            found = [row[0] for row in conn.execute(f"PRAGMA {pragma}(20)")]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        problem = explain_sqlite_error(exc, db_path)
        if not isinstance(problem, JournalCorrupt):
            raise problem from exc
        return [str(exc)]
    return [] if found == ["ok"] else found


def mark_path(db_path: Path) -> Path:
    return db_path.with_name(MARK_NAME)


def mark_damaged(db_path: Path, problems: list[str], *, found_by: str) -> None:
    """Leave the mark (replacing an older one). Never raises: the damage is being
    reported already, and a full or read-only disk must not hide that report."""
    record = {"journal": str(db_path), "found_at": utc_now().isoformat(timespec="seconds"),
              "found_by": found_by, "problems": problems[:_SHOWN_PROBLEMS]}
    with contextlib.suppress(OSError):
        write_private_atomically(mark_path(db_path),
                                 json.dumps(record, ensure_ascii=False).encode("utf-8"))


def clear_damage_mark(db_path: Path) -> None:
    """A full integrity check passed: the journal is whole (repaired or restored)."""
    with contextlib.suppress(OSError):
        mark_path(db_path).unlink(missing_ok=True)


def read_damage_mark(db_path: Path) -> DamageMark | None:
    """The mark, if the journal was found damaged and not found whole since."""
    try:
        data = json.loads(mark_path(db_path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return DamageMark("", "", ())  # a mark we cannot read is still a mark
    if not isinstance(data, dict):
        return DamageMark("", "", ())
    problems = data.get("problems")
    return DamageMark(str(data.get("found_at", "")), str(data.get("found_by", "")),
                      tuple(str(p) for p in problems) if isinstance(problems, list) else ())
