"""Sync for the CLI and the tray's child: set a device up, run one sync, say how it stands.

What is per device stays per device: the target (a folder path or a WebDAV address) is a
setting, the keys are in this device's keyring, the device id and the change log are in
this journal. What the devices share is in the sync folder: the wrapped key, the batches
and the inbox.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from app.errors import BadInput, WiseError
from app.journal import Context
from app.settings.store import set_setting
from app.sync import crypto, secrets
from app.sync.engine import SyncFailed, SyncResult, SyncRun
from app.sync.transport import KEY_FILE, Transport, TransportError
from storage.sync.ids import new_device_id
from storage.sync.store import SyncStore
from storage.timeutil import utc_now


class SyncBusy(WiseError):
    pass


class StorageProblem(WiseError):
    """The sync folder or server could not be used; nothing was changed. `kind` is the
    TransportError's ("unreachable", "refused", "not_writable", ...)."""

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind


class BadAddress(BadInput):
    """Not a WebDAV address Wise can use (the message says why)."""


# Why a set-up stopped, as `wise sync setup --json` reports it, so that the Settings
# window can put plain words by the field to change: declared once, here.
SETUP_PROBLEMS = ("wrong_passphrase", "weak_passphrase", "bad_recovery_key",
                  "nothing_to_join", "not_writable", "unreachable", "refused", "bad_address",
                  "no_keyring", "failed")


class NothingToJoin(BadInput):
    """A recovery key given for a place where no device has set sync up yet."""


def setup_problem(exc: BaseException) -> str:
    """Which of SETUP_PROBLEMS `exc` (raised by `setup`) is."""
    if isinstance(exc, crypto.WrongPassphrase):
        return "wrong_passphrase"
    if isinstance(exc, crypto.WeakPassphrase):
        return "weak_passphrase"
    if isinstance(exc, crypto.BadRecoveryKey):
        return "bad_recovery_key"
    if isinstance(exc, NothingToJoin):
        return "nothing_to_join"
    if isinstance(exc, secrets.NoKeyring):
        return "no_keyring"
    if isinstance(exc, BadAddress):
        return "bad_address"
    if isinstance(exc, StorageProblem) and exc.kind in SETUP_PROBLEMS:
        return exc.kind
    return "failed"


@dataclass(frozen=True)
class SetupOutcome:
    joined: bool  # False: a new sync folder was made (and recovery_key is shown once)
    target: str
    device: str
    key_id: str
    seeded: int  # rows of this journal queued to be sent
    recovery_key: str | None


def _folder_transport(folder: str) -> Transport:
    from app.sync.folder import FolderTransport

    return FolderTransport(Path(folder).expanduser().absolute())


def _webdav_transport(url: str, user: str, password: str | None) -> Transport:
    from app.sync.webdav import WebDavTransport

    return WebDavTransport(url, user or None, password)


def configured_transport(context: Context) -> Transport | None:
    """The transport the settings name, or None when sync is not set up here."""
    settings = context.settings
    folder, url = settings.get("sync.folder"), settings.get("sync.webdav_url")
    if folder:
        return _folder_transport(folder)
    if url:
        user = settings.get("sync.webdav_user")
        password = secrets.load_webdav_password(user, url) if user else None
        return _webdav_transport(url, user, password)
    return None


def setup(context: Context, *, folder: str | None = None, webdav: str | None = None,
          user: str | None = None, passphrase: Callable[[bool], str],
          webdav_password: Callable[[], str] | None = None,
          recovery: Callable[[], str] | None = None,
          kdf: crypto.KdfParams | None = None) -> SetupOutcome:
    """Join the sync folder (its key file opens with the passphrase) or make a new one.
    Nothing is written anywhere until the passphrase has been checked."""
    if bool(folder) == bool(webdav):
        raise BadInput("give either --folder DIR or --webdav URL")
    secrets.check_keyring()  # before asking for anything that could not be kept
    password = None
    if webdav:
        from app.sync.webdav import check_url

        try:
            check_url(webdav)
        except TransportError as exc:
            raise BadAddress(str(exc)) from None
        password = webdav_password() if (user and webdav_password) else None
        transport = _webdav_transport(webdav, user or "", password)
    else:
        transport = _folder_transport(folder or "")
    try:
        transport.check()
        existing = transport.get(KEY_FILE)
    except TransportError as exc:
        raise StorageProblem(f"{exc}; nothing was changed", exc.kind) from None
    recovery_key = None
    if existing is not None:
        if recovery is not None:
            key = crypto.key_from_recovery(recovery())
            if crypto.key_id(key) != crypto.key_file_id(existing):
                raise crypto.WrongPassphrase("that recovery key belongs to another sync "
                                             "folder; nothing was changed")
        else:
            key = crypto.unwrap(existing, passphrase(False))
    else:
        if recovery is not None:
            raise NothingToJoin(f"{transport.label} has no {KEY_FILE} yet: a recovery key joins "
                           "an existing sync folder; nothing was changed")
        chosen = crypto.check_passphrase(passphrase(True))
        key = crypto.new_key()
        try:
            made = transport.create(KEY_FILE, crypto.wrap(key, chosen, kdf))
        except TransportError as exc:
            raise StorageProblem(f"{exc}; nothing was changed", exc.kind) from None
        if not made:  # another device made one meanwhile: join it
            existing = transport.get(KEY_FILE) or b""
            key = crypto.unwrap(existing, chosen)
        else:
            recovery_key = crypto.recovery_key(key)
    try:
        return _remember(context, transport, key, folder=folder, webdav=webdav, user=user,
                         password=password, joined=existing is not None,
                         recovery_key=recovery_key)
    finally:
        transport.close()


def _remember(context: Context, transport: Transport, key: bytes, *, folder: str | None,
              webdav: str | None, user: str | None, password: str | None, joined: bool,
              recovery_key: str | None) -> SetupOutcome:
    key_id = crypto.key_id(key)
    secrets.store_key(key_id, key)
    if webdav and user and password is not None:
        secrets.store_webdav_password(user, webdav, password)
    path = context.paths.settings_file
    set_setting(path, "sync.folder", str(Path(folder).expanduser().absolute()) if folder else "")
    set_setting(path, "sync.webdav_url", webdav or "")
    set_setting(path, "sync.webdav_user", user or "" if webdav else "")
    context.prepare_storage()
    store = SyncStore(context.paths.db)
    try:
        state = store.state()
        device = (state.device if state.device and state.key_id == key_id
                  else new_device_id())
        seeded = store.enable(device, key_id)
    finally:
        store.close()
    from app.sync.inbox import HEADER
    from app.sync.transport import INBOX

    with suppress(TransportError):  # a convenience: the next sync reports such a folder
        transport.create(INBOX, HEADER.encode())
    return SetupOutcome(joined, transport.label, device, key_id, seeded, recovery_key)


@contextmanager
def _sync_lock(context: Context) -> Iterator[None]:
    """One sync at a time per journal (the tray's child and a `wise sync now`)."""
    import fcntl

    context.paths.ensure_data_dir()
    fd = os.open(context.paths.data_dir / "sync.lock", os.O_CREAT | os.O_RDWR, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SyncBusy("another sync of this journal is running; try again in a "
                           "moment") from None
        yield
    finally:
        os.close(fd)


def sync_now(context: Context, *, clock: Callable[[], datetime] = utc_now) -> SyncResult:
    context.prepare_storage()
    with _sync_lock(context):
        store = SyncStore(context.paths.db, clock=clock)
        try:
            state = store.state()
            transport = configured_transport(context)
            if transport is None or not state.enabled or not state.key_id:
                raise WiseError("sync is not set up on this device; run `wise sync setup "
                                "--folder DIR` or `wise sync setup --webdav URL`")
            key = secrets.load_key(state.key_id)
            if key is None:
                raise WiseError("this device's keyring has no sync key any more; run `wise "
                                "sync setup` again (with the passphrase or recovery key)")
            run = SyncRun(store, transport, key, inbox=_inbox_step(context, store, transport,
                                                                   state.key_id))
            try:
                return run.run()
            except SyncFailed as exc:
                raise WiseError(str(exc)) from None
            finally:
                transport.close()
        finally:
            store.close()


def _inbox_step(context: Context, store: SyncStore, transport: Transport, key_id: str
                ) -> Callable[[SyncResult], None]:
    def step(result: SyncResult) -> None:
        from app.capture.service import capture
        from app.daytime import journal_day, local_now
        from app.sync.inbox import Inbox

        def capture_line(text: str, uid: str) -> None:
            capture(context, text, source="capture", uid=uid)

        today = journal_day(local_now(), context.day_start_hour)
        outcome = Inbox(transport, key_id, today, capture_line, store.uid_known).process()
        result.captured += outcome.captured
        result.problems += outcome.problems

    return step
