"""Extraction on the fixture outlets' real-world-shaped pages, against tests/fixtures/site/expected.json.

In the style of trafilatura's own tests: for every page expected to be an article,
the main text must hold the article's key phrases and none of the boilerplate
(navigation, sidebars, reader comments, cookie banners, footers), and the title
must be the article's own.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from rassegna.extraction.article import NotAnArticle, decode_html, extract_article

SITE = Path(__file__).parent / "fixtures" / "site"
BASE = "http://127.0.0.1:8000"
_PLACEHOLDER = re.compile(rb"\{\{BASE(?::[A-Za-z0-9_.-]+)?\}\}")


def load_page(outlet: str, path: str) -> tuple[str, str]:
    """(decoded html, url) of a fixture page, as the demo server would serve it."""
    file = SITE / outlet / path.lstrip("/")
    body = _PLACEHOLDER.sub(BASE.encode(), file.read_bytes())
    sidecar = file.with_name(file.name + ".headers")
    content_type = "text/html"
    if sidecar.is_file():
        content_type = json.loads(sidecar.read_text("utf-8")).get("Content-Type", content_type)
    html, _ = decode_html(body, content_type)
    return html, BASE + path


ARTICLES = [
    pytest.param(entry, id=f"{entry['outlet']}{entry['path']}")
    for entry in json.loads((SITE / "expected.json").read_text("utf-8"))
    if entry["expect"] == "article"
]


def test_expected_json_has_articles() -> None:
    assert len(ARTICLES) >= 15


@pytest.mark.parametrize("entry", ARTICLES)
def test_article_page(entry: dict) -> None:
    html, url = load_page(entry["outlet"], entry["path"])
    article = extract_article(html, url)
    missing = [p for p in entry["must_contain"] if p not in article.text]
    leaked = [p for p in entry["must_not_contain"] if p in article.text]
    assert not missing, f"main text lacks {missing}"
    assert not leaked, f"boilerplate in main text: {leaked}"
    assert article.title == entry["title"]


def test_home_page_is_not_an_article() -> None:
    html, url = load_page("tech-weekly", "/index.html")
    assert 'property="og:type" content="website"' in html  # the premise of this test
    with pytest.raises(NotAnArticle):
        extract_article(html, BASE + "/", require_article_markup=True)


@pytest.mark.parametrize("path", ["/sections/companies.html", "/sections/climate.html"])
def test_section_pages_are_not_articles(path: str) -> None:
    html, url = load_page("tech-weekly", path)
    with pytest.raises(NotAnArticle):
        extract_article(html, url, require_article_markup=True)


def test_short_page_is_not_an_article() -> None:
    html = "<html><head><title>Breve</title></head><body><article><p>Solo una riga.</p></article></body></html>"
    with pytest.raises(NotAnArticle):
        extract_article(html, BASE + "/breve.html")


def test_a_canonical_naming_the_home_page_does_not_rename_the_article() -> None:
    body = "<p>" + "Testo di prova dell'articolo sulla filiera veneta. " * 10 + "</p>"
    html = (
        "<html lang='it'><head><title>Una notizia</title>"
        "<link rel='canonical' href='https://www.giornale.it/'></head>"
        f"<body><article><h1>Una notizia</h1>{body}</article></body></html>"
    )
    article = extract_article(html, "https://www.giornale.it/economia/una-notizia.html")
    assert article.url == "https://www.giornale.it/economia/una-notizia.html"
    assert article.declared_canonical == "https://www.giornale.it/"
