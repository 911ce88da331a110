"""The metadata read apart (rassegna.extraction.metadata) is what trafilatura's own extract_metadata gives.

It repeats trafilatura's sequence without categories, tags and licence; a trafilatura
release that changes the sequence should fail here rather than change stored fields.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from trafilatura.metadata import extract_metadata
from trafilatura.utils import load_html

from rassegna.extraction.article import _DATE_PARAMS
from rassegna.extraction.metadata import page_metadata

FIXTURES = Path(__file__).parent / "fixtures"
PAGES = sorted((FIXTURES / "dates").glob("*.html")) + sorted((FIXTURES / "text").glob("*.html"))
FIELDS = ("title", "author", "date", "sitename", "description", "url", "hostname")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_the_fields_rassegna_stores_are_trafilaturas(page):
    html = page.read_text("utf-8")
    url = f"https://www.example.it/notizie/{page.stem}"
    ours = page_metadata(load_html(html), url, _DATE_PARAMS)
    theirs = extract_metadata(load_html(html), url, dict(_DATE_PARAMS))
    assert {f: getattr(ours, f) for f in FIELDS} == {f: getattr(theirs, f) for f in FIELDS}


def test_the_pages_carry_the_fields_compared():
    # A comparison of empty fields would prove nothing: the saved pages name authors, dates, sites.
    found = [page_metadata(load_html(p.read_text("utf-8")), "https://www.example.it/x", _DATE_PARAMS) for p in PAGES]
    assert len(PAGES) >= 8
    assert sum(bool(m.title) for m in found) >= 8 and sum(bool(m.date) for m in found) >= 5
    assert sum(bool(m.author) for m in found) >= 2
