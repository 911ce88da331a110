"""The real flow over the fixture site: Scrapy, trafilatura, the matcher, DuckDB and Prefect."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pytest

from conftest import WATCHLIST, write_sources

pytestmark = pytest.mark.usefixtures("prefect_harness")


@pytest.fixture(scope="module")
def first_run(sites, tmp_path_factory) -> dict[str, Any]:
    from flows.monitor import monitor

    folder = tmp_path_factory.mktemp("e2e")
    db = folder / "rassegna.duckdb"
    sources = write_sources(sites, folder)
    summary = monitor(sources_file=sources, watchlist_file=WATCHLIST, db=str(db))
    return {"db": db, "sources": sources, "summary": summary}


def _rows(db: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def _url(sites, entry: dict[str, Any]) -> str:
    return sites.url(entry["outlet"], entry["path"])


def test_every_expected_article_is_stored_once_with_its_metadata(first_run, sites, expected):
    for entry in (e for e in expected if e["expect"] == "article"):
        rows = _rows(first_run["db"], "SELECT title, published_at, text FROM articles WHERE url = ?", [_url(sites, entry)])
        assert len(rows) == 1, f"{entry['path']}: expected one article row, got {len(rows)}"
        title, published_at, text = rows[0]
        assert title == entry["title"], entry["path"]
        if entry["published"] is None:
            assert published_at is None, f"{entry['path']}: has no date, got {published_at}"
        else:
            assert published_at is not None, f"{entry['path']}: date missing"
        for phrase in entry["must_contain"]:
            assert phrase in text, f"{entry['path']}: {phrase!r} missing from text"
        for phrase in entry["must_not_contain"]:
            assert phrase not in text, f"{entry['path']}: boilerplate {phrase!r} reached the text"


def test_mentions_are_exactly_the_labelled_entities(first_run, sites, expected):
    for entry in (e for e in expected if e["expect"] == "article"):
        found = {
            row[0]
            for row in _rows(
                first_run["db"],
                "SELECT entity_name FROM mentions m JOIN articles a USING (article_id) WHERE a.url = ?",
                [_url(sites, entry)],
            )
        }
        assert found == set(entry["entities"]), entry["path"]


def test_pages_that_must_not_be_fetched_are_not_articles(first_run, sites, expected):
    urls = [row[0] for row in _rows(first_run["db"], "SELECT fetched_url FROM articles")]
    for entry in (e for e in expected if e["expect"] != "article"):
        assert not any(u.startswith(_url(sites, entry)) for u in urls), entry["path"]


def test_skips_are_recorded_with_their_reason(first_run, sites, expected):
    events = {(row[0], row[1]) for row in _rows(first_run["db"], "SELECT url, reason FROM page_event")}
    for entry in (e for e in expected if e["expect"] == "skipped"):
        assert (_url(sites, entry), entry["reason"]) in events, entry["path"]
    robots = [e for e in expected if e["reason"] == "robots"]
    for entry in robots:
        assert (_url(sites, entry), "robots") in events, entry["path"]


def test_run_and_source_records(first_run):
    runs = _rows(first_run["db"], "SELECT status, articles_new, mentions_new, sources_total FROM runs")
    assert len(runs) == 1
    status, articles_new, mentions_new, sources_total = runs[0]
    assert status == "completed"
    assert articles_new == first_run["summary"].articles_new > 0
    assert mentions_new == first_run["summary"].mentions_new > 0
    sources = _rows(first_run["db"], "SELECT source, status, listed, fetched, extracted FROM source_runs ORDER BY source")
    assert len(sources) == sources_total == 5
    assert all(status == "ok" and listed > 0 and fetched > 0 and extracted > 0 for _, status, listed, fetched, extracted in sources)


def test_the_run_publishes_its_summary_and_new_mentions_as_prefect_artifacts(first_run):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    with get_client(sync_client=True) as client:
        def latest(key):
            found = client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])))
            return max(found, key=lambda a: a.created)

        summary = latest("monitor-summary").data
        table = latest("new-mentions").data
    run = first_run["summary"]
    assert run.run_id in summary and "nordest-economia" in summary and "Galdi" in summary
    assert str(run.mentions_new) in summary
    rows = json.loads(table) if isinstance(table, str) else table
    assert len(rows) == run.mentions_new
    assert all(row["url"].startswith("http://127.0.0.1:") for row in rows)


def test_second_run_adds_nothing_and_duplicates_nothing(first_run):
    from flows.monitor import monitor

    before = _rows(first_run["db"], "SELECT count(*) FROM articles")[0][0]
    mentions_before = _rows(first_run["db"], "SELECT count(*) FROM mentions")[0][0]
    summary = monitor(sources_file=first_run["sources"], watchlist_file=WATCHLIST, db=str(first_run["db"]))
    assert summary.status == "completed"
    assert summary.articles_new == 0 and summary.mentions_new == 0
    assert _rows(first_run["db"], "SELECT count(*) FROM articles")[0][0] == before
    assert _rows(first_run["db"], "SELECT count(*) FROM mentions")[0][0] == mentions_before
    assert _rows(first_run["db"], "SELECT count(*), count(DISTINCT url) FROM articles")[0] == (before, before)
    assert _rows(first_run["db"], "SELECT count(*) FROM runs WHERE status = 'completed'")[0][0] == 2

    # Incremental: unchanged feeds and sitemaps answer 304 to a conditional request, and
    # stored articles are never downloaded again.
    second = {row[0]: row[1:] for row in _rows(
        first_run["db"],
        "SELECT source, kind, fetched, skip_reasons FROM source_runs WHERE run_id = ?", [summary.run_id])}
    for source, (kind, fetched, skip_reasons) in second.items():
        if kind in ("feed", "sitemap"):
            assert fetched == 0 and '"not-modified"' in skip_reasons, (source, fetched, skip_reasons)
        else:
            assert '"known"' in skip_reasons, (source, skip_reasons)
    validators = _rows(first_run["db"], "SELECT count(*) FROM source_state WHERE etag IS NOT NULL")[0][0]
    assert validators == sum(1 for kind, _, _ in second.values() if kind != "site")


QUERIES = sorted((Path(__file__).parent.parent / "warehouse" / "queries").glob("*.sql"))


@pytest.mark.parametrize("query", QUERIES, ids=[q.stem for q in QUERIES])
def test_example_queries_run_and_answer(first_run, query):
    with duckdb.connect(str(first_run["db"]), read_only=True) as con:
        con.execute("SET VARIABLE since = DATE '2000-01-01'")
        rows = con.execute(query.read_text("utf-8")).fetchall()
    assert rows, f"{query.name} returned nothing on the fixture site's run"


def test_every_date_says_where_it_came_from(first_run):
    rows = _rows(first_run["db"], "SELECT url, published_at, date_signal, date_candidates FROM articles")
    dated = [r for r in rows if r[1] is not None]
    assert dated, "the fixture site has dated articles"
    for url, _, signal, candidates in dated:
        assert signal in {"jsonld", "meta", "listed", "url", "htmldate"}, url
        assert signal in {c["signal"] for c in json.loads(candidates)}, url
    for url, _, signal, _ in (r for r in rows if r[1] is None):
        assert signal is None, f"{url}: a signal without a date"
