"""Main text and headline on saved pages under tests/fixtures/text (written for these tests).

Precision first: the furniture trafilatura leaves in Italian news pages ("Leggi anche",
"Ti potrebbe interessare", photo credits, share bars, newsletter and author boxes,
"© Riproduzione riservata") is removed; a first pass that comes out short runs the
fuller pass, and only then; the headline is the page's own, not its <title>.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from lxml import html as lxml_html

from rassegna.extraction import article as article_module
from rassegna.extraction.article import _starts_in_navigation, extract_article
from rassegna.extraction.boilerplate import strip_boilerplate
from rassegna.extraction.headline import headline, page_labels

TEXT = Path(__file__).parent / "fixtures" / "text"
URL = "https://www.gazzetta-di-prova.it/economia/legno.html"


def page(name: str) -> str:
    return (TEXT / name).read_text("utf-8")


def test_furniture_is_removed_and_the_article_kept() -> None:
    article = extract_article(page("furniture.html"), URL)
    must_contain = [
        "cercano centoventi tecnici nei prossimi due anni",
        "macchine a controllo numerico",
        "corso serale di quattrocento ore",
        "tirocinio retribuito in azienda",
    ]
    must_not_contain = [
        "Leggi anche",
        "Il mobile trevigiano torna a crescere",
        "Ti potrebbe interessare",
        "Oderzo, nuova sede",
        "Foto: Ufficio stampa",
        "Condividi su",
        "Iscriviti alla newsletter",
        "RIPRODUZIONE RISERVATA",
        "L'autore",
        "segue l'economia del Nordest",
        "P.IVA",
        "Sport",
    ]
    assert [p for p in must_contain if p not in article.text] == []
    assert [p for p in must_not_contain if p in article.text] == []
    # The headline is not repeated as the text's first line.
    assert not article.text.startswith(article.title)


def test_headline_is_the_pages_own_not_the_title_tag() -> None:
    # <title> has the site's name and an SEO wording; h1 and JSON-LD agree on the headline.
    article = extract_article(page("furniture.html"), URL)
    assert article.title == "La filiera del legno cerca 120 tecnici"


def test_a_short_first_pass_runs_the_fuller_pass_and_recovers_the_text() -> None:
    before = article_module.STATS.get("fallback_runs", 0)
    article = extract_article(page("no-paragraphs.html"), URL)
    assert article_module.STATS.get("fallback_runs", 0) == before + 1
    assert "Il consorzio delle imprese meccaniche di Castelfranco" in article.text
    assert "completato il tirocinio" in article.text
    assert "Sezione 12" not in article.text
    assert article.title == "Castelfranco, i tecnici di domani"


def test_a_good_first_pass_pays_no_fallback() -> None:
    before = article_module.STATS.get("fallback_runs", 0)
    extract_article(page("furniture.html"), URL)
    assert article_module.STATS.get("fallback_runs", 0) == before


def test_text_starting_in_the_menu_is_recognised() -> None:
    tree = lxml_html.fromstring(
        "<html><body><nav><a href='/'>Home</a><a href='/economia/'>Economia</a></nav>"
        "<p>Il consorzio ha presentato il piano.</p></body></html>"
    )
    assert _starts_in_navigation(tree, "Home\nEconomia\nIl consorzio ha presentato il piano.")
    assert not _starts_in_navigation(tree, "Il consorzio ha presentato il piano.\nHome")


@pytest.mark.parametrize(
    "furniture",
    [
        "Leggi anche: Il mobile trevigiano torna a crescere",
        "LEGGI ANCHE",
        "Foto: Ansa",
        "(c) Gazzetta di Prova 2025",
        "Condividi su Facebook",
        "Seguici su Instagram",
        "Iscriviti alla nostra newsletter",
        "© RIPRODUZIONE RISERVATA",
        "Riproduzione riservata",
        "Tempo di lettura: 3 minuti",
        "Tag: legno, Treviso, formazione",
        "Pubblicato il 3 luglio 2025 alle 10:30",
        "Giovedì 3 luglio 2025",
        "Read more: Timber exports rise",
        "Follow us on Twitter @gazzetta",
    ],
)
def test_furniture_lines(furniture: str) -> None:
    prose = "Il consorzio delle imprese ha presentato il piano per la formazione dei tecnici della zona."
    assert strip_boilerplate(f"{prose}\n{furniture}\n{prose}") == f"{prose}\n{prose}"


def test_a_lead_in_takes_its_list_of_headlines_but_not_the_prose_after() -> None:
    prose = "Il consorzio delle imprese ha presentato il piano per la formazione dei tecnici della zona."
    text = f"{prose}\nTi potrebbe interessare\nOderzo, nuova sede per l'istituto\nSegherie e caro energia\n{prose}"
    assert strip_boilerplate(text) == f"{prose}\n{prose}"


def test_prose_that_mentions_furniture_words_is_kept() -> None:
    lines = [
        "Il consorzio ha deciso di condividere i dati con la Regione, che li pubblicherà in autunno.",
        "Secondo il rapporto, le foto satellitari mostrano un calo dei boschi del 3 per cento.",
        "La newsletter del consorzio, letta da duemila imprese, ha annunciato il corso a giugno scorso.",
        "- Tecnici di produzione: 70 posti",
        "- Manutentori: 50 posti",
    ]
    text = "\n".join(lines)
    assert strip_boilerplate(text) == text


def test_title_without_h1_drops_the_site_name() -> None:
    tree = lxml_html.fromstring(
        '<html><head><meta property="og:site_name" content="Gazzetta di Prova"></head><body><p>x</p></body></html>'
    )
    assert headline(tree, [], "Castelfranco, i tecnici di domani | Gazzetta di Prova") == "Castelfranco, i tecnici di domani"


def test_a_logo_h1_with_the_sites_name_is_no_headline() -> None:
    tree = lxml_html.fromstring(
        '<html><head><meta property="og:site_name" content="Gazzetta di Prova"></head><body>'
        "<h1>Gazzetta di Prova</h1><article><h1>Castelfranco forma i suoi tecnici</h1></article></body></html>"
    )
    assert headline(tree, [], "Castelfranco: corsi serali per tecnici | Gazzetta di Prova") == "Castelfranco forma i suoi tecnici"


def test_a_page_whose_text_only_its_json_ld_carries_is_kept_with_its_date() -> None:
    # The precision-first pass finds nothing; the fuller pass reads the JSON-LD articleBody.
    body = (
        "Il consorzio delle imprese meccaniche di Castelfranco ha presentato il piano per la formazione "
        "dei tecnici.\nIl programma partirà con quaranta studenti e sarà finanziato dalle quote dei soci "
        "e da un contributo della Camera di commercio."
    )
    html = (
        '<html lang="it"><head><title>Castelfranco forma i tecnici</title><script type="application/ld+json">'
        '{"@type": "NewsArticle", "headline": "Castelfranco forma i tecnici", '
        '"datePublished": "2025-07-03T10:30:00+02:00", "articleBody": "' + body.replace("\n", "\\n") + '"}'
        "</script></head><body><article><h1>Castelfranco forma i tecnici</h1>"
        "<div id='app' data-text='caricato da script'></div></article></body></html>"
    )
    article = extract_article(html, URL)
    assert "presentato il piano per la formazione dei tecnici." in article.text
    assert "contributo della Camera di commercio." in article.text
    assert article.title == "Castelfranco forma i tecnici"
    assert article.published_at == datetime(2025, 7, 3, 8, 30)


def test_lines_the_page_marks_as_captions_or_headlines_go() -> None:
    tree = lxml_html.fromstring(
        "<html><head><title>Legno, 120 posti | Gazzetta di Prova</title></head><body>"
        "<h1>La filiera del legno cerca 120 tecnici</h1>"
        "<figure><img src='a.jpg'><figcaption>Il presidente Luca Bortolin a Treviso</figcaption></figure>"
        "</body></html>"
    )
    labels = page_labels(tree, [], "Legno, 120 posti | Gazzetta di Prova")
    prose = "Le aziende della filiera del legno cercano centoventi tecnici nei prossimi due anni."
    text = f"Legno, 120 posti\n{prose}\nIl presidente Luca Bortolin a Treviso\n{prose}"
    assert strip_boilerplate(text, "La filiera del legno cerca 120 tecnici", labels) == f"{prose}\n{prose}"
