"""How a model command (break-down, goal review) reports a failed or cancelled call."""

from __future__ import annotations

import sys
from argparse import Namespace

from app.cli.output import emit


def model_failure(args: Namespace, exc, what: str) -> int:
    """Exit code 0 for a cancel (the user asked), 1 for a failure; a reply that never
    parsed is kept and shown as written, so nothing the model said is lost."""
    if exc.kind == "cancelled":
        emit(args, {"cancelled": True}, "Cancelled; nothing was changed.")
        return 0
    raw = getattr(exc, "raw", None)
    error = {"kind": exc.kind, "message": f"{what}: {exc}"}
    if raw is not None:
        error["raw"] = raw
    emit(args, {"error": error},
         f"The reply, as written:\n{raw}" if raw is not None else "")
    print(f"wise: {what}: {exc}", file=sys.stderr)
    return 1
