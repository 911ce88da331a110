"""Atom feeds: valid for a real feed parser, one entry per story with a stable id, served over HTTP."""

from __future__ import annotations

import shutil
import urllib.error
import urllib.request
from datetime import datetime

import duckdb
import feedparser
import pytest
from typer.testing import CliRunner

from conftest import WATCHLIST, store_articles
from rassegna.config import load_watchlist
from test_stories import HEADLINE, ORIGINAL, REPUBLISHED

HOSTILE = "Santini <script>alert(1)</script> e il \x0bciclismo"
SANTINI_TEXT = ("Santini, il marchio bergamasco dell'abbigliamento per il ciclismo, era tra le aziende della missione "
                "di Imprese Vincenti a San Francisco.")

OTHER_SANTINI = ("A Bergamo Santini ha presentato la nuova collezione di maglie per il ciclismo su strada, disegnata per le "
                 "granfondo della prossima stagione e prodotta nello stabilimento di Lallio.")


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    path = tmp_path_factory.mktemp("feeds") / "template.duckdb"
    watchlist = load_watchlist(WATCHLIST)
    store_articles(path, watchlist, [("https://uno.example/galdi", HEADLINE, ORIGINAL, datetime(2025, 9, 17))],
                   site_name="Quotidiano Uno", run_id="r1")
    slug, copy = next(iter(REPUBLISHED.items()))
    store_articles(path, watchlist, [(f"https://{slug}.example/galdi", "Copia", copy, datetime(2025, 9, 18))],
                   site_name="Testata Due", run_id="r2")
    store_articles(path, watchlist, [("https://uno.example/santini", HOSTILE, SANTINI_TEXT, datetime(2025, 9, 20))],
                   site_name="Quotidiano Uno", run_id="r3")
    return path


@pytest.fixture
def db(template, tmp_path):
    path = tmp_path / "w.duckdb"
    shutil.copy(template, path)
    return path


def write(db, out):
    from rassegna.reporting.feeds import write_feeds

    with duckdb.connect(str(db), read_only=True) as con:
        return write_feeds(con, out, base_url="https://intranet.example.it/feeds")


def test_one_valid_feed_per_entity_and_one_for_all_with_one_entry_per_story(db, tmp_path):
    written = write(db, tmp_path / "feeds")
    names = {p.name for p in written}
    assert {"all.xml", "galdi.xml", "santini.xml", "imprese-vincenti.xml", "rain.xml", "index.html"} <= names
    everything = feedparser.parse((tmp_path / "feeds" / "all.xml").read_bytes())
    assert not everything.bozo, everything.get("bozo_exception")
    assert everything.version == "atom10"
    # Two stories: the release (two outlets, one entry) and the Santini article.
    assert [e.link for e in everything.entries] == ["https://uno.example/santini", "https://uno.example/galdi"]
    release = everything.entries[1]
    assert {t.term for t in release.tags} >= {"galdi", "imprese-vincenti"}
    assert "ripresa da 2 testate: Quotidiano Uno, Testata Due" in release.summary
    # Page text stays text, and characters XML cannot carry are dropped.
    assert everything.entries[0].title == "Santini <script>alert(1)</script> e il ciclismo"
    assert everything.feed.links[0].href == "https://intranet.example.it/feeds/all.xml"

    galdi = feedparser.parse((tmp_path / "feeds" / "galdi.xml").read_bytes())
    assert not galdi.bozo and len(galdi.entries) == 1
    assert galdi.entries[0].id == release.id and "Galdi" in galdi.entries[0].summary
    assert galdi.entries[0].published_parsed[:3] == (2025, 9, 17)
    empty = feedparser.parse((tmp_path / "feeds" / "rain.xml").read_bytes())
    assert not empty.bozo and empty.entries == [] and empty.feed.title == "Rassegna · Rain"


def test_entry_ids_are_stable_and_a_new_outlet_updates_the_entry(db, tmp_path):
    before = feedparser.parse(write(db, tmp_path / "a")[0].parent.joinpath("galdi.xml").read_bytes())
    again = feedparser.parse(write(db, tmp_path / "b")[0].parent.joinpath("galdi.xml").read_bytes())
    assert [e.id for e in again.entries] == [e.id for e in before.entries]
    assert [e.updated for e in again.entries] == [e.updated for e in before.entries]

    slug, copy = list(REPUBLISHED.items())[1]
    store_articles(db, load_watchlist(WATCHLIST), [(f"https://{slug}.example/galdi", "Copia 2", copy,
                                                    datetime(2025, 9, 21))], site_name="Testata Tre", run_id="r4")
    after = feedparser.parse(write(db, tmp_path / "c")[0].parent.joinpath("galdi.xml").read_bytes())
    assert [e.id for e in after.entries] == [e.id for e in before.entries]  # still one entry: the same story
    assert after.entries[0].updated_parsed[:3] == (2025, 9, 21) and "ripresa da 3 testate" in after.entries[0].summary


def test_the_feed_command_and_the_feed_server(db, tmp_path):
    from rassegna.cli import _feed_server, app

    out = tmp_path / "served"
    result = CliRunner().invoke(app, ["feed", "--out", str(out), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert (out / "galdi.xml").exists()

    server = _feed_server(out, db, "127.0.0.1", 0)  # what `rassegna serve --feeds` runs
    server.start()
    base = f"http://127.0.0.1:{server.address[1]}"
    try:
        with urllib.request.urlopen(f"{base}/all.xml", timeout=10) as response:
            assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
            assert len(feedparser.parse(response.read()).entries) == 2
        # A newer warehouse is picked up by the next request.
        store_articles(db, load_watchlist(WATCHLIST), [("https://tre.example/santini", "Santini ancora", OTHER_SANTINI,
                                                        datetime(2025, 9, 22))], site_name="Tre", run_id="r5")
        with urllib.request.urlopen(f"{base}/santini.xml", timeout=10) as response:
            assert len(feedparser.parse(response.read()).entries) == 2
        for path in ("/../w.duckdb", "/%2e%2e/w.duckdb", "/w.duckdb"):
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(base + path, timeout=10)
            assert refused.value.code == 404
    finally:
        server.stop()
