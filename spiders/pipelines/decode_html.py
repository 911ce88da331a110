"""Turn a page's bytes into text with the charset rules of rassegna.extraction.article.decode_html.

Scrapy's own decoding trusts a declared charset even when the bytes disagree;
Italian sites that send windows-1252 labelled as UTF-8 need the stricter rule.
"""

from __future__ import annotations

from rassegna.extraction.article import decode_html
from spiders.items import PageItem


class DecodeHtmlPipeline:
    def process_item(self, item: PageItem) -> PageItem:
        if item.outcome == "page" and item.body is not None:
            item.html, item.encoding = decode_html(item.body, item.content_type)
            item.body = None
        return item
