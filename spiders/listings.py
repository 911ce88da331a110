"""Parse feeds and sitemaps into listed URLs.

trafilatura's feed helpers (`trafilatura.feeds.extract_links`) refuse links on
IP hosts and on other domains and drop item dates; our local test outlets are IP
hosts and we keep the listed date as a dating signal, so feeds and sitemaps are
read here with lxml in recovery mode. Entities are never resolved and network
access is off: a hostile feed cannot read local files (XXE) or expand a
billion laughs.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from lxml import etree

MAX_ENTRIES = 50_000  # the sitemap protocol's own limit per file

_PARSER = etree.XMLParser(
    recover=True, resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True
)


class NotAListing(ValueError):
    """The document is not a feed or sitemap this code understands."""


@dataclass(frozen=True)
class Listed:
    url: str
    date: str | None = None
    title: str | None = None
    # The outlet a search engine names for the item: Google News' <source url="...">Name</source>,
    # Bing's <News:Source>Name</News:Source>.
    outlet: str | None = None
    outlet_url: str | None = None
    # A date the engine saw the URL on, not the page's own (GDELT's seendate): a weak signal.
    seen_date: str | None = None


def _local(tag: object) -> str:
    return etree.QName(tag).localname.lower() if isinstance(tag, str) else ""


def _child_text(element: etree._Element, *names: str) -> str | None:
    for child in element:
        if _local(child.tag) in names and child.text and child.text.strip():
            return child.text.strip()
    return None


def _absolute(base: str, link: str | None) -> str | None:
    if not link:
        return None
    url = urljoin(base, link.strip())
    # javascript:, mailto:, data: and friends are not pages.
    return url if urlsplit(url).scheme in ("http", "https") else None


def _root(body: bytes) -> etree._Element:
    try:
        root = etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise NotAListing(f"not XML: {exc}") from None
    if root is None:
        raise NotAListing("empty or unparseable XML")
    return root


def parse_feed(body: bytes, base_url: str) -> list[Listed]:
    """Items of an RSS 2.0, RSS 1.0 (RDF) or Atom feed, in document order, without duplicates."""
    root = _root(body)
    kind = _local(root.tag)
    if kind not in ("rss", "rdf", "feed"):
        raise NotAListing(f"root element <{kind}> is not rss, rdf:RDF or feed")
    found: dict[str, Listed] = {}
    for element in root.iter():
        name = _local(element.tag)
        if name not in ("item", "entry"):
            continue
        if name == "entry":
            link = None
            for child in element:
                if _local(child.tag) == "link" and child.get("rel", "alternate") == "alternate":
                    link = child.get("href")
                    break
            date = _child_text(element, "published", "updated")
        else:
            link = _child_text(element, "link") or element.get(
                "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about"
            )
            if not link:
                guid = next((c for c in element if _local(c.tag) == "guid"), None)
                if guid is not None and guid.get("isPermaLink", "true") == "true":
                    link = guid.text
            date = _child_text(element, "pubdate", "date")
        url = _absolute(base_url, link)
        if url and url not in found:
            outlet = next((c for c in element if _local(c.tag) == "source"), None)
            found[url] = Listed(
                url, date, _child_text(element, "title"),
                outlet=(outlet.text or "").strip() or None if outlet is not None else None,
                outlet_url=_absolute(base_url, outlet.get("url")) if outlet is not None else None,
            )
        if len(found) >= MAX_ENTRIES:
            break
    return list(found.values())


def parse_sitemap(body: bytes, base_url: str) -> tuple[str, list[Listed]]:
    """('urlset' | 'sitemapindex', entries). Google News entries carry their publication date."""
    root = _root(body)
    kind = _local(root.tag)
    if kind not in ("urlset", "sitemapindex"):
        raise NotAListing(f"root element <{kind}> is not urlset or sitemapindex")
    found: dict[str, Listed] = {}
    for element in root:
        if _local(element.tag) not in ("url", "sitemap"):
            continue
        url = _absolute(base_url, _child_text(element, "loc"))
        if not url or url in found:
            continue
        date = _child_text(element, "lastmod")
        title = None
        news = next((c for c in element if _local(c.tag) == "news"), None)
        if news is not None:
            date = _child_text(news, "publication_date") or date
            title = _child_text(news, "title")
        found[url] = Listed(url, date, title)
        if len(found) >= MAX_ENTRIES:
            break
    return kind, list(found.values())
