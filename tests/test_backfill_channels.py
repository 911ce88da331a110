"""What each channel does with a date window, on its own: window arithmetic, GDELT's errors and
JSON, Bing's relative windows and paging, sitemap children by name and lastmod; one real crawl
child against the stand-ins (backfill_standins.py) for the engine behaviours."""

from __future__ import annotations

import json
from datetime import date

import pytest

from backfill_standins import WATCHLIST, StandIns
from rassegna.archives.windows import Window, bing_interval, slices, source_key
from rassegna.queries import QueryError, gdelt_queries
from spiders.crawl import CrawlProcess
from spiders.gdelt import RateLimited, lenient_json, plain_text_error
from spiders.listings import Listed
from spiders.output import iter_listings, read_outcomes
from spiders.sitemap import child_may_hold, name_span, url_in_window

W = Window(date(2025, 9, 1), date(2025, 10, 31))


def test_windows_slice_and_halve_without_gaps_or_overlaps():
    parts = slices(W, 7)
    assert parts[0] == Window(date(2025, 9, 1), date(2025, 9, 7)) and parts[-1].until == W.until
    assert sum(p.days for p in parts) == W.days
    assert all(a.until.toordinal() + 1 == b.since.toordinal() for a, b in zip(parts, parts[1:]))
    first, second = W.halves()
    assert first.since == W.since and second.until == W.until and first.days + second.days == W.days
    assert Window(date(2025, 9, 1), date(2025, 9, 1)).halves() is None
    with pytest.raises(ValueError):
        Window(date(2025, 9, 2), date(2025, 9, 1))


def test_bing_reaches_only_the_last_month():
    today = date(2025, 10, 5)
    assert bing_interval(Window(date(2025, 10, 5), today), today) == "7"
    assert bing_interval(Window(date(2025, 10, 1), today), today) == "8"
    assert bing_interval(Window(date(2025, 9, 10), today), today) == "9"
    assert bing_interval(Window(date(2025, 9, 1), today), today) is None


def test_a_source_asked_differently_is_a_different_unit_of_progress():
    source = {"kind": "gdelt", "url": "https://api.gdeltproject.org/api/v2/doc/doc"}
    assert source_key(source, ['"A"']) == source_key(dict(source), ['"A"'])
    assert source_key(source, ['"A"']) != source_key(source, ['"A"', '"B"'])


def test_gdelt_plain_text_errors_are_told_apart():
    limited = plain_text_error("Please limit requests to one every 5 seconds or contact kalev.leetaru5@gmail.com")
    assert isinstance(limited, RateLimited) and limited.seconds == 5
    assert plain_text_error("Invalid query start date.").reason == "gdelt-invalid-start-date"
    assert plain_text_error("Parentheses may only be used around OR'd statements.").reason == "gdelt-bad-parentheses"
    assert plain_text_error("The specified phrase is too short.").reason == "gdelt-phrase-too-short"
    assert plain_text_error("Your search contained a keyword that was too short.").reason == "gdelt-keyword-too-short"
    assert plain_text_error("One or more of your keywords contained an illegal character.").reason == \
        "gdelt-illegal-character"
    assert plain_text_error("Something else entirely").reason == "invalid-search-answer"


def test_gdelt_json_with_invalid_escapes_is_read():
    body = rb'{"articles": [{"url": "https://x.example/a", "title": "Percorso C:\dati\nuovo \"citato\""}]}'
    title = lenient_json(body)["articles"][0]["title"]
    assert title == 'Percorso C:\\dati\nuovo "citato"'


def test_gdelt_operators_pass_through_and_all_short_queries_are_refused():
    assert gdelt_queries('"Imprese Vincenti" sourcecountry:italy') == ['"Imprese Vincenti" sourcecountry:italy']
    assert gdelt_queries('"Santini" domain:corriere.it') == ["Santini domain:corriere.it"]
    assert gdelt_queries('near10:"Santini ciclismo"') == ['near10:"Santini ciclismo"']
    with pytest.raises(QueryError, match="shorter than GDELT accepts"):
        gdelt_queries('"Rai" OR "Eni"')


def test_sitemap_children_by_name_then_lastmod_and_urls_by_date():
    assert name_span("https://x.example/sitemap-2025-09.xml") == (date(2025, 9, 1), date(2025, 9, 30))
    assert name_span("https://x.example/news/2025/10/07.xml") == (date(2025, 10, 7), date(2025, 10, 7))
    assert name_span("https://x.example/post-sitemap3.xml") is None
    assert child_may_hold(Listed("https://x.example/sitemap-2025-10.xml"), W)
    assert not child_may_hold(Listed("https://x.example/sitemap-2025-08.xml", "2025-09-30"), W)  # the name wins
    assert not child_may_hold(Listed("https://x.example/post-sitemap3.xml", "2025-06-01"), W)
    assert child_may_hold(Listed("https://x.example/post-sitemap3.xml", "2025-11-02"), W)
    assert child_may_hold(Listed("https://x.example/post-sitemap3.xml"), W)  # nothing says: read it
    assert url_in_window(Listed("https://x.example/a", "2025-09-30T22:00:00+00:00"), W)
    assert not url_in_window(Listed("https://x.example/a", "2025-11-01"), W)
    assert url_in_window(Listed("https://x.example/a"), W)


@pytest.fixture(scope="module")
def engines(tmp_path_factory):
    net = StandIns()
    net.gdelt_rate_limited = True  # the rate-limit notice is the end-to-end test's
    folder = tmp_path_factory.mktemp("engines")
    sources = folder / "sources.yaml"
    sources.write_text(
        "allow_private_networks: true\n"
        "crawl: {download_delay: 0, retries: 0, timeout: 10}\n"
        "sources:\n"
        f"  - {{name: gdelt, kind: gdelt, url: '{net.base['gdelt']}/api/v2/doc/doc', queries: ['\"Imprese Vincenti\"'],"
        " languages: [italian]}\n"
        f"  - {{name: bing, kind: bing_news, url: '{net.base['bing']}/news/search', queries: ['\"Imprese Vincenti\"'],"
        " result_cap: 2}\n", "utf-8")
    (folder / "watchlist.yaml").write_text(WATCHLIST, "utf-8")
    out = folder / "out"
    # Four days of October 2016, seen from 5 October 2016: GDELT's archive starts in 2017, Bing reaches it.
    crawl = CrawlProcess(sources, out, 60, window=Window(date(2016, 10, 1), date(2016, 10, 4)), today="2016-10-05")
    assert crawl.finish() is None, (out / "crawl.stderr").read_text()
    records = {p.stem: [json.loads(line) for line in p.read_text("utf-8").splitlines()] for p in out.glob("*.jsonl")}
    yield {"net": net, "tallies": read_outcomes(out), "records": records, "listings": list(iter_listings(out))}
    net.close()


def test_gdelt_before_2017_is_recorded_as_an_invalid_start_date(engines):
    tally = engines["tallies"]["gdelt"]
    assert tally["entry_failures"] == {"gdelt-invalid-start-date": 1}
    asked = [r for r in engines["net"].requests("gdelt") if r["path"] == "/api/v2/doc/doc"]
    assert [(r["params"]["startdatetime"], r["params"]["enddatetime"]) for r in asked] == \
        [("20161001000000", "20161004235959")]


def test_bing_asks_its_relative_window_pages_with_first_and_reads_the_outlet(engines):
    asked = [r["params"] for r in engines["net"].requests("bing") if r["path"] == "/news/search"]
    assert [p.get("first", "1") for p in asked] == ["1", "3", "5"]  # five results, two a page
    assert all(p["qft"] == 'interval="8"' for p in asked)  # the past week covers 1-4 October from the 5th
    listed = [row for row in engines["listings"] if row["source"] == "bing"]
    assert len(listed) == 5 and {row["outlet"] for row in listed} == {"Testata Bing"}


def test_monitoring_runs_leave_web_archives_to_backfills(tmp_path):
    from rassegna.config import ConfigError, load_sources

    path = tmp_path / "sources.yaml"
    path.write_text(
        "sources:\n"
        "  - {name: feed, kind: feed, url: 'https://x.example/feed.xml'}\n"
        "  - {name: wb, kind: web_archive, archive: wayback, url: 'https://web.archive.org/cdx/search/cdx',"
        " url_prefix: 'x.example/2025/'}\n", "utf-8")
    config = load_sources(path)
    assert [s.name for s in config.for_monitoring().enabled_sources] == ["feed"]
    assert [s.name for s in config.enabled_sources if s.reaches_the_past] == ["wb"]
    path.write_text("sources:\n  - {name: wb, kind: web_archive, url: 'https://web.archive.org/cdx/search/cdx'}\n")
    with pytest.raises(ConfigError, match=r"sources\[0\] \(wb\).*needs `archive`"):
        load_sources(path)
    path.write_text("sources:\n  - {name: f, kind: feed, url: 'https://x.example/f.xml', url_prefix: 'x.example/'}\n")
    with pytest.raises(ConfigError, match="url_prefix apply to kind 'web_archive' only"):
        load_sources(path)


def test_which_windows_are_done_and_which_are_asked_again():
    from flows.backfill import BackfillSummary, _windows_done
    from flows.monitor import RunSummary

    window, today = Window(date(2025, 9, 1), date(2025, 9, 7)), date(2025, 11, 1)
    outcome = lambda name, status="ok", error=None: {"source": name, "status": status, "listed": 3,  # noqa: E731
                                                     "articles_new": 1, "mentions_new": 2, "error": error}
    run = RunSummary(run_id="r", status="running", db="x", sources=[
        outcome("ok"), outcome("capped"), outcome("far", "failed", "out-of-reach: before the engine's archive"),
        outcome("timeouts"), outcome("lost"), outcome("archive")])
    tallies = {"ok": {}, "capped": {"windows_capped": 2}, "far": {"entry_failures": {"out-of-reach": 1}},
               "timeouts": {"entry_failures": {"timeout": 1, "gdelt-phrase-too-short": 1}}, "archive": {}}
    summary = BackfillSummary(backfill_id="b", status="running", db="x", since="", until="")
    keys = {name: "k" for name in tallies} | {"lost": "k"}
    done = _windows_done(summary, run, tallies, window, today, keys, {"archive": "ArchiveError: 503"})
    assert {row["source"]: row["gaps"] for row in done} == {
        "ok": {}, "capped": {"capped-at-smallest-window": 2}, "far": {"out-of-reach": 1}}
    assert {left["source"] for left in summary.units_left} == {"timeouts", "lost", "archive"}
    # A window still open is never done.
    still_open = BackfillSummary(backfill_id="b", status="running", db="x", since="", until="")
    assert _windows_done(still_open, run, tallies, window, date(2025, 9, 7), keys, {}) == []


def test_gdelt_halves_a_full_day_by_hours_down_to_one(tmp_path):
    net = StandIns()
    net.gdelt_rate_limited = True
    try:
        sources = tmp_path / "sources.yaml"
        sources.write_text(
            "allow_private_networks: true\ncrawl: {download_delay: 0, retries: 0, timeout: 10}\nsources:\n"
            f"  - {{name: gdelt, kind: gdelt, url: '{net.base['gdelt']}/api/v2/doc/doc',"
            " queries: ['\"Imprese Vincenti\"'], languages: [italian], result_cap: 1}\n", "utf-8")
        out = tmp_path / "out"
        # One article seen at 09:00 on 12 September, and a cap of one: every window holding it is full.
        crawl = CrawlProcess(sources, out, 60, window=Window(date(2025, 9, 12), date(2025, 9, 12)))
        assert crawl.finish() is None, (out / "crawl.stderr").read_text()
        asked = [(r["params"]["startdatetime"][8:10], r["params"]["enddatetime"][8:12])
                 for r in net.requests("gdelt") if r["path"] == "/api/v2/doc/doc"]
    finally:
        net.close()
    assert asked == [("00", "2359"), ("00", "1159"), ("00", "0559"), ("06", "1159"), ("06", "0859"),
                     ("09", "1159"), ("09", "0959"), ("10", "1159"), ("12", "2359")]
    assert read_outcomes(out)["gdelt"]["windows_capped"] == 1  # one hour still full: recorded as a gap


def _decide(tally, status="ok", error=None, crawl_error=None):
    """`_windows_done` for one source of a finished window: (done rows, why it is left)."""
    from flows.backfill import BackfillSummary, _windows_done
    from flows.monitor import RunSummary

    outcome = {"source": "s", "status": status, "listed": 3, "articles_new": 1, "mentions_new": 2, "error": error}
    run = RunSummary(run_id="r", status="running", db="x", sources=[outcome])
    summary = BackfillSummary(backfill_id="b", status="running", db="x", since="", until="")
    tallies = {} if tally is None else {"s": tally}
    done = _windows_done(summary, run, tallies, Window(date(2025, 9, 1), date(2025, 9, 7)), date(2025, 11, 1),
                         {"s": "k"}, {}, crawl_error=crawl_error)
    return done, [left["why"] for left in summary.units_left]


def test_a_window_whose_crawl_was_stopped_is_asked_again_even_with_a_tally():
    # The crawl budget ran out: Scrapy still wrote the tally, with 1 of 5 searches answered and no failure.
    tally = {"listed": 1, "fetched": 1, "failed": {}, "entry_failures": {}, "errors": 0, "finish_reason": "finished"}
    assert _decide(tally)[0]  # the same tally, from a crawl that ended cleanly, is done
    done, why = _decide(tally, crawl_error="crawl-timeout: the crawl overran its time budget and was stopped")
    assert done == [] and "crawl-timeout" in why[0]
    # SIGTERM: Scrapy closes the spider as "shutdown", not "finished".
    done, why = _decide(tally | {"finish_reason": "shutdown"})
    assert done == [] and "shutdown" in why[0]


@pytest.mark.parametrize("reason", ["http-503", "http-500", "http-429", "timeout", "dns", "connection-refused",
                                    "connection-lost", "gdelt-rate-limited"])
def test_a_window_with_pages_failed_for_a_passing_reason_is_asked_again(reason):
    done, why = _decide({"failed": {reason: 120}, "entry_failures": {}, "finish_reason": "finished"})
    assert done == [] and reason in why[0]


def test_pages_gone_for_good_do_not_hold_a_window_back():
    done, why = _decide({"failed": {"http-404": 3, "http-410": 1, "redirect-loop": 1}, "entry_failures": {}})
    assert [row["source"] for row in done] == ["s"] and why == []


def test_a_window_whose_pages_were_capped_is_asked_again():
    done, why = _decide({"failed": {}, "entry_failures": {}, "capped": 700, "finish_reason": "finished"})
    assert done == [] and "700" in why[0] and "max_pages_per_source" in why[0]


def test_a_lasting_gap_excuses_only_its_own_failure():
    # Every search out of reach: the gap is recorded and the window done, not asked forever.
    done, _ = _decide({"entry_failures": {"out-of-reach": 1}}, status="failed", error="out-of-reach: too old")
    assert done and done[0]["gaps"] == {"out-of-reach": 1}
    # A lasting gap beside a failure of another kind: the window is asked again.
    done, why = _decide({"entry_failures": {"gdelt-phrase-too-short": 1}}, status="failed",
                        error="invalid-feed: not XML")
    assert done == [] and "invalid-feed" in why[0]


def test_a_source_counts_as_unreachable_only_while_no_entry_request_answers():
    from flows.backfill import BackfillSummary, _count_unreachable

    summary = BackfillSummary(backfill_id="b", status="running", db="x", since="", until="")
    down = {"entry_error": "dns: no such host", "entry_failures": {"dns": 3}}
    _count_unreachable(summary, "gnews", down)
    _count_unreachable(summary, "gnews", down)
    assert summary.unreachable["gnews"]["windows"] == 2
    # One search answered (with nothing) among failed ones: the engine is there.
    _count_unreachable(summary, "gnews", {"entry_error": None, "entry_failures": {"dns": 2}})
    assert "gnews" not in summary.unreachable
    # Every request failed, but not for want of a connection: asked again each window as before.
    _count_unreachable(summary, "gnews", {"entry_error": "http-503", "entry_failures": {"http-503": 3}})
    assert "gnews" not in summary.unreachable
