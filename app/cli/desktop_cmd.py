"""`wise install-desktop [--uninstall]`: Wise in (or out of) the user's applications menu."""

from __future__ import annotations

import shlex
from argparse import Namespace
from dataclasses import dataclass
from pathlib import Path

from app.autostart import remove_login_entry
from app.cli.output import emit
from app.desktop.install import install_for_user, uninstall_for_user
from app.errors import WiseError


@dataclass(frozen=True)
class DesktopInstalled:
    installed: list[Path]  # the launcher first, then icons and app metadata
    command: list[str]  # what the launcher starts


@dataclass(frozen=True)
class DesktopRemoved:
    removed: list[Path]
    login_entry_removed: bool


def run(args: Namespace) -> int:
    try:
        if args.uninstall:
            return _uninstall(args)
        command, written = install_for_user()
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        raise WiseError(f"could not change the applications menu: "
                        f"{exc.strerror or exc}{where}") from None
    emit(args, DesktopInstalled(list(written), list(command)),
         f"Wise is in your applications menu now; it starts {shlex.join(command)}.\n"
         f"Written: {written[0]} and {len(written) - 1} more (icons, app metadata).\n"
         "Take it away again with: wise install-desktop --uninstall")
    return 0


def _uninstall(args: Namespace) -> int:
    removed = uninstall_for_user()
    login = remove_login_entry()
    if not removed and not login:
        words = "Wise was not in your applications menu; nothing to remove."
    else:
        words = ("Wise is out of your applications menu"
                 + (" and will not start at login" if login else "") + ".")
    emit(args, DesktopRemoved(list(removed), login),
         words + " Your journal and settings are kept.")
    return 0
