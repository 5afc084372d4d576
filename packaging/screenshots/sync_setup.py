"""Re-take the screenshots of the sync set-up dialog (Settings → Set up sync…), light and
dark, its recovery-key page, and a 10,000-character folder path, rendered offscreen. The
dialog runs the real `wise sync setup` child on throwaway folders; the keys go to a
throwaway file keyring (tests/keyring_backend.py), never to yours.

    PYTHONPATH=. .venv/bin/python packaging/screenshots/sync_setup.py

Writes packaging/screenshots/sync-setup-{light,dark,key,long}.png.
"""

from __future__ import annotations

import sys

from shots import application, dark_palette, save, scratch_home, settle

PASSPHRASE = "otter lantern quietly harbour"  # noqa: S105 - a sample, for the pictures


def main() -> int:
    # PYTHONPATH (set by scratch_home) finds the keyring backend for the child too.
    scratch = scratch_home(home="home", keyring=True)
    from app.launch import wise_command
    from ui.sync_setup import SyncSetupDialog

    qapp = application()
    light = qapp.palette()

    def finish(dialog: SyncSetupDialog) -> None:
        while dialog.is_running():
            settle(qapp, 0.1)
        settle(qapp, 0.3)

    def shoot(dialog: SyncSetupDialog, name: str) -> None:
        save(dialog, f"sync-setup-{name}.png")
        dialog.hide()

    # Light: a folder chosen, the passphrase typed twice.
    dialog = SyncSetupDialog(wise_command)
    dialog.folder.setText("/home/sam/Sync/Wise")
    dialog.passphrase.setText(PASSPHRASE)
    dialog.again.setText(PASSPHRASE)
    dialog.show()
    settle(qapp, 0.3)
    shoot(dialog, "light")

    # Dark: WebDAV, a server that does not answer.
    qapp.setPalette(dark_palette())
    dialog = SyncSetupDialog(wise_command)
    dialog.webdav_choice.setChecked(True)
    dialog.url.setText("http://127.0.0.1:9/remote.php/dav/files/sam/Wise/")
    dialog.user.setText("sam")
    dialog.password.setText("server password")
    dialog.passphrase.setText("otter lantern")
    dialog.again.setText("otter lantern")
    dialog.show()
    dialog.start()
    finish(dialog)
    shoot(dialog, "dark")
    qapp.setPalette(light)

    # The recovery key, after a real set-up of a new sync folder.
    dialog = SyncSetupDialog(wise_command)
    dialog.folder.setText(str(scratch / "Sync" / "Wise"))
    dialog.passphrase.setText(PASSPHRASE)
    dialog.again.setText(PASSPHRASE)
    dialog.show()
    dialog.start()
    finish(dialog)
    shoot(dialog, "key")

    # A 10,000-character folder path: the system refuses it, the dialog keeps its shape.
    dialog = SyncSetupDialog(wise_command)
    dialog.folder.setText(str(scratch / ("deep-" * 2000)))
    dialog.passphrase.setText(PASSPHRASE)
    dialog.again.setText(PASSPHRASE)
    dialog.show()
    dialog.start()
    finish(dialog)
    shoot(dialog, "long")
    return 0


if __name__ == "__main__":
    sys.exit(main())
