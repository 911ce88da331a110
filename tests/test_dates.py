"""Publication dates with their signal, on saved pages under tests/fixtures/dates (written for these tests).

Order of trust: JSON-LD, meta tags, the feed's or sitemap's date, a date in the URL,
htmldate. Times are stored in UTC; offset-less times are Italian time; a page with no
date has none (never the fetch time).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from conftest import WATCHLIST
from rassegna.config import load_watchlist
from rassegna.extraction.dates import choose_date, parse_date
from rassegna.extraction.article import Article, extract_article
from rassegna.matching.matcher import Matcher
from rassegna.pipeline import process_page
from trafilatura.utils import load_html

DATES = Path(__file__).parent / "fixtures" / "dates"
SITE = "https://www.giornale-di-prova.it"


def extract(name: str, path: str = "/economia/consorzio.html", listed_date: str | None = None) -> Article:
    return extract_article((DATES / name).read_text("utf-8"), SITE + path, listed_date=listed_date)


def signals(article: Article) -> list[str]:
    return [c["signal"] for c in article.date_candidates]


def test_jsonld_article_date_wins_over_meta_url_and_its_webpage() -> None:
    article = extract("jsonld-graph.html", "/2025/09/17/consorzio/", listed_date="2025-09-17T09:00:00+02:00")
    assert article.date_signal == "jsonld"
    # The NewsArticle's 08:45 in Rome, not the WebPage's date in the same @graph.
    assert article.published_at == datetime(2025, 9, 17, 6, 45)
    assert article.date_precision == "time"
    assert {"jsonld", "meta", "listed", "url", "htmldate"} <= set(signals(article))
    assert {"signal": "url", "value": "2025-09-17", "precision": "day"} in article.date_candidates
    assert not article.date_conflict


def test_meta_date_when_jsonld_is_broken_and_meta_order_decides() -> None:
    article = extract("meta-only.html")
    assert article.date_signal == "meta"
    # article:published_time (12:30 in Rome) before parsely-pub-date (11:00 UTC).
    assert article.published_at == datetime(2025, 9, 18, 10, 30)
    meta = [c["value"] for c in article.date_candidates if c["signal"] == "meta"]
    assert meta == ["2025-09-18T10:30:00", "2025-09-18T11:00:00"]
    assert "jsonld" not in signals(article)


def test_listed_date_rfc822_when_the_page_has_no_date_markup() -> None:
    article = extract("no-markup.html", "/economia/borse-di-studio.html", listed_date="Fri, 19 Sep 2025 16:20:00 +0200")
    assert article.date_signal == "listed"
    assert article.published_at == datetime(2025, 9, 19, 14, 20)
    assert article.date_precision == "time"


def test_listed_date_beats_the_url_date() -> None:
    article = extract("no-markup.html", "/2025/09/18/borse-di-studio.html", listed_date="2025-09-19")
    assert article.date_signal == "listed"
    assert article.published_at == datetime(2025, 9, 19)
    assert article.date_precision == "day"
    # A sitemap's day after the URL's: within the one-day tolerance.
    assert not article.date_conflict


def test_url_date_when_nothing_else_is_there() -> None:
    article = extract("no-markup.html", "/2025/09/19/borse-di-studio.html")
    assert article.date_signal == "url"
    assert article.published_at == datetime(2025, 9, 19)
    assert article.date_precision == "day"


def test_two_candidates_weeks_apart_are_a_conflict() -> None:
    article = extract("conflict.html")
    assert article.date_signal == "jsonld"
    assert article.published_at == datetime(2025, 9, 10)
    assert article.date_precision == "day"
    assert article.date_conflict


def test_offsetless_time_is_rome_time() -> None:
    article = extract("offsetless.html", listed_date="2025-09-20T21:30:00Z")
    assert article.date_signal == "meta"
    # 23:30 in Rome on 20 September (summer time) is 21:30 UTC.
    assert article.published_at == datetime(2025, 9, 20, 21, 30)
    assert article.date_precision == "time"
    assert not article.date_conflict


def test_page_without_any_date_has_none() -> None:
    article = extract("no-date.html", "/economia/quote-soci.html")
    assert article.published_at is None
    assert article.date_precision is None
    assert article.date_signal is None
    assert article.date_candidates == []
    assert not article.date_conflict


def test_process_page_passes_the_listed_date() -> None:
    matcher = Matcher(load_watchlist(WATCHLIST))
    record = {"source": "giornale", "url": SITE + "/economia/borse.html", "listed_by": "sitemap",
              "fetched_at": "2025-09-26T10:00:00+00:00", "listed_date": "2025-09-19T08:00:00+02:00",
              "html": (DATES / "no-markup.html").read_text("utf-8")}
    processed = process_page(record, matcher)
    assert processed.article is not None
    assert processed.article.date_signal == "listed"
    assert processed.article.published_at == datetime(2025, 9, 19, 6, 0)


def test_parse_date_forms() -> None:
    assert parse_date("2025-09-17T08:45:00.000+0200") == (datetime(2025, 9, 17, 6, 45), "time")
    assert parse_date("Wed, 17 Sep 2025 08:45:00 GMT") == (datetime(2025, 9, 17, 8, 45), "time")
    assert parse_date("2025-01-17T08:45:00") == (datetime(2025, 1, 17, 7, 45), "time")  # winter: UTC+1
    assert parse_date("2025-09-17T00:00:00+02:00") == (datetime(2025, 9, 17), "day")
    assert parse_date("0001-01-01T00:00:00") == (None, None)
    assert parse_date("17 settembre 2025") == (None, None)
    assert parse_date(None) == (None, None)


def test_a_day_only_value_and_a_late_evening_time_are_no_conflict() -> None:
    tree = load_html('<html><head><meta property="article:published_time" content="2025-09-17T23:40:00+02:00">'
                     "</head><body><p>x</p></body></html>")
    choice = choose_date(tree, SITE + "/a.html", listed_date="2025-09-18")
    assert choice.signal == "meta" and not choice.conflict
    choice = choose_date(tree, SITE + "/a.html", listed_date="2025-09-19T10:00:00+02:00")
    assert choice.conflict


HOSTILE = """<html><head><title>Una notizia qualunque</title>{head}</head><body><article><h1>Una notizia qualunque</h1>
<p>{text}</p></article></body></html>""".replace("{text}", "La giunta regionale ha approvato il bilancio di previsione. " * 8)


def test_dates_beyond_tomorrow_or_beyond_the_calendar_are_no_candidates() -> None:
    assert parse_date("9999-12-31T23:59:59Z") == (None, None)
    assert parse_date("9999-12-31T23:59:59-05:00") == (None, None)
    assert parse_date("Fri, 31 Dec 9999 23:00:00 -0500") == (None, None)
    assert parse_date("2099-01-01T10:00:00+01:00") == (None, None)
    page = HOSTILE.format(head='<meta property="article:published_time" content="9999-12-31T23:59:59-05:00">')
    article = extract_article(page, "https://giornale.example/notizia.html", listed_date="Fri, 31 Dec 9999 23:00:00 -0500")
    assert article.published_at is None and article.date_candidates == []


def test_json_ld_nested_past_the_parser_s_depth_is_skipped_not_fatal() -> None:
    deep = '<script type="application/ld+json">' + "[" * 100_000 + "</script>"
    good = '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2025-09-17T10:00:00+02:00"}</script>'
    article = extract_article(HOSTILE.format(head=deep + good), "https://giornale.example/notizia.html")
    assert article.date_signal == "jsonld" and article.published_at == datetime(2025, 9, 17, 8, 0)
