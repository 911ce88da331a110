"""A source that fails, or stores nothing new, for several runs in a row is flagged in the
run summary; one source failing never fails the run."""

from __future__ import annotations

import duckdb
import pytest

from conftest import FIXTURES, WATCHLIST
from rassegna.cli import render_template
from rassegna.demo.server import serving
from rassegna.reporting.summary import run_markdown

pytestmark = pytest.mark.usefixtures("prefect_harness")

SOURCES = """
allow_private_networks: true
crawl: {download_delay: 0, retries: 0}
health: {failing_runs: 2, silent_runs: 2}
sources:
  - {name: canale-feed, kind: feed, url: "{{BASE:canale}}/feed.xml"}
  - {name: gone-feed, kind: feed, url: "{{BASE:canale}}/no-such-feed.xml"}
"""


@pytest.fixture(scope="module")
def three_runs(tmp_path_factory):
    from flows.monitor import monitor

    folder = tmp_path_factory.mktemp("health")
    db = folder / "rassegna.duckdb"
    with serving(FIXTURES / "channels") as sites:
        sources = folder / "sources.yaml"
        sources.write_text(render_template(SOURCES, sites.bases), "utf-8")
        yield db, [monitor(sources_file=sources, watchlist_file=WATCHLIST, db=str(db)) for _ in range(3)]


def _flagged(summary) -> dict[str, tuple[int, int]]:
    return {f["source"]: (f["failing_runs_in_a_row"], f["silent_runs_in_a_row"]) for f in summary.flagged_sources}


def test_a_failing_source_is_flagged_from_its_second_failure(three_runs):
    _, (first, second, third) = three_runs
    assert all(s.status == "completed-with-failures" for s in (first, second, third))
    assert "gone-feed" not in _flagged(first)
    assert _flagged(second)["gone-feed"][0] == 2
    assert _flagged(third)["gone-feed"][0] == 3


def test_a_source_with_nothing_new_is_flagged_once_silent_long_enough(three_runs):
    _, (first, second, third) = three_runs
    assert first.articles_new > 0
    assert "canale-feed" not in _flagged(first) and "canale-feed" not in _flagged(second)
    assert _flagged(third)["canale-feed"] == (0, 2)


def test_the_health_view_counts_the_streaks(three_runs):
    db, _ = three_runs
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("SELECT source, runs, failing_runs_in_a_row, silent_runs_in_a_row, last_run_failed"
                           " FROM source_health ORDER BY source").fetchall()
    assert rows == [("canale-feed", 3, 0, 2, False), ("gone-feed", 3, 3, 3, True)]


def test_the_summary_names_the_sources_needing_attention(three_runs):
    _, runs = three_runs
    third = runs[-1]
    markdown = run_markdown(third.run_id, third.status, {}, {}, third.sources, third.flagged_sources)
    section = markdown.split("## Sources needing attention", 1)[1].split("##", 1)[0]
    assert "gone-feed**: failed in the last 3 runs" in section
    assert "canale-feed**: nothing new in the last 2 runs" in section


def test_the_command_line_summary_names_them_too(three_runs, capsys):
    from rassegna.cli import _print_summary

    _, runs = three_runs
    _print_summary(runs[-1])
    out = capsys.readouterr().out
    assert "needs attention: gone-feed failed in the last 3 runs in a row" in " ".join(out.split())
