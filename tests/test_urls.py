"""One canonical URL per article: tracking parameters, fragments and AMP variants removed."""

from __future__ import annotations

import pytest

from rassegna.urls import canonical_url

ARTICLE = "https://www.giornale.example/economia/2025/09/17/galdi-silicon-valley.html"


@pytest.mark.parametrize("variant", [
    ARTICLE,
    ARTICLE + "?utm_source=rss&utm_medium=feed",
    ARTICLE + "?fbclid=IwAR0abc",
    ARTICLE + "#commenti",
    ARTICLE + "?amp=1",
    ARTICLE + "?amp",
    ARTICLE + "?outputType=amp",
    ARTICLE.replace(".html", ".amp.html"),
    "HTTPS://WWW.giornale.example/economia/2025/09/17/galdi-silicon-valley.html",
])
def test_variants_of_one_article_share_its_canonical_url(variant: str) -> None:
    assert canonical_url(variant) == ARTICLE


@pytest.mark.parametrize("variant", [
    "https://www.giornale.example/economia/galdi-silicon-valley/amp",
    "https://www.giornale.example/economia/galdi-silicon-valley/amp/",
])
def test_a_trailing_amp_segment_is_dropped(variant: str) -> None:
    assert canonical_url(variant) == "https://www.giornale.example/economia/galdi-silicon-valley"


@pytest.mark.parametrize("url", [
    "https://www.giornale.example/economia/amplifon-conti.html",  # "amp" inside a word
    "https://www.giornale.example/amp/sezione/articolo.html",  # an /amp/ section is the site's business
    "https://www.giornale.example/articolo.html?id=42",  # a parameter that names the article stays
])
def test_other_urls_keep_their_identity(url: str) -> None:
    assert canonical_url(url) == url


def test_a_query_without_amp_is_left_as_courlan_wrote_it() -> None:
    url = "https://www.giornale.example/articolo.php?id=a%2Fb"
    assert canonical_url(url) == url
    assert canonical_url(url + "&amp=1") == "https://www.giornale.example/articolo.php?id=a%2Fb"
