"""Consent walls and paywalls on saved pages under tests/fixtures/walls (written for these tests).

In trafilatura's style: each page is an article whose text must hold its key phrases
and none of the wall's copy, or it is no article and the skip says which wall.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import WATCHLIST
from rassegna.config import load_watchlist
from rassegna.extraction.article import NotAnArticle, extract_article
from rassegna.funnel import Funnel
from rassegna.matching.matcher import Matcher
from rassegna.pipeline import process_page

WALLS = Path(__file__).parent / "fixtures" / "walls"
URL = "https://www.giornale-di-prova.it/economia/"


def page(name: str) -> str:
    return (WALLS / name).read_text("utf-8")


def skipped(name: str) -> NotAnArticle:
    with pytest.raises(NotAnArticle) as caught:
        extract_article(page(name), URL + name)
    return caught.value


def test_iubenda_consent_interstitial_is_a_consent_wall() -> None:
    exc = skipped("consent-iubenda.html")
    assert exc.reason == "consent-wall"
    assert str(exc).startswith("consent-wall")


def test_pay_or_accept_cookie_wall_is_a_consent_wall_not_a_paywall() -> None:
    # Its "Sei già abbonato? Accedi" sits inside the Didomi dialog: consent copy.
    assert "Sei già abbonato" in page("consent-didomi-pay-or-accept.html")
    exc = skipped("consent-didomi-pay-or-accept.html")
    assert exc.reason == "consent-wall"


def test_consent_interstitial_met_in_a_site_crawl_says_so() -> None:
    with pytest.raises(NotAnArticle) as caught:
        extract_article(page("consent-iubenda.html"), URL, require_article_markup=True)
    assert caught.value.reason == "consent-wall"


def test_article_with_a_cookie_banner_is_an_article() -> None:
    article = extract_article(page("article-with-cookie-banner.html"), URL + "mobile-livenza.html")
    assert not article.teaser
    for phrase in ("distretto del mobile di Livenza", "tappezzieri e tecnici del legno"):
        assert phrase in article.text
    for phrase in ("cookie di profilazione", "Gestisci le preferenze", "Accetta tutti"):
        assert phrase not in article.text


def test_short_article_about_cookie_banners_is_not_a_consent_wall() -> None:
    # Without its quoted "Accetta e continua" paragraph it would be under 200 characters,
    # and the page does carry a banner: only the article's own markup tells it apart.
    article = extract_article(page("cookie-law-article.html"), URL + "garante-cookie.html")
    assert "«Accetta e continua»" in article.text
    assert "Questo sito utilizza cookie." not in article.text


def test_a_cmp_class_on_the_page_wrapper_does_not_make_the_page_a_consent_wall() -> None:
    html = page("cookie-law-article.html").replace("<body>", '<body class="iubenda-cs-visible">')
    assert 'class="iubenda-cs-visible"' in html  # the premise of this test
    article = extract_article(html, URL + "garante-cookie.html")
    assert "«Accetta e continua»" in article.text


def test_hard_paywall_is_a_paywall() -> None:
    exc = skipped("hard-paywall.html")
    assert exc.reason == "paywall"
    assert str(exc).startswith("paywall")


def test_english_paywall_is_a_paywall() -> None:
    exc = skipped("english-paywall.html")
    assert exc.reason == "paywall"
    assert "content_tier locked" in str(exc)


def test_paywalled_teaser_is_an_article_without_the_pitch() -> None:
    article = extract_article(page("teaser-jsonld.html"), URL + "galvanica-schio.html")
    assert article.teaser
    assert "prelievo dalla falda è sceso del settanta per cento" in article.text
    assert "università di Padova" in article.text
    for phrase in ("Contenuto riservato agli abbonati", "1 € alla settimana", "Abbonati ora"):
        assert phrase not in article.text


def test_free_article_is_not_a_teaser() -> None:
    body = "<p>" + "La cooperativa agricola ha aperto un nuovo magazzino frigorifero a Gravina. " * 5 + "</p>"
    html = f"<html lang='it'><head><title>Magazzino</title></head><body><article><h1>Magazzino</h1>{body}</article></body></html>"
    assert not extract_article(html, URL + "magazzino.html").teaser


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(load_watchlist(WATCHLIST))


def test_pipeline_skip_reasons_and_funnel_count_walls_apart(matcher: Matcher) -> None:
    pages = {
        "consent-iubenda.html": "consent-wall",
        "hard-paywall.html": "paywall",
        "english-paywall.html": "paywall",
    }
    records = [
        {"source": "giornale", "url": URL + name, "listed_by": "feed", "fetched_at": "2025-09-26T10:00:00+00:00",
         "html": page(name)}
        for name in pages
    ]
    short = "<html><head><title>Breve</title></head><body><article><p>Solo una riga.</p></article></body></html>"
    records.append({"source": "giornale", "url": URL + "breve.html", "listed_by": "feed", "html": short})
    processed = [process_page(record, matcher) for record in records]
    assert [p.skip_reason for p in processed[:3]] == list(pages.values())
    assert processed[3].skip_reason.startswith("not-article: ")
    assert processed[0].skip_detail.startswith("consent-wall: ")

    funnel = Funnel()
    funnel.add_processed(processed)
    assert dict(funnel.page_skips["giornale"]) == {"consent-wall": 1, "paywall": 2, "not-article": 1}
    assert {e["reason"] for e in funnel.skipped_pages} == {"consent-wall", "paywall", "not-article"}
    assert all(e["detail"] for e in funnel.skipped_pages)


def test_pipeline_keeps_a_teaser(matcher: Matcher) -> None:
    record = {"source": "giornale", "url": URL + "galvanica-schio.html", "listed_by": "feed", "html": page("teaser-jsonld.html")}
    processed = process_page(record, matcher)
    assert processed.skip_reason is None and processed.article is not None and processed.article.teaser


def test_a_stored_teaser_is_flagged_in_the_articles_view(matcher: Matcher, tmp_path) -> None:
    import duckdb

    from warehouse import load
    from warehouse.db import connect

    pages = ["teaser-jsonld.html", "article-with-cookie-banner.html"]
    processed = [process_page({"source": "giornale", "url": URL + name, "listed_by": "feed",
                               "fetched_at": "2025-09-26T10:00:00+00:00", "html": page(name)}, matcher) for name in pages]
    with connect(tmp_path / "w.duckdb") as con:
        load.start_run(con, "r1", None, "sources.yaml", str(WATCHLIST), load_watchlist(WATCHLIST), 1)
        load.load_batch(con, "r1", "v", processed)
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        flags = dict(con.execute("SELECT fetched_url, teaser FROM article").fetchall())
    assert flags == {URL + "teaser-jsonld.html": True, URL + "article-with-cookie-banner.html": False}


def test_a_login_link_in_the_site_header_does_not_make_an_article_a_teaser() -> None:
    article = extract_article(page("article-with-login-link.html"), URL + "las-mobili-verniciatura.html")
    assert not article.teaser
    assert "reparto di verniciatura a basse emissioni" in article.text
    assert "abbonato" not in article.text


# A wall phrase only counts where a reader sees it, and a wall's box never holds the article.

def test_a_pitch_only_in_scripts_and_styles_is_no_paywall() -> None:
    # "Subscribe to continue reading" in the page's JSON state, its meter's script and a CSS
    # rule: once the whole <body> was taken as the pitch's box and every line struck.
    assert "Subscribe to continue reading" in page("pitch-in-script-json.html")
    article = extract_article(page("pitch-in-script-json.html"), URL + "cremona-mill.html")
    assert not article.teaser
    for phrase in ("rebuilt one of its two grinding lines", "plans a third line for peas in 2026"):
        assert phrase in article.text


def test_a_pitch_only_in_attributes_is_no_paywall() -> None:
    article = extract_article(page("pitch-in-attributes.html"), URL + "cooperativa-legno.html")
    assert not article.teaser
    assert "cerca venti falegnami" in article.text and "fino alla fine di ottobre" in article.text


def test_a_pitch_only_in_json_left_as_text_is_no_paywall() -> None:
    article = extract_article(page("pitch-as-json-text.html"), URL + "mercato-coperto.html")
    assert not article.teaser
    assert "trentadue banchi" in article.text and "prolungato l'orario dei bus" in article.text


def test_a_pitch_box_never_holds_the_article() -> None:
    # The pitch's named wrapper ("premium-story paywall-ready") also wraps the <article>:
    # the box is the pitch's own line, and the article keeps its text.
    article = extract_article(page("pitch-in-a-box-around-the-article.html"), URL + "oakland-port.html")
    assert article.teaser
    for phrase in ("night shifts at two of its container berths", "premium on night hours"):
        assert phrase in article.text
    assert "Already a subscriber" not in article.text


def test_a_pitch_loose_in_the_body_strikes_its_line_not_the_body() -> None:
    article = extract_article(page("pitch-loose-in-the-body.html"), URL + "orafo-vicenza.html")
    assert article.teaser
    for phrase in ("metà della sua produzione in California", "collezione in argento riciclato"):
        assert phrase in article.text
    assert "Sei già abbonato" not in article.text
