"""Local stand-ins of the services a backfill asks, over real HTTP on 127.0.0.1, in their real formats.

- a publisher whose articles carry their own date (JSON-LD), and an outlet sitemap index
  with monthly children (`lastmod` on children and URLs);
- Google News RSS search honouring `after:`/`before:` (strict bounds) with a result cap,
  `<source url>` on items, new-style article ids behind the EU consent redirect unless the
  consent cookie is sent, and the batchexecute decoding call;
- GDELT DOC 2.0 honouring `startdatetime`/`enddatetime` with its 250-style cap, the rate-limit
  notice as plain text with status 200 (once), "Invalid query start date" before 2017, and JSON
  with an invalid backslash escape;
- Bing News RSS with `News:Source`, paging with `first=` and `qft=interval="N"`;
- the Wayback Machine's CDX API (JSON list of lists with a header row, `from`/`to`, `matchType=prefix`,
  `collapse=urlkey`, the paging API's `page=` with filters applied after paging, an empty answer past
  the last page) and its `/web/<timestamp>id_/<url>` copies;
- Common Crawl's index server (collinfo.json listing its crawls, one pywb CDX API per crawl answering
  JSON lines, a 404 JSON message where a crawl has no captures, a 400 past the last page) and WARC
  files served by byte range (206), one gzip member per record.

Every request is recorded (server, path, parameters, headers) so tests can assert what was asked.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, urlsplit

from reliability.http_helpers import send
from test_discovery import _varint

SIGNATURE = "AV_firma-finestra"
TIMESTAMP = 1759000000
CAP = 3  # the stand-in engines' result cap (Google News' ~100, GDELT's 250, scaled down)


def article_html(title: str, published: date, body: str) -> bytes:
    ld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "headline": title,
                     "datePublished": f"{published.isoformat()}T10:00:00+02:00"})
    paragraphs = "".join(f"<p>{body} Paragrafo {n} della cronaca, scritto per la prova.</p>" for n in range(8))
    return (f"<html lang='it'><head><title>{title}</title><script type='application/ld+json'>{ld}</script></head>"
            f"<body><article><h1>{title}</h1>{paragraphs}</article></body></html>").encode()


def new_style_id(token: str) -> str:
    """A CBMi-style id: a protobuf whose string field is an opaque token, not the URL."""
    value = token.encode()
    return base64.urlsafe_b64encode(b"\x08\x13\x22" + _varint(len(value)) + value).decode().rstrip("=")


class Article:
    def __init__(self, slug: str, published: date, title: str, mentions: bool = True) -> None:
        self.slug, self.published, self.title = slug, published, title
        self.path = f"/{published:%Y/%m/%d}/{slug}.html"
        self.body = (f"{title}: il programma Imprese Vincenti porta le PMI italiane in Silicon Valley."
                     if mentions else f"{title}: cronaca locale senza programmi.")


D = date
# The publisher's archive. Who lists what:
ARTICLES = {a.slug: a for a in [
    Article("agosto-visto-a-settembre", D(2025, 8, 28), "Agosto, visto da GDELT a settembre"),
    Article("agosto-aggiornato", D(2025, 8, 20), "Agosto, aggiornato a settembre nella sitemap"),
    Article("tappa-veneto", D(2025, 9, 3), "Imprese Vincenti fa tappa in Veneto"),
    Article("solo-sitemap", D(2025, 9, 5), "Una storia che solo la sitemap elenca"),
    Article("missione-silicon-valley", D(2025, 9, 10), "La missione in Silicon Valley"),
    Article("solo-gdelt", D(2025, 9, 12), "Una storia che solo GDELT conosce"),
    Article("pmi-san-francisco", D(2025, 9, 17), "Le PMI a San Francisco"),
    Article("hub-innovit", D(2025, 9, 24), "L'hub INNOVIT"),
    Article("fine-settembre", D(2025, 9, 29), "Fine settembre", mentions=False),
    Article("ottobre-google", D(2025, 10, 8), "Ottobre su Google News"),
    Article("ottobre-gdelt", D(2025, 10, 15), "Ottobre su GDELT"),
    Article("ottobre-sitemap", D(2025, 10, 20), "Ottobre nella sitemap"),
    Article("ottobre-tardi", D(2025, 10, 22), "Ottobre, tardi"),
    Article("novembre", D(2025, 11, 5), "Novembre, fuori finestra"),
    # Gone from the publisher (410, 404): only the archives still have them.
    Article("sparito", D(2025, 9, 18), "Sparito dal sito, salvato dalla Wayback Machine"),
    Article("rimosso", D(2025, 10, 9), "Rimosso dal sito, salvato da Common Crawl"),
    # Live behind a consent wall: the Wayback copy holds the text.
    Article("murato", D(2025, 9, 22), "Dietro il muro dei cookie"),
]}
CONSENT_WALL = (b"<html lang='it'><head><title>Cronache di Prova</title></head><body>"
                b"<div id='didomi-host' class='didomi-popup' role='dialog'><h2>Il tuo consenso</h2>"
                b"<p>Noi e i nostri partner usiamo cookie per misurare il pubblico e mostrare annunci. "
                b"Puoi accettare o rifiutare.</p><button>Accetta e continua</button><button>Rifiuta</button>"
                b"</div></body></html>")
GONE = {"sparito": 410, "rimosso": 404}
WAYBACK = [  # (slug, capture time, status): the CDX rows, in urlkey order
    ("hub-innovit", datetime(2025, 9, 25, 7, 0), "200"),
    ("murato", datetime(2025, 9, 23, 5, 0), "200"),
    ("sparito", datetime(2025, 9, 19, 6, 0), "200"),
    ("sparito", datetime(2025, 9, 28, 6, 0), "200"),  # a second capture: collapse=urlkey keeps one
    ("tappa-veneto", datetime(2025, 9, 4, 6, 0), "301"),  # not a page: filtered out (after paging)
    ("tappa-veneto", datetime(2025, 9, 4, 6, 5), "200"),
]
WAYBACK_PAGE = 2  # rows per page of the paging API
COMMONCRAWL = [("rimosso", datetime(2025, 10, 12, 3, 0)), ("ottobre-sitemap", datetime(2025, 10, 21, 3, 0))]
CC_CRAWL = "CC-MAIN-2025-42"  # the crawl holding them; collinfo lists 100 weekly crawls around it
GOOGLE = ["tappa-veneto", "missione-silicon-valley", "pmi-san-francisco", "hub-innovit", "fine-settembre",
          "ottobre-google", "ottobre-tardi", "novembre"]
CONSENT_ONLY = "missione-silicon-valley"  # listed by Google under a new-style id, resolvable with the cookie
BLOCKED = "ottobre-tardi"  # a new-style id Google sends to its consent page even with the cookie
GDELT = {  # slug -> seendate (when GDELT saw it, not its date)
    "agosto-visto-a-settembre": datetime(2025, 9, 2, 8, 0), "missione-silicon-valley": datetime(2025, 9, 10, 12, 0),
    "solo-gdelt": datetime(2025, 9, 12, 9, 0), "ottobre-gdelt": datetime(2025, 10, 15, 7, 30),
}
SITEMAP = {  # month child -> [(slug, lastmod)]
    "2025-08": [("agosto-aggiornato", D(2025, 8, 20))],
    "2025-09": [("solo-sitemap", D(2025, 9, 5)), ("agosto-aggiornato", D(2025, 9, 15))],
    "2025-10": [("ottobre-sitemap", D(2025, 10, 20))],
    "2025-11": [("novembre", D(2025, 11, 5))],
}


class Recorder(BaseHTTPRequestHandler):
    name = ""
    net: StandIns

    def log_message(self, *args: object) -> None:
        return

    def _handle(self, method: str) -> None:
        parts = urlsplit(self.path)
        params = {k: v[0] for k, v in parse_qs(parts.query).items()}
        form = None
        if method == "POST":
            length = int(self.headers.get("Content-Length", "0"))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        self.net.record({"server": self.name, "method": method, "path": parts.path, "params": params,
                         "cookie": self.headers.get("Cookie", ""), "range": self.headers.get("Range"),
                         "at": time.monotonic()})
        getattr(self.net, self.name)(self, method, parts.path, params, form)

    def do_GET(self) -> None:  # noqa: N802
        self._handle("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._handle("POST")

    def reply(self, status: int, body: bytes, ctype: str, headers: dict[str, str] | None = None) -> None:
        send(self, status, body, ctype, headers)


class StandIns:
    def __init__(self) -> None:
        self.seen: list[dict] = []
        self.lock = threading.Lock()
        self.on_request: Callable[[dict], None] | None = None
        self.gdelt_rate_limited = False
        self.servers: list[ThreadingHTTPServer] = []
        self.base = {name: self._serve(name) for name in ("publisher", "google", "gdelt", "bing", "wayback", "cc")}
        self.warc, self.warc_offsets = self._warc()

    def _serve(self, name: str) -> str:
        handler = type(f"{name}Handler", (Recorder,), {"name": name, "net": self})
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        self.servers.append(httpd)
        return f"http://127.0.0.1:{httpd.server_address[1]}"

    def record(self, entry: dict) -> None:
        with self.lock:
            self.seen.append(entry)
        if self.on_request is not None:
            self.on_request(entry)

    def requests(self, server: str | None = None) -> list[dict]:
        with self.lock:
            return [r for r in self.seen if server is None or r["server"] == server]

    def url(self, slug: str) -> str:
        return self.base["publisher"] + ARTICLES[slug].path

    def close(self) -> None:
        for httpd in self.servers:
            httpd.shutdown()

    # --- the publisher and its sitemaps ---
    def publisher(self, h: Recorder, method: str, path: str, params: dict, form: dict | None) -> None:
        by_path = {a.path: a for a in ARTICLES.values()}
        if path == "/" and "s" in params:
            # The outlet's own search (WordPress style): results whose link text is a title.
            wanted = params["s"].casefold()
            hits = [a for a in ARTICLES.values() if wanted in a.title.casefold()]
            links = "".join(f"<li><a href='{a.path}'>{a.title}</a></li>" for a in hits)
            links += "<li><a href='/tag/ottobre'>Ottobre</a></li>"
            page = f"<html><body><h1>Risultati per {params['s']}</h1><ul>{links}</ul></body></html>"
            return h.reply(200, page.encode(), "text/html; charset=utf-8")
        if path in by_path and by_path[path].slug == "murato":
            return h.reply(200, CONSENT_WALL, "text/html; charset=utf-8")
        if path in by_path and by_path[path].slug in GONE:
            return h.reply(GONE[by_path[path].slug], b"<html><body>Pagina non trovata</body></html>", "text/html")
        if path in by_path:
            a = by_path[path]
            return h.reply(200, article_html(a.title, a.published, a.body), "text/html; charset=utf-8")
        if path == "/sitemap_index.xml":
            children = "".join(
                f"<sitemap><loc>{self.base['publisher']}/sitemap-{month}.xml</loc>"
                f"<lastmod>{max(day for _, day in entries).isoformat()}T12:00:00+00:00</lastmod></sitemap>"
                for month, entries in SITEMAP.items())
            # A child without a date in its name, last changed long before any window asked.
            children += f"<sitemap><loc>{self.base['publisher']}/sitemap-pagine.xml</loc><lastmod>2025-06-01</lastmod></sitemap>"
            body = f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{children}</sitemapindex>'
            return h.reply(200, body.encode(), "application/xml")
        match = re.fullmatch(r"/sitemap-(\d{4}-\d{2})\.xml", path)
        if match and match.group(1) in SITEMAP:
            urls = "".join(f"<url><loc>{self.url(slug)}</loc><lastmod>{day.isoformat()}</lastmod></url>"
                           for slug, day in SITEMAP[match.group(1)])
            body = f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
            return h.reply(200, body.encode(), "application/xml")
        h.reply(404, b"not found", "text/plain")

    # --- Google News ---
    def google(self, h: Recorder, method: str, path: str, params: dict, form: dict | None) -> None:
        if path == "/rss/search":
            query = params.get("q", "")
            after = re.search(r"after:(\d{4}-\d{2}-\d{2})", query)
            before = re.search(r"before:(\d{4}-\d{2}-\d{2})", query)
            picked = [ARTICLES[s] for s in GOOGLE]
            if after:
                picked = [a for a in picked if a.published > date.fromisoformat(after.group(1))]
            if before:
                picked = [a for a in picked if a.published < date.fromisoformat(before.group(1))]
            picked = sorted(picked, key=lambda a: a.published, reverse=True)[:CAP]  # the newest, up to the cap
            items = []
            for a in picked:
                link = (f"{self.base['google']}/rss/articles/{new_style_id('AU_yqL' + a.slug)}?oc=5"
                        if a.slug in (CONSENT_ONLY, BLOCKED) else self.url(a.slug))
                items.append(f"<item><title>{a.title} - Cronache di Prova</title><link>{link}</link>"
                             f"<pubDate>{a.published:%a, %d %b %Y} 08:00:00 GMT</pubDate>"
                             f"<source url=\"{self.base['publisher']}\">Cronache di Prova</source></item>")
            body = f"<rss version='2.0'><channel><title>{query}</title>{''.join(items)}</channel></rss>"
            return h.reply(200, body.encode(), "application/rss+xml; charset=utf-8")
        if path.startswith("/rss/articles/"):
            token = path.rsplit("/", 1)[1]
            if "SOCS=" not in (h.headers.get("Cookie") or "") or token == new_style_id("AU_yqL" + BLOCKED):
                # What EU visitors get without the consent cookie.
                location = f"{self.base['google']}/consent?continue={quote(self.base['google'] + path, safe='')}&gl=IT"
                return h.reply(302, b"", "text/html", {"Location": location})
            page = (f"<html><body><c-wiz><div jscontroller='x' data-n-a-id='{token}' data-n-a-sg='{SIGNATURE}' "
                    f"data-n-a-ts='{TIMESTAMP}'></div></c-wiz></body></html>")
            return h.reply(200, page.encode(), "text/html")
        if path == "/_/DotsSplashUi/data/batchexecute" and method == "POST" and form:
            request = json.loads(json.loads(form["f.req"])[0][0][1])
            expected = new_style_id("AU_yqL" + CONSENT_ONLY)
            ok = request[0] == "garturlreq" and request[2:] == [expected, TIMESTAMP, SIGNATURE]
            answer = json.dumps(["garturlres", self.url(CONSENT_ONLY) if ok else None, 1])
            envelope = json.dumps([["wrb.fr", "Fbv4je", answer, None, None, None, "generic"], ["di", 42]])
            return h.reply(200, f")]}}'\n\n{envelope}".encode(), "application/json; charset=utf-8")
        h.reply(404, b"not found", "text/plain")

    # --- GDELT DOC 2.0 ---
    def gdelt(self, h: Recorder, method: str, path: str, params: dict, form: dict | None) -> None:
        if path != "/api/v2/doc/doc":
            return h.reply(404, b"not found", "text/plain")
        if not self.gdelt_rate_limited:
            self.gdelt_rate_limited = True
            return h.reply(200, b"Please limit requests to one every 5 seconds or contact kalev.leetaru5@gmail.com "
                                b"for larger queries.", "text/html")
        start = datetime.strptime(params.get("startdatetime", "20170101000000"), "%Y%m%d%H%M%S")
        end = datetime.strptime(params.get("enddatetime", "20991231235959"), "%Y%m%d%H%M%S")
        if start < datetime(2017, 1, 1):
            return h.reply(200, b"Invalid query start date.", "text/html")
        found = sorted(((seen, slug) for slug, seen in GDELT.items() if start <= seen <= end), reverse=True)[:CAP]
        rows = []
        for seen, slug in found:
            title = json.dumps(ARTICLES[slug].title)[1:-1]
            if slug == "ottobre-gdelt":
                title += r" (C:\percorso\file)"  # an invalid JSON escape, as GDELT sometimes sends
            rows.append(f'{{"url": "{self.url(slug)}", "url_mobile": "", "title": "{title}", '
                        f'"seendate": "{seen:%Y%m%dT%H%M%SZ}", "socialimage": "", "domain": "127.0.0.1", '
                        f'"language": "Italian", "sourcecountry": "Italy"}}')
        body = '{"articles": [' + ", ".join(rows) + "]}" if rows else "{}"
        return h.reply(200, body.encode(), "application/json; charset=utf-8")

    # --- Bing News ---
    def bing(self, h: Recorder, method: str, path: str, params: dict, form: dict | None) -> None:
        if path != "/news/search" or params.get("format") != "rss":
            return h.reply(404, b"not found", "text/plain")
        first = int(params.get("first", "1"))
        recent = [f"{self.base['publisher']}/bing/notizia-{n}.html" for n in range(1, 6)]  # five results in all
        page = recent[first - 1: first - 1 + 2]  # two per page
        items = "".join(f"<item><title>Notizia {u[-6]}</title><link>{u}</link>"
                        f"<pubDate>{datetime.now(timezone.utc) - timedelta(days=1):%a, %d %b %Y %H:%M:%S} GMT</pubDate>"
                        f"<News:Source>Testata Bing</News:Source></item>" for u in page)
        body = (f'<rss xmlns:News="https://www.bing.com/news/search?q=x&amp;format=rss" version="2.0">'
                f"<channel><title>Bing</title>{items}</channel></rss>")
        return h.reply(200, body.encode(), "application/rss+xml; charset=utf-8")


def _cdx_time(value: str, end: bool) -> datetime:
    if not value:
        return datetime.max if end else datetime.min
    return datetime.strptime(value[:14].ljust(14, "0"), "%Y%m%d%H%M%S")


def _wayback(self: StandIns, h: Recorder, method: str, path: str, params: dict, form: dict | None) -> None:
    if path.startswith("/web/"):
        # /web/20250919060000id_/http://host/path : the capture as it was, unrewritten
        stamp, _, original = path[len("/web/"):].partition("id_/")
        slug = next((s for s, a in ARTICLES.items() if original.endswith(a.path)), None)
        if slug is None or not any(s == slug and t.strftime("%Y%m%d%H%M%S") == stamp for s, t, _ in WAYBACK):
            return h.reply(404, b"<html><body>Wayback Machine has not archived that URL.</body></html>", "text/html")
        a = ARTICLES[slug]
        return h.reply(200, article_html(a.title, a.published, a.body), "text/html; charset=utf-8")
    if path != "/cdx/search/cdx":
        return h.reply(404, b"not found", "text/plain")
    prefix = params["url"].split("://")[-1]
    start, end = _cdx_time(params.get("from", ""), False), _cdx_time(params.get("to", ""), True)
    rows = [(s, t, status) for s, t, status in WAYBACK
            if self.url(s).split("://")[-1].startswith(prefix) and start <= t <= end]
    page = int(params.get("page", "0"))
    rows = rows[page * WAYBACK_PAGE:(page + 1) * WAYBACK_PAGE]
    if not rows:
        return h.reply(200, b"", "text/plain")  # past the last page
    wanted = [f.split(":", 1) for f in parse_qs(urlsplit(h.path).query).get("filter", [])]
    out, seen = [], set()
    for slug, when, status in rows:
        if any(field == "statuscode" and status != value for field, value in wanted):
            continue  # filters apply after paging, as on the real server
        key = "127,0,0,1)" + ARTICLES[slug].path
        if params.get("collapse") == "urlkey" and key in seen:
            continue
        seen.add(key)
        out.append([key, when.strftime("%Y%m%d%H%M%S"), self.url(slug), "text/html", status,
                    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "2417"])
    header = ["urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length"]
    return h.reply(200, json.dumps([header, *out]).encode() if out else b"[]", "application/json")


def _cc(self: StandIns, h: Recorder, method: str, path: str, params: dict, form: dict | None) -> None:
    base = self.base["cc"]
    crawls = [f"CC-MAIN-{y}-{w:02d}" for y in (2024, 2025) for w in range(1, 51)]
    if path == "/collinfo.json":
        listed = [{"id": c, "name": f"{c[8:]} crawl", "timegate": f"{base}/{c}/", "cdx-api": f"{base}/{c}-index"}
                  for c in reversed(crawls)]
        return h.reply(200, json.dumps(listed).encode(), "application/json")
    if path.endswith("-index"):
        crawl = path[1:-len("-index")]
        start, end = _cdx_time(params.get("from", ""), False), _cdx_time(params.get("to", ""), True)
        prefix = params["url"].split("://")[-1]
        rows = [(s, t) for s, t in COMMONCRAWL if crawl == CC_CRAWL and start <= t <= end
                and self.url(s).split("://")[-1].startswith(prefix)]
        if not rows:
            return h.reply(404, json.dumps({"message": f"No Captures found for: {params['url']}"}).encode(),
                           "application/json")
        if int(params.get("page", "0")) > 0:
            return h.reply(400, b"Page 1 invalid: First Page is 0, Last Page is 0", "text/plain")
        lines = []
        for slug, when in rows:
            offset, length = self.warc_offsets[slug]
            lines.append(json.dumps({
                "urlkey": "127,0,0,1)" + ARTICLES[slug].path, "timestamp": when.strftime("%Y%m%d%H%M%S"),
                "url": self.url(slug), "mime": "text/html", "mime-detected": "text/html", "status": "200",
                "digest": "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB", "length": str(length), "offset": str(offset),
                "filename": f"crawl-data/{CC_CRAWL}/segments/1760000000000.0/warc/{CC_CRAWL}-0001.warc.gz",
                "languages": "ita", "encoding": "UTF-8"}))
        return h.reply(200, ("\n".join(lines) + "\n").encode(), "text/x-ndjson")
    if path.endswith(".warc.gz"):
        match = re.fullmatch(r"bytes=(\d+)-(\d+)", h.headers.get("Range") or "")
        if not match:
            return h.reply(200, self.warc, "application/octet-stream")
        first, last = int(match.group(1)), int(match.group(2))
        return h.reply(206, self.warc[first:last + 1], "application/octet-stream",
                       {"Content-Range": f"bytes {first}-{last}/{len(self.warc)}"})
    return h.reply(404, b"not found", "text/plain")


def _warc(self: StandIns) -> tuple[bytes, dict[str, tuple[int, int]]]:
    """A WARC file of the Common Crawl captures: one gzip member per record, offsets as the index gives them."""
    from io import BytesIO

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    out = BytesIO()
    writer = WARCWriter(out, gzip=True)
    offsets = {}
    for slug, when in COMMONCRAWL:
        a = ARTICLES[slug]
        start = out.tell()
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        record = writer.create_warc_record(self.url(slug), "response", payload=BytesIO(article_html(a.title, a.published, a.body)),
                                           http_headers=headers,
                                           warc_headers_dict={"WARC-Date": when.strftime("%Y-%m-%dT%H:%M:%SZ")})
        writer.write_record(record)
        offsets[slug] = (start, out.tell() - start)
    return out.getvalue(), offsets


StandIns.wayback = _wayback  # type: ignore[attr-defined]
StandIns.cc = _cc  # type: ignore[attr-defined]
StandIns._warc = _warc  # type: ignore[attr-defined]


def sources_yaml(net: StandIns, bing: bool = True) -> str:
    lines = [
        "allow_private_networks: true",
        "crawl: {download_delay: 0, retries: 0, timeout: 10, retry_after_max: 0.2}",
        "sources:",
        f"  - {{name: gnews, kind: google_news, url: '{net.base['google']}/rss/search',"
        f" queries: ['\"Imprese Vincenti\"'], result_cap: {CAP}}}",
        f"  - {{name: gdelt, kind: gdelt, url: '{net.base['gdelt']}/api/v2/doc/doc',"
        f" queries: ['\"Imprese Vincenti\"'], languages: [italian], result_cap: {CAP}}}",
        f"  - {{name: cronache-sitemap, kind: sitemap, url: '{net.base['publisher']}/sitemap_index.xml'}}",
        f"  - {{name: cronache-feed, kind: feed, url: '{net.base['publisher']}/feed.xml'}}",
        f"  - {{name: cronache-wayback, kind: web_archive, archive: wayback, url: '{net.base['wayback']}/cdx/search/cdx',"
        f" content_url: '{net.base['wayback']}/web', url_prefix: '{net.base['publisher'].split('://')[1]}/2025/',"
        " request_interval: 0}",
        f"  - {{name: cronache-cc, kind: web_archive, archive: commoncrawl, url: '{net.base['cc']}/',"
        f" content_url: '{net.base['cc']}', url_prefix: '{net.base['publisher'].split('://')[1]}/2025/',"
        " request_interval: 0}",
    ]
    if bing:
        lines.append(f"  - {{name: bing, kind: bing_news, url: '{net.base['bing']}/news/search',"
                     " queries: ['\"Imprese Vincenti\"'], result_cap: 2}")
    return "\n".join(lines) + "\n"


WATCHLIST = """
entities:
  - id: imprese-vincenti
    name: Imprese Vincenti
    kind: programme
    aliases: [{text: Imprese Vincenti, case_sensitive: true}]
"""
