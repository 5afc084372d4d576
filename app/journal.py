"""Opening the journal for the companion's services: schema made current, settings loaded."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.paths import WisePaths, resolve_paths
from app.settings.store import Settings, load_settings

if TYPE_CHECKING:
    from storage.db import JournalFile


@dataclass
class Context:
    """What every command needs: where things are and what the user chose."""

    paths: WisePaths
    settings: Settings

    @classmethod
    def from_environment(cls) -> Context:
        paths = resolve_paths()
        return cls(paths, load_settings(paths.settings_file))

    @property
    def day_start_hour(self) -> int:
        return self.settings.get("day.start_hour")

    def prepare_storage(self) -> bool:
        """Create or migrate the database (a backup is taken before any migration); True
        when something was changed."""
        from storage.errors import JournalNotWritable
        from storage.migrate import ensure_schema

        try:
            self.paths.ensure_data_dir()
        except OSError as exc:
            raise JournalNotWritable(
                f"cannot create the data folder {self.paths.data_dir}: {exc.strerror}. "
                "Set WISE_HOME to a writable folder.") from exc
        return ensure_schema(self.paths.db, self.paths.backups_dir,
                             keep_backups=self.settings.get("backup.keep"))

    def open_journal(self) -> JournalFile:
        """The journal, its schema made current: what the repository's calls need."""
        from storage.db import JournalFile

        self.prepare_storage()
        return JournalFile(self.paths.db)
