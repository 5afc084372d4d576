"""The hybrid logical clock: wall-clock milliseconds and a counter in one integer.

`hlc = ms << 16 | counter`. A device's next stamp is max(last + 1, now << 16): it never
goes back, follows the wall clock while the clock is ahead of every stamp seen, and counts
on from the newest stamp seen from any device while it is not, so a change made after
seeing another device's change always sorts after it, whatever the two clocks say. Two
stamps that are equal are ordered by the device id (`Version`), so every device picks the
same winner.
"""

from __future__ import annotations

from datetime import UTC, datetime

COUNTER_BITS = 16


def tick(last: int, wall_ms: int) -> int:
    """The stamp of a new local event at `wall_ms`, after `last`."""
    return max(last + 1, wall_ms << COUNTER_BITS)


def wall_ms(hlc: int) -> int:
    return hlc >> COUNTER_BITS


def to_datetime(hlc: int) -> datetime:
    return datetime.fromtimestamp(wall_ms(hlc) / 1000, UTC)


def ms_of(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


Version = tuple[int, str]  # (hlc, device): total order, the same on every device
ZERO: Version = (0, "")
