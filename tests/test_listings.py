"""Feeds (RSS 2.0, Atom, RDF) and sitemaps (urlset, index, Google News) into listed URLs."""

from __future__ import annotations

from pathlib import Path

import pytest

from spiders.listings import NotAListing, parse_feed, parse_sitemap

BASE = "https://giornale.example/rss/feed.xml"

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0">
  <channel>
    <title>Giornale di prova</title>
    <link>https://giornale.example/</link>
    <item>
      <title>Prima notizia</title>
      <link>https://giornale.example/economia/prima.html</link>
      <pubDate>Tue, 16 Sep 2025 07:15:00 +0200</pubDate>
    </item>
    <item>
      <title>Seconda notizia</title>
      <link>/lavoro/seconda.html</link>
      <pubDate>Wed, 17 Sep 2025 18:40:00 +0200</pubDate>
    </item>
    <item>
      <title>Trappola</title>
      <link>javascript:alert('x')</link>
    </item>
    <item>
      <title>Prima notizia (ripetuta)</title>
      <link>https://giornale.example/economia/prima.html</link>
    </item>
    <item>
      <title>Solo guid</title>
      <guid isPermaLink="true">https://giornale.example/cronaca/terza.html</guid>
    </item>
  </channel>
</rss>
"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Atom di prova</title>
  <entry>
    <title>Voce uno</title>
    <link rel="enclosure" type="image/jpeg" href="https://cdn.example/foto.jpg"/>
    <link rel="alternate" href="https://atom.example/articoli/uno.html"/>
    <published>2025-09-18T09:00:00+02:00</published>
    <updated>2025-09-18T10:30:00+02:00</updated>
  </entry>
  <entry>
    <title>Voce due</title>
    <link href="articoli/due.html"/>
    <updated>2025-09-19T11:00:00Z</updated>
  </entry>
  <entry>
    <title>Voce uno, ancora</title>
    <link href="https://atom.example/articoli/uno.html"/>
  </entry>
  <entry>
    <title>Script</title>
    <link href="javascript:void(0)"/>
  </entry>
</feed>
"""

RDF = b"""<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns="http://purl.org/rss/1.0/"
         xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://rdf.example/">
    <title>RDF di prova</title>
    <link>https://rdf.example/</link>
  </channel>
  <item rdf:about="https://rdf.example/notizie/alfa.html">
    <title>Alfa</title>
    <link>https://rdf.example/notizie/alfa.html</link>
    <dc:date>2025-09-20T08:00:00+02:00</dc:date>
  </item>
  <item rdf:about="https://rdf.example/notizie/beta.html">
    <title>Beta</title>
    <link>/notizie/beta.html</link>
    <dc:date>2025-09-21</dc:date>
  </item>
  <item rdf:about="https://rdf.example/notizie/alfa.html">
    <title>Alfa doppia</title>
    <link>https://rdf.example/notizie/alfa.html</link>
  </item>
</rdf:RDF>
"""


def test_rss2() -> None:
    items = parse_feed(RSS, BASE)
    assert [i.url for i in items] == [
        "https://giornale.example/economia/prima.html",
        "https://giornale.example/lavoro/seconda.html",
        "https://giornale.example/cronaca/terza.html",
    ]
    assert items[0].date == "Tue, 16 Sep 2025 07:15:00 +0200"
    assert items[1].date == "Wed, 17 Sep 2025 18:40:00 +0200"
    assert items[2].date is None
    assert items[0].title == "Prima notizia"  # the first occurrence is kept


def test_atom() -> None:
    items = parse_feed(ATOM, "https://atom.example/feed.atom")
    assert [i.url for i in items] == [
        "https://atom.example/articoli/uno.html",
        "https://atom.example/articoli/due.html",
    ]
    assert items[0].date == "2025-09-18T09:00:00+02:00"  # published, not updated
    assert items[1].date == "2025-09-19T11:00:00Z"
    assert items[0].title == "Voce uno"


def test_rdf() -> None:
    items = parse_feed(RDF, "https://rdf.example/rdf.xml")
    assert [i.url for i in items] == [
        "https://rdf.example/notizie/alfa.html",
        "https://rdf.example/notizie/beta.html",
    ]
    assert items[0].date == "2025-09-20T08:00:00+02:00"
    assert items[1].date == "2025-09-21"


def test_all_links_absolute_http() -> None:
    for body, base in ((RSS, BASE), (ATOM, "https://atom.example/feed.atom"), (RDF, "https://rdf.example/rdf.xml")):
        for item in parse_feed(body, base):
            assert item.url.startswith(("http://", "https://")), item.url
            assert "javascript" not in item.url


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"this is plain text, not a feed", id="plain-text"),
        pytest.param(b"\x00\x01\x02garbage", id="binary"),
        pytest.param(
            b"<!DOCTYPE html><html><head><title>Home</title></head><body><a href='/a'>a</a></body></html>",
            id="html-page",
        ),
        pytest.param(b"<?xml version='1.0'?><urlset><url><loc>https://x.example/</loc></url></urlset>", id="sitemap"),
    ],
)
def test_not_a_feed(body: bytes) -> None:
    with pytest.raises(NotAListing):
        parse_feed(body, BASE)


def _xxe_feed(target: str) -> bytes:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE rss [ <!ENTITY secret SYSTEM "{target}"> ]>
<rss version="2.0"><channel>
  <item><title>Leak: &secret;</title><link>https://giornale.example/x.html?q=&secret;</link>
  <description>&secret;</description></item>
</channel></rss>
""".encode()


def test_xxe_does_not_leak_local_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-MARKER-4711", "utf-8")
    items = parse_feed(_xxe_feed(secret.as_uri()), BASE)
    assert "TOP-SECRET-MARKER-4711" not in repr(items)


def test_xxe_etc_passwd() -> None:
    items = parse_feed(_xxe_feed("file:///etc/passwd"), BASE)
    assert "root:" not in repr(items)


def test_billion_laughs_not_expanded() -> None:
    body = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
  <!ENTITY a "hahahahahahahahahaha">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
  <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
]>
<rss version="2.0"><channel><item><title>&d;</title><link>https://giornale.example/l.html</link></item></channel></rss>
"""
    items = parse_feed(body, BASE)
    assert "haha" not in repr(items)


# --- sitemaps ----------------------------------------------------------------------------

URLSET = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>https://pmi.example/imprese/uno.html</loc><lastmod>2025-09-10</lastmod></url>
  <url><loc>/imprese/due.html</loc></url>
  <url><loc>https://pmi.example/imprese/uno.html</loc></url>
  <url><loc>mailto:redazione@pmi.example</loc></url>
</urlset>
"""

INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://pmi.example/sitemap-2025.xml</loc><lastmod>2025-09-30T12:00:00+00:00</lastmod></sitemap>
  <sitemap><loc>sitemap-news.xml</loc></sitemap>
</sitemapindex>
"""

NEWS = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url>
    <loc>https://pmi.example/news/mobili-per-ufficio.html</loc>
    <lastmod>2025-09-01</lastmod>
    <news:news>
      <news:publication><news:name>PMI Example</news:name><news:language>it</news:language></news:publication>
      <news:publication_date>2025-09-22T17:30:00+02:00</news:publication_date>
      <news:title>Mobili per ufficio, la filiera abruzzese punta agli Usa</news:title>
    </news:news>
  </url>
</urlset>
"""


def test_sitemap_urlset() -> None:
    kind, items = parse_sitemap(URLSET, "https://pmi.example/sitemap.xml")
    assert kind == "urlset"
    assert [i.url for i in items] == ["https://pmi.example/imprese/uno.html", "https://pmi.example/imprese/due.html"]
    assert items[0].date == "2025-09-10"
    assert items[1].date is None


def test_sitemap_index() -> None:
    kind, items = parse_sitemap(INDEX, "https://pmi.example/sitemap.xml")
    assert kind == "sitemapindex"
    assert [i.url for i in items] == ["https://pmi.example/sitemap-2025.xml", "https://pmi.example/sitemap-news.xml"]


def test_google_news_sitemap() -> None:
    kind, items = parse_sitemap(NEWS, "https://pmi.example/sitemap-news.xml")
    assert kind == "urlset"
    assert len(items) == 1
    assert items[0].url == "https://pmi.example/news/mobili-per-ufficio.html"
    assert items[0].date == "2025-09-22T17:30:00+02:00"  # publication_date beats lastmod
    assert items[0].title == "Mobili per ufficio, la filiera abruzzese punta agli Usa"


@pytest.mark.parametrize("body", [RSS, b"<html><body>no</body></html>", b"not xml at all"])
def test_not_a_sitemap(body: bytes) -> None:
    with pytest.raises(NotAListing):
        parse_sitemap(body, "https://pmi.example/sitemap.xml")
