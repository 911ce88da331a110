"""Dates as people read them: the warehouse keeps UTC (the analysts' contract), readers get their own zone.

An article out at 00:40 in Rome is stored at 22:40 UTC the day before; listed by its
UTC day it would sit under the wrong day in an Italian report. Everything written
for a person (the report, its exports, the run summary, `rassegna inspect`) shows
day and time in one zone, Europe/Rome unless told otherwise (`--tz`).
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_TZ = "Europe/Rome"


def zone(name: str) -> ZoneInfo:
    """The IANA zone `name`; ValueError saying what is expected otherwise."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}: use an IANA name such as Europe/Rome or UTC") from None


def from_utc(value: object, tz: ZoneInfo) -> object:
    """A warehouse timestamp (naive means UTC) in `tz`; anything else (a date, None, text) as it is."""
    if not isinstance(value, datetime):
        return value
    aware = value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)
    return aware.astimezone(tz)


def day(value: object) -> str:
    """dd/mm/yyyy, as Italian readers write a day; '' for no date."""
    return value.strftime("%d/%m/%Y") if isinstance(value, (datetime, date)) else ""


def day_and_time(value: object, tz: ZoneInfo) -> str:
    """dd/mm/yyyy HH:MM in `tz` with the zone's abbreviation (CEST, CET), for a warehouse timestamp."""
    local = from_utc(value, tz)
    return local.strftime("%d/%m/%Y %H:%M %Z") if isinstance(local, datetime) else ""
