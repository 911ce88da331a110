"""The article's headline as the page prints it, not its <title>.

<title> often carries the site's name ("Castelfranco, i tecnici | Gazzetta di Prova") or
an SEO wording unlike the printed headline. The page's own <h1> and its structured data
(JSON-LD `headline`, og:title) say what the article is called; <title>, stripped of the
site's name, is the last resort.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from rassegna.extraction.boilerplate import label_key
from rassegna.extraction.jsonld import is_article_node

_H1 = etree.XPath("//body//h1")
_H1_IN_ARTICLE = etree.XPath("//article//h1 | //main//h1 | //*[@itemprop='headline']")
_SEPARATORS = re.compile(r"\s+[|\-–—:·»/]\s+")
_MAX_HEADLINE = 300


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def _key(text: str) -> str:
    return re.sub(r"\W+", " ", text).strip().lower()


def _meta(tree, prop: str) -> str:
    found = tree.xpath(f'//meta[@property="{prop}" or @name="{prop}"]/@content')
    return _clean(str(found[0])) if found else ""


def _without_site(title: str, site: str) -> str:
    """'Headline | Site' -> 'Headline' (also 'Site - Headline'), when a part is the site's name."""
    parts = _SEPARATORS.split(title)
    if len(parts) < 2:
        return title
    site_key = _key(site)
    if site_key:
        kept = [p for p in parts if _key(p) != site_key and not (site_key in _key(p) and len(p.split()) <= 4)]
        if kept and len(kept) < len(parts):
            return " - ".join(kept)
    # No declared site name: a short last part after a long first one is the site's.
    if len(parts[-1].split()) <= 3 and len(" ".join(parts[:-1]).split()) >= 3:
        last = list(_SEPARATORS.finditer(title))[-1]
        return title[: last.start()]
    return title


def headline(tree, nodes: list[dict[str, Any]], fallback: str | None) -> str:
    """The headline: an <h1> the structured data or title agree with, else the article's
    JSON-LD headline, else a lone <h1>, else og:title or <title> without the site's name."""
    site = _meta(tree, "og:site_name")
    structured = [
        _clean(n["headline"]) for n in nodes if is_article_node(n) and isinstance(n.get("headline"), str)
    ]
    og_title = _meta(tree, "og:title")
    title = _clean(fallback)
    h1s = [h for h in (_clean(" ".join(e.itertext())) for e in _H1(tree)) if h and len(h) <= _MAX_HEADLINE]
    in_article = [h for h in (_clean(" ".join(e.itertext())) for e in _H1_IN_ARTICLE(tree)) if h and len(h) <= _MAX_HEADLINE]
    site_key = _key(site)
    h1s = [h for h in h1s if _key(h) != site_key]
    said = [_key(x) for x in structured + [og_title, title] if x]
    for h in in_article + h1s:
        k = _key(h)
        if k and any(k == s or (len(k) >= 15 and k in s) for s in said):
            return h
    if structured:
        return structured[0]
    if len(in_article) == 1 and len(in_article[0].split()) >= 3:
        return in_article[0]
    if len(h1s) == 1 and len(h1s[0].split()) >= 3:
        return h1s[0]
    for candidate in (og_title, title):
        if candidate:
            return _without_site(candidate, site)
    return h1s[0] if h1s else ""


_CAPTIONS = etree.XPath("//figcaption | //*[@class='wp-caption-text']")


def page_labels(tree, nodes: list[dict[str, Any]], fallback: str | None) -> frozenset[str]:
    """Texts the page marks as not the article's prose, as `label_key`s: every headline
    it gives (h1, og:title, JSON-LD headline, <title> with and without the site's name)
    and its image captions. A text line equal to one of them is furniture."""
    site = _meta(tree, "og:site_name")
    title = _clean(fallback)
    texts = [_clean(" ".join(e.itertext())) for e in _H1(tree)]
    texts += [_clean(n["headline"]) for n in nodes if isinstance(n.get("headline"), str)]
    texts += [_meta(tree, "og:title"), title, _without_site(title, site) if title else ""]
    texts += [_clean(" ".join(e.itertext())) for e in _CAPTIONS(tree)]
    return frozenset(k for k in (label_key(t) for t in texts if t) if k)
