"""The page's author from its markup, when the meta tags and JSON-LD name none: trafilatura's rules in one pass.

`trafilatura.metadata.extract_author` copies the whole tree, deletes the sections whose
bylines are not the article's (comments, sidebars, quotes, <time>, <figure>), then runs
three XPath searches over what is left, most specific first. On a realistic news page
(~800 elements, deep menus) that is ~7 ms, a third of the page's whole extraction and the
largest cost above plain `trafilatura.extract` (benchmarks/pipeline_throughput.py --realistic).

This module keeps the same rules (the same class, id, rel and itemprop values, in the same
three tiers, the same discarded sections, the same length limits and trafilatura's own
`normalize_authors`) but walks the tree once, copies nothing, and looks at ancestors only
for the few elements that qualify: ~1.5 ms. It gives trafilatura's answer on each of the 450
real pages of the ScrapingHub and htmldate evaluation sets (208 of them name no author in
their meta tags, where the search runs), and tests/test_extraction_authors.py holds it to
trafilatura's on written cases of each rule; a trafilatura release that changes its rules
fails there.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree
from trafilatura.json_metadata import normalize_authors
from trafilatura.utils import trim

# Tier 0, the specific marks: an <author> element, rel/id/class "author", an author-name class.
_TIER0_TAGS = frozenset({"a", "address", "div", "link", "p", "span", "strong"})
_AUTHOR_NAME = re.compile(r"author-?name|AuthorName|authorName")
_AUTHOR_TESTIDS = frozenset({"AuthorCard", "AuthorURL"})
# Tier 1, the usual bylines.
_TIER1_TAGS = frozenset({"a", "div", "h3", "h4", "p", "span"})
_TIER1_CLASSES = frozenset({"byline", "username", "byl", "BBL"})
_TIER1_ID = re.compile(r"author|zuozhe|bianji|xiaobian")
_TIER1_CLASS = re.compile(r"author|channel-name|zuozhe|bianji|xiaobian|submitted-by|posted-by|journalist-name")
# Tier 2, any element that looks like a byline at all.
_TIER2_ID = re.compile(r"[Aa]uthor")
_TIER2_CLASS = re.compile(r"[Aa]uthor|screenname|writer|[Bb]yline")

# Sections whose names are not the article's author; their text is left out of a byline too.
_ELSEWHERE_TAGS = frozenset({"a", "div", "section", "span"})
_ELSEWHERE_EXACT = frozenset({"comments", "title", "date"})
_ELSEWHERE_CLASS = re.compile(
    r"^[Cc]omments|commentlist|comments-list|sidebar|is-hidden|quote|embedly-instagram|article-(?:share|support)"
    r"|print|category|meta-date|meta-reviewer"
)
_ELSEWHERE_ID = re.compile(r"^comments|comment-?list|ProductReviews")
_NEVER_AUTHOR = frozenset({"time", "figure"})


def _tier(tag: str, attrib: Any) -> int | None:
    """How specific a mark of authorship the element carries (0 most), or None."""
    cls, ident, itemprop = attrib.get("class", ""), attrib.get("id", ""), attrib.get("itemprop", "")
    if tag == "author":
        return 0
    if tag in _TIER0_TAGS and (
        attrib.get("rel") == "author" or ident == "author" or cls == "author" or itemprop == "author name"
        or attrib.get("data-testid") in _AUTHOR_TESTIDS or _AUTHOR_NAME.search(cls)
    ):
        return 0
    if tag in _TIER1_TAGS and (
        cls in _TIER1_CLASSES or "author" in itemprop or _TIER1_ID.search(ident) or _TIER1_CLASS.search(cls)
    ):
        return 1
    if "Byline" in attrib.get("data-component", "") or "author" in itemprop or _TIER2_ID.search(ident) or _TIER2_CLASS.search(cls):
        return 2
    return None


def _elsewhere(element: Any) -> bool:
    """Is this element one of the sections whose names are not the article's author?"""
    tag = element.tag
    if tag in _NEVER_AUTHOR:
        return True
    if tag not in _ELSEWHERE_TAGS:
        return False
    attrib = element.attrib
    cls, ident = attrib.get("class", ""), attrib.get("id", "")
    return (
        cls in _ELSEWHERE_EXACT or ident == "comments"
        or bool(cls and _ELSEWHERE_CLASS.search(cls)) or bool(ident and _ELSEWHERE_ID.search(ident))
        or "Figure" in attrib.get("data-component", "")
    )


def _text(element: Any) -> str:
    """The element's text without the sections left out.

    trafilatura deletes those sections and keeps their tails, glued without a space to the
    text before them (the last kept sibling's tail, or the parent's text): "Mario<time>3
    maggio</time>Rossi" reads "MarioRossi". Each piece here is such a slot, so the text joins
    as trafilatura's does.
    """
    parts: list[str] = []

    def walk(node: Any) -> None:
        parts.append(node.text or "")
        for child in node:
            if not isinstance(child.tag, str):
                parts.append(child.tail or "")  # a comment stays, and its tail with it
            elif _elsewhere(child):
                parts[-1] += child.tail or ""
            else:
                walk(child)
                parts.append(child.tail or "")

    walk(element)
    return trim(" ".join(parts))


# Every class or id value any tier looks for holds one of these (a cheap first test: most
# elements of a page carry a class, few name an author). Written out as literals, which the
# regex engine scans faster than the tiers' own patterns joined (~20 % of the search);
# tests/test_extraction_authors.py checks that every tier value passes it.
_ANY_MARK = re.compile(r"uthor|AuthorName|yl|BBL|username|screenname|writer|zuozhe|bianji|xiaobian|channel-name"
                       r"|submitted-by|posted-by|journalist-name")
_OTHER_MARKS = ("rel", "itemprop", "data-testid", "data-component")


def _position(tree: Any, element: Any) -> int:
    """The element's place in document order (only for the rare <rel> case: a second walk)."""
    return next(order for order, found in enumerate(tree.iter(etree.Element)) if found is element)


def find_author(tree: Any) -> str | None:
    """The author named by the page's markup, as `trafilatura.metadata.extract_author` finds it."""
    marked = []
    for order, element in enumerate(tree.iter(etree.Element)):
        attrib = element.attrib
        if element.tag == "author" or (attrib and (
                _ANY_MARK.search(attrib.get("class", "")) or _ANY_MARK.search(attrib.get("id", ""))
                or any(name in attrib for name in _OTHER_MARKS))):
            tier = _tier(element.tag, attrib)
            if tier is not None:
                marked.append((tier, order, element))
    # trafilatura's first tier also takes an element holding a child element <rel>me</rel>
    # (its XPath says `rel='me'`, without the @); such an element may carry no attribute at all.
    for rel in tree.iter("rel"):
        parent = rel.getparent()
        if parent is not None and parent.tag in _TIER0_TAGS and rel.text_content() == "me":
            marked.append((0, _position(tree, parent), parent))
    marked.sort(key=lambda found: found[:2])
    for _, _, element in marked:
        if _elsewhere(element) or any(_elsewhere(ancestor) for ancestor in element.iterancestors()):
            continue
        text = _text(element)
        if text and 2 < len(text) < 120:
            return normalize_authors(None, text)
    return None
