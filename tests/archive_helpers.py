"""A small CC-NEWS archive for the archive-scan tests: WARC files of pages written here,
gzip per record as Common Crawl writes them, and a monthly paths listing, served over
HTTP on 127.0.0.1 with Common Crawl's layout. The server logs every request and can be
told to stream one file slowly (so a test can kill the worker reading it)."""

from __future__ import annotations

import gzip
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from rassegna.archives.warcfiles import Capture, write_warc

FILLER_IT = ("Il consiglio comunale si è riunito ieri sera per discutere il bilancio e le opere pubbliche del"
             " prossimo anno, con un lungo confronto tra maggioranza e opposizione sulle priorità del quartiere. ")
FILLER_EN = ("The city council met on Tuesday evening to discuss the budget and next year's public works, with a long"
             " debate between the majority and the opposition over the neighbourhood's priorities. ")


def article(title: str, body: str, lang: str = "it", charset: str = "utf-8") -> str:
    filler = FILLER_IT if lang == "it" else FILLER_EN
    return (f'<!doctype html><html lang="{lang}"><head><meta charset="{charset}"><title>{title}</title>'
            '<meta property="og:type" content="article">'
            '<meta property="article:published_time" content="2025-09-02T08:00:00+02:00">'
            '<script>var training = "Galdi"; window.brain = 1;</script><style>.galdi{color:red}</style></head>'
            f'<body><nav><a href="/">Home</a> <a href="/economia">Economia</a></nav><article><h1>{title}</h1>'
            f"<p>{filler * 2}</p><p>{body}</p><p>{filler}</p></article><footer>Redazione</footer></body></html>")


@dataclass(frozen=True)
class Page:
    url: str
    html: bytes
    content_type: str = "text/html; charset=UTF-8"
    status: int = 200
    mentions: frozenset[str] = frozenset()  # entity names the matcher must accept here


def _p(url: str, title: str, body: str, lang: str = "it", mentions: tuple[str, ...] = ()) -> Page:
    return Page(url, article(title, body, lang).encode("utf-8"), mentions=frozenset(mentions))


def pages_of_day(day: int) -> list[Page]:
    """Pages captured on 2025-09-`day`: mentions, traps, and records that are no article."""
    d = f"2025/09/{day:02d}"
    cp1252 = article("Società trevigiane", "La Galdi di Postioma, che produce riempitrici per il packaging"
                     " alimentare, è stata premiata. «Una Società che cresce», ha detto Candiotto.",
                     charset="windows-1252").encode("cp1252")
    utf16 = article("Galdi negli Stati Uniti", "Galdi, l'azienda trevigiana delle macchine per il confezionamento"
                    " (packaging), apre una filiale.", charset="utf-16").encode("utf-16")
    pages = [
        _p(f"https://www.cronache.example.it/{d}/galdi-postioma", "Galdi cresce a Postioma",
           "La Galdi di Postioma, che costruisce macchine riempitrici per il packaging alimentare, assume venti"
           " tecnici. Lo ha detto Candiotto.", mentions=("Galdi",)),
        _p(f"https://news.example.com/{d}/innovit-hub", "INNOVIT HUB OPENS A NEW SEASON",
           "INNOVIT, the Italian Innovation and Culture Hub in San Francisco, opened its season with twelve firms"
           " of the Imprese Vincenti programme by Intesa Sanpaolo.", "en",
           mentions=("INNOVIT", "Imprese Vincenti")),
        _p(f"https://www.puglia.example.it/{d}/macnil", "Telematica a Gravina",
           "La Mac&amp;Nil di Gravina in Puglia, specializzata nella telematica per le flotte, entra nel gruppo"
           " Zucchetti.", mentions=("Mac&Nil",)),
        _p(f"https://www.economia.example.it/{d}/imprese-vincenti", "Il programma premia le pmi",
           "Il programma <strong>Imprese</strong> <em>Vincenti</em> di Intesa Sanpaolo ha scelto dodici aziende"
           " per la missione in California.", mentions=("Imprese Vincenti",)),
        _p(f"https://www.treviso.example.it/{d}/split", "Macchine per liquidi",
           "La Gal<b>di</b> di Postioma, nota per il confezionamento di liquidi, ha aperto un nuovo reparto"
           " per il packaging.", mentions=("Galdi",)),
        Page(f"https://www.veneto.example.it/{d}/cp1252", cp1252, "text/html; charset=windows-1252",
             mentions=frozenset({"Galdi"})),
        Page(f"https://www.utf16.example.it/{d}/galdi", utf16, "text/html; charset=UTF-16",
             mentions=frozenset({"Galdi"})),
        _p(f"https://www.caps.example.it/{d}/titolo", "GALDI, LE MACCHINE DEL PACKAGING",
           "GALDI DI POSTIOMA ASSUME: LE RIEMPITRICI PER IL PACKAGING VANNO IN CALIFORNIA CON CANDIOTTO.",
           mentions=("Galdi",)),
        # Traps: weather, a person, everyday words, another language, an outlet to drop.
        _p(f"https://weather.example.com/{d}/forecast", "Showers ahead",
           "Rain is expected over the hills tonight, forecasters said, with showers until Sunday.", "en"),
        _p(f"https://www.arte.example.it/{d}/mostra", "Una mostra a Treviso",
           "Il pittore Francesco Galdi espone le sue tele nella galleria del centro storico fino a ottobre.",
           ),
        _p(f"https://www.sport.example.com/{d}/training", "Training camp",
           "The training camp drained the players, the coach said, but morale is high before the derby.", "en"),
        Page(f"https://www.zeitung.example.de/{d}/galdi",
             article("Galdi in Treviso", "Die Firma Galdi aus Postioma baut Abfüllmaschinen für das Packaging und"
                     " stellt Candiotto vor. Die Firma wächst und die Mitarbeiter sind mit dem Jahr zufrieden.",
                     lang="de").encode("utf-8")),
        _p(f"https://www.dropped.example.it/{d}/galdi", "Galdi altrove",
           "La Galdi di Postioma, riempitrici per il packaging, ha scelto Candiotto."),
        # Plain news: the bulk of an archive, which the prefilter must set aside.
        _p(f"https://www.cronache.example.it/{d}/consiglio", "Il consiglio comunale", FILLER_IT),
        _p(f"https://www.cronache.example.it/{d}/bilancio", "Il bilancio del comune", FILLER_IT + FILLER_IT),
        _p(f"https://news.example.com/{d}/council", "Council budget", FILLER_EN, "en"),
        Page(f"https://www.cronache.example.it/{d}/missing", b"<html><body>Galdi Not found</body></html>",
             status=404),
        Page(f"https://www.cronache.example.it/{d}/feed.json", b'{"title": "Galdi packaging"}', "application/json"),
    ]
    return pages


@dataclass
class Archive:
    root: Path
    paths: list[str]
    pages: dict[str, list[Page]]  # by WARC path


def build_archive(root: Path, days: tuple[int, ...] = (1, 2, 3), files_per_day: int = 1,
                  extra_month_file: bool = True) -> Archive:
    """Files of 2025-09-`days` (and one of 2025-08-31, outside the window the tests ask for)."""
    month = root / "crawl-data" / "CC-NEWS" / "2025" / "09"
    month.mkdir(parents=True)
    paths, pages = [], {}
    for day in days:
        for k in range(files_per_day):
            name = f"CC-NEWS-202509{day:02d}{10 + k:02d}1502-{day * 10 + k:05d}.warc.gz"
            path = f"crawl-data/CC-NEWS/2025/09/{name}"
            day_pages = pages_of_day(day) if k == 0 else [
                _p(f"https://www.cronache.example.it/2025/09/{day:02d}/extra-{k}", "Notizie dal comune", FILLER_IT)]
            write_warc(month / name, (Capture(p.url, p.html, f"2025-09-{day:02d}T{10 + k:02d}:20:00Z", p.content_type,
                                              p.status) for p in day_pages), with_requests=(day == 2))
            paths.append(path)
            pages[path] = day_pages
    listing = paths + (["crawl-data/CC-NEWS/2025/09/CC-NEWS-20250831235959-00999.warc.gz"] if extra_month_file else [])
    (month / "warc.paths.gz").write_bytes(gzip.compress(("\n".join(listing) + "\n").encode()))
    return Archive(root, paths, pages)


@dataclass
class ServedArchive:
    base: str
    requests: list[str] = field(default_factory=list)
    # path -> released by the test: its first request stops halfway until then
    hold: dict[str, threading.Event] = field(default_factory=dict)
    halfway: dict[str, threading.Event] = field(default_factory=dict)
    peers: dict[str, int] = field(default_factory=dict)  # path -> client port of its latest request
    cut: set[str] = field(default_factory=set)  # paths whose body stops halfway (the connection closes)

    def stop_halfway(self, path: str) -> threading.Event:
        """The next request of `path` sends half the file, then waits for the returned event."""
        self.halfway[path] = threading.Event()
        self.hold[path] = threading.Event()
        return self.hold[path]

    def count(self, path: str) -> int:
        return sum(1 for r in self.requests if r == "/" + path)


@contextmanager
def serving(archive: Archive) -> Iterator[ServedArchive]:
    served = ServedArchive("")

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # noqa: ANN002
            pass

        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            path = self.path.split("?")[0]
            # Ranged reads (a capture read again) are not reads of the file.
            served.requests.append(path if "Range" not in self.headers else f"{path} {self.headers['Range']}")
            target = archive.root / path.lstrip("/")
            if ".." in path or not target.is_file():
                self.send_error(404, "Not Found")
                return
            data = target.read_bytes()
            start, end = 0, len(data)
            range_header = self.headers.get("Range")
            if range_header and range_header.startswith("bytes="):
                first, _, last = range_header[6:].partition("-")
                start, end = int(first), int(last) + 1
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {start}-{end - 1}/{len(data)}")
            else:
                self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(end - start))
            self.end_headers()
            body = data[start:end]
            key = path.lstrip("/")
            served.peers[key] = self.client_address[1]
            if key in served.cut:
                self.wfile.write(body[: len(body) // 2])
                self.close_connection = True
                return
            hold = served.hold.pop(key, None)
            if hold is not None:
                half = len(body) // 2
                self.wfile.write(body[:half])
                self.wfile.flush()
                served.halfway[key].set()
                hold.wait(60)
                body = body[half:]
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    served.base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        yield served
    finally:
        server.shutdown()
        server.server_close()
