"""The quick-capture draft on disk: what is typed but not yet saved survives a quit or a crash.

One small private file, replaced atomically so a crash mid-write leaves the old draft or the
new one, never half of either. Qt-free; the capture window decides when to save.
"""

from __future__ import annotations

import logging
from pathlib import Path

from storage.private import write_private_atomically

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
        # A private temporary file (0600), flushed, renamed over the draft: a crash leaves
        # the old draft or the new one, never half of either.
        write_private_atomically(self.path, text.encode("utf-8", errors="surrogatepass"),
                                 durable=durable)

    def clear(self) -> None:
        """Forget the draft (after it was saved to the journal)."""
        self.path.unlink(missing_ok=True)

