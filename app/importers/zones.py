"""How an import reads times written without a time zone (jrnl's "2020-08-29 11:11", a
todo.txt date, a Markdown heading): in the zone the user names with --tz, else this
computer's own, daylight saving included, date by date."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo

from app.daytime import local_now
from app.errors import BadInput

_OFFSET = re.compile(r"(?:UTC|GMT)?([+-])([01]?[0-9]|2[0-3])(?::?([0-5][0-9]))?")
# Where a date without a time is placed: midday, which belongs to that journal day
# whatever the day-start hour (or that hour itself, when it is later than midday).
_MIDDAY = 12


@dataclass(frozen=True)
class Zone:
    """The zone local times are read in; `tz` None: this computer's, as the C library
    knows it (the TZ variable, /etc/localtime), with each date's own offset."""

    tz: tzinfo | None
    label: str  # "Europe/Paris", "UTC+02:00": as the summary names it
    chosen: bool  # named with --tz, rather than this computer's own

    def moment(self, day: date, clock: time) -> datetime:
        """The moment (UTC) a local day and clock time mean. A time that daylight saving
        skips or repeats is read as the clock before the change (fold 0)."""
        naive = datetime.combine(day, clock)
        local = naive.replace(tzinfo=self.tz) if self.tz else naive.astimezone()
        return local.astimezone(UTC)

    def on_day(self, day: date, day_start_hour: int) -> datetime:
        """The moment (UTC) that stands for a day given without a time."""
        return self.moment(day, time(max(_MIDDAY, day_start_hour)))

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.tz) if self.tz else moment.astimezone()

    def describe(self) -> str:
        if self.chosen:
            return f"{self.label} (as --tz said)"
        return f"{self.label} (this computer's zone; --tz ZONE reads them in another)"


def resolve_zone(name: str | None) -> Zone:
    """The zone --tz names (an IANA name like Europe/Paris, UTC, or an offset like +02:00),
    or this computer's own when it names none. BadInput for a name that is neither."""
    if name is None:
        return Zone(None, _system_zone_name(), chosen=False)
    text = name.strip()
    if text.upper() in ("UTC", "Z", "GMT"):
        return Zone(UTC, "UTC", chosen=True)
    offset = _OFFSET.fullmatch(text.upper())
    if offset:
        sign, hours, minutes = offset.groups()
        delta = timedelta(hours=int(hours), minutes=int(minutes or 0))
        fixed = timezone(-delta if sign == "-" else delta)
        return Zone(fixed, f"UTC{sign}{int(hours):02d}:{int(minutes or 0):02d}", chosen=True)
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return Zone(ZoneInfo(text), text, chosen=True)
    except (ZoneInfoNotFoundError, ValueError):
        raise BadInput(f"--tz {name!r} is not a time zone Wise knows; give a name like "
                       "Europe/Paris or America/New_York, UTC, or an offset like +02:00"
                       ) from None


def _system_zone_name() -> str:
    """This computer's zone by name where it has one (TZ, /etc/localtime), else its
    abbreviation; only for the summary's words."""
    if os.environ.get("TZ"):
        return os.environ["TZ"].lstrip(":")
    try:
        from tzlocal import get_localzone_name  # APScheduler's own dependency

        found = get_localzone_name()
    except Exception:  # a name is a nicety; the abbreviation will do
        found = None
    return found or local_now().tzname() or "local time"
