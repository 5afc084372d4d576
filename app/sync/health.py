"""`wise doctor`'s sync check: set up or not; change log intact (triggers on every synced
table, the applying switch off); the key in the keyring; the sync folder reachable and
holding this set-up's key; the last sync; conflicts waiting for an answer."""

from __future__ import annotations

from app.journal import Context

OK, WARN, FAIL = "ok", "warning", "problem"


def sync_check(context: Context) -> tuple[str, str]:
    from app.sync import crypto, secrets
    from app.sync.service import configured_transport
    from app.sync.status import sync_status
    from app.sync.transport import KEY_FILE, TransportError
    from storage.sync.store import SyncStore

    if not context.paths.db.exists():
        return OK, "off (no journal yet)"
    store = SyncStore(context.paths.db)
    try:
        state = store.state()
        missing = store.missing_triggers()
    finally:
        store.close()
    if missing:
        return FAIL, (f"the change log has lost its triggers on {', '.join(missing)}: changes "
                      "there would not sync (a migration rebuilt the table without them: "
                      "please report this)")
    if state.applying:
        return FAIL, ("the change log is switched off (a sync stopped in an impossible place);"
                      " `wise sync now` switches it on again")
    status = sync_status(context)
    if not status.enabled:
        return OK, "off on this device"
    try:
        key = secrets.load_key(state.key_id or "")
    except secrets.NoKeyring as exc:
        return FAIL, str(exc)
    if key is None:
        return FAIL, ("this device's keyring has lost the sync key; run `wise sync setup` "
                      "again with the passphrase or the recovery key")
    transport = None
    try:
        transport = configured_transport(context)
        data = transport.get(KEY_FILE) if transport is not None else None
    except (TransportError, secrets.NoKeyring) as exc:
        return WARN, f"{status.target} cannot be reached now: {exc}"
    finally:
        if transport is not None:
            transport.close()
    if data is None:
        return WARN, f"{status.target} has no {KEY_FILE}: is it there, and fully copied?"
    if crypto.key_file_id(data) != crypto.key_id(key):
        return FAIL, (f"{status.target} was set up again with another passphrase; run "
                      "`wise sync setup` again")
    words = [f"with {status.target}"]
    words.append(f"last sync {status.last_run_at[:16]} ({status.last_outcome})"
                 if status.last_run_at else "no sync yet")
    if status.waiting:
        words.append(f"{status.waiting:,} change(s) waiting to be sent")
    if status.conflicts:
        words.append(f"{len(status.conflicts)} conflict(s) to answer: `wise sync status`")
        return WARN, "; ".join(words)
    return (WARN if status.last_outcome not in (None, "ok") else OK), "; ".join(words)
