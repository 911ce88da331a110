"""Date windows for a backfill: slicing a period, halving a capped search, what each engine reaches.

A window is a pair of calendar days, both included (`Window(since, until)`).
Plain functions over dates, shared by the spiders (which ask engines for a
window) and the backfill flow (which records which windows are done).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any


@dataclass(frozen=True, order=True)
class Window:
    since: date
    until: date

    def __post_init__(self) -> None:
        if self.until < self.since:
            raise ValueError(f"window ends ({self.until}) before it starts ({self.since})")

    @property
    def days(self) -> int:
        return (self.until - self.since).days + 1

    def halves(self) -> tuple[Window, Window] | None:
        """Two windows covering this one, or None for a single day (nothing left to split)."""
        if self.days < 2:
            return None
        middle = self.since + timedelta(days=self.days // 2 - 1)
        return Window(self.since, middle), Window(middle + timedelta(days=1), self.until)

    def holds(self, when: datetime | date | None) -> bool | None:
        """Whether a moment falls in the window (its Rome-agnostic calendar day); None if unknown."""
        if when is None:
            return None
        day = when.date() if isinstance(when, datetime) else when
        return self.since <= day <= self.until

    def overlaps(self, first: date, last: date) -> bool:
        return first <= self.until and last >= self.since

    def as_dict(self) -> dict[str, str]:
        return {"since": self.since.isoformat(), "until": self.until.isoformat()}

    @classmethod
    def from_dict(cls, data: dict[str, str]) -> Window:
        return cls(date.fromisoformat(data["since"]), date.fromisoformat(data["until"]))

    def start_utc(self) -> datetime:
        return datetime.combine(self.since, time(0, 0, 0), timezone.utc)

    def end_utc(self) -> datetime:
        return datetime.combine(self.until, time(23, 59, 59), timezone.utc)

    def __str__(self) -> str:
        return f"{self.since.isoformat()}..{self.until.isoformat()}"


def parse_day(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{field}: {value!r} is not a day in YYYY-MM-DD form") from None


def slices(period: Window, days: int) -> list[Window]:
    """The period cut into consecutive windows of `days` days (the last may be shorter).

    Each slice is one unit of progress per source: done once, never fetched again.
    """
    if days < 1:
        raise ValueError(f"window_days must be at least 1, got {days}")
    out = []
    start = period.since
    while start <= period.until:
        end = min(period.until, start + timedelta(days=days - 1))
        out.append(Window(start, end))
        start = end + timedelta(days=1)
    return out


def is_finished(window: Window, today: date) -> bool:
    """A window still open (ending today or later) can gain articles: it is never recorded done."""
    return window.until < today


# Bing News only filters by age relative to now (`qft=interval="N"`): its codes and reach in days.
BING_INTERVALS = ((1, "7"), (7, "8"), (30, "9"))  # past 24 hours, past week, past month


def bing_interval(window: Window, today: date) -> str | None:
    """The narrowest relative interval that still covers the window's first day; None if none does."""
    age = (today - window.since).days
    for reach, code in BING_INTERVALS:
        if age < reach:
            return code
    return None


def source_key(source: dict[str, Any], queries: list[str] | None) -> str:
    """A short hash of what a source asks for: a window done with other queries or another URL is not done."""
    wanted = {"kind": source["kind"], "url": source["url"], "queries": list(queries or []),
              "languages": source.get("languages") or []}
    return hashlib.sha1(json.dumps(wanted, sort_keys=True).encode("utf-8")).hexdigest()[:12]


def listed_day(value: str | None) -> date | None:
    """The calendar day of a date as feeds and sitemaps write it (ISO 8601 or RFC 822); None if unreadable."""
    if not value:
        return None
    from rassegna.extraction.dates import parse_date

    when, _ = parse_date(value)
    return when.date() if when is not None else None
