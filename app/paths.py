"""Where Wise keeps its state: everything under WISE_HOME when set, else the platform's folders."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "wise"
HOME_ENV = "WISE_HOME"


class WisePaths:
    """The folders and files of one Wise home. (A plain class: `dataclasses` costs the
    capture path 5 ms to import.)"""

    __slots__ = ("config_dir", "data_dir")

    def __init__(self, data_dir: Path, config_dir: Path) -> None:
        self.data_dir = data_dir
        self.config_dir = config_dir

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, WisePaths) and self.data_dir == other.data_dir
                and self.config_dir == other.config_dir)

    def __hash__(self) -> int:
        return hash((self.data_dir, self.config_dir))

    def __repr__(self) -> str:
        return f"WisePaths(data_dir={self.data_dir!r}, config_dir={self.config_dir!r})"

    @property
    def db(self) -> Path:
        return self.data_dir / "wise.db"

    @property
    def settings_file(self) -> Path:
        return self.config_dir / "settings.toml"

    @property
    def backups_dir(self) -> Path:
        return self.data_dir / "backups"

    @property
    def logs_dir(self) -> Path:
        return self.data_dir / "logs"

    @property
    def rescue_file(self) -> Path:
        """Captures that could not be written to the journal wait here, never lost."""
        return self.data_dir / "unsaved-captures.txt"

    def ensure_data_dir(self) -> None:
        # Private from the start: a journal is nobody else's business.
        from storage.private import private_folder

        private_folder(self.data_dir)


def resolve_paths(environ: dict[str, str] | None = None) -> WisePaths:
    env = os.environ if environ is None else environ
    home = env.get(HOME_ENV, "").strip()
    if home:
        root = Path(home).expanduser().absolute()
        return WisePaths(data_dir=root, config_dir=root)
    # Imported only when needed: WISE_HOME (tests, power users) skips it entirely.
    import platformdirs

    return WisePaths(
        data_dir=Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
        config_dir=Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
    )


def home_label(paths: WisePaths, environ: dict[str, str] | None = None) -> str | None:
    """How to name this home to someone who runs Wise on more than one (two trays side by
    side): None for the usual folders; for a WISE_HOME, its data folder, with "~" for the
    user's home directory ("~/wise-work")."""
    env = os.environ if environ is None else environ
    if not env.get(HOME_ENV, "").strip():
        return None
    folder = paths.data_dir
    try:
        return str(Path("~") / folder.relative_to(Path.home()))
    except (ValueError, RuntimeError):  # elsewhere, or no home directory to speak of
        return str(folder)
