"""The `wise` entry point: no arguments (or `tray`) starts the tray app, anything else is the
command line. Qt is imported only on the tray branch, so CLI commands never pay for it.

A frozen bundle's one executable comes here for every process it is, the model worker
included (`app.launch`: a hidden first argument)."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from app.launch import MODEL_WORKER_ARG, forget_bundle_library_path


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    forget_bundle_library_path()
    if args[:1] == [MODEL_WORKER_ARG]:
        from app.llm.worker_main import run_process

        run_process(args[1:])  # serves until its parent is done with it, then exits
    if not args or args[0] == "tray":
        from ui.app import run_tray

        return run_tray(args[1:])
    from app.cli.main import main as cli_main

    return cli_main(args)


if __name__ == "__main__":
    sys.exit(main())
