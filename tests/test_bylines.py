"""Dates read from the visible byline when the page's structured signals say nothing.

Saved pages under tests/fixtures/dates/byline-*.html (written for these tests): one per
Italian byline pattern, and an English one. The publication date is taken, never the
update date printed beside it; relative bylines are read against the fetch time and keep
their precision; a date kept only in an HTML comment is found by htmldate's extensive
search over the raw page; a page too short to keep still hands over its date.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from conftest import WATCHLIST

from rassegna.config import load_watchlist
from rassegna.extraction.article import Article, NotAnArticle, extract_article
from rassegna.matching.matcher import Matcher
from rassegna.pipeline import process_page

DATES = Path(__file__).parent / "fixtures" / "dates"
URL = "https://www.gazzetta-di-prova.it/economia/castelfranco.html"
FETCHED = datetime(2025, 7, 6, 12, 0)  # UTC: 14:00 in Rome


def extract(name: str) -> Article:
    return extract_article((DATES / name).read_text("utf-8"), URL, fetched_at=FETCHED)


@pytest.mark.parametrize(
    ("name", "published_at", "precision"),
    [
        # "Pubblicato il 3 luglio 2025, 10:30 · Aggiornato il 6 luglio 2025, 18:05"
        ("byline-pubblicato-aggiornato.html", datetime(2025, 7, 3, 8, 30), "time"),
        # The update comes first on the page: still not the publication.
        ("byline-aggiornato-prima.html", datetime(2025, 7, 3), "day"),
        # "3 lug 2025" in the byline; a related article's "28 giu 2025" further down.
        ("byline-mese-abbreviato.html", datetime(2025, 7, 3), "day"),
        # "03/07/2025 alle 10:30" under the headline, "Ultima modifica: 06/07/2025" below.
        ("byline-numerica.html", datetime(2025, 7, 3, 8, 30), "time"),
        # "Published July 3, 2025 | Updated July 6, 2025"
        ("byline-english.html", datetime(2025, 7, 3), "day"),
    ],
)
def test_byline_gives_the_publication_date_never_the_update(name: str, published_at: datetime, precision: str) -> None:
    article = extract(name)
    assert article.published_at == published_at
    assert article.date_precision == precision
    # htmldate's fast mode reads some English bylines itself; it must agree.
    assert article.date_signal == "byline" or (name == "byline-english.html" and article.date_signal == "htmldate")
    assert article.published_day == "2025-07-03"
    assert not any(c["value"].startswith("2025-07-06") for c in article.date_candidates)


def test_hours_ago_against_the_fetch_time_with_hour_precision() -> None:
    article = extract("byline-ore-fa.html")  # "2 ore fa", fetched at 12:00 UTC
    assert article.published_at == datetime(2025, 7, 6, 10, 0)
    assert article.date_precision == "hour"
    assert article.date_signal == "byline"


def test_yesterday_at_a_time_is_read_in_rome() -> None:
    article = extract("byline-ieri.html")  # "ieri alle 18:30": 5 July 18:30 in Rome
    assert article.published_at == datetime(2025, 7, 5, 16, 30)
    assert article.date_precision == "time"


def test_relative_byline_without_a_fetch_time_gives_no_date() -> None:
    html = (DATES / "byline-ore-fa.html").read_text("utf-8")
    article = extract_article(html, URL)
    assert article.published_at is None


def test_a_date_kept_only_in_an_html_comment_is_found_by_the_extensive_search() -> None:
    article = extract("comment-rdf.html")
    assert article.published_at == datetime(2025, 7, 3, 8, 30)
    assert article.date_signal == "extensive"


def test_structured_signals_still_win_and_the_fallback_does_not_run() -> None:
    html = (DATES / "byline-pubblicato-aggiornato.html").read_text("utf-8").replace(
        "</head>", '<meta property="article:published_time" content="2025-07-03T10:29:00+02:00"></head>'
    )
    article = extract_article(html, URL)
    assert article.date_signal == "meta"
    assert not {"byline", "extensive"} & {c["signal"] for c in article.date_candidates}


def test_a_byline_date_inside_a_script_is_no_byline_and_a_year_is_no_date() -> None:
    html = (DATES / "no-date.html").read_text("utf-8").replace(
        "</article>", '<script>var label = "Pubblicato il 1 luglio 2025";</script></article>'
    )
    article = extract_article(html, URL)
    assert article.published_at is None
    # htmldate's extensive search finds the year in the script: a candidate, never the date.
    assert all(c["precision"] == "year" for c in article.date_candidates)


def test_a_page_too_short_to_keep_still_hands_over_its_jsonld_date() -> None:
    html = (
        '<html lang="it"><head><title>Breve</title><script type="application/ld+json">'
        '{"@type": "NewsArticle", "headline": "Breve", "datePublished": "2025-07-03T10:30:00+02:00"}'
        "</script></head><body><article><h1>Breve</h1><p>Solo una riga.</p></article></body></html>"
    )
    with pytest.raises(NotAnArticle) as caught:
        extract_article(html, URL)
    assert caught.value.dates is not None
    assert caught.value.dates.published_at == datetime(2025, 7, 3, 8, 30)
    assert caught.value.published_day == "2025-07-03"


def test_the_pipeline_reads_relative_bylines_against_the_crawls_fetch_time() -> None:
    record = {"source": "gazzetta", "url": URL, "listed_by": "feed", "fetched_at": "2025-07-06T12:00:00+00:00",
              "html": (DATES / "byline-ore-fa.html").read_text("utf-8")}
    processed = process_page(record, Matcher(load_watchlist(WATCHLIST)))
    assert processed.article is not None
    assert processed.article.published_at == datetime(2025, 7, 6, 10, 0)
    assert processed.article.date_precision == "hour"


def test_the_date_search_never_fetches_a_page_that_looks_like_an_address():
    """htmldate fetches a str that looks like a URL with its own client, past the private-address
    guard: a page whose body starts with an internal address must not make it call out."""
    import http.server
    import threading

    from rassegna.extraction.article import NotAnArticle, extract_article

    asked: list[str] = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            asked.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"<html><head><meta property='article:published_time' content='2020-01-02'></head></html>")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        page = f"http://127.0.0.1:{server.server_port}/latest/meta-data<html><body><h1>T</h1><p>x</p></body></html>"
        try:
            extract_article(page, "https://news.example.it/a")
        except NotAnArticle:
            pass
    finally:
        server.shutdown()
    assert asked == []
