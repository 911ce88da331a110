"""From a fetched page to article text and metadata, with trafilatura.

Decoding is ours because Italian sites often declare no charset or a wrong one;
extraction (boilerplate removal, metadata, dates) is trafilatura's and htmldate's.
"""

from __future__ import annotations

import codecs
import re
from urllib.parse import urlsplit
from dataclasses import asdict, dataclass, field
from datetime import datetime
import time

import trafilatura
from htmldate import find_date
from lxml import etree
from trafilatura.utils import load_html

from rassegna.extraction.boilerplate import strip_boilerplate
from rassegna.extraction.bylines import read_byline
from rassegna.extraction.headline import headline, page_labels
from rassegna.extraction.dates import DateChoice, choose_date
from rassegna.extraction.jsonld import jsonld_nodes
from rassegna.extraction.metadata import page_metadata
from rassegna.urls import canonical_url, same_site
# The wall classifier judges residues against the same article threshold as here.
from rassegna.extraction.walls import MIN_TEXT_CHARS, classify_walls


_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE
)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.IGNORECASE)
# Browsers (WHATWG) read these labels as windows-1252, and so must we: Italian pages
# labelled latin-1 routinely use cp1252's curly quotes and euro sign.
_AS_CP1252 = {"iso8859-1", "latin-1", "latin1", "iso-8859-1", "ascii", "us-ascii", "cp819", "l1"}

_DATE_PARAMS = {
    "outputformat": "%Y-%m-%dT%H:%M:%S%z",
    "original_date": True,
    # The cheap signal: htmldate's extensive search runs only in the date fallback, on
    # the raw page, when no cheaper signal gave a date (see _searched_dates).
    "extensive_search": False,
}

_IT_WORDS = frozenset("il lo la gli le di del della che per con una sono nel alla dei delle è anche più".split())
_EN_WORDS = frozenset("the of and to in is that for with was on are as by this from it have".split())


@dataclass(frozen=True)
class Article:
    url: str  # canonical
    fetched_url: str
    title: str
    author: str | None
    published_at: datetime | None  # UTC, naive
    date_precision: str | None  # 'time' | 'day' | 'hour' (a relative byline: "2 ore fa")
    language: str | None
    site_name: str | None
    description: str | None
    declared_canonical: str | None
    text: str
    # The page is paywalled and shows its free part: the text may stop early.
    teaser: bool = False
    date_signal: str | None = None  # rassegna.dates.SIGNALS: which signal gave published_at
    date_candidates: list[dict] = field(default_factory=list)  # {signal, value, precision}
    date_conflict: bool = False  # two candidates more than a calendar day apart
    published_day: str | None = None  # the publication day as the page wrote it (its own zone)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _codec(label: str | bytes | None) -> str | None:
    if not label:
        return None
    name = label.decode("ascii", "ignore") if isinstance(label, bytes) else label
    name = name.strip().lower()
    if name in _AS_CP1252:
        return "cp1252"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_html(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode page bytes; returns (text, encoding used).

    Order: the HTTP header, then <meta charset>, then UTF-8; a label that fails
    strict decoding is a wrong label, and the next is tried. A single-byte label
    on bytes that are valid non-ASCII UTF-8 loses to UTF-8 (a mislabelled UTF-8
    page is far more common than latin-1 text that happens to be valid UTF-8).
    Last resort: windows-1252, which decodes any byte.
    """
    if body.startswith(codecs.BOM_UTF8):
        return body[len(codecs.BOM_UTF8) :].decode("utf-8", "replace"), "utf-8"
    header = _HEADER_CHARSET.search(content_type or "")
    meta = _META_CHARSET.search(body[:4096])
    labels = [_codec(header.group(1) if header else None), _codec(meta.group(1) if meta else None), "utf-8"]
    for label in dict.fromkeys(x for x in labels if x):
        if label == "cp1252" and not body.isascii():
            try:
                return body.decode("utf-8"), "utf-8"
            except UnicodeDecodeError:
                pass
        try:
            return body.decode(label), label
        except (UnicodeDecodeError, LookupError):
            continue
    return body.decode("cp1252", "replace"), "cp1252"


def guess_language(text: str) -> str | None:
    words = re.findall(r"[a-zàèéìòù]+", text[:3000].lower())
    it = sum(w in _IT_WORDS for w in words)
    en = sum(w in _EN_WORDS for w in words)
    if max(it, en) < 5:
        return None
    return "it" if it >= en else "en"


def _is_home_of(declared: str, fetched: str) -> bool:
    return urlsplit(declared).path in ("", "/") and urlsplit(fetched).path not in ("", "/")


def _head_value(tree, xpath: str) -> str | None:
    found = tree.xpath(xpath)
    for value in found:
        value = str(value).strip()
        if value:
            return value
    return None


_ARTICLE_SIGNALS = (
    '//meta[@property="og:type"][contains(@content, "article")]'
    ' | //meta[@property="article:published_time"]'
    " | //article"
    ' | //*[contains(@itemtype, "Article")]'
    ' | //script[@type="application/ld+json"][contains(., "Article")]'
)


def looks_like_article(tree) -> bool:
    """Does the page say it is an article? Home and section pages of a crawled site do not.

    A declared og:type decides ("website" on a section page full of <article> teasers);
    without one, any article markup will do.
    """
    og_type = _head_value(tree, '//meta[@property="og:type"]/@content')
    if og_type:
        return "article" in og_type.lower()
    return bool(tree.xpath(_ARTICLE_SIGNALS))


class NotAnArticle(Exception):
    """The page holds no article: too little text, (in a site crawl) no article markup,
    or a consent wall or paywall standing in its place.

    `reason` is the skip reason the funnel counts: 'consent-wall', 'paywall', or
    'not-article' for the rest; the message says what gave the page away.
    """

    def __init__(self, message: str, reason: str = "not-article", dates: DateChoice | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        # The page's date when it was read before the page was turned down (see extract_article).
        self.dates = dates
        self.published_day = dates.local_day if dates is not None else None


# Counts and seconds of the costlier steps, per process: read by benchmarks/extraction_quality.py.
STATS: dict[str, float] = {}


def _extract(tree, url: str, **options):
    return trafilatura.bare_extraction(
        tree,
        url=url,
        include_comments=False,
        include_tables=True,
        # The metadata is read once, apart (rassegna.extraction.metadata).
        with_metadata=False,
        # Precision first: what a press review stores must be the article, not the
        # related-stories box; the fallback below recovers what this leaves out.
        favor_precision=True,
        **options,
    )


# The first pass is short when it keeps less than this share of the page's paragraph
# text, or less than _SHORT_CHARS (benchmarks/extraction_quality.py measured both).
_SHORT_SHARE = 0.2
_SHORT_CHARS = 300
_PARAGRAPHS = etree.XPath("//body//p")
_LINK_TEXTS = etree.XPath("//body//a")


def _starts_in_navigation(tree, text: str) -> bool:
    """Do the text's first two lines read as the site's menu (each the whole text of a link)?"""
    lines = [line.strip() for line in text.split("\n") if line.strip()][:2]
    if len(lines) < 2 or any(len(line) > 60 for line in lines):
        return False
    links = {" ".join(a.text_content().split()) for a in _LINK_TEXTS(tree)}
    return all(" ".join(line.split()) in links for line in lines)


def _fallback_text(tree, url: str, first: str) -> str:
    """The first pass's text, or a fuller pass's where the first came out short,
    empty or starting in the navigation (fast mode's known misses)."""
    start = time.perf_counter()
    paragraphs = sum(len(p.text_content()) for p in _PARAGRAPHS(tree))
    short = len(first) < _SHORT_CHARS or len(first) < _SHORT_SHARE * paragraphs
    if not short and not _starts_in_navigation(tree, first):
        _timed("first_pass_check", start)
        return first
    _timed("first_pass_check", start)
    start = time.perf_counter()
    # Without fast mode trafilatura also runs its fallback extractors (readability, jusText).
    full = _extract(tree, url, fast=False)
    text = full.text if full is not None and full.text else ""
    if len(text) < _SHORT_CHARS or len(text) < _SHORT_SHARE * paragraphs:
        # Still short: trafilatura's default balance (no precision bias), and the longest.
        wide = trafilatura.bare_extraction(
            tree, url=url, include_comments=False, include_tables=True, fast=True, with_metadata=False,
        )
        wide_text = wide.text if wide is not None and wide.text else ""
        text = max(text, wide_text, first, key=len)
    _timed("fallback", start)
    return text


def _timed(step: str, start: float) -> None:
    STATS[f"{step}_runs"] = STATS.get(f"{step}_runs", 0) + 1
    STATS[f"{step}_seconds"] = STATS.get(f"{step}_seconds", 0.0) + time.perf_counter() - start


def _searched_dates(html: str, tree, url: str, lang: str | None, fetched_at: datetime | None) -> list[tuple[str, str | None, str | None]]:
    """The date fallback: the visible byline, then htmldate's extensive search.

    htmldate gets the raw page, not our parsed tree: lxml's tree has lost the HTML
    comments, where some CMSs keep the date (an RDF block, a "<!-- published -->" stamp).
    """
    start = time.perf_counter()
    byline, _updates = read_byline(tree, lang, fetched_at)
    _timed("byline", start)
    if byline is not None:
        return [("byline", byline.value, byline.precision)]
    start = time.perf_counter()
    # Bytes, never a str: htmldate fetches a str that looks like a URL with its own client,
    # which the private-address guard never sees (a page whose body starts "http://10...").
    found = find_date(
        html.encode("utf-8", "surrogatepass"), url=url, original_date=True, extensive_search=True,
        outputformat="%Y-%m-%dT%H:%M:%S%z",
    )
    _timed("extensive", start)
    if found and found[4:10] == "-01-01" and found[10:19] in ("", "T00:00:00"):
        # htmldate's answer when all it found was a year (a copyright line, a year in a
        # script): a candidate for the analyst, never the date (on htmldate's own
        # evaluation set not one of these was the right day).
        return [("extensive", found, "year")]
    return [("extensive", found, None)]


def extract_article(
    html: str,
    url: str,
    require_article_markup: bool = False,
    *,
    listed_date: str | None = None,
    seen_date: str | None = None,
    fetched_at: datetime | None = None,
) -> Article:
    """Article text and metadata; raises NotAnArticle with the reason otherwise.

    `listed_date` is the date the feed or sitemap gave for this URL, as written there:
    one of the date signals (see rassegna.dates). `fetched_at` (UTC) dates a byline
    such as "2 ore fa"; without it relative dates are not read.
    """
    tree = load_html(html)
    if tree is None:
        raise NotAnArticle("unparseable HTML")
    nodes = jsonld_nodes(tree)
    if require_article_markup and not looks_like_article(tree):
        # A site crawl that meets a consent interstitial meets it on every page: say so.
        wall = classify_walls(tree, "", nodes)
        if wall.kind == "consent-wall":
            raise NotAnArticle(f"consent-wall: {wall.evidence}", reason="consent-wall")
        raise NotAnArticle("no article markup (index or section page)")
    declared = _head_value(tree, '//link[@rel="canonical"]/@href') or _head_value(
        tree, '//meta[@property="og:url"]/@content'
    )
    lang = _head_value(tree, "/html/@lang") or _head_value(tree, '//meta[@property="og:locale"]/@content')
    # Metadata first and apart from the text, as trafilatura orders them (the text passes
    # below run without it: a fallback pass must not read it again).
    start = time.perf_counter()
    meta = page_metadata(tree, url, _DATE_PARAMS)
    _timed("metadata", start)
    first = _extract(tree, url, fast=True)
    body = _fallback_text(tree, url, first.text if first is not None and first.text else "")
    found = first is not None or bool(body)
    # The fetched URL, not the canonical: a date in the path is the one we were given.
    # Dated before the page is judged: a page skipped (too short, behind a wall) still
    # says when it was out, and the rejection carries it.
    dates = choose_date(
        tree, url, listed_date=listed_date, htmldate_value=meta.date, jsonld=nodes,
        seen_date=seen_date, fallback=lambda: _searched_dates(html, tree, url, lang, fetched_at),
    )
    wall = classify_walls(tree, body if found else None, nodes)
    if wall.kind is not None:
        raise NotAnArticle(f"{wall.kind}: {wall.evidence}", reason=wall.kind, dates=dates)
    title_tag = meta.title
    title = headline(tree, nodes, title_tag)
    text = strip_boilerplate(wall.text, title, page_labels(tree, nodes, title_tag))
    if not found or len(text) < MIN_TEXT_CHARS:
        raise NotAnArticle(f"less than {MIN_TEXT_CHARS} characters of text", dates=dates)
    canonical = canonical_url(url) or url
    if declared:
        declared_abs = canonical_url(declared, base=url)
        # Only a same-site canonical may rename the page: a syndicated copy pointing at
        # the original outlet is still this outlet's article. A canonical naming the home
        # page (a common template bug) would fold every article of the site into one.
        if declared_abs and same_site(declared_abs, canonical) and not _is_home_of(declared_abs, canonical):
            canonical = declared_abs
    language = (lang or "").split("-")[0].split("_")[0].lower()[:2] or guess_language(text)
    return Article(
        url=canonical,
        fetched_url=url,
        title=title,
        author=meta.author,
        published_at=dates.published_at,
        date_precision=dates.precision,
        language=language or None,
        site_name=meta.sitename,
        description=meta.description,
        declared_canonical=declared,
        text=text,
        teaser=wall.teaser,
        date_signal=dates.signal,
        date_candidates=dates.candidates,
        date_conflict=dates.conflict,
        published_day=dates.local_day,
    )
