"""Logging to a rotating file under the data folder; nothing is sent anywhere."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(logs_dir: Path, *, level: int = logging.INFO) -> Path:
    logs_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = logs_dir / "wise.log"
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=1_000_000, backupCount=3,
                                                   encoding="utf-8")
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    root = logging.getLogger()
    root.setLevel(level)
    root.addHandler(handler)
    return path
