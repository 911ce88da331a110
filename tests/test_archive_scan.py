"""Common Crawl News scan: WARC files written here, served with CC's layout on 127.0.0.1,
scanned by the archive-scan flow on a real local Dask cluster of two workers."""

from __future__ import annotations

import gzip
import os
import signal
import subprocess
import sys
import time
import urllib.request
from datetime import date, datetime
from pathlib import Path

import duckdb
import psutil
import pytest

from archive_helpers import Archive, build_archive, serving
from conftest import WATCHLIST
from rassegna.archives.ccnews import CountingStream, files_in_window, list_files, months
from rassegna.archives.prefilter import Prefilter
from rassegna.archives.scan import ScanFilters, scan_stream, worker_config
from rassegna.config import load_watchlist
from rassegna.netguard import BlockedAddress

ROOT = Path(__file__).parent.parent
SINCE, UNTIL = date(2025, 9, 1), date(2025, 9, 30)
DROP = ["dropped.example.it"]


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Archive:
    return build_archive(tmp_path_factory.mktemp("cc"))


@pytest.fixture(scope="module")
def watchlist():
    return load_watchlist(WATCHLIST)


@pytest.fixture
def sources_file(tmp_path) -> Path:
    # The archive scan reads only allow_private_networks from it: the test server is on 127.0.0.1.
    path = tmp_path / "sources.yaml"
    path.write_text("allow_private_networks: true\nsources:\n  - {name: unused, kind: feed, url: 'http://127.0.0.1/'}\n")
    return path


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      config=worker_config()) as running:
        yield running


def test_the_flows_local_workers_do_not_sample_their_own_stacks(cluster):
    from distributed import Client

    from flows.archive_scan import dask_runner

    # The flow's own cluster is started with this configuration; the test cluster shares it.
    kwargs = dask_runner(None, 2).cluster_kwargs
    assert kwargs["config"]["distributed"]["worker"]["profile"]["enabled"] is False
    with Client(cluster) as client:
        client.submit(sum, range(10**6), pure=False).result()
        assert set(client.run(lambda dask_worker: dask_worker.profile_recent["count"]).values()) == {0}


def _expected_mentions(archive: Archive) -> set[tuple[str, str]]:
    return {(p.url, name) for pages in archive.pages.values() for p in pages for name in p.mentions}


def _stored(db: Path) -> dict[str, object]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {
            "mentions": set(con.execute("SELECT url, entity_name FROM mentions").fetchall()),
            "mention_rows": con.execute("SELECT count(*) FROM mentions").fetchone()[0],
            "articles": con.execute("SELECT count(*), count(DISTINCT url) FROM article").fetchone(),
            "captures": con.execute("SELECT a.url, c.warc_file, c.record_offset, c.record_length, c.captured_at"
                                    " FROM article_capture c JOIN article a USING (article_id)").fetchall(),
            "files": dict(con.execute("SELECT warc_file, state FROM archive_file").fetchall()),
            "runs": con.execute("SELECT kind, status FROM runs ORDER BY started_at").fetchall(),
        }


def test_files_are_chosen_by_the_time_in_their_names():
    paths = ["crawl-data/CC-NEWS/2025/09/CC-NEWS-20250901000501-00001.warc.gz",
             "crawl-data/CC-NEWS/2025/08/CC-NEWS-20250831235901-00000.warc.gz",
             "crawl-data/CC-NEWS/2025/09/CC-NEWS-20250903120000-00007.warc.gz",
             "crawl-data/CC-NEWS/2025/09/not-a-news-file.txt"]
    chosen = files_in_window(paths, date(2025, 9, 1), date(2025, 9, 2))
    assert [f.name for f in chosen] == ["CC-NEWS-20250901000501-00001.warc.gz"]
    assert chosen[0].started_at == datetime(2025, 9, 1, 0, 5, 1)
    assert months(date(2024, 12, 30), date(2025, 2, 1)) == [(2024, 12), (2025, 1), (2025, 2)]


def test_listing_over_http_and_the_address_guard(archive):
    with serving(archive) as served:
        listing = list_files(served.base, date(2025, 8, 1), UNTIL, allow_private=True)
        september = list_files(served.base, SINCE, UNTIL, allow_private=True)
        with pytest.raises(BlockedAddress):
            list_files(served.base, SINCE, UNTIL)
    late_august = "crawl-data/CC-NEWS/2025/09/CC-NEWS-20250831235959-00999.warc.gz"
    # Files are chosen by their own time, whichever month's listing names them.
    assert [f.path for f in listing.files] == [late_august, *archive.paths]
    assert [f.path for f in september.files] == archive.paths
    assert listing.missing_months == ["2025-08"]  # no listing for August: said, not guessed


def test_the_guard_checks_the_address_connected_to(archive):
    from rassegna.archives.ccnews import _guarded_connect

    with serving(archive) as served:
        port = int(served.base.rsplit(":", 1)[1].strip("/"))
        with pytest.raises(BlockedAddress):
            _guarded_connect(allow_private=False)(("localhost", port))
        _guarded_connect(allow_private=True)(("localhost", port)).close()


def test_prefilter_loses_no_mention_the_full_path_finds(archive, watchlist):
    filters = ScanFilters(drop_domains=tuple(DROP))
    full, fast = set(), set()
    records = candidates = 0
    for path in archive.paths:
        for prefilter, found in ((False, full), (True, fast)):
            with open(archive.root / path, "rb") as f:
                scan = scan_stream(CountingStream(f), path, watchlist, filters, prefilter=prefilter)
            found |= {(x.processed.url, c.entity_id, c.start_char, c.accepted) for x in scan.found
                      for c in x.processed.candidates}
            if prefilter:
                records, candidates = records + scan.records, candidates + scan.candidates
    assert full and full <= fast
    assert {(url, accepted) for url, _, _, accepted in full} >= {(url, True) for url, _ in _expected_mentions(archive)
                                                                 if "dropped" not in url}
    assert candidates < records - 6  # the plain news, the training page and the non-pages were set aside


def test_a_file_cut_short_fails_instead_of_counting_as_read(archive, watchlist):
    from rassegna.archives.ccnews import ArchiveError, WarcFile
    from rassegna.archives.scan import scan_file

    path = archive.paths[0]
    with serving(archive) as served:
        whole = scan_file(served.base, WarcFile(path, datetime(2025, 9, 1)), watchlist, ScanFilters(), allow_private=True)
        served.cut.add(path)
        with pytest.raises(ArchiveError, match="connection cut"):
            scan_file(served.base, WarcFile(path, datetime(2025, 9, 1)), watchlist, ScanFilters(), allow_private=True)
    assert whole.records == len(archive.pages[path]) and whole.bytes_read == (archive.root / path).stat().st_size


@pytest.mark.parametrize("html, passes", [
    (b"<p>La Gal<b>di</b> di Postioma</p>", True),
    (b"<p>Il programma Impr<span>ese</span>&nbsp;Vincenti</p>", True),  # split in its shorter word
    (b"<nav><a>Home</a><a>Economia</a></nav><p>Galdino</p>", False),
    (b"<p>Mac&amp;Nil</p>", True),
    (b"<p>Mac&amp;amp;Nil</p>", True),
    (b"<p>&#71;aldi</p>", True),
    (b"<h1>GALDI DI POSTIOMA</h1>", True),
    (b"<p>Imprese</p>\n   <p>Vincenti</p>", True),
    ("<p>Società Galdi</p>".encode("cp1252"), True),
    ("<p>\uff27\uff41\uff4c\uff44\uff49</p>".encode(), True),  # full-width letters fold to "Galdi"
    (b"<p>The training drained the brain</p>", False),
    (b"<p>Galdino e Smeraldi</p>", False),
    (b"<script>var galdi = 1</script><style>.galdi{}</style><p>Altro</p>", False),
    # What the matcher's folding deletes inside a word splits a name here as a tag does.
    ("<p>Mal\u00advestio Spa</p>".encode(), True),
    (b"<p>Mal&shy;vestio Spa</p>", True),
    ("<p>Mal\u200bvestio Spa</p>".encode(), True),
    (b"<p>Gruppo Mal-\nvestio</p>", True),
])
def test_prefilter_on_bytes(watchlist, html, passes):
    assert Prefilter(watchlist).may_mention(html, "text/html") is passes


def test_prefilter_decodes_utf16(watchlist):
    body = "<p>Società Galdi</p>".encode("utf-16")
    assert Prefilter(watchlist).may_mention(body, "text/html; charset=UTF-16")
    assert not Prefilter(watchlist).may_mention("<p>Società Rossi</p>".encode("utf-16"), "text/html; charset=UTF-16")


def _scan(served, cluster, sources_file, db):
    from flows.archive_scan import archive_scan

    return archive_scan(since=SINCE, until=UNTIL, archive_url=served.base, cluster=cluster.scheduler_address,
                        watchlist_file=WATCHLIST, sources_file=sources_file, db=str(db), drop_domains=DROP)


def _mentions_by_capture(db: Path) -> tuple[set[tuple[str, str]], int]:
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("SELECT c.url, m.entity_name FROM mentions m JOIN article_capture c USING (article_id)"
                           ).fetchall()
        total = con.execute("SELECT count(*) FROM mentions").fetchone()[0]
        distinct = con.execute("SELECT count(*) FROM (SELECT DISTINCT article_id, entity_id, start_char FROM mentions)"
                               ).fetchone()[0]
    assert total == distinct
    return set(rows), total


def _wanted(archive: Archive) -> set[tuple[str, str]]:
    return {(url, name) for url, name in _expected_mentions(archive) if "dropped" not in url}


@pytest.mark.usefixtures("prefect_harness")
def test_scan_on_two_dask_workers_stores_mentions_with_provenance(archive, cluster, sources_file, tmp_path):
    db = tmp_path / "w.duckdb"
    with serving(archive) as served:
        summary = _scan(served, cluster, sources_file, db)
        again = _scan(served, cluster, sources_file, db)
        stored = _stored(db)
        # Provenance: each capture's bytes, fetched alone, are its record (one gzip member).
        for url, warc_file, offset, length, captured_at in stored["captures"]:
            request = urllib.request.Request(served.base + warc_file,
                                             headers={"Range": f"bytes={offset}-{offset + length - 1}"})
            with urllib.request.urlopen(request) as answer:
                record = gzip.decompress(answer.read())
            assert record.startswith(b"WARC/1.0") and f"WARC-Target-URI: {url}\r\n".encode() in record
            assert captured_at.date() >= SINCE
        requests = {path: served.count(path) for path in archive.paths}
        with duckdb.connect(str(db), read_only=True) as con:
            copies = con.execute("SELECT DISTINCT c.warc_file, a.archive_url FROM article a"
                                 " JOIN article_capture c USING (article_id)").fetchall()
    # The article says its text is the archive's copy, as a backfill's Wayback copy does.
    assert copies and all(archive_url == served.base + warc_file for warc_file, archive_url in copies)
    mentions, rows = _mentions_by_capture(db)
    assert mentions == _wanted(archive)
    articles, distinct = stored["articles"]
    assert articles == distinct == len({url for url, _ in mentions}) + 3 * 2  # + the rejected (weather, painter)
    assert stored["files"] == {path: "done" for path in archive.paths}
    assert requests == {path: 1 for path in archive.paths}  # the second scan read nothing
    assert (summary.files_scanned, summary.files_done_before, again.files_scanned, again.files_done_before) == (3, 0, 0, 3)
    assert summary.records == 3 * len(archive.pages[archive.paths[0]]) and summary.mentions >= len(mentions)
    assert summary.mentions_new == rows and again.mentions_new == 0
    assert stored["runs"] == [("archive", "completed"), ("archive", "completed")]


def _worker_reading(cluster, port: int) -> int:
    """PID of the Dask worker holding the connection from local `port`."""
    from distributed import Client

    with Client(cluster) as client:
        pids = client.run(os.getpid).values()
    for pid in pids:
        if any(c.laddr and c.laddr.port == port for c in psutil.Process(pid).net_connections(kind="tcp")):
            return pid
    raise AssertionError(f"no worker holds a connection from port {port}")


@pytest.mark.usefixtures("prefect_harness")
def test_a_worker_killed_mid_file_loses_and_duplicates_nothing(cluster, sources_file, tmp_path):
    import threading

    archive = build_archive(tmp_path / "cc")
    db = tmp_path / "w.duckdb"
    victim = archive.paths[1]
    with serving(archive) as served:
        release = served.stop_halfway(victim)
        killed: list[int] = []

        def kill_the_reader() -> None:
            if served.halfway[victim].wait(60):
                pid = _worker_reading(cluster, served.peers[victim])
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
            release.set()

        killer = threading.Thread(target=kill_the_reader)
        killer.start()
        summary = _scan(served, cluster, sources_file, db)
        killer.join()
        requests = {path: served.count(path) for path in archive.paths}
    assert killed, "the worker was not killed"
    mentions, _ = _mentions_by_capture(db)
    assert mentions == _wanted(archive)
    assert requests[victim] == 2  # redone from its start on a worker that lives
    assert summary.files_scanned == 3 and not summary.files_failed
    assert _stored(db)["files"] == {path: "done" for path in archive.paths}


def _end_processes_of(driver: subprocess.Popen, prefect_home: str) -> None:
    """The killed driver's temporary Prefect server outlives it (in a session of its own): found by
    the PREFECT_HOME this test gave the driver, and ended."""
    driver.kill()
    driver.wait()
    for process in psutil.process_iter():
        try:
            if process.environ().get("PREFECT_HOME") == prefect_home:
                process.kill()
        except psutil.Error:
            pass


@pytest.mark.usefixtures("prefect_harness")
def test_a_killed_scan_resumes_without_reading_finished_files_again(archive, cluster, sources_file, tmp_path):
    db = tmp_path / "w.duckdb"
    # No PREFECT_API_URL, as an operator's `rassegna archive` runs: the flow starts a temporary
    # Prefect server, and the cluster's workers must be told its address to report to it.
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env.update({"PREFECT_HOME": str(tmp_path / "prefect-home"),
                "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests")])})
    with serving(archive) as served:
        log = tmp_path / "driver.log"
        with log.open("wb") as out:
            driver = subprocess.Popen(
                [sys.executable, str(ROOT / "tests" / "archive_kill_driver.py"), served.base,
                 cluster.scheduler_address, str(WATCHLIST), str(sources_file), str(db)],
                env=env, stdout=out, stderr=subprocess.STDOUT,
            )
            try:
                returncode = driver.wait(timeout=180)
            finally:
                _end_processes_of(driver, env["PREFECT_HOME"])
        output = log.read_text(errors="replace")
        assert returncode == -signal.SIGKILL, output[-3000:]
        first = next(line.split()[1] for line in output.splitlines() if line.startswith("stored "))
        before = _stored(db)
        summary = _scan(served, cluster, sources_file, db)
        requests = {path: served.count(path) for path in archive.paths}
    assert before["files"][first] == "done" and list(before["files"].values()).count("done") == 1
    assert requests[first] == 1  # finished before the kill: never read again
    assert summary.files_done_before == 1 and summary.files_scanned == 2
    mentions, _ = _mentions_by_capture(db)
    assert mentions == _wanted(archive)
    after = _stored(db)
    assert after["articles"][0] == after["articles"][1]
    assert len(after["captures"]) == len({(w, o) for _, w, o, _, _ in after["captures"]}) == after["articles"][0]
    assert after["runs"] == [("archive", "failed"), ("archive", "completed")]  # the killed one, said so


@pytest.mark.parametrize("since, until", [("2025-09-31", "2025-10-01"), ("2025-09-05", "2025-09-01")])
def test_archive_command_refuses_a_bad_window(since, until):
    from typer.testing import CliRunner

    from rassegna.cli import app

    result = CliRunner().invoke(app, ["archive", "--since", since, "--until", until])
    assert result.exit_code == 2, result.output


def test_a_failed_scan_says_why_in_a_line_without_prefects_tracebacks(archive, tmp_path, prefect_harness):
    # The archive's host is on 127.0.0.1 and this sources file does not allow private networks.
    from prefect.settings import PREFECT_API_URL

    sources = tmp_path / "sources.yaml"
    sources.write_text("sources:\n  - {name: locale, kind: feed, url: 'https://example.org/feed.xml'}\n", "utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    # The session's server: the CLI then starts none of its own (10-15 s).
    env.update(PREFECT_HOME=str(tmp_path / "prefect"), PREFECT_API_URL=PREFECT_API_URL.value())
    with serving(archive) as served:
        done = subprocess.run(
            [str(Path(sys.executable).parent / "rassegna"), "archive", "--since", "2025-09-01", "--until", "2025-09-02",
             "--archive-url", served.base, "--sources", str(sources), "--db", str(tmp_path / "a.duckdb")],
            env=env, capture_output=True, text=True, timeout=240, cwd=Path(__file__).parent.parent,
        )
    assert done.returncode == 1, done.stderr
    assert "archive scan failed: BlockedAddress" in done.stderr
    assert "allow_private_networks: true" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
