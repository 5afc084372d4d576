"""How a model command (break-down, goal review) reports a failed or cancelled call."""

from __future__ import annotations

import sys
from argparse import Namespace
from dataclasses import dataclass

from app.cli.output import emit
from app.results import omitted_when_none


@dataclass(frozen=True)
class Cancelled:
    cancelled: bool = True


@dataclass(frozen=True)
class FailureDetail:
    kind: str  # a ModelError kind
    message: str
    raw: str | None = omitted_when_none()  # a reply that never parsed, as written


@dataclass(frozen=True)
class ModelFailure:
    error: FailureDetail


def model_failure(args: Namespace, exc, what: str) -> int:
    """Exit code 0 for a cancel (the user asked), 1 for a failure; a reply that never
    parsed is kept and shown as written, so nothing the model said is lost."""
    if exc.kind == "cancelled":
        emit(args, Cancelled(), "Cancelled; nothing was changed.")
        return 0
    raw = getattr(exc, "raw", None)
    emit(args, ModelFailure(FailureDetail(exc.kind, f"{what}: {exc}", raw)),
         f"The reply, as written:\n{raw}" if raw is not None else "")
    print(f"wise: {what}: {exc}", file=sys.stderr)
    return 1
