"""`rassegna inspect`: one page through extraction and matching, with every decision shown.

The analyst's question is "why was this matched, or missed?"; the answer is
the same code path the flow runs (decode_html, extract_article, Matcher), on
one page, with rejected candidates alongside accepted ones.
"""

from __future__ import annotations

import urllib.request
from dataclasses import asdict
from pathlib import Path
from typing import Any
from urllib.error import URLError
from urllib.parse import urljoin

from rassegna.extraction.article import NotAnArticle, decode_html, extract_article
from rassegna.matching.matcher import Matcher
from rassegna.pipeline import match_article
from rassegna.netguard import BlockedAddress, check_url

MAX_BYTES = 10 * 1024 * 1024
USER_AGENT = "Rassegna-inspect/0.1"


class _GuardedRedirects(urllib.request.HTTPRedirectHandler):
    """Every redirect hop passes the same private-address guard as the crawler's."""

    def __init__(self, allow_private: bool) -> None:
        self.allow_private = allow_private

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        check_url(urljoin(req.full_url, newurl), self.allow_private)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch(url: str, allow_private: bool = False, timeout: float = 30.0) -> tuple[bytes, str, str]:
    """(body, content type, final URL) of one page, guarded and size-capped."""
    check_url(url, allow_private)
    opener = urllib.request.build_opener(_GuardedRedirects(allow_private))
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    with opener.open(request, timeout=timeout) as response:
        body = response.read(MAX_BYTES + 1)
        if len(body) > MAX_BYTES:
            raise ValueError(f"page larger than {MAX_BYTES} bytes")
        return body, response.headers.get("Content-Type", ""), response.geturl()


def inspect_target(target: str, matcher: Matcher, url: str | None = None, allow_private: bool = False) -> dict[str, Any]:
    report: dict[str, Any] = {"target": target, "url": None, "title": None, "published_at": None,
                              "text": None, "mentions": [], "rejected": [], "error": None}
    try:
        if target.startswith(("http://", "https://")):
            body, content_type, final_url = fetch(target, allow_private)
        else:
            path = Path(target)
            body, content_type, final_url = path.read_bytes(), "", url or path.resolve().as_uri()
        html, encoding = decode_html(body, content_type)
        article = extract_article(html, final_url)
    except (OSError, URLError, ValueError, BlockedAddress, NotAnArticle) as exc:
        report["error"] = f"{type(exc).__name__}: {exc}"
        return report
    report.update(article.as_dict())
    report["encoding"] = encoding
    report["published_at"] = article.published_at.isoformat() if article.published_at else None
    candidates, relevance = match_article(matcher, article.title, article.text)
    for candidate in candidates:
        report["mentions" if candidate.accepted else "rejected"].append(asdict(candidate))
    report["programme_relevance"] = [asdict(r) for r in relevance]
    return report
