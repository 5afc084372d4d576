"""Logging to a rotating file under the data folder; nothing is sent anywhere.

Every record passes ``app.llm.redact.RedactingFilter`` on its way to the file, so an API
key (a registered value, or anything shaped like one) never reaches the log. The log and
its rotated copies are 0600 in a 0700 folder: they say when and what Wise did, which is
nobody else's business either. Journal text is never logged (callers' rule; see ui.app)."""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import os
import stat
import time
from pathlib import Path

from storage.private import open_private_regular, private_folder

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LOG_NAME = "wise.log"


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """RotatingFileHandler whose every file (the first, and each new one after a
    rotation) is created 0600 whatever the umask, and never written through a link."""

    def _open(self):
        fd = open_private_regular(Path(self.baseFilename),
                                  os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        return os.fdopen(fd, "a", encoding=self.encoding, errors=self.errors)


def configure_logging(logs_dir: Path, *, level: int = logging.INFO) -> Path:
    """Log to logs_dir/wise.log. Raises OSError when the folder cannot be written (the
    caller logs to stderr instead)."""
    from app.llm.redact import RedactingFilter

    private_folder(logs_dir)  # and the data folder above it, on a first start
    path = logs_dir / LOG_NAME
    _tighten_old_logs(logs_dir)  # written before logs were private
    handler = PrivateRotatingFileHandler(path, maxBytes=1_000_000, backupCount=3,
                                         encoding="utf-8")
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.setLevel(level)
    root.addHandler(handler)
    return path


def log_to_file_unless_configured(logs_dir: Path) -> None:
    """In a process where nobody set up logging (a `wise` command), send the log to
    wise.log rather than let Python print every warning on stderr: a model call that
    timed out is the log's business; the person gets the command's one clear line
    ("the model took too long ... this is the plain reflection"). Best effort."""
    if logging.getLogger().handlers:
        return  # the tray, `wise llm`, a test's capture: already decided
    with contextlib.suppress(OSError):  # then warnings reach stderr, as before
        configure_logging(logs_dir)


def note_once(logs_dir: Path, key: str, message: str, *, every_s: float = 60.0) -> None:
    """One line in wise.log from a short-lived command (which has no logging set up), at
    most once per `every_s` for the same `key`, so a burst of commands leaves one line.
    Best effort: a log that cannot be written is not worth failing a command for."""
    stamp = logs_dir / f".noted-{key}"
    try:
        private_folder(logs_dir)
        try:
            os.close(open_private_regular(stamp, os.O_WRONLY | os.O_CREAT | os.O_EXCL))
        except FileExistsError:
            if time.time() - os.lstat(stamp).st_mtime < every_s:
                return
            os.utime(stamp, follow_symlinks=False)
        fd = open_private_regular(logs_dir / LOG_NAME, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        try:
            record = logging.LogRecord("wise.cli", logging.WARNING, __file__, 0, message,
                                       None, None)
            os.write(fd, (logging.Formatter(LOG_FORMAT).format(record) + "\n").encode())
        finally:
            os.close(fd)
    except OSError:
        pass


def _tighten_old_logs(logs_dir: Path) -> None:
    for path in logs_dir.glob(f"{LOG_NAME}*"):
        try:
            info = os.lstat(path)
            if stat.S_ISREG(info.st_mode) and stat.S_IMODE(info.st_mode) & 0o077:
                os.chmod(path, 0o600)
        except OSError:
            continue
