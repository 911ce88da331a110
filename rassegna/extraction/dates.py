"""Publication date with the signal it came from, and every other date the page offered.

The signals, most reliable first:
  jsonld   datePublished in the page's JSON-LD (the publisher's own structured data);
  meta     article:published_time and its relatives in <head>, itemprop=datePublished;
  listed   the date the feed or sitemap gave for this URL (may be a lastmod);
  url      a /2025/09/17/ style date in the URL (day only);
  seen     when a search engine first saw the URL (GDELT's seendate): after the page's own
           signals and its URL, since an engine may crawl a page weeks after it appeared;
  htmldate htmldate's find_date (original_date, no extensive search): a heuristic;
and, only when none of those gave a date but a search engine's sighting (the fallback, see
`choose_date`):
  byline   the date a reader sees ("Pubblicato il 3 luglio 2025, 10:30", "2 ore fa"),
           see rassegna.extraction.bylines; an update date is never taken; it ranks
           just after the URL, above the engine's sighting;
  extensive htmldate's extensive search over the raw page (comments included).

htmldate already runs inside trafilatura's metadata extraction, so its answer is taken
from there rather than computed again: it costs nothing more, and the candidates list
always holds it (a date found by none of the cheaper signals is still htmldate's).
A page with no date gets None, never the fetch time: NULL tells the analyst the page
carried no date, a fetch time would look like a real one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any
from collections.abc import Callable
from zoneinfo import ZoneInfo

from htmldate.extractors import extract_url_date
from lxml import etree
from htmldate.settings import MIN_DATE
from htmldate.utils import Extractor

from rassegna.extraction.jsonld import is_article_node, jsonld_nodes

ROME = ZoneInfo("Europe/Rome")
SIGNALS = ("jsonld", "meta", "listed", "url", "byline", "seen", "htmldate", "extensive")

# Meta names, most specific first; matched lower-cased on name, property and itemprop.
_META_KEYS = (
    "article:published_time",
    "og:published_time",
    "dc.date.issued",
    "pubdate",
    "date",
    "parsely-pub-date",
    "sailthru.date",
    "datepublished",
)
_METAS = etree.XPath("//meta[@content]")
_MICRODATA = etree.XPath('//*[@itemprop="datePublished"][not(self::meta)]/@datetime')
_DAY_ONLY = re.compile(r"^\s*\d{4}-?\d{2}-?\d{2}\s*$")
# find_date's own options, for its URL helper: day precision, plausible years only.
_URL_OPTIONS = Extractor(False, datetime(2100, 1, 1), MIN_DATE, True, "%Y-%m-%d")


@dataclass(frozen=True)
class DateChoice:
    published_at: datetime | None  # UTC, naive; for 'day' precision that day at 00:00
    precision: str | None  # 'time' | 'day' | 'hour' (a relative date: "2 ore fa")
    signal: str | None  # which of SIGNALS won
    candidates: list[dict[str, Any]] = field(default_factory=list)  # {signal, value, precision}
    conflict: bool = False
    # The calendar day as the page wrote it, in the page's own zone (YYYY-MM-DD).
    local_day: str | None = None


def parse_date(value: str | None) -> tuple[datetime | None, str | None]:
    """ISO 8601 or RFC 822 text -> (UTC naive datetime, 'time' | 'day'), or (None, None).

    Offset-less times are Italian time (these are Italian pages). A time of exactly
    00:00:00 is read as a bare date: CMSs and htmldate pad day-only dates with midnight,
    and real articles stamped at midnight sharp are far rarer. A date after tomorrow is
    no publication date (a template's placeholder, an event announced, or a page
    crafted to overflow the conversion): it is no candidate.
    """
    try:
        parsed, precision = _parse_date(value)
    except (OverflowError, ValueError):
        return None, None
    if parsed is not None and parsed > datetime.now(timezone.utc).replace(tzinfo=None) + timedelta(days=1):
        return None, None
    return parsed, precision


def _parse_date(value: str | None) -> tuple[datetime | None, str | None]:
    if not value or not value.strip():
        return None, None
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None, None
        if parsed.tzinfo is None:
            # RFC 822's "-0000": a UTC time whose local zone is unknown, not Italian time.
            parsed = parsed.replace(tzinfo=timezone.utc)
    if parsed.replace(tzinfo=None) < MIN_DATE:
        # 0001-01-01 and 1970-01-01 are empty fields of a template, not dates.
        return None, None
    if _DAY_ONLY.match(text):
        return parsed.replace(tzinfo=None), "day"
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ROME)
    if (parsed.hour, parsed.minute, parsed.second, parsed.microsecond) == (0, 0, 0, 0):
        return parsed.replace(tzinfo=None), "day"
    return parsed.astimezone(timezone.utc).replace(tzinfo=None), "time"


def _jsonld_values(nodes: list[dict[str, Any]]) -> list[str]:
    # The article's own datePublished before that of the WebPage or WebSite around it.
    ordered = sorted(nodes, key=lambda n: not is_article_node(n))
    return [n["datePublished"] for n in ordered if isinstance(n.get("datePublished"), str)]


def _meta_values(tree) -> list[str]:
    found: dict[str, list[str]] = {}
    for meta in _METAS(tree):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip().lower()
        if key in _META_KEYS:
            found.setdefault(key, []).append(meta.get("content"))
    # <time itemprop="datePublished" datetime="..."> is microdata's form of the same.
    for value in _MICRODATA(tree):
        found.setdefault("datepublished", []).append(str(value))
    return [v for key in _META_KEYS for v in found.get(key, [])]


def _calendar_day(value: datetime, precision: str) -> datetime:
    if precision in ("day", "year"):
        return value
    return value.replace(tzinfo=timezone.utc).astimezone(ROME).replace(tzinfo=None, hour=0, minute=0, second=0, microsecond=0)


def choose_date(
    tree,
    url: str | None,
    listed_date: str | None = None,
    htmldate_value: str | None = None,
    jsonld: list[dict[str, Any]] | None = None,
    seen_date: str | None = None,
    fallback: Callable[[], list[tuple[str, str | None, str | None]]] | None = None,
) -> DateChoice:
    """Every date candidate of the page, and the most reliable one as the publication date.

    `htmldate_value` is find_date's output (as trafilatura's metadata gives it);
    `jsonld` the page's JSON-LD objects if the caller has read them already.
    `fallback` gives (signal, value, precision or None) of the costlier searches; it is
    called only when the cheap signals found nothing.
    """
    raw: list[tuple[str, str | None, str | None]] = []
    raw += [("jsonld", v, None) for v in _jsonld_values(jsonld if jsonld is not None else jsonld_nodes(tree))]
    raw += [("meta", v, None) for v in _meta_values(tree)]
    raw.append(("listed", listed_date, None))
    raw.append(("url", extract_url_date(url, _URL_OPTIONS) if url else None, None))
    raw.append(("seen", seen_date, None))
    raw.append(("htmldate", htmldate_value, None))

    candidates: list[dict[str, Any]] = []
    parsed: list[tuple[str, datetime, str]] = []
    values: list[str] = []
    seen: set[tuple[str, datetime, str]] = set()

    def read(items: list[tuple[str, str | None, str | None]]) -> None:
        for signal, value, given_precision in items:
            when, precision = parse_date(value)
            if when is None or precision is None or (signal, when, precision) in seen:
                continue
            precision = given_precision or precision
            seen.add((signal, when, precision))
            if precision != "year":
                # A year alone (htmldate's guess from a copyright line) is shown as a
                # candidate but never stored as the date: 1 January would read as a day.
                values.append(value)
                parsed.append((signal, when, precision))
            candidates.append({
                "signal": signal,
                "value": when.date().isoformat() if precision in ("day", "year") else when.isoformat(),
                "precision": precision,
            })

    read(raw)
    # A search engine's first sighting is no date of the page's own: a visible byline beats it.
    if fallback is not None and all(signal == "seen" for signal, _, _ in parsed):
        read(fallback())
    if not parsed:
        return DateChoice(None, None, None, candidates, False)
    # The most reliable signal wins (SIGNALS order; the sort is stable within a signal).
    order = sorted(range(len(parsed)), key=lambda i: SIGNALS.index(parsed[i][0]))
    parsed[:] = [parsed[i] for i in order]
    values[:] = [values[i] for i in order]
    signal, published_at, precision = parsed[0]
    days = [_calendar_day(when, p) for _, when, p in parsed]
    # One calendar day of slack: a day-only value against a time near midnight, a feed
    # that stamps in UTC what Rome calls the next day, or a sitemap listing the day after
    # a late-evening story all differ by one day without any signal being wrong. Two or
    # more days apart means one signal names another event (an update, a reprint, a
    # template's stale date) and the analyst should look.
    conflict = max(days) - min(days) > timedelta(days=1)
    return DateChoice(published_at, precision, signal, candidates, conflict, _local_day(parsed, values))


def _written_day(value: str) -> tuple[str, bool]:
    """The calendar day as written in the value, and whether the value carried a local offset."""
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        parsed = parsedate_to_datetime(text)
    offset = parsed.utcoffset()
    return parsed.date().isoformat(), offset is not None and offset != timedelta(0)


def _local_day(parsed: list[tuple[str, datetime, str]], values: list[str]) -> str:
    """The publication day as the publisher's own calendar has it.

    A time stamped in UTC may fall on the publisher's next day. The publisher's day is
    then read from the same moment written with its local offset, else from its URL's
    date or from htmldate's reading of the page, when they name that day give or take one.
    """
    signal, when, precision = parsed[0]
    winner = _calendar_day(when, precision)
    try:
        day, local = _written_day(values[0])
        if local or precision in ("day", "year"):
            return day
        for (_s, other, _p), value in zip(parsed, values):
            if other == when:
                other_day, other_local = _written_day(value)
                if other_local:
                    return other_day
        for wanted in ("url", "htmldate"):
            for (other_signal, other, other_precision), value in zip(parsed, values):
                if other_signal == wanted and abs(_calendar_day(other, other_precision) - winner) <= timedelta(days=1):
                    return _written_day(value)[0]
        return day
    except (TypeError, ValueError, IndexError, OverflowError):
        return when.date().isoformat()
