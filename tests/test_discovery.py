"""Discovery sources (google_news, bing_news, gdelt) against local stand-ins of the engines.

Real Scrapy in a real crawl child (spiders.crawl.CrawlProcess), real HTTP on 127.0.0.1:
a Google-News-like RSS search with its redirect links and batchexecute endpoint, a
Bing-like RSS search with apiclick links, a GDELT-like JSON API, and a publisher.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from rassegna.config import ConfigError, load_sources, load_watchlist
from rassegna.queries import discovery_queries, gdelt_queries
from reliability.http_helpers import send
from spiders.crawl import KNOWN_URLS, CrawlProcess
from spiders.google_news import batchexecute_url, embedded_url, garturlreq
from spiders.output import iter_listings, read_outcomes

ROOT = Path(__file__).parent.parent

WATCHLIST = """
shared_context: [Imprese Vincenti]
entities:
  - id: imprese-vincenti
    name: Imprese Vincenti
    kind: programme
    aliases: [{text: Imprese Vincenti, case_sensitive: true}]
  - id: rain
    name: Rain
    kind: company
    requires_context: true
    aliases: [{text: Rain, case_sensitive: true}]
    context: [Stiatti, irrigazion*, irrigation]
    places: [Cerro Maggiore]
"""

SIGNATURE = "AV_firma-di-prova"
TIMESTAMP = 1758100000


def _page(title: str) -> bytes:
    body = f"<p>{title}: il programma Imprese Vincenti di Intesa Sanpaolo arriva in Silicon Valley.</p>" * 8
    return f"<html lang='it'><head><title>{title}</title></head><body><article>{body}</article></body></html>".encode()


def _varint(n: int) -> bytes:
    out = b""
    while True:
        byte, n = n & 0x7F, n >> 7
        out += bytes([byte | (0x80 if n else 0)])
        if not n:
            return out


def _article_id(url_or_token: str) -> str:
    """An id shaped like Google's: field 1 = 19, field 4 = URL or token (and an AMP copy)."""
    value = url_or_token.encode()
    message = b"\x08\x13\x22" + _varint(len(value)) + value + b"\xd2\x01" + _varint(len(value)) + value
    return base64.urlsafe_b64encode(message).decode().rstrip("=")


class Recorder(BaseHTTPRequestHandler):
    """Each stand-in records what it was asked: paths, query strings, POST forms, times."""

    seen: list[dict] = []
    lock = threading.Lock()

    def log_message(self, *args: object) -> None:
        return

    def record(self, form: dict | None = None) -> tuple[str, dict[str, list[str]]]:
        parts = urlsplit(self.path)
        params = parse_qs(parts.query)
        with Recorder.lock:
            Recorder.seen.append({"server": self.name, "method": self.command, "path": parts.path,
                                  "params": params, "form": form, "at": time.monotonic()})
        return parts.path, params

    def reply(self, status: int, body: bytes, ctype: str, headers: dict[str, str] | None = None) -> None:
        send(self, status, body, ctype, headers)


def _handler(name: str, routes) -> type[BaseHTTPRequestHandler]:
    class Handler(Recorder):
        def do_GET(self) -> None:  # noqa: N802
            path, params = self.record()
            routes(self, "GET", path, params, None)

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length", "0"))
            form = parse_qs(self.rfile.read(length).decode())
            path, params = self.record(form)
            routes(self, "POST", path, params, form)

    Handler.name = name
    return Handler


class Net:
    """The stand-in servers and their addresses."""

    def __init__(self) -> None:
        self.servers: list[ThreadingHTTPServer] = []
        self.publisher = self._serve("publisher", self._publisher)
        self.google = self._serve("google", self._google)
        self.bing = self._serve("bing", self._bing)
        self.gdelt = self._serve("gdelt", self._gdelt)

    def _serve(self, name: str, routes) -> str:
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(name, routes))
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        self.servers.append(httpd)
        return f"http://127.0.0.1:{httpd.server_address[1]}"

    def pub(self, path: str) -> str:
        return f"{self.publisher}{path}"

    # --- publisher ---
    def _publisher(self, h, method, path, params, form) -> None:
        if path.endswith(".html"):
            return h.reply(200, _page(path.strip("/")), "text/html; charset=utf-8")
        h.reply(404, b"not found", "text/plain")

    # --- Google News ---
    @property
    def old_id(self) -> str:
        return _article_id(self.pub("/vecchio-id.html"))

    known_id = property(lambda self: _article_id(self.pub("/gia-noto.html")))
    redirect_id = property(lambda self: _article_id("AU_yqLredirect"))
    new_id = property(lambda self: _article_id("AU_yqLnuovo"))
    lost_id = property(lambda self: _article_id("AU_yqLperso"))

    def _google(self, h, method, path, params, form) -> None:
        base = self.google
        if path == "/rss/search":
            query = params["q"][0]
            if query.startswith('"Imprese Vincenti"'):
                ids = [self.old_id, self.redirect_id, self.new_id, self.lost_id, self.known_id]
                links = [f"{base}/rss/articles/{i}?oc=5" for i in ids]
            else:
                links = [self.pub("/diretto.html")]  # some items link the publisher directly
            items = "".join(
                f"<item><title>Titolo {n} - Testata</title><link>{link}</link>"
                f"<pubDate>Wed, 17 Sep 2025 09:3{n}:00 GMT</pubDate></item>" for n, link in enumerate(links)
            )
            return h.reply(200, f"<rss version='2.0'><channel>{items}</channel></rss>".encode(), "application/rss+xml")
        if path.startswith("/rss/articles/"):
            token = path.rsplit("/", 1)[1]
            if token == self.redirect_id:
                return h.reply(302, b"", "text/html", {"Location": self.pub("/rediretto.html")})
            if token == self.new_id:
                page = (f"<html><body><c-wiz><div jscontroller='x' data-n-a-id='{token}' data-n-a-sg='{SIGNATURE}' "
                        f"data-n-a-ts='{TIMESTAMP}'></div></c-wiz></body></html>")
                return h.reply(200, page.encode(), "text/html")
            return h.reply(200, b"<html><body>Nessuna firma qui.</body></html>", "text/html")
        if path == "/_/DotsSplashUi/data/batchexecute" and method == "POST":
            outer = json.loads(form["f.req"][0])
            rpc, inner, _, _ = outer[0][0]
            request = json.loads(inner)
            if rpc == "Fbv4je" and request[0] == "garturlreq" and request[2:] == [self.new_id, TIMESTAMP, SIGNATURE]:
                answer = json.dumps(["garturlres", self.pub("/nuovo-id.html"), 1])
            else:
                answer = json.dumps(["garturlres", None, 0])
            envelope = json.dumps([["wrb.fr", "Fbv4je", answer, None, None, None, "generic"], ["di", 42]])
            return h.reply(200, f")]}}'\n\n{envelope}".encode(), "application/json; charset=utf-8")
        h.reply(404, b"not found", "text/plain")

    # --- Bing News ---
    def _bing(self, h, method, path, params, form) -> None:
        if path == "/news/search" and params.get("format") == ["rss"]:
            click = (f"{self.bing}/news/apiclick.aspx?ref=FexRss&aid=&tid=abc"
                     f"&url={quote(self.pub('/da-bing.html?id=7'), safe='')}&c=123&mkt=it-it")
            items = (f"<item><title>Da Bing</title><link>{click.replace('&', '&amp;')}</link></item>"
                     f"<item><title>Semplice</title><link>{self.pub('/bing-semplice.html')}</link></item>")
            return h.reply(200, f"<rss version='2.0'><channel>{items}</channel></rss>".encode(), "application/rss+xml")
        h.reply(404, b"not found", "text/plain")

    # --- GDELT ---
    def _gdelt(self, h, method, path, params, form) -> None:
        if path != "/api/v2/doc/doc":
            return h.reply(404, b"not found", "text/plain")
        query = params["query"][0]
        if query.startswith('"Imprese Vincenti"') and query.endswith("sourcelang:italian"):
            answer = {"articles": [{"url": self.pub("/da-gdelt.html"), "title": "Visto da GDELT",
                                    "seendate": "20250917T093000Z", "domain": "127.0.0.1",
                                    "language": "Italian", "sourcecountry": "Italy"}]}
            return h.reply(200, json.dumps(answer).encode(), "application/json")
        if query.startswith('"Imprese Vincenti"'):
            return h.reply(200, b"{}", "application/json")  # nothing found in English
        return h.reply(200, b"The specified phrase is too short.", "text/html")

    def close(self) -> None:
        for httpd in self.servers:
            httpd.shutdown()


@pytest.fixture(scope="module")
def net() -> Iterator[Net]:
    running = Net()
    yield running
    running.close()


DELAY = 0.5


@pytest.fixture(scope="module")
def crawled(net: Net, tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("discovery")
    watchlist = tmp / "watchlist.yaml"
    watchlist.write_text(WATCHLIST, "utf-8")
    sources = tmp / "sources.yaml"
    sources.write_text(
        "allow_private_networks: true\n"
        f"crawl: {{download_delay: {DELAY}, retries: 0, timeout: 10}}\n"
        "sources:\n"
        f"  - {{name: gnews, kind: google_news, url: '{net.google}/rss/search'}}\n"
        f"  - {{name: bing, kind: bing_news, url: '{net.bing}/news/search', queries: ['\"Las Mobili\"']}}\n"
        f"  - {{name: gdelt, kind: gdelt, url: '{net.gdelt}/api/v2/doc/doc'}}\n"
        f"  - {{name: gdelt-broken, kind: gdelt, url: '{net.gdelt}/api/v2/doc/doc', queries: ['\"Mac&Nil\"']}}\n",
        "utf-8",
    )
    out = tmp / "out"
    out.mkdir()
    # Stored by an earlier run: must not be fetched again, whichever engine lists it.
    (out / KNOWN_URLS).write_text(net.pub("/gia-noto.html") + "\n", "utf-8")
    Recorder.seen.clear()
    crawl = CrawlProcess(sources, out, budget_s=120, watchlist_file=watchlist)
    assert crawl.finish() is None, (out / "crawl.stderr").read_text()
    records = {}
    for path in out.glob("*.jsonl"):
        records[path.stem] = [json.loads(line) for line in path.read_text("utf-8").splitlines()]
    return {"records": records, "tallies": read_outcomes(out), "seen": list(Recorder.seen),
            "listings": list(iter_listings(out)),
            "queries": discovery_queries(load_watchlist(watchlist))}


def _pages(crawled: dict, source: str) -> dict[str, dict]:
    return {r["url"]: r for r in crawled["records"][source] if r["outcome"] == "page"}


def test_google_links_are_resolved_and_fetched_under_the_publishers_urls(net, crawled):
    pages = _pages(crawled, "gnews")
    imprese, rain = crawled["queries"]
    assert set(pages) == {net.pub(p) for p in ("/vecchio-id.html", "/rediretto.html", "/nuovo-id.html", "/diretto.html")}
    for path in ("/vecchio-id.html", "/rediretto.html", "/nuovo-id.html"):
        page = pages[net.pub(path)]
        assert page["query"] == imprese and page["listed_by"] == "search"
        assert page["listed_title"].startswith("Titolo") and page["listed_date"].startswith("Wed, 17 Sep 2025")
    assert pages[net.pub("/diretto.html")]["query"] == rain
    # The old-style id was decoded without asking Google; the others were asked.
    asked = {s["path"].rsplit("/", 1)[1] for s in crawled["seen"] if s["server"] == "google" and "/articles/" in s["path"]}
    assert asked == {net.redirect_id, net.new_id, net.lost_id}


def test_unresolved_link_is_a_skipped_item_with_its_reason(net, crawled):
    skipped = [r for r in crawled["records"]["gnews"] if r["outcome"] == "skipped"]
    assert [(r["url"], r["reason"], r["query"]) for r in skipped] == [
        (f"{net.google}/rss/articles/{net.lost_id}?oc=5", "unresolved-redirect", crawled["queries"][0])
    ]
    assert "data-n-a-sg" in skipped[0]["detail"]
    assert crawled["tallies"]["gnews"]["skipped"] == {"unresolved-redirect": 1}


def test_known_urls_are_not_fetched_again(net, crawled):
    fetched = {s["path"] for s in crawled["seen"] if s["server"] == "publisher"}
    assert "/gia-noto.html" not in fetched and "/vecchio-id.html" in fetched
    assert crawled["tallies"]["gnews"]["known"] == 1


def test_engines_received_the_generated_or_explicit_queries(crawled):
    seen = crawled["seen"]
    google = [s["params"] for s in seen if s["server"] == "google" and s["path"] == "/rss/search"]
    assert sorted(p["q"][0] for p in google) == sorted(crawled["queries"])
    assert all(p["hl"] == ["it"] and p["gl"] == ["IT"] and p["ceid"] == ["IT:it"] for p in google)
    bing = [s["params"] for s in seen if s["server"] == "bing" and s["path"] == "/news/search"]
    assert [(p["q"], p["setlang"]) for p in bing] == [(['"Las Mobili"'], ["it-IT"])]  # explicit queries replace generated ones
    gdelt = [s["params"] for s in seen if s["server"] == "gdelt" and s["path"] == "/api/v2/doc/doc"]
    expected = {f"{g} sourcelang:{lang}" for q in crawled["queries"] for g in gdelt_queries(q) for lang in ("italian", "english")}
    expected |= {f"{g} sourcelang:{lang}" for g in gdelt_queries('"Mac&Nil"') for lang in ("italian", "english")}
    assert {p["query"][0] for p in gdelt} == expected
    assert all(p["mode"] == ["artlist"] and p["format"] == ["json"] and p["maxrecords"] == ["250"] for p in gdelt)


def test_every_listed_url_is_recorded_with_the_search_that_found_it(net, crawled):
    listed = {(row["source"], row["url"]): row for row in crawled["listings"]}
    known = listed[("gnews", net.pub("/gia-noto.html"))]  # listed, though never fetched
    assert known["channel"] == "search" and known["query"] in crawled["queries"]
    assert listed[("bing", net.pub("/bing-semplice.html"))]["query"] == '"Las Mobili"'


def test_bing_click_links_are_unwrapped(net, crawled):
    pages = _pages(crawled, "bing")
    assert set(pages) == {net.pub("/da-bing.html?id=7"), net.pub("/bing-semplice.html")}
    assert all(p["query"] == '"Las Mobili"' for p in pages.values())
    assert not any(s["path"].endswith("apiclick.aspx") for s in crawled["seen"])


def test_gdelt_articles_dates_and_failure_semantics(net, crawled):
    page = _pages(crawled, "gdelt")[net.pub("/da-gdelt.html")]
    # seendate is when GDELT saw the page, not its date: carried apart, ranked below the page's own signals.
    assert page["seen_date"] == "2025-09-17T09:30:00+00:00" and page["listed_date"] is None
    assert page["listed_title"] == "Visto da GDELT"
    assert page["query"] == crawled["queries"][0]
    ok, broken = crawled["tallies"]["gdelt"], crawled["tallies"]["gdelt-broken"]
    # The Rain search failed in both languages, the other answered: a gap, not a dead source.
    assert ok["entry_error"] is None and ok["failed"] == {"gdelt-phrase-too-short": 2}
    # Every search failed: the source failed, and says why.
    assert broken["entry_error"].startswith("gdelt-phrase-too-short: The specified phrase is too short.")
    assert "all 2 entry requests failed" in broken["entry_error"]
    failed = [r for r in crawled["records"]["gdelt-broken"] if r["outcome"] == "failed"]
    assert {r["query"] for r in failed} == {'"Mac&Nil"'} and all(r["entry"] for r in failed)


def test_gdelt_requests_are_spaced_by_the_download_delay(crawled):
    times = sorted(s["at"] for s in crawled["seen"]
                   if s["server"] == "gdelt" and s["params"].get("query", [""])[0].startswith(('"Imprese', "Rain")))
    assert len(times) == 4
    # Not randomised: every gap is at least the configured delay (Scrapy's default would allow half).
    assert min(b - a for a, b in zip(times, times[1:])) >= DELAY * 0.95


def test_discovery_source_without_queries_needs_a_watchlist(tmp_path, net):
    sources = tmp_path / "sources.yaml"
    sources.write_text(f"sources:\n  - {{name: gnews, kind: google_news, url: '{net.google}/rss/search'}}\n", "utf-8")
    done = subprocess.run([sys.executable, "-m", "spiders.crawl", str(sources), str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert done.returncode == 2 and "'gnews'" in done.stderr and "--watchlist" in done.stderr


def test_example_config_validates_with_defaults():
    config = load_sources(ROOT / "config" / "discovery.example.yaml")
    kinds = {s.kind: s for s in config.sources}
    assert set(kinds) == {"google_news", "bing_news", "gdelt"}
    assert kinds["google_news"].url == "https://news.google.com/rss/search"
    assert kinds["bing_news"].queries and not kinds["gdelt"].queries


@pytest.mark.parametrize(("entry", "message"), [
    ("{name: f, kind: feed, url: 'https://x.it/rss', queries: ['\"a b\"']}", "queries apply to kinds"),
    ("{name: g, kind: google_news, languages: [italian]}", "languages apply to kind 'gdelt' only"),
    ("{name: g, kind: gdelt, queries: ['\"Rain\" (\"a\" (\"b\" OR \"c\"))']}", "queries[0]"),
    ("{name: b, kind: bing_news, queries: ['(\"Rain\"']}", "never closed"),
    ("{name: s, kind: sitemap}", "url"),
])
def test_bad_discovery_entries_are_refused_with_the_field(tmp_path, entry, message):
    path = tmp_path / "sources.yaml"
    path.write_text(f"sources:\n  - {entry}\n", "utf-8")
    with pytest.raises(ConfigError) as error:
        load_sources(path)
    assert message in str(error.value) and "sources[0]" in str(error.value)


def test_resolution_helpers_on_their_own():
    assert embedded_url("https://news.google.com/rss/articles/" + _article_id("https://www.esempio.it/a.html") + "?oc=5") == "https://www.esempio.it/a.html"
    assert embedded_url("https://news.google.com/rss/articles/" + _article_id("AU_yqLopaco")) is None
    assert embedded_url("https://news.google.com/rss/articles/!!!") is None
    request = json.loads(json.loads(garturlreq("ID", 12, "SG"))[0][0][1])
    assert request[0] == "garturlreq" and request[2:] == ["ID", 12, "SG"]
    chunked = ')]}\'\n\n120\n[["wrb.fr","Fbv4je","[\\"garturlres\\",\\"https://www.esempio.it/b.html\\",1]",null,null,null,"generic"]]\n25\n[["di",42]]\n'
    assert batchexecute_url(chunked) == "https://www.esempio.it/b.html"
    assert batchexecute_url(")]}'\n\n[[\"er\",null,null,null,null,400]]") is None


def test_discovery_source_with_nothing_to_search_fails(tmp_path, net):
    watchlist = tmp_path / "watchlist.yaml"
    # Only an ambiguous name with no confirming term: nothing is safe to search.
    watchlist.write_text("entities:\n  - {id: move, name: Move, kind: company, requires_context: true, aliases: [Move]}\n")
    sources = tmp_path / "sources.yaml"
    sources.write_text("allow_private_networks: true\n"
                       f"sources:\n  - {{name: gnews, kind: google_news, url: '{net.google}/rss/search'}}\n", "utf-8")
    crawl = CrawlProcess(sources, tmp_path / "out", budget_s=60, watchlist_file=watchlist)
    assert crawl.finish() is None
    assert read_outcomes(tmp_path / "out")["gnews"]["entry_error"].startswith("no-queries")


def test_gdelt_s_own_service_is_never_asked_more_than_once_every_5_seconds():
    from rassegna.config import SourcesConfig
    from spiders.crawl import settings_for

    config = SourcesConfig.model_validate({
        "crawl": {"download_delay": 1.0},
        "sources": [{"name": "gdelt", "kind": "gdelt"}, {"name": "altro", "kind": "gdelt", "url": "https://gdelt.example/api"}],
    })
    slots = settings_for(config, Path("/tmp/unused"))["DOWNLOAD_SLOTS"]
    assert slots["api.gdeltproject.org"]["delay"] == 5.0
    assert slots["gdelt.example"]["delay"] == 1.0


def test_an_unreachable_engine_is_tried_once_not_once_per_search(tmp_path):
    import socket

    with socket.socket() as probe:  # nobody listens there: connection refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        "allow_private_networks: true\ncrawl: {download_delay: 1.0, retries: 1}\nsources:\n"
        f"  - {{name: gdelt, kind: gdelt, url: 'http://127.0.0.1:{port}/api/v2/doc/doc',"
        " queries: ['\"Imprese Vincenti\"', '\"Manta Group\"', '\"Podium Engineering\"']}\n", "utf-8")
    crawl = CrawlProcess(sources, tmp_path / "out", budget_s=60)
    assert crawl.finish() is None
    failed = [json.loads(line) for line in (tmp_path / "out" / "gdelt.jsonl").read_text("utf-8").splitlines()]
    assert len(failed) == 6 and all(f["outcome"] == "failed" and f["reason"] == "connection-refused" for f in failed)
    tried = [f for f in failed if not f["detail"].startswith("not tried")]
    assert len(tried) == 1, "every search asked the unreachable engine again"
    assert {f["query"] for f in failed} == {'"Imprese Vincenti"', '"Manta Group"', '"Podium Engineering"'}
    assert read_outcomes(tmp_path / "out")["gdelt"]["entry_error"].startswith("connection-refused")
