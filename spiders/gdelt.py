"""GDELT DOC 2.0 API, artlist mode, JSON: one request per search and language."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote, urlencode

from scrapy.http import Response

from rassegna.config import GDELT_LANGUAGES
from rassegna.queries import gdelt_queries
from spiders.discovery import DiscoverySpider, InvalidAnswer, is_http
from spiders.listings import Listed


def gdelt_date(value: Any) -> str | None:
    """GDELT's seendate (20250917T093000Z) in ISO form; None if it is not one."""
    try:
        return datetime.strptime(str(value), "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc).isoformat()
    except ValueError:
        return None


class GdeltSpider(DiscoverySpider):
    """GDELT DOC 2.0, artlist mode. Its endpoint is one slot, one request at a time (spiders.crawl)."""

    kind = "gdelt"

    def search_urls(self, query: str) -> list[str]:
        urls = []
        for text in gdelt_queries(query):
            for language in self.source.get("languages") or GDELT_LANGUAGES:
                params = {"query": f"{text} sourcelang:{language}", "mode": "artlist", "format": "json",
                          "maxrecords": "250", "sort": "datedesc"}
                urls.append(f"{self.source['url']}?{urlencode(params, quote_via=quote)}")
        return urls

    def answer_entries(self, response: Response) -> list[Listed]:
        # Errors come back as plain text with status 200 ("The specified phrase is too short.").
        try:
            answer = json.loads(response.body)
        except ValueError:
            text = response.body[:300].decode("utf-8", "replace").strip()
            raise InvalidAnswer(f"not JSON: {text}") from None
        articles = answer.get("articles", []) if isinstance(answer, dict) else None
        if not isinstance(articles, list):
            raise InvalidAnswer("JSON without an articles list")
        listed = []
        for article in articles:
            if not isinstance(article, dict) or not is_http(article.get("url")):
                continue
            title = article.get("title") if isinstance(article.get("title"), str) else None
            listed.append(Listed(article["url"], gdelt_date(article.get("seendate")), title))
        return listed
