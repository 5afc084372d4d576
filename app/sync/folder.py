"""The folder transport: a folder kept in step between devices by whatever the user runs
(Syncthing, Nextcloud, Dropbox, iCloud Drive, a USB stick).

Files are written to a hidden temporary name in the same folder, flushed, then renamed,
so a sync tool never picks up half a file from this side; what other sides' tools leave
(their temporary and conflict copies) never matches a batch name and is ignored.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from app.sync.transport import TransportError
from storage.private import fsync_folder

_TMP_PREFIX = ".wise-tmp-"


class FolderTransport:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.label = str(root)

    def _path(self, relative: str) -> Path:
        return self.root.joinpath(*relative.split("/"))

    def close(self) -> None:
        pass  # nothing held open

    def check(self) -> None:
        """The folder is there and writable (made, private, when missing)."""
        try:
            self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
            probe = self.root / f"{_TMP_PREFIX}probe-{os.getpid()}"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as exc:
            raise TransportError(f"cannot write to the sync folder {self.root}: "
                                 f"{exc.strerror or exc}", "not_writable") from exc

    def get(self, path: str) -> bytes | None:
        try:
            return self._path(path).read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as exc:
            raise TransportError(f"cannot read {self._path(path)}: {exc.strerror}") from exc

    def _write(self, target: Path, data: bytes) -> Path:
        """Write to a temporary file beside target, flushed; its path."""
        try:
            target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            temporary = target.parent / f"{_TMP_PREFIX}{os.urandom(6).hex()}"
            fd = os.open(temporary, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            raise TransportError(f"cannot write to {target.parent}: {exc.strerror}") from exc
        return temporary

    def _sync_dir(self, folder: Path) -> None:
        # Network and FUSE file systems may refuse; the rename is atomic all the same.
        fsync_folder(folder)

    def put(self, path: str, data: bytes) -> None:
        target = self._path(path)
        temporary = self._write(target, data)
        try:
            os.replace(temporary, target)
        except OSError as exc:
            temporary.unlink(missing_ok=True)
            raise TransportError(f"cannot write {target}: {exc.strerror}") from exc
        self._sync_dir(target.parent)

    def create(self, path: str, data: bytes) -> bool:
        target = self._path(path)
        temporary = self._write(target, data)
        try:
            os.link(temporary, target)  # fails if the name exists: create-if-absent, whole
        except FileExistsError:
            return False
        except OSError as exc:
            raise TransportError(f"cannot write {target}: {exc.strerror}") from exc
        finally:
            temporary.unlink(missing_ok=True)
        self._sync_dir(target.parent)
        return True

    def list(self, folder: str) -> list[str]:
        try:
            return sorted(os.listdir(self._path(folder)))
        except (FileNotFoundError, NotADirectoryError):
            return []
        except OSError as exc:
            raise TransportError(f"cannot list {self._path(folder)}: {exc.strerror}") from exc

    def delete(self, path: str) -> None:
        try:
            self._path(path).unlink(missing_ok=True)
        except OSError as exc:
            raise TransportError(f"cannot remove {self._path(path)}: {exc.strerror}") from exc

    def get_versioned(self, path: str) -> tuple[bytes | None, str | None]:
        data = self.get(path)
        return data, None if data is None else hashlib.sha256(data).hexdigest()

    def replace_if_unchanged(self, path: str, data: bytes, token: str | None) -> bool:
        # Compare, then rename: the window in between is a rename's length; a line a phone
        # adds in it is not lost (the sync tool keeps a conflict copy, which Wise reads).
        temporary = self._write(self._path(path), data)
        try:
            _now, current = self.get_versioned(path)
            if current != token:
                return False
            os.replace(temporary, self._path(path))
        except OSError as exc:
            raise TransportError(f"cannot write {self._path(path)}: {exc.strerror}") from exc
        finally:
            temporary.unlink(missing_ok=True)
        self._sync_dir(self._path(path).parent)
        return True
