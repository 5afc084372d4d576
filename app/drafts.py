"""The quick-capture draft on disk: what is typed but not yet saved survives a quit or a crash.

One small private file, replaced atomically so a crash mid-write leaves the old draft or the
new one, never half of either. Qt-free; the capture window decides when to save.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

# A draft is at most a few capture lengths; anything far bigger is not ours to load into a
# text box (it would freeze the window).
MAX_DRAFT_BYTES = 4 * 1024 * 1024


class DraftStore:
    """The draft file at `path` (the app uses WISE_HOME/draft.txt)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def load(self) -> str:
        """The saved draft, or "" when there is none or it cannot be read."""
        try:
            with self.path.open("rb") as handle:
                data = handle.read(MAX_DRAFT_BYTES + 1)
        except FileNotFoundError:
            return ""
        except OSError as exc:
            log.warning("the capture draft %s could not be read: %s", self.path, exc)
            return ""
        if len(data) > MAX_DRAFT_BYTES:
            log.warning("the capture draft %s is larger than %d bytes; it was not loaded",
                        self.path, MAX_DRAFT_BYTES)
            return ""
        # Undecodable bytes become U+FFFD rather than costing the user the whole draft.
        return data.decode("utf-8", errors="replace")

    def save(self, text: str, *, durable: bool = True) -> None:
        """Replace the draft with `text`; "" removes it. Raises OSError on failure.

        `durable=False` skips the flushes to disk: the draft then survives a crash of Wise
        but not a power cut. For the moment between Enter and the journal's own durable
        commit, that is the right trade: two flushes fewer on the GUI thread."""
        if not text:
            self.clear()
            return
        folder = self.path.parent
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        # mkstemp creates the file 0600 whatever the umask: the draft is private journal text.
        fd, temp_name = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp",
                                         dir=folder)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(text.encode("utf-8", errors="surrogatepass"))
                handle.flush()
                if durable:
                    os.fsync(handle.fileno())
            os.replace(temp_name, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp_name)
            raise
        if durable:
            _fsync_folder(folder)

    def clear(self) -> None:
        """Forget the draft (after it was saved to the journal)."""
        self.path.unlink(missing_ok=True)


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable where the platform allows it (not on Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems refuse fsync on a directory; the data itself is synced
    finally:
        os.close(fd)
