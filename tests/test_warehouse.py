"""Warehouse: schema and migrations, the analysts' views, idempotent loads, DuckDB 1.x readability."""

from __future__ import annotations

import dataclasses

import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from rassegna.config import Watchlist, load_watchlist
from rassegna.extraction.article import Article
from rassegna.matching.matcher import Matcher
from rassegna.pipeline import Processed
from warehouse.db import connect, migrate
from warehouse.load import load_batch, start_run, sync_entities

ROOT = Path(__file__).parent.parent
MIGRATIONS = sorted((ROOT / "warehouse" / "migrations").glob("*.sql"))

CONTRACT = {
    "articles": ["article_id", "url", "source", "title", "published_at", "fetched_at", "language", "text"],
    "entities": ["entity_id", "entity_name", "kind"],
    "mentions": [
        "article_id", "entity_id", "entity_name", "matched_text", "start_char", "end_char", "snippet",
    ],
}
VIEWS = ["articles", "entities", "mentions", "rejected_mentions", "runs", "source_runs"]


@pytest.fixture(scope="module")
def watchlist() -> Watchlist:
    return load_watchlist(ROOT / "config" / "watchlist.yaml")


def columns(con, relation: str) -> list[str]:
    return [row[0] for row in con.execute(f"DESCRIBE {relation}").fetchall()]


def test_connect_creates_schema_and_records_migrations(tmp_path: Path) -> None:
    db = tmp_path / "sub" / "rassegna.duckdb"
    con = connect(db)
    try:
        assert db.exists()
        tables = {r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE'"
        ).fetchall()}
        assert {"schema_migrations", "article", "entity", "mention_candidate", "run", "source_run"} <= tables
        rows = con.execute("SELECT version, count(*) FROM schema_migrations GROUP BY version").fetchall()
        assert len(rows) == len(MIGRATIONS)
        assert all(n == 1 for _, n in rows)
        # Migrating an up-to-date database applies nothing.
        assert migrate(con) == []
    finally:
        con.close()


def test_reconnect_applies_nothing(tmp_path: Path) -> None:
    db = tmp_path / "rassegna.duckdb"
    connect(db).close()
    con = connect(db)
    try:
        assert migrate(con) == []
        assert con.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] == len(MIGRATIONS)
    finally:
        con.close()


def test_views_exist_with_contract_columns(tmp_path: Path) -> None:
    con = connect(tmp_path / "rassegna.duckdb")
    try:
        views = {r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_type = 'VIEW'"
        ).fetchall()}
        assert set(VIEWS) <= views
        for view, wanted in CONTRACT.items():
            have = columns(con, view)
            assert [c for c in wanted if c not in have] == [], view
        for view in VIEWS:
            con.execute(f"SELECT * FROM {view} LIMIT 0")
    finally:
        con.close()


TEXT = (
    "Galdi, azienda di Postioma di Paese nel Trevigiano, costruisce riempitrici per liquidi alimentari. "
    "L’amministratrice delegata Antonella Candiotto ha guidato la delegazione in California. "
    "Nel programma Imprese Vincenti di Intesa Sanpaolo la Galdi è tra le dodici imprese scelte. "
    "In un’altra pagina si ricorda che il dio Aton era venerato in Egitto."
)


def processed(watchlist: Watchlist) -> Processed:
    url = "https://giornale.example/economia/galdi-california.html"
    article = Article(
        url=url,
        fetched_url=url + "?utm_source=rss",
        title="Galdi porta le sue riempitrici in California",
        author="Redazione",
        published_at=datetime(2025, 9, 19, 9, 20),
        date_precision="time",
        language="it",
        site_name="Giornale di prova",
        description=None,
        declared_canonical=url,
        text=TEXT,
    )
    candidates = Matcher(watchlist).match(article.text, article.title)
    return Processed(
        source="giornale-prova",
        url=article.fetched_url,
        listed_by="feed",
        fetched_at="2025-09-19T10:00:00+00:00",
        listed_date="2025-09-19",
        encoding="utf-8",
        article=article,
        candidates=candidates,
    )


def test_load_batch_twice_is_idempotent(tmp_path: Path, watchlist: Watchlist) -> None:
    con = connect(tmp_path / "rassegna.duckdb")
    try:
        start_run(con, "run-1", None, "sources.yaml", "watchlist.yaml", watchlist, 1)
        item = processed(watchlist)
        accepted = [c for c in item.candidates if c.accepted]
        assert len(accepted) >= 2 and len(item.candidates) > len(accepted)  # premise: both kinds present

        first = load_batch(con, "run-1", watchlist.version, [item])
        assert first.articles_new == 1
        assert first.mentions_new == len(accepted)

        # A retried batch of the same run writes nothing again but still counts as that run's news.
        retried = load_batch(con, "run-1", watchlist.version, [item])
        assert (retried.articles_new, retried.mentions_new) == (first.articles_new, first.mentions_new)
        # Another listed link of the same source, redirected to the same page, is a duplicate.
        other_link = dataclasses.replace(item, listed_url="https://giornale.example/go/123")
        again = load_batch(con, "run-1", watchlist.version, [other_link])
        assert (again.articles_new, again.duplicates_by_source) == (0, {"giornale-prova": 1})
        # A later run finds nothing new.
        second = load_batch(con, "run-2", watchlist.version, [item])
        assert second.articles_new == 0
        assert second.mentions_new == 0

        assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 1
        assert con.execute("SELECT count(*) FROM mention_candidate").fetchone()[0] == len(item.candidates)
        assert con.execute("SELECT count(*) FROM mentions").fetchone()[0] == len(accepted)
        assert con.execute("SELECT count(*) FROM rejected_mentions").fetchone()[0] == len(item.candidates) - len(accepted)

        rows = con.execute(
            "SELECT entity_name, matched_text, start_char, end_char FROM mentions ORDER BY start_char"
        ).fetchall()
        stored_text = con.execute("SELECT text FROM articles").fetchone()[0]
        assert stored_text == TEXT
        for name, matched, start, end in rows:
            assert stored_text[start:end] == matched
        assert {r[0] for r in rows} == {c.entity_name for c in accepted}
    finally:
        con.close()


def test_an_article_two_batches_of_one_run_hold_is_counted_once(tmp_path: Path, watchlist: Watchlist) -> None:
    from dataclasses import replace

    from rassegna.funnel import Funnel

    con = connect(tmp_path / "rassegna.duckdb")
    try:
        start_run(con, "run-1", None, "sources.yaml", "watchlist.yaml", watchlist, 2)
        item = processed(watchlist)
        # Two sources list the same article; their pages land in different batches (or shards).
        funnel = Funnel()
        counted = [funnel.add_loaded(load_batch(con, "run-1", watchlist.version, [p]).new_articles)
                   for p in (item, replace(item, source="other-feed"))]
        accepted = sum(c.accepted for c in item.candidates)
        assert counted == [(1, accepted), (0, 0)]
        assert (funnel.articles_new[item.source], funnel.articles_new["other-feed"]) == (1, 0)
    finally:
        con.close()


def test_same_article_twice_in_one_batch(tmp_path: Path, watchlist: Watchlist) -> None:
    con = connect(tmp_path / "rassegna.duckdb")
    try:
        start_run(con, "run-1", None, "sources.yaml", "watchlist.yaml", watchlist, 1)
        item = processed(watchlist)
        result = load_batch(con, "run-1", watchlist.version, [item, item])
        assert result.articles_new == 1
        assert con.execute("SELECT count(*) FROM article").fetchone()[0] == 1
        assert con.execute("SELECT count(*) FROM mention_candidate").fetchone()[0] == len(item.candidates)
    finally:
        con.close()


def test_duckdb_1x_cli_reads_the_file(tmp_path: Path, watchlist: Watchlist) -> None:
    cli = Path(sys.executable).parent / "duckdb"
    assert cli.exists(), "duckdb-cli dev dependency not installed"
    version = subprocess.run([str(cli), "-version"], capture_output=True, text=True, timeout=60)
    assert version.returncode == 0
    assert version.stdout.strip().lstrip("v").startswith("1."), version.stdout

    db = tmp_path / "rassegna.duckdb"
    con = connect(db)
    sync_entities(con, watchlist)
    con.close()

    done = subprocess.run(
        [str(cli), "-readonly", "-csv", "-noheader", str(db), "-c", "SELECT count(*) FROM entity"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(len(watchlist.entities))


def test_duckdb_1x_cli_reads_the_file_after_reopen_and_writes(tmp_path: Path, watchlist: Watchlist) -> None:
    # Later runs open the existing file (no compatibility option passed) and write to it:
    # the file, views included, must stay readable by 1.x clients.
    cli = Path(sys.executable).parent / "duckdb"
    db = tmp_path / "rassegna.duckdb"
    connect(db).close()
    con = connect(db)
    start_run(con, "run-2", None, "sources.yaml", "watchlist.yaml", watchlist, 1)
    load_batch(con, "run-2", watchlist.version, [processed(watchlist)])
    con.execute("CHECKPOINT")
    con.close()

    done = subprocess.run(
        [
            str(cli), "-readonly", "-csv", "-noheader", str(db),
            "-c", "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM mentions)",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    accepted = sum(c.accepted for c in processed(watchlist).candidates)
    assert done.stdout.strip() == f"1,{accepted}"


def test_bulk_load_layouts_match_the_migrated_tables(tmp_path: Path) -> None:
    from warehouse.load import ARTICLE_COLUMNS, MENTION_COLUMNS, PAGE_EVENT_COLUMNS, RELEVANCE_COLUMNS

    with connect(tmp_path / "layout.duckdb") as con:
        for table, layout in (("article", ARTICLE_COLUMNS), ("mention_candidate", MENTION_COLUMNS),
                              ("page_event", PAGE_EVENT_COLUMNS), ("article_programme", RELEVANCE_COLUMNS)):
            actual = con.execute(
                "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ?"
                " ORDER BY ordinal_position", [table]
            ).fetchall()
            assert actual == list(layout.items()), table


def test_every_table_view_and_column_is_described(tmp_path: Path) -> None:
    from warehouse.db import describe

    with connect(tmp_path / "described.duckdb") as con:
        described = describe(con)
    names = {name for name, _, _, _ in described}
    assert {"articles", "entities", "mentions", "rejected_mentions", "runs", "source_runs", "programme_coverage"} <= names
    for name, kind, comment, columns in described:
        assert comment, f"{kind} {name} has no description"
        for column, _, column_comment in columns:
            assert column_comment, f"{kind} {name}.{column} has no description"


def test_a_live_archive_scan_is_not_called_interrupted_by_a_run_between_its_files(tmp_path):
    from warehouse import load

    con = connect(tmp_path / "rassegna.duckdb")
    for run_id, kind in (("scan-1", "archive"), ("monitor-1", "monitor")):
        con.execute("INSERT INTO run (run_id, kind, started_at, status) VALUES (?, ?, now(), 'running')", [run_id, kind])
    assert load.mark_interrupted_runs(con, "monitor-2") == 1  # the killed monitor, not the scan
    status = dict(con.execute("SELECT run_id, status FROM run").fetchall())
    assert status == {"scan-1": "running", "monitor-1": "failed"}
    assert load.mark_interrupted_runs(con, "scan-2", archive_too=True) == 1  # the next scan ends it
    assert con.execute("SELECT status FROM run WHERE run_id = 'scan-1'").fetchone()[0] == "failed"
