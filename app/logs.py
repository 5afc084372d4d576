"""Logging to a rotating file under the data folder; nothing is sent anywhere.

Every record passes ``app.llm.redact.RedactingFilter`` on its way to the file, so an API
key (a registered value, or anything shaped like one) never reaches the log."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from storage.private import private_folder

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(logs_dir: Path, *, level: int = logging.INFO) -> Path:
    from app.llm.redact import RedactingFilter

    private_folder(logs_dir)  # and the data folder above it, on a first start
    path = logs_dir / "wise.log"
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=1_000_000, backupCount=3,
                                                   encoding="utf-8")
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.setLevel(level)
    root.addHandler(handler)
    return path
