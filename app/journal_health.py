"""The journal file as the tray sees it, without SQLAlchemy: is its schema current, is it
sound (and the mark a failed check leaves), the private folders Wise keeps its files in.
ui/ reaches storage/ only through app/; these are storage's own functions, named here."""

from __future__ import annotations

from storage.errors import StorageError
from storage.integrity import integrity_problems, mark_damaged, read_damage_mark
from storage.migrate import schema_is_current
from storage.private import private_folder

__all__ = ["StorageError", "integrity_problems", "mark_damaged", "private_folder",
           "read_damage_mark", "schema_is_current"]
