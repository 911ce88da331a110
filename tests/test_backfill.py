"""End to end: a two-month backfill over every channel that reaches the past, killed and resumed.

Real Prefect flow, real crawl child (Scrapy over HTTP to the stand-ins in backfill_standins.py),
real extraction, matcher and DuckDB. The first backfill runs in a child process and is
SIGKILLed as soon as it asks for the second window; the second resumes; the third fetches nothing.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import duckdb
import psutil
import pytest

from backfill_standins import ARTICLES, BLOCKED, CONSENT_ONLY, WATCHLIST, StandIns, new_style_id, sources_yaml
from warehouse.lock import LockTimeout, writer_lock

pytestmark = pytest.mark.usefixtures("prefect_harness")

ROOT = Path(__file__).parent.parent
SINCE, UNTIL = "2025-09-01", "2025-10-31"
WINDOW_DAYS = 31  # two windows: 2025-09-01..2025-10-01 and 2025-10-02..2025-10-31
SECOND_WINDOW_AFTER = "after:2025-10-01"

DRIVER = """
import sys
from pathlib import Path
from flows.backfill import backfill
backfill(since=sys.argv[1], until=sys.argv[2], sources_file=Path(sys.argv[3]), watchlist_file=Path(sys.argv[4]),
         db=sys.argv[5], window_days=int(sys.argv[6]), workers=1)
"""


def _rows(db: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def _article_paths(requests: list[dict]) -> set[str]:
    paths = {a.path: slug for slug, a in ARTICLES.items()}
    return {paths[r["path"]] for r in requests if r["server"] == "publisher" and r["path"] in paths}


@pytest.fixture(scope="module")
def backfilled(tmp_path_factory) -> dict[str, Any]:
    from prefect.settings import PREFECT_API_URL

    from flows.backfill import backfill

    net = StandIns()
    folder = tmp_path_factory.mktemp("backfill")
    sources, watchlist, db = folder / "sources.yaml", folder / "watchlist.yaml", folder / "r.duckdb"
    sources.write_text(sources_yaml(net), "utf-8")
    watchlist.write_text(WATCHLIST, "utf-8")

    # 1. A backfill in a child process, SIGKILLed when it asks Google News for the second window.
    second_window = threading.Event()
    net.on_request = lambda r: second_window.set() if SECOND_WINDOW_AFTER in r["params"].get("q", "") else None
    env = {**os.environ, "PREFECT_API_URL": str(PREFECT_API_URL.value()), "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-c", DRIVER, SINCE, UNTIL, str(sources), str(watchlist), str(db), str(WINDOW_DAYS)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT,
    )
    deadline = time.monotonic() + 120
    while not second_window.wait(0.2) and child.poll() is None and time.monotonic() < deadline:
        pass
    reached = second_window.is_set()
    child.send_signal(signal.SIGKILL)
    _, stderr = child.communicate(timeout=30)
    assert reached, f"the killed backfill never reached the second window: {stderr.decode()[-3000:]}"
    # Its crawl child follows it (rassegna.lifecycle.exit_with_parent) before the resumed backfill starts.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(str(folder) in " ".join(p.info["cmdline"] or [])
                                              for p in psutil.process_iter(["cmdline"])):
        time.sleep(0.2)
    net.on_request = None
    killed_requests = net.requests()
    with duckdb.connect(str(db), read_only=True) as con:
        done_before_resume = con.execute(
            "SELECT source, window_since::VARCHAR, window_until::VARCHAR FROM backfill_progress ORDER BY ALL").fetchall()
        pages_before_resume = con.execute(
            "SELECT source, window_since::VARCHAR, endpoint, page FROM archive_page ORDER BY ALL").fetchall()

    # 2. The same backfill again: it resumes with the second window. Whenever it says a window
    # is done, a scheduled run could take the writer lock: the backfill yields it between windows.
    net.seen.clear()
    lock_free_between_windows = []

    class TryTheLock(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.getMessage().startswith("window ") and record.getMessage().endswith(" done"):
                try:
                    with writer_lock(str(db), timeout=0):
                        lock_free_between_windows.append(True)
                except LockTimeout:
                    lock_free_between_windows.append(False)

    handler = TryTheLock()
    logging.getLogger("prefect").addHandler(handler)
    try:
        resumed = backfill(since=SINCE, until=UNTIL, sources_file=sources, watchlist_file=watchlist, db=str(db),
                           window_days=WINDOW_DAYS, workers=1)
    finally:
        logging.getLogger("prefect").removeHandler(handler)
    resumed_requests = net.requests()

    # 3. And once more: everything is done, nothing is fetched.
    net.seen.clear()
    repeated = backfill(since=SINCE, until=UNTIL, sources_file=sources, watchlist_file=watchlist, db=str(db),
                        window_days=WINDOW_DAYS, workers=1)
    repeated_requests = net.requests()
    yield {"net": net, "db": db, "sources": sources, "watchlist": watchlist, "killed": killed_requests, "lock_free": lock_free_between_windows, "done_before_resume": done_before_resume,
           "pages_before_resume": pages_before_resume,
           "resumed": resumed, "resumed_requests": resumed_requests, "repeated": repeated,
           "repeated_requests": repeated_requests}
    net.close()


def test_the_window_s_articles_are_stored_once_each_with_their_channels(backfilled):
    net, db = backfilled["net"], backfilled["db"]
    stored = dict(_rows(db, "SELECT url, source FROM articles"))
    expected = {slug for slug in ARTICLES if slug != "novembre"}
    assert set(stored) == {net.url(slug) for slug in expected}
    channels: dict[str, set[str]] = {}
    for url, source in _rows(db, "SELECT a.url, c.source FROM article_channels c JOIN articles a USING (article_id)"):
        channels.setdefault(url, set()).add(source)
    assert channels[net.url("solo-sitemap")] == {"cronache-sitemap"}
    assert channels[net.url("solo-gdelt")] == {"gdelt"}
    assert channels[net.url("tappa-veneto")] == {"gnews", "cronache-wayback"}
    assert channels[net.url("missione-silicon-valley")] == {"gnews", "gdelt"}
    assert channels[net.url("agosto-aggiornato")] == {"cronache-sitemap"}
    assert channels[net.url("sparito")] == {"cronache-wayback"}
    assert channels[net.url("rimosso")] == {"cronache-cc"}
    mentions = _rows(db, "SELECT count(DISTINCT article_id) FROM mentions")[0][0]
    assert mentions == len(expected) - 1  # every stored article but the one naming no programme


def test_articles_outside_the_window_are_told_apart(backfilled):
    net, db = backfilled["net"], backfilled["db"]
    placement = dict(_rows(db, "SELECT url, placement FROM backfill_articles"))
    assert placement[net.url("agosto-visto-a-settembre")] == "before"  # GDELT saw it in September
    assert placement[net.url("agosto-aggiornato")] == "before"  # its sitemap lastmod is in September
    assert placement[net.url("tappa-veneto")] == "in-window"
    assert sum(1 for p in placement.values() if p == "in-window") == len(placement) - 2
    # GDELT's seendate does not date the page: the page's own date does.
    signal_, published = _rows(db, "SELECT date_signal, published_at::DATE::VARCHAR FROM articles WHERE url = ?",
                               [net.url("agosto-visto-a-settembre")])[0]
    assert (signal_, published) == ("jsonld", "2025-08-28")


def test_killed_backfill_resumes_at_the_window_it_had_not_finished(backfilled):
    # The first window was recorded done for every source that reaches the past, before the kill.
    assert backfilled["done_before_resume"] == [
        ("bing", "2025-09-01", "2025-10-01"), ("cronache-cc", "2025-09-01", "2025-10-01"),
        ("cronache-sitemap", "2025-09-01", "2025-10-01"), ("cronache-wayback", "2025-09-01", "2025-10-01"),
        ("gdelt", "2025-09-01", "2025-10-01"), ("gnews", "2025-09-01", "2025-10-01")]
    resumed = backfilled["resumed_requests"]
    searches = [r["params"]["q"] for r in resumed if r["server"] == "google" and r["path"] == "/rss/search"]
    assert searches and all(SECOND_WINDOW_AFTER in q for q in searches)
    assert all(r["params"]["startdatetime"].startswith("20251002") for r in resumed
               if r["server"] == "gdelt" and "startdatetime" in r["params"])
    # No article of the first window is fetched again.
    first_window = {slug for slug, a in ARTICLES.items() if a.published.isoformat() <= "2025-10-01"}
    assert not (_article_paths(resumed) & first_window)
    assert _article_paths(backfilled["killed"]) & first_window
    summary = backfilled["resumed"]
    assert summary.status == "completed-with-gaps" and summary.units_done_before == 6
    assert summary.units_done_now == 6 and not summary.units_left
    runs = _rows(backfilled["db"], "SELECT status, error FROM runs WHERE kind = 'backfill' ORDER BY started_at")
    assert runs[0][0] == "completed" and runs[1][0] == "failed" and "interrupted" in runs[1][1]
    assert [status for status, _ in runs[2:]] == ["completed"]


def test_a_repeated_backfill_fetches_nothing(backfilled):
    assert backfilled["repeated_requests"] == []
    summary = backfilled["repeated"]
    assert summary.units_done_before == summary.units_total == 12 and summary.pages_fetched == 0
    assert summary.runs == []


def test_google_news_windows_are_halved_while_an_answer_holds_the_cap(backfilled):
    windows = [r["params"]["q"].split(" ", 2)[-1] for r in backfilled["killed"]
               if r["server"] == "google" and r["path"] == "/rss/search" and SECOND_WINDOW_AFTER not in r["params"]["q"]]
    # 5 articles in the first window (3, 10, 17, 24, 29 September), cap 3: the window (31 days),
    # its halves (1-15, 16 September-1 October), and the halves of the one still full (16-23, 24-1).
    assert windows == [
        "after:2025-08-31 before:2025-10-02",
        "after:2025-08-31 before:2025-09-16", "after:2025-09-15 before:2025-10-02",
        "after:2025-09-15 before:2025-09-24", "after:2025-09-23 before:2025-10-02",
    ]


def test_new_style_google_ids_are_decoded_with_the_consent_cookie(backfilled):
    net, killed = backfilled["net"], backfilled["killed"]
    articles = [r for r in killed if r["server"] == "google" and r["path"].startswith("/rss/articles/")]
    assert articles and all("SOCS=" in r["cookie"] for r in articles)
    consented = f"/rss/articles/{new_style_id('AU_yqL' + CONSENT_ONLY)}"
    assert [r["path"] for r in killed if r["server"] == "google" and r["path"].startswith(consented)] == [consented]
    assert not [r for r in killed if r["server"] == "google" and r["path"] == "/consent"]
    assert net.url(CONSENT_ONLY) in {url for (url,) in _rows(backfilled["db"], "SELECT url FROM articles")}
    outlets = {o for (o,) in _rows(backfilled["db"], "SELECT DISTINCT outlet FROM discovery WHERE source = 'gnews'")}
    assert outlets == {"Cronache di Prova"}


def test_gdelt_rate_limit_is_waited_out_and_bad_escapes_read(backfilled):
    net, db = backfilled["net"], backfilled["db"]
    gdelt = [r for r in backfilled["killed"] if r["server"] == "gdelt" and r["path"] == "/api/v2/doc/doc"]
    # The first answer was the rate-limit notice: the same search was asked again, not dropped.
    assert gdelt[0]["params"] == gdelt[1]["params"] and gdelt[1]["at"] - gdelt[0]["at"] >= 0.2
    assert _rows(db, "SELECT count(*) FROM articles WHERE url = ?", [net.url("ottobre-gdelt")])[0][0] == 1


def test_sitemap_children_outside_the_window_are_never_read(backfilled):
    paths = [r["path"] for key in ("killed", "resumed_requests") for r in backfilled[key]
             if r["server"] == "publisher" and r["path"].startswith("/sitemap")]
    assert "/sitemap-2025-09.xml" in paths and "/sitemap-2025-10.xml" in paths
    assert not {"/sitemap-2025-08.xml", "/sitemap-2025-11.xml", "/sitemap-pagine.xml"} & set(paths)
    # A feed shows only today: a backfill does not ask it.
    assert "/feed.xml" not in paths and backfilled["resumed"].sources_not_reaching == ["cronache-feed"]


def test_bing_records_that_it_does_not_reach_the_window(backfilled):
    assert not [r for key in ("killed", "resumed_requests") for r in backfilled[key] if r["server"] == "bing"]
    gaps = backfilled["resumed"].gaps
    assert [(g["source"], g["reason"]) for g in gaps] == [("bing", "out-of-reach")]
    row = _rows(backfilled["db"], "SELECT gaps FROM backfill_progress WHERE source = 'bing' ORDER BY window_since")
    assert [json.loads(g) for (g,) in row] == [{"out-of-reach": 1}, {"out-of-reach": 1}]


def test_weekly_summary_per_channel(backfilled):
    weeks = backfilled["resumed"].weeks
    assert weeks and {w["source"] for w in weeks} <= {"gnews", "gdelt", "cronache-sitemap", "cronache-cc",
                                                      "cronache-wayback"}
    october = [w for w in weeks if w["week"] is not None and w["week"].isoformat() >= "2025-10-01"]
    assert sum(w["articles_in_window"] for w in october) == 5  # the resumed run stored October's five


def test_the_backfill_yields_the_writer_lock_between_windows(backfilled):
    assert backfilled["lock_free"] == [True, True]  # after each of the two windows


def test_a_backfill_waits_for_a_running_monitor_then_says_who_holds_the_lock(tmp_path):
    from flows.backfill import backfill

    sources, watchlist, db = tmp_path / "sources.yaml", tmp_path / "watchlist.yaml", tmp_path / "r.duckdb"
    sources.write_text("allow_private_networks: true\nsources:\n"
                       "  - {name: s, kind: sitemap, url: 'http://127.0.0.1:9/sitemap.xml'}\n", "utf-8")
    watchlist.write_text(WATCHLIST, "utf-8")
    with writer_lock(str(db)):  # a monitor run holding the warehouse
        with pytest.raises(LockTimeout, match=r"another run holds the writer lock .*held by pid"):
            backfill(since=SINCE, until=UNTIL, sources_file=sources, watchlist_file=watchlist, db=str(db),
                     lock_timeout_s=0.5)
    assert not db.exists()  # it waited and wrote nothing


def test_a_source_unreachable_two_windows_running_is_not_asked_for_the_rest(tmp_path):
    # Offline, or the engine down: asking it again each window would cost a crawl per window.
    from flows.backfill import backfill

    sources, watchlist, db = tmp_path / "sources.yaml", tmp_path / "watchlist.yaml", tmp_path / "r.duckdb"
    sources.write_text("allow_private_networks: true\ncrawl: {retries: 0, timeout: 5}\nsources:\n"
                       "  - {name: down, kind: sitemap, url: 'http://127.0.0.1:9/sitemap.xml'}\n", "utf-8")
    watchlist.write_text(WATCHLIST, "utf-8")
    summary = backfill(since="2025-09-01", until="2025-09-28", sources_file=sources, watchlist_file=watchlist,
                       db=str(db), window_days=7, today="2025-11-01")
    assert summary.status == "incomplete"
    assert len(summary.runs) == 2  # two windows asked, two not
    why = [left["why"] for left in summary.units_left]
    assert len(why) == 4
    assert all("not asked: unreachable in 2 windows" in w for w in why[2:]), why
    assert "connection-refused" in why[3]


def test_gone_pages_are_read_from_the_archives_under_their_live_urls(backfilled):
    net, db = backfilled["net"], backfilled["db"]
    rows = {url: (archive_url, str(archived_at)) for url, archive_url, archived_at in _rows(
        db, "SELECT url, archive_url, archived_at FROM articles WHERE archive_url IS NOT NULL")}
    assert set(rows) == {net.url("sparito"), net.url("rimosso"), net.url("murato")}
    assert rows[net.url("murato")] == (f"{net.base['wayback']}/web/20250923050000id_/{net.url('murato')}",
                                       "2025-09-23 05:00:00")  # its live page is a consent wall
    # collapse=urlkey keeps the first of its two captures.
    assert rows[net.url("sparito")] == (
        f"{net.base['wayback']}/web/20250919060000id_/{net.url('sparito')}", "2025-09-19 06:00:00")
    cc_url, cc_at = rows[net.url("rimosso")]
    assert cc_url.startswith(f"{net.base['cc']}/crawl-data/CC-MAIN-2025-42/") and "#bytes=0-" in cc_url
    assert cc_at == "2025-10-12 03:00:00"
    # Live pages the archives listed are read live.
    assert _rows(db, "SELECT archive_url FROM articles WHERE url = ?", [net.url("hub-innovit")]) == [(None,)]
    warc = [r for key in ("killed", "resumed_requests") for r in backfilled[key]
            if r["server"] == "cc" and r["path"].endswith(".warc.gz")]
    # One record by byte range, only for the page that is gone (read again after the kill if
    # the killed window had not stored it).
    offset, length = net.warc_offsets["rimosso"]
    assert warc and {r["range"] for r in warc} == {f"bytes={offset}-{offset + length - 1}"}


def test_archive_index_pages_read_before_the_kill_are_not_read_again(backfilled):
    done = backfilled["pages_before_resume"]
    assert ("cronache-wayback", "2025-09-01", f"{backfilled['net'].base['wayback']}/cdx/search/cdx", 2) in done
    asked = {(r["server"], r["path"], r["params"].get("from", "")[:8], r["params"].get("page"))
             for r in backfilled["resumed_requests"] if r["server"] in ("wayback", "cc") and "page" in r["params"]}
    assert not {("wayback" if "wayback" in s else "cc", endpoint.split(":", 2)[-1].split("/", 1)[-1], since, page)
                for s, since, endpoint, page in done} & {(s, p.lstrip("/"), f.replace("-", ""), int(n)) for s, p, f, n in asked}
    assert not [r for r in backfilled["resumed_requests"] if r["server"] == "wayback" and
                r["params"].get("from", "").startswith("20250901")]


def test_a_link_google_will_not_name_is_found_by_its_title_on_the_outlet(backfilled):
    net, db = backfilled["net"], backfilled["db"]
    searches = [r["params"]["s"] for key in ("killed", "resumed_requests") for r in backfilled[key]
                if r["server"] == "publisher" and r["path"] == "/" and "s" in r["params"]]
    # The title without Google's " - Outlet" suffix, asked of the outlet <source url> names.
    assert searches and set(searches) == {ARTICLES[BLOCKED].title}
    channels = {source for (source,) in _rows(db, "SELECT c.source FROM article_channels c JOIN articles a"
                                                  " USING (article_id) WHERE a.url = ?", [net.url(BLOCKED)])}
    assert channels == {"gnews"}


def test_each_backfill_publishes_its_summary_and_weekly_table_as_prefect_artifacts(backfilled):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    with get_client(sync_client=True) as client:
        def all_of(key):
            return client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])))

        summaries = [a.data for a in all_of("backfill-summary")]
        tables = [json.loads(a.data) if isinstance(a.data, str) else a.data for a in all_of("backfill-weeks")]
    resumed = backfilled["resumed"]
    text = next(s for s in summaries if resumed.backfill_id in s)
    assert "gap: bing" in text and "out-of-reach" in text and f"new articles {resumed.articles_new}" in text
    expected = {(w["source"], str(w["week"]), w["articles_in_window"]) for w in resumed.weeks}
    assert expected in [{(r["source"], r["week"], r.get("articles_in_window")) for r in table} for table in tables]


def test_the_command_line_backfill_reports_what_was_done(backfilled):
    from typer.testing import CliRunner

    from rassegna.cli import app

    result = CliRunner().invoke(app, [
        "backfill", "--since", SINCE, "--until", UNTIL, "--window-days", str(WINDOW_DAYS),
        "--sources", str(backfilled["sources"]), "--watchlist", str(backfilled["watchlist"]),
        "--db", str(backfilled["db"])])
    assert result.exit_code == 0, result.output
    assert "source windows 12: done before 12, done now 0, left 0" in result.output
    assert "not asked (they show only today): cronache-feed" in result.output
    bad = CliRunner().invoke(app, ["backfill", "--since", "2025-10-31", "--until", "2025-09-01"])
    assert bad.exit_code == 2 and "before it starts" in bad.output


def test_the_report_for_the_window_covers_what_the_backfill_stored(backfilled):
    from datetime import date

    from rassegna.reporting.report import load_report

    net = backfilled["net"]
    with duckdb.connect(str(backfilled["db"]), read_only=True) as con:
        data = load_report(con, date(2025, 9, 1), date(2025, 10, 31))
    urls = {row["url"] for row in data.mentions}
    in_window = {net.url(slug) for slug, a in ARTICLES.items()
                 if "2025-09-01" <= a.published.isoformat() <= "2025-10-31" and slug != "fine-settembre"}
    assert urls == in_window  # the August articles the engines also listed are not in it
