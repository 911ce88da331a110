"""GDELT DOC 2.0 API, artlist mode, JSON: one request per search and language (and window, in a backfill)."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from typing import Any

from scrapy.http import Response

from rassegna.archives.windows import Window
from rassegna.config import GDELT_LANGUAGES
from rassegna.queries import gdelt_queries
from spiders.discovery import DiscoverySpider, InvalidAnswer, is_http
from spiders.listings import Listed

# GDELT answers its errors as plain text, usually with status 200. Each known one is
# recorded by its kind; the rate-limit notice is waited out and the search asked again.
_ERRORS = (
    ("Invalid query start date", "gdelt-invalid-start-date"),
    ("Invalid query end date", "gdelt-invalid-end-date"),
    ("Parentheses may only be used around OR", "gdelt-bad-parentheses"),
    ("The specified phrase is too short", "gdelt-phrase-too-short"),
    ("keyword that was too short", "gdelt-keyword-too-short"),
    ("contained an illegal character", "gdelt-illegal-character"),
    ("Your query was too short or too long", "gdelt-query-length"),
)
_RATE_LIMIT = re.compile(r"limit requests to one every (\d+(?:\.\d+)?) seconds?", re.IGNORECASE)
# How often one search is asked again after a rate-limit notice before it is recorded as failed.
RATE_LIMIT_RETRIES = 3
# A backslash not starting a JSON escape ("\'", "\x", a Windows path in a title): GDELT emits them.
_BAD_ESCAPE = re.compile(r'\\(?!["\\/bfnrtu])')


class RateLimited(InvalidAnswer):
    def __init__(self, detail: str, seconds: float) -> None:
        super().__init__(detail, "gdelt-rate-limited")
        self.seconds = seconds


def gdelt_date(value: Any) -> str | None:
    """GDELT's seendate (20250917T093000Z) in ISO form; None if it is not one."""
    try:
        return datetime.strptime(str(value), "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc).isoformat()
    except ValueError:
        return None


def lenient_json(body: bytes) -> Any:
    """JSON as GDELT writes it: invalid backslash escapes are read as a literal backslash."""
    text = body.decode("utf-8", "replace")
    try:
        return json.loads(text)
    except ValueError:
        return json.loads(_BAD_ESCAPE.sub(r"\\\\", text), strict=False)


def plain_text_error(text: str) -> InvalidAnswer:
    wait = _RATE_LIMIT.search(text)
    if wait:
        return RateLimited(text, float(wait.group(1)))
    for marker, reason in _ERRORS:
        if marker.lower() in text.lower():
            return InvalidAnswer(text, reason)
    return InvalidAnswer(f"not JSON: {text}")


class GdeltSpider(DiscoverySpider):
    """GDELT DOC 2.0, artlist mode. Its endpoint is one slot, one request at a time (spiders.crawl)."""

    kind = "gdelt"
    # maxrecords' upper bound: an answer this long was cut, and its window is halved,
    # by days and then, within one day, by hours (down to one).
    result_cap = 250
    splits_hours = True

    def search_params(self, query: str) -> list[dict[str, str]]:
        params = []
        for text in gdelt_queries(query):
            for language in self.source.get("languages") or GDELT_LANGUAGES:
                params.append({"query": f"{text} sourcelang:{language}", "mode": "artlist", "format": "json",
                               "maxrecords": str(self.result_cap), "sort": "datedesc"})
        return params

    def windowed(self, params: dict[str, str], window: Window, hours: tuple[int, int] = (0, 24)) -> dict[str, str]:
        start = window.start_utc() + timedelta(hours=hours[0])
        end = window.end_utc() - timedelta(hours=24 - hours[1])
        return {**params, "startdatetime": start.strftime("%Y%m%d%H%M%S"), "enddatetime": end.strftime("%Y%m%d%H%M%S")}

    async def parse_search(self, response: Response) -> AsyncIterator[Any]:  # type: ignore[override]
        try:
            self.answer_entries(response)
        except RateLimited as exc:
            tries = response.meta.get("rate_limited", 0)
            if tries < RATE_LIMIT_RETRIES:
                # Waits inside this callback only: other sources' requests keep flowing.
                await asyncio.sleep(min(exc.seconds, self.settings.getfloat("RASSEGNA_RETRY_AFTER_MAX", 120.0)))
                self.crawler.stats.inc_value("rassegna/rate_limited")
                yield response.request.replace(meta={**response.request.meta, "rate_limited": tries + 1})
                return
        except InvalidAnswer:
            pass
        for item in super().parse_search(response):
            yield item

    def answer_entries(self, response: Response) -> list[Listed]:
        if not response.body.lstrip()[:1] in (b"{", b"["):
            raise plain_text_error(response.body[:300].decode("utf-8", "replace").strip())
        try:
            answer = lenient_json(response.body)
        except ValueError as exc:
            raise InvalidAnswer(f"unreadable JSON: {exc}") from None
        articles = answer.get("articles", []) if isinstance(answer, dict) else None
        if not isinstance(articles, list):
            raise InvalidAnswer("JSON without an articles list")
        listed = []
        for article in articles:
            if not isinstance(article, dict) or not is_http(article.get("url")):
                continue
            title = article.get("title") if isinstance(article.get("title"), str) else None
            # seendate is when GDELT first saw the page: a weak date, below the page's own.
            listed.append(Listed(article["url"], None, title, seen_date=gdelt_date(article.get("seendate"))))
        return listed
