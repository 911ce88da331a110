"""Parsers that take outside input, fuzzed: no crash (beyond their declared errors), no hang."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import WATCHLIST
from rassegna.config import load_watchlist
from rassegna.extraction.article import decode_html
from rassegna.matching.matcher import Matcher
from rassegna.matching.textnorm import fold
from rassegna.urls import canonical_url
from spiders.listings import NotAListing, parse_feed, parse_sitemap

FAST = settings(max_examples=200, deadline=2000)
MATCHER = Matcher(load_watchlist(WATCHLIST))

xml_fragments = st.lists(
    st.sampled_from([
        "<rss version='2.0'>", "<channel>", "<item>", "<link>", "</link>", "</item>", "</channel>", "</rss>",
        "<feed xmlns='http://www.w3.org/2005/Atom'>", "<entry>", "<link href='", "'/>", "</entry>", "</feed>",
        "<urlset>", "<url>", "<loc>", "</loc>", "</url>", "</urlset>", "<sitemapindex>", "<sitemap>",
        "http://a.it/x", "/rel", "javascript:x()", "&amp;", "&bogus;", "<![CDATA[", "]]>", "<!DOCTYPE x [",
        "<!ENTITY e SYSTEM 'file:///etc/passwd'>", "]>", "&e;", "\x00", "é", "<pubDate>", "</pubDate>",
    ]),
    max_size=40,
).map("".join)
names = st.sampled_from(["Galdi", "Rain", "Move", "I.co.p", "Mac&Nil", "Mac &amp; Nil", "Santini", "INNOVIT",
                         "Imprese Vincenti", "Manta\u00a0Group", "Mal-\nvestio", "dell’azienda", "İ", "ﬁ"])
texty = st.lists(st.one_of(st.text(max_size=30), names), max_size=30).map(" ".join)


@FAST
@given(st.one_of(xml_fragments, st.binary(max_size=300).map(lambda b: b.decode("latin-1"))))
def test_feed_and_sitemap_parsers_never_crash(document: str) -> None:
    body = document.encode("utf-8", "surrogatepass")
    for parse in (parse_feed, lambda b, u: parse_sitemap(b, u)[1]):
        try:
            entries = parse(body, "http://example.org/feed.xml")
        except NotAListing:
            continue
        assert all(e.url.startswith(("http://", "https://")) for e in entries)
        assert all("root:" not in e.url for e in entries)  # no entity from /etc/passwd


@FAST
@given(st.text(max_size=200))
def test_canonical_url_never_crashes(url: str) -> None:
    result = canonical_url(url, base="http://example.org/a/")
    assert result is None or result.startswith(("http://", "https://"))


@FAST
@given(texty, st.text(max_size=40))
def test_matcher_offsets_always_point_into_the_text(text: str, title: str) -> None:
    for candidate in MATCHER.match(text, title):
        assert 0 <= candidate.start_char < candidate.end_char <= len(text)
        assert text[candidate.start_char:candidate.end_char] == candidate.matched_text


@FAST
@given(texty)
def test_fold_keeps_an_origin_for_every_character(text: str) -> None:
    folded = fold(text)
    assert len(folded.text) == len(folded.lower)
    if folded.origin is not None:
        assert len(folded.origin) == len(folded.text)
        assert all(0 <= i < len(text) for i in folded.origin)


@FAST
@given(st.binary(max_size=500), st.sampled_from([None, "text/html", "text/html; charset=utf-8",
                                                 "text/html; charset=bogus", "text/html; charset=iso-8859-1"]))
def test_decoding_any_bytes_gives_text(body: bytes, content_type: str | None) -> None:
    text, encoding = decode_html(body, content_type)
    assert isinstance(text, str) and encoding


@pytest.mark.parametrize("size", [10_000, 1_000_000])
def test_pathological_inputs_finish(size: int) -> None:
    MATCHER.match("Galdi " * (size // 6))
    MATCHER.match("&amp;" * (size // 5))
    parse_feed(b"<rss><channel>" + b"<item><link>/x</link></item>" * (size // 30) + b"</channel></rss>", "http://a.it/")
