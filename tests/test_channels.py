"""Every channel that listed an article is recorded, and an article reached through a
redirecting or tracking link is never fetched again under that link."""

from __future__ import annotations

from typing import Any

import duckdb
import pytest

from conftest import FIXTURES, WATCHLIST, write_sources
from rassegna.demo.server import serving

pytestmark = pytest.mark.usefixtures("prefect_harness")

SITE = FIXTURES / "channels"


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory) -> dict[str, Any]:
    from flows.monitor import monitor

    folder = tmp_path_factory.mktemp("channels")
    db = folder / "rassegna.duckdb"
    with serving(SITE) as sites:
        sources = write_sources(sites, folder, SITE / "sources.template.yaml")
        first = monitor(sources_file=sources, watchlist_file=WATCHLIST, db=str(db))
        second = monitor(sources_file=sources, watchlist_file=WATCHLIST, db=str(db))
        yield {"db": db, "base": sites.bases["canale"], "first": first, "second": second}


def _rows(db, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def _channels(db, base: str, page: str) -> set[tuple[str, str]]:
    return set(_rows(db, "SELECT c.source, c.channel FROM article_channels c JOIN articles a USING (article_id)"
                         " WHERE a.url = ?", [f"{base}/economia/{page}.html"]))


def test_an_article_listed_by_feed_and_sitemap_has_both_channels(two_runs):
    both = {("canale-feed", "feed"), ("canale-sitemap", "sitemap")}
    assert _channels(two_runs["db"], two_runs["base"], "alfa") == both  # the feed's link redirects
    assert _channels(two_runs["db"], two_runs["base"], "beta") == both  # the feed's link has utm_ parameters
    assert _channels(two_runs["db"], two_runs["base"], "gamma") == {("canale-sitemap", "sitemap")}


def test_one_article_row_per_canonical_url(two_runs):
    urls = sorted(row[0] for row in _rows(two_runs["db"], "SELECT url FROM articles"))
    assert urls == [f"{two_runs['base']}/economia/{p}.html" for p in ("alfa", "beta", "gamma")]


def test_the_second_run_fetches_nothing(two_runs):
    assert two_runs["first"].pages_fetched >= 3
    assert two_runs["second"].pages_fetched == 0, "a listed link of a stored article was fetched again"


def test_a_listing_counts_once_per_run_even_when_recorded_twice(tmp_path):
    from warehouse import load
    from warehouse.db import connect

    listed = [{"source": "s", "channel": "feed", "query": "", "url": "http://x.example/a"},
              {"source": "s", "channel": "search", "query": '"Imprese Vincenti"', "url": "http://x.example/a"}]
    with connect(tmp_path / "w.duckdb") as con:
        load.record_discovery(con, "run-1", listed)
        load.record_discovery(con, "run-1", listed)  # a retried task
        load.record_discovery(con, "run-2", listed[:1])
        rows = con.execute("SELECT channel, first_run_id, last_run_id, times_listed FROM discovery ORDER BY 1").fetchall()
    assert rows == [("feed", "run-1", "run-2", 2), ("search", "run-1", "run-1", 1)]


def test_redirecting_link_is_remembered_as_a_url_of_its_article(two_runs):
    rows = _rows(two_runs["db"], "SELECT a.url FROM article_url u JOIN articles a USING (article_id) WHERE u.url = ?",
                 [f"{two_runs['base']}/go/alfa"])
    assert rows == [(f"{two_runs['base']}/economia/alfa.html",)]


def test_a_second_page_of_a_stored_article_counts_as_a_duplicate_not_as_new(two_runs):
    first = {s["source"]: s for s in two_runs["first"].sources}
    listed_twice = 2  # alfa and beta are in both the feed and the sitemap
    duplicates = sum(s["skip_reasons"].get("duplicate", 0) for s in first.values())
    assert duplicates == listed_twice
    assert two_runs["first"].articles_new == 3
    assert sum(s["articles_new"] for s in first.values()) == 3


def test_a_channel_listing_one_article_under_two_urls_is_one_row(tmp_path):
    from conftest import store_articles
    from rassegna.config import load_watchlist
    from warehouse import load
    from warehouse.db import connect

    db = tmp_path / "w.duckdb"
    url = "https://giornale.example/economia/galdi.html"
    store_articles(db, load_watchlist(WATCHLIST), [(url, "Galdi", "Un testo qualunque. " * 20, None)])
    with connect(db) as con:
        aid = con.execute("SELECT article_id FROM article").fetchone()[0]
        load.bulk_insert(con, "article_url", load.URL_COLUMNS, [(url + "?utm_source=rss", aid)])
        load.record_discovery(con, "r1", [{"source": "s", "channel": "feed", "url": url + "?utm_source=rss"}])
        load.record_discovery(con, "r2", [{"source": "s", "channel": "feed", "url": url + "?utm_source=rss"},
                                          {"source": "s", "channel": "feed", "url": url}])
        rows = con.execute("SELECT channel, first_run_id, last_run_id, times_listed FROM article_channels").fetchall()
    assert rows == [("feed", "r1", "r2", 2)]
