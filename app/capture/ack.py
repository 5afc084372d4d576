"""The acknowledgement of a saved capture: what `wise capture --json` prints and what the
tray's socket sends back (the CLI reads it back into this type). Standard library only:
the capture path imports it."""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class CaptureAck:
    saved: bool  # always True: a capture that was not saved is an error, never an ack
    kind: str  # note, todo or win
    table: str  # where it went: notes or actions
    id: int
    uid: str
    text: str
    goal: str | None  # the goal's tag
    goal_title: str | None
    tags: tuple[str, ...]
    due_on: str | None  # ISO day
    due_at: str | None  # ISO moment, for a due with a time
    estimate_minutes: int | None
    already_open: bool  # the same step was open already: not added twice
    summary: str  # "to-do 12: call mum (goal Family, due tomorrow)", for people
    notice: str | None  # something that looked like a due but was too far to be one
    warnings: tuple[str, ...]  # what was changed in the text to save it

    @classmethod
    def from_json(cls, data: object) -> CaptureAck:
        """The ack as the tray's socket sent it; ValueError when it is not one."""
        if not isinstance(data, dict):
            raise ValueError("the tray's reply to a capture is not an object")
        try:
            values = {f.name: data[f.name] for f in fields(cls)}
        except KeyError as exc:
            raise ValueError(f"the tray's reply to a capture has no {exc}") from None
        values["tags"] = tuple(values["tags"] or ())
        values["warnings"] = tuple(values["warnings"] or ())
        return cls(**values)
