"""SIGKILL during crawling, extraction and the warehouse write: the next run repairs everything."""

from __future__ import annotations

import signal
import time

import duckdb
import psutil
import pytest

from conftest import SITE, WATCHLIST, write_sources
from rassegna.demo.server import serving
from reliability.conftest import run_driver

pytestmark = pytest.mark.usefixtures("prefect_harness")


@pytest.fixture(scope="module")
def slow_sites():
    # Slow enough that the crawl is still running when the first pages arrive.
    with serving(SITE, delay=0.15) as sites:
        yield sites


def _articles(expected):
    return [e for e in expected if e["expect"] == "article"]


@pytest.mark.parametrize("stage", ["crawl", "extract", "write"])
def test_killed_run_is_marked_failed_and_the_next_run_completes(stage, slow_sites, expected, prefect_env, tmp_path):
    from flows.monitor import monitor

    sources = write_sources(slow_sites, tmp_path)
    db = tmp_path / "r.duckdb"
    killed = run_driver(prefect_env, stage, sources, WATCHLIST, db)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]

    # The crawl child dies with its run instead of fetching on as an orphan.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(
        "spiders.crawl" in " ".join(p.info["cmdline"] or []) and str(tmp_path) in " ".join(p.info["cmdline"] or [])
        for p in psutil.process_iter(["cmdline"])
    ):
        time.sleep(0.2)
    orphans = [p for p in psutil.process_iter(["cmdline"]) if str(tmp_path) in " ".join(p.info["cmdline"] or [])]
    assert not orphans

    summary = monitor(sources_file=sources, watchlist_file=WATCHLIST, db=str(db), batch_size=5)
    assert summary.status == "completed"
    assert summary.interrupted_runs_closed == 1

    with duckdb.connect(str(db), read_only=True) as con:
        runs = con.execute("SELECT status, error FROM runs ORDER BY started_at").fetchall()
        urls = [r[0] for r in con.execute("SELECT url FROM articles").fetchall()]
        mentions = con.execute("SELECT count(*), count(DISTINCT (article_id, entity_id, start_char)) FROM mentions").fetchone()
        orphan_mentions = con.execute(
            "SELECT count(*) FROM mention_candidate WHERE article_id NOT IN (SELECT article_id FROM article)"
        ).fetchone()[0]
        without_mentions = con.execute(
            "SELECT count(*) FROM article a WHERE NOT EXISTS"
            " (SELECT 1 FROM mention_candidate m WHERE m.article_id = a.article_id)"
        ).fetchone()[0]
    assert runs[0][0] == "failed" and runs[0][1].startswith("interrupted")
    assert runs[1][0] == "completed"
    assert len(urls) == len(set(urls)) == len(_articles(expected))  # nothing lost, nothing twice
    assert mentions[0] == mentions[1] > 0
    assert orphan_mentions == 0
    # Every labelled article kept its mentions: a write killed mid-transaction left no article without them.
    labelled = sum(1 for e in _articles(expected) if e["entities"])
    assert len(urls) - without_mentions >= labelled
