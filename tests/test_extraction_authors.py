"""The author found in one pass (rassegna.extraction.authors) is trafilatura's, rule by rule.

Each case is a page written for one of trafilatura's author rules; the expected name is
written out, so a case where both searches found nothing would fail rather than pass.
"""

from __future__ import annotations

import pytest
from trafilatura.metadata import extract_author
from trafilatura.utils import load_html

from rassegna.extraction.authors import find_author

LONG = "Una firma lunghissima " * 8

CASES = {
    "rel-author link": ('<p>Testo.</p><a rel="author" href="/autori/rossi">Giulia Rossi</a>', "Giulia Rossi"),
    "author element": ("<header><author>Paolo Neri</author></header><p>Testo.</p>", "Paolo Neri"),
    "byline class": ('<div class="byline">Marta Bianchi</div><p>Testo.</p>', "Marta Bianchi"),
    "byline with its time left out": (
        '<p class="byline">Marta Bianchi <time datetime="2025-07-03">3 luglio 2025</time></p>', "Marta Bianchi"),
    "a name in the comments is not the author": (
        '<div id="comments"><span class="author">Lettore Anonimo</span></div>'
        '<span class="post-author">Carlo Verdi</span>', "Carlo Verdi"),
    "a sidebar's byline is not the author": (
        '<div class="widget sidebar"><a class="author">Altro Autore</a></div>'
        '<div class="article-author">Sara Gallo</div>', "Sara Gallo"),
    "the specific mark wins over an earlier generic one": (
        '<em class="writer">Redazione Web</em><p>Testo.</p><a rel="author">Luca Moretti</a>', "Luca Moretti"),
    "a mark too long to be a name is passed over": (
        f'<span class="author-name">{LONG}</span><div class="byline">Anna Costa</div>', "Anna Costa"),
    "itemprop author with the name nested": (
        '<span itemprop="author"><span itemprop="name">Elena Fabbri</span></span>', "Elena Fabbri"),
    "byline data-component": ('<section data-component="Byline">Marco Serra</section>', "Marco Serra"),
    "an article element's category class does not hide it": (
        '<article class="post category-economia"><span class="author">Irene Conti</span><p>Testo.</p></article>',
        "Irene Conti"),
    "a figure's credit is not the author": (
        '<figure><span class="author">Foto Agenzia</span></figure><p class="byline">Dario Ferri</p>', "Dario Ferri"),
    "no mark at all": ("<p>Un articolo senza firma nel markup.</p>", None),
}


@pytest.mark.parametrize("case", CASES, ids=str)
def test_the_one_pass_search_finds_trafilaturas_author(case):
    body, expected = CASES[case]
    html = f"<html><head><title>Pagina</title></head><body><main>{body}</main></body></html>"
    ours = find_author(load_html(html))
    assert ours == extract_author(load_html(html))
    assert ours == expected


GLUED = {
    # trafilatura deletes the <time> and glues its tail to the text before it.
    "a time inside a byline": ('<p class="byline">Mario<time>3 maggio</time>Rossi</p>', "MarioRossi"),
    "the glued text decides the length": (
        '<span class="author">A<time>t</time>B</span><div class="byline">Anna Costa</div>', "Anna Costa"),
    "after a kept sibling": ('<div class="author"><b>M</b>ario<figure>f</figure>Rossi</div>', "M arioRossi"),
    "a rel element saying me": ('<p>x</p><span><rel>me</rel>Giulia Rossi</span><div class="byline">Anna Costa</div>',
                                "Me Giulia Rossi"),
}


@pytest.mark.parametrize("case", GLUED, ids=str)
def test_what_trafilatura_removes_leaves_the_text_around_it_as_trafilatura_does(case):
    body, expected = GLUED[case]
    html = f"<html><body><main>{body}</main></body></html>"
    assert find_author(load_html(html)) == extract_author(load_html(html)) == expected


def _spellings(pattern: str) -> list[str]:
    """Every string a tier's pattern alternative stands for ("[Aa]uthor" -> Author, author; "author-?name")."""
    import itertools
    import re as regex

    found = []
    for alternative in pattern.split("|"):
        pieces = regex.findall(r"\[(\w+)\]|(\w)-\?|(.)", alternative)
        options = [list(cls) if cls else [opt + "-", opt] if opt else [ch] for cls, opt, ch in pieces]
        found += ["".join(p) for p in itertools.product(*options)]
    return found


def test_the_first_test_passes_every_value_a_tier_looks_for():
    from rassegna.extraction import authors

    patterns = [authors._AUTHOR_NAME, authors._TIER1_ID, authors._TIER1_CLASS, authors._TIER2_ID, authors._TIER2_CLASS]
    values = ["author", *authors._TIER1_CLASSES] + [s for p in patterns for s in _spellings(p.pattern)]
    assert len(values) > 20
    assert [v for v in values if not authors._ANY_MARK.search(v)] == []
