"""Shared fixtures: the fixture news site on 127.0.0.1, a rendered sources file, Prefect's harness,
a real `prefect server` process."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import flows  # noqa: F401  (sets Prefect's offline defaults before Prefect is imported)
from rassegna.cli import render_template
from rassegna.demo.server import DemoSites, serving
from prefect_helpers import PREFECT, free_port, server_env, wait_healthy

FIXTURES = Path(__file__).parent / "fixtures"
SITE = FIXTURES / "site"
ROOT = Path(__file__).parent.parent
WATCHLIST = ROOT / "config" / "watchlist.yaml"


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    # One temporary Prefect server for the whole session: starting one costs 10-15 s.
    from prefect.testing.utilities import prefect_test_harness

    from rassegna.lifecycle.prefect_server import without_heartbeats

    # As in a one-shot command: the harness's server ends with the session (and each flow
    # run would otherwise wait up to a second for Prefect's heartbeat thread at its end).
    with prefect_test_harness(server_startup_timeout=120), without_heartbeats():
        yield


@pytest.fixture
def server(tmp_path) -> Iterator[dict[str, str]]:
    """`prefect server start` on a free 127.0.0.1 port; yields the environment that talks to it."""
    port = free_port()
    env = server_env(tmp_path / "prefect-home", port)
    log_path = tmp_path / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen([PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port), "--no-ui"],
                                   env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_healthy(env, process, log_path)
    except RuntimeError as exc:
        pytest.fail(str(exc))
    yield env
    process.terminate()
    process.wait(timeout=30)


@pytest.fixture(scope="session")
def sites() -> Iterator[DemoSites]:
    with serving(SITE) as running:
        yield running


@pytest.fixture(scope="session")
def expected() -> list[dict[str, Any]]:
    return json.loads((SITE / "expected.json").read_text("utf-8"))


def store_articles(db: Path, watchlist, articles, site_name: str | None = None, run_id: str = "r1") -> None:
    """Store (url, title, text, published_at or None) articles through the real matcher and loader."""
    from rassegna.extraction.article import Article
    from rassegna.matching.matcher import Matcher
    from rassegna.pipeline import Processed, covers_an_entity, match_article
    from rassegna.stories import fingerprint
    from warehouse import load
    from warehouse.db import connect

    matcher = Matcher(watchlist)
    batch = []
    for url, title, text, published_at in articles:
        article = Article(url=url, fetched_url=url, title=title, author=None, published_at=published_at,
                          date_precision="time" if published_at else None, language="it", site_name=site_name,
                          description=None, declared_canonical=None, text=text)
        candidates, relevance = match_article(matcher, title, text)
        batch.append(Processed(source="giornale", url=url, listed_by="feed", fetched_at="2025-09-26T10:00:00+00:00",
                               article=article, candidates=candidates, relevance=relevance,
                               fingerprint=fingerprint(text) if covers_an_entity(candidates) else None))
    with connect(db) as con:
        load.start_run(con, run_id, None, "sources.yaml", str(WATCHLIST), watchlist, 1)
        load.load_batch(con, run_id, watchlist.version, batch)


def write_sources(sites: DemoSites, folder: Path, template: Path = SITE / "sources.template.yaml") -> Path:
    path = folder / "sources.yaml"
    path.write_text(render_template(template.read_text("utf-8"), sites.bases), "utf-8")
    return path
