"""Consent walls and paywalls: pages that stand where the article should be.

Italian sites often answer with a cookie-consent interstitial (iubenda, Didomi,
OneTrust, Quantcast, Cookiebot; "Accetta e continua") or a subscription page
("Abbonati per continuare a leggere") instead of the article. Told apart from a
short page, they make the per-source funnel say why a source yields nothing.

The verdicts are conservative by construction: a wall verdict is only ever given to
a page whose text, once consent and subscription copy is set aside, is shorter than
an article (MIN_TEXT_CHARS). A real article that merely carries a cookie banner or a
subscription box keeps its text and stays an article; a paywalled article that
still shows its first paragraphs is an article flagged as a teaser, without the pitch.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from lxml import etree
# cssselect comes with Scrapy (through parsel); lxml uses it to read hasPart's cssSelector.
from cssselect import SelectorError
from lxml.cssselect import CSSSelector

from rassegna.extraction.jsonld import is_article_node, jsonld_nodes, node_types

MIN_TEXT_CHARS = 200
# A wall's box (the consent dialog, the subscription pitch) is short; a larger block
# holding a wall phrase is the article or the page around it, and is never set aside.
BOX_MAX_CHARS = 1500
# A CMP's dialog with its vendor list may be long; a container larger than this is a
# page-wide wrapper carrying a CMP's class name, not the dialog.
CMP_MAX_CHARS = 5000
# An interstitial's own text, with the consent copy and the site chrome set aside, is a
# line or two; above this the page holds something else and gets no consent verdict.
INTERSTITIAL_MAX_CHARS = 600


class _Phrases:
    """Wall phrases, found as plain substrings of the lower-cased, space-normalised text.

    Substring tests run in C; one regular expression alternating over every phrase
    costs about a millisecond per page, paid on every page. Variants are spelt out.
    """

    def __init__(self, *phrases: str) -> None:
        self.phrases = phrases

    def search(self, text: str, spaced: bool = False) -> str | None:
        """The first phrase found in text. `spaced`: its whitespace is already single
        spaces (trafilatura's lines, XPath's normalize-space), and splitting it again,
        the dearest step here, is skipped."""
        low = text.lower().replace("’", "'")
        if not spaced:
            low = " ".join(low.split())
        return next((p for p in self.phrases if p in low), None)


_CONSENT = _Phrases(
    "questo sito utilizza cookie", "questo sito utilizza i cookie", "questo sito usa cookie",
    "questo sito usa i cookie", "questo sito web utilizza cookie", "questo sito web utilizza i cookie",
    "utilizziamo i cookie", "utilizziamo cookie", "usiamo i cookie", "noi e i nostri partner",
    "accetta e continua", "accetta e chiudi", "accetta tutti", "accetta tutto", "accetta i cookie",
    "rifiuta tutti", "rifiuta tutto", "continua senza accettare",
    "gestisci le preferenze", "gestisci preferenze", "gestisci le opzioni", "gestisci opzioni",
    "personalizza le scelte", "personalizza le preferenze",
    # IAB TCF purposes: the copy every consent-management platform shows.
    "archiviare e/o accedere a informazioni su un dispositivo", "annunci e contenuti personalizzati",
    "we use cookies", "we value your privacy", "accept all cookies", "reject all cookies",
    "manage preferences", "manage your preferences", "manage cookies", "manage consent",
    "store and/or access information on a device", "personalised ads and content", "personalized ads and content",
)
# A phrase that contains another is left out: "per continuare a leggere" finds
# "abbonati per continuare a leggere" too, and every phrase costs a scan of the page.
_PITCH = _Phrases(
    "abbonati per leggere", "per continuare a leggere", "per leggere l'articolo", "per leggere questo articolo",
    "per leggere tutto l'articolo", "riservato agli abbonati", "riservata agli abbonati", "riservati agli abbonati",
    "questo articolo è riservato", "questo contenuto è riservato", "sei già abbonato",
    "hai raggiunto il limite", "hai esaurito gli articoli",
    "to continue reading", "subscribe to keep reading", "subscribers only", "already a subscriber",
    "reached your free article limit", "reached your article limit",
)

# Containers and scripts of consent-management platforms.
_CMP_TOKENS = (
    "iubenda", "didomi", "onetrust", "optanon", "qc-cmp", "cybotcookiebot", "cookiebot",
    "cmp-container", "cookie-consent", "cookie-banner", "cookie-wall", "cookiewall",
    "consent-wall", "consent-banner", "gdpr-consent", "cookie-law",
)
_CMP_SCRIPTS = ("iubenda.com", "privacy-center.org", "cookielaw.org", "quantcast", "consensu.org", "cookiebot.com")
# Class and id names are matched in Python over one XPath walk: XPath contains() over
# a dozen tokens costs a millisecond or more per page, a regex on each name far less.
_NAMED = etree.XPath("//*[@id or @class]")
_CMP_NAMES = re.compile("|".join(re.escape(t) for t in _CMP_TOKENS))
_CMP_SCRIPT_XPATH = etree.XPath("//script[" + " or ".join(f'contains(@src, "{s}")' for s in _CMP_SCRIPTS) + "]")
# Class names of subscription walls (Piano's tp-*, and the names CMS themes use).
_WALL_CLASSES = ("paywall", "pay-wall", "regwall", "tp-modal", "tp-container", "piano-", "subscription-wall", "premium-wall")
_WALL_NAMES = re.compile("|".join(re.escape(c) for c in _WALL_CLASSES))
_TEXT_XPATH = etree.XPath("//body//text()")
_BODY_TEXT = etree.XPath("normalize-space(//body)")
_FREE_META = etree.XPath('//meta[@itemprop="isAccessibleForFree"]/@content')
_TIER_META = etree.XPath('//meta[@property="article:content_tier"]/@content')
_CHROME = {"nav", "header", "footer", "script", "style", "noscript", "template", "button", "form"}
_STOP = {"body", "html", "article", "main"}
_SKIP = {"script", "style", "noscript", "template"}
# What a reader sees: text outside scripts, styles and templates (attributes are never
# text). A subscription prompt kept in a page's JSON config is no evidence of a wall.
_VISIBLE_TEXT = etree.XPath(".//text()[not(ancestor::script or ancestor::style or ancestor::noscript"
                            " or ancestor::template)]")
_ARTICLE_MARKUP = etree.XPath(".//article | .//main | .//*[@itemprop='articleBody']")
_BOX_NAMES = re.compile(r"cookie|consent|cmp|gdpr|privacy|banner|modal|dialog|popup|overlay|wall|abbonam|subscri|premium|offer")


@dataclass(frozen=True)
class WallVerdict:
    kind: str | None  # 'consent-wall' | 'paywall' | None (an article, or just a short page)
    teaser: bool  # a paywalled article of which only the free part may be here
    text: str  # the extracted text without the subscription pitch
    evidence: str  # what gave the page away, for the skip message


def _named(tree, names: re.Pattern[str]) -> list[Any]:
    return [e for e in _NAMED(tree) if names.search(f"{e.get('id', '')} {e.get('class', '')}".lower())]


def _norm(text: str) -> str:
    return " ".join(text.split())


def _body_string(tree) -> str:
    return str(_BODY_TEXT(tree))


def _json_like(text: str) -> bool:
    """A JSON object or array left as text in the page (a hidden config, a state dump)."""
    stripped = text.strip()
    return len(stripped) > 1 and stripped[0] in "{[" and stripped[-1] in "}]" and '"' in stripped


def _visible(element) -> str:
    """The element's text as a reader sees it: no scripts, styles or templates, no JSON blobs."""
    if not isinstance(element.tag, str) or element.tag in _SKIP:
        return ""
    return "".join(t for t in _VISIBLE_TEXT(element) if not _json_like(t))


def _not_free(value: Any) -> bool:
    return value is False or (isinstance(value, str) and value.strip().lower() == "false")


def _structured_paywall(tree, nodes: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """Evidence from schema.org and meta markup, and the CSS selectors of the paid parts."""
    evidence: list[str] = []
    selectors: list[str] = []
    for node in nodes:
        pageish = is_article_node(node) or "WebPage" in node_types(node) or "cssSelector" in node
        if pageish and _not_free(node.get("isAccessibleForFree")):
            evidence.append("isAccessibleForFree false")
            if isinstance(node.get("cssSelector"), str):
                selectors.append(node["cssSelector"])
    for value in _FREE_META(tree):
        if _not_free(str(value)):
            evidence.append("meta isAccessibleForFree false")
    for value in _TIER_META(tree):
        if str(value).strip().lower() in ("locked", "metered"):
            evidence.append(f"article:content_tier {str(value).strip().lower()}")
    return list(dict.fromkeys(evidence)), selectors


def _box(element) -> Any | None:
    """The dialog or box a consent or pitch phrase sits in, or None for article prose.

    Only an ancestor that names itself a dialog, banner or wall (class, id, role) is
    taken: climbing by size alone could take a short article's body for the box.
    Outside any such box, the phrase's own element is the box, unless it stands in
    the article (<article>, <main>, articleBody): a story about cookie banners quotes
    "Accetta e continua" and is still a story.
    """
    for ancestor in [element, *element.iterancestors()]:
        # Never the page or the article: a box holding them would strike the article's every line.
        if ancestor.tag in _STOP or len(_norm(ancestor.text_content())) > BOX_MAX_CHARS or _holds_article(ancestor):
            break
        names = " ".join((ancestor.get("class", ""), ancestor.get("id", ""), ancestor.get("role", ""))).lower()
        if _BOX_NAMES.search(names) or ancestor.get("aria-modal") == "true":
            return ancestor
    in_article = any(a.tag in ("article", "main") or a.get("itemprop") == "articleBody"
                     for a in [element, *element.iterancestors()])
    return None if in_article or element.tag in _STOP else element


def _holds_article(element) -> bool:
    return element.tag in _STOP or bool(_ARTICLE_MARKUP(element))


def _phrase_elements(tree, phrases: _Phrases) -> list[Any]:
    """The innermost elements whose visible text holds a phrase (a phrase may span inline tags).

    Top-down: an element whose text lacks every phrase has no descendant that holds one.
    """
    body = tree.find(".//body")
    found: list[Any] = []
    todo = [body] if body is not None and phrases.search(_visible(body)) else []
    while todo:
        element = todo.pop()
        inner = [c for c in element if isinstance(c.tag, str) and c.tag not in _SKIP and phrases.search(_visible(c))]
        if inner:
            todo.extend(inner)
        else:
            found.append(element)
    return found


def _loose_lines(element, phrases: _Phrases) -> set[str]:
    """The element's own text runs (not its children's) that hold a phrase: a pitch
    standing loose in <body> is struck line by line, the body around it is kept."""
    runs = [element.text or ""] + [c.tail or "" for c in element]
    return {_norm(r) for r in runs if r.strip() and not _json_like(r) and phrases.search(r)}


def _inside(element, areas: list[Any]) -> bool:
    return any(element is area or area in element.iterancestors() for area in areas)


def _lines_of(boxes: list[Any]) -> set[str]:
    """Every block text of the boxes, normalised, to strike the same lines from extracted text."""
    lines: set[str] = set()
    for box in boxes:
        for element in box.iter():
            if isinstance(element.tag, str):
                line = _norm(element.text_content())
                if line:
                    lines.add(line)
    return lines


def _strip(text: str, lines: set[str]) -> str:
    """The text without the lines that are the boxes' own text."""
    kept = [line for line in text.split("\n") if _norm(line) not in lines]
    return "\n".join(kept).strip()


def _selector_elements(tree, selectors: list[str]) -> list[Any]:
    found = []
    for selector in selectors:
        try:
            found.extend(CSSSelector(selector)(tree))
        except (SelectorError, ValueError):
            continue  # a publisher's malformed selector is no reason to fail the page
    return found


def _interstitial_text(tree, areas: list[Any]) -> str:
    """Visible body text outside the consent areas and the site chrome, without consent lines."""
    kept = []
    for text in _TEXT_XPATH(tree):
        parent = text.getparent()
        if parent is None or not text.strip():
            continue
        chain = [parent, *parent.iterancestors()]
        if any(e.tag in _CHROME for e in chain) or any(e in areas for e in chain):
            continue
        if not _CONSENT.search(text):
            kept.append(text.strip())
    return _norm(" ".join(kept))


def classify_walls(tree, text: str | None, jsonld: list[dict[str, Any]] | None = None) -> WallVerdict:
    """Is this page a consent wall, a paywall, a paywalled teaser, or none of these?

    `tree` is the parsed page (lxml), `text` what trafilatura extracted (None or ""
    when it found nothing), `jsonld` the page's JSON-LD objects if already read.
    """
    text = text or ""
    nodes = jsonld if jsonld is not None else jsonld_nodes(tree)
    structured, selectors = _structured_paywall(tree, nodes)
    body = _body_string(tree)
    visible_body: str | None = None

    def in_page(phrases: _Phrases) -> str | None:
        """A phrase in the text a reader sees; the raw body string first, as it costs nothing."""
        nonlocal visible_body
        if not phrases.search(body, spaced=True):
            return None
        if visible_body is None:
            element = tree.find(".//body")
            visible_body = _norm(_visible(element)) if element is not None else ""
        return phrases.search(visible_body, spaced=True)

    consent_areas: list[Any] | None = None

    def consent() -> list[Any]:
        # Found only when needed: most pages carry a banner, few need it set aside.
        nonlocal consent_areas
        if consent_areas is None:
            # A CMP's class on <body> or on a page-wide wrapper (set once consent is
            # given, say) does not make the whole page consent copy.
            cmp_areas = [e for e in _named(tree, _CMP_NAMES)
                         if e.tag not in _STOP and len(_norm(e.text_content())) <= CMP_MAX_CHARS]
            boxes = [_box(e) for e in _phrase_elements(tree, _CONSENT) if not _inside(e, cmp_areas)]
            consent_areas = cmp_areas + [b for b in boxes if b is not None]
        return consent_areas

    paywall = list(structured)
    pitch_lines: set[str] = set()
    if structured or in_page(_PITCH):
        wall_areas = [a for a in _named(tree, _WALL_NAMES) + _selector_elements(tree, selectors)
                      if len(_norm(a.text_content())) <= BOX_MAX_CHARS and not _holds_article(a)]
        pitch_boxes = []
        loose: set[str] = set()
        for element in _phrase_elements(tree, _PITCH):
            # "Sei già abbonato? Accedi" inside a pay-or-accept cookie dialog is consent copy.
            if in_page(_CONSENT) and _inside(element, consent()):
                continue
            walls = [a for a in wall_areas if _inside(element, [a])]
            if not walls and any(e.tag in _CHROME for e in (element, *element.iterancestors())):
                # "Sei già abbonato? Accedi" in the site's header or footer is a login link
                # on every page, not a wall over this article.
                continue
            box = walls[0] if walls else _box(element)
            if box is not None:
                pitch_boxes.append(box)
            elif element.tag in ("body", "html"):
                loose |= _loose_lines(element, _PITCH)
        if pitch_boxes or loose:
            found = _PITCH.search(_visible(pitch_boxes[0]) if pitch_boxes else " ".join(loose))
            paywall.append(f"pitch {found!r}" if found else "pitch")
        pitch_lines = _lines_of(pitch_boxes) | loose

    article_text = _strip(text, pitch_lines) if paywall else text
    if len(article_text) >= MIN_TEXT_CHARS and not _CONSENT.search(article_text, spaced=True):
        return WallVerdict(None, bool(paywall), article_text, "; ".join(paywall))
    consent_in_page = bool(in_page(_CONSENT) or _CMP_SCRIPT_XPATH(tree) or _named(tree, _CMP_NAMES))
    residue = _strip(article_text, _lines_of(consent())) if consent_in_page else article_text
    if len(residue) >= MIN_TEXT_CHARS:
        return WallVerdict(None, bool(paywall), article_text, "; ".join(paywall))
    if paywall:
        return WallVerdict("paywall", True, article_text,
                           "; ".join(paywall) + f"; {len(residue)} characters of text beyond it")
    if consent_in_page:
        outside = _interstitial_text(tree, consent())
        if len(outside) <= INTERSTITIAL_MAX_CHARS:
            found = in_page(_CONSENT) or _CONSENT.search(text)
            what = repr(found) if found else "consent-management platform markup"
            return WallVerdict("consent-wall", False, text,
                               f"{what}; {len(outside)} characters outside the consent dialog")
    return WallVerdict(None, False, text, "")
