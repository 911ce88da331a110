"""Reports: every format carries the same rows; the HTML is self-contained, escaped, and renders in Chromium."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from html import unescape as html_unescape
from datetime import date, datetime

import duckdb
import pytest

from conftest import WATCHLIST, store_articles
from rassegna.config import load_watchlist
from rassegna.reporting.report import FORMATS, load_report, render_html, write_report

HOSTILE = "Galdi in California <script>document.title='PWNED'</script>"
ARTICLES = [
    ("https://news.example.it/1", HOSTILE, "2025-09-18T10:00:00",
     "Con Imprese Vincenti di Intesa Sanpaolo la Galdi di Postioma porta le sue riempitrici negli Stati Uniti."),
    ("https://news.example.it/2", "Aton a San Francisco", "2025-09-25T09:00:00",
     "Aton, la software house di Villorba guidata da Giorgio De Nardi, incontra gli investitori con INNOVIT."),
    ("https://news.example.it/3", "Vecchia notizia", "2025-06-01T09:00:00",
     "Il Gruppo Malvestio presenta i nuovi letti ospedalieri alla fiera di Padova, con grande interesse."),
]


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "r.duckdb"
    store_articles(path, load_watchlist(WATCHLIST),
                   [(url, title, text, datetime.fromisoformat(published)) for url, title, published, text in ARTICLES],
                   site_name="Giornale di Prova")
    return path


def _data(db, since=None, until=None):
    with duckdb.connect(str(db), read_only=True) as con:
        return load_report(con, since, until)


def test_the_period_selects_articles_by_date(db):
    everything = _data(db)
    september = _data(db, date(2025, 9, 1), date(2025, 9, 30))
    assert {m["url"] for m in everything.mentions} == {a[0] for a in ARTICLES}
    assert {m["url"] for m in september.mentions} == {ARTICLES[0][0], ARTICLES[1][0]}
    assert {r["programme"] for r in september.programme} == {"Imprese Vincenti", "INNOVIT"}


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_carries_the_same_rows(db, fmt, tmp_path):
    data = _data(db)
    out = write_report(data, fmt, tmp_path / f"report.{fmt}")
    expected = len(data.mentions)
    if fmt == "csv":
        assert len(out.read_text("utf-8").strip().splitlines()) == expected + 1
    elif fmt == "parquet":
        with duckdb.connect() as con:
            assert con.execute("SELECT count(*) FROM read_parquet(?)", [str(out)]).fetchone()[0] == expected
    elif fmt == "xlsx":
        with zipfile.ZipFile(out) as book:
            sheet = book.read("xl/worksheets/sheet1.xml").decode()
        assert sheet.count("<row ") == expected + 1
    else:
        text = out.read_text("utf-8")
        for m in data.mentions:
            assert m["url"] in text


def test_html_is_self_contained_and_escapes_page_content(db):
    page = render_html(_data(db))
    assert "<script" not in page and "&lt;script&gt;" in page
    for external in ("src=", "<link", "@import", "url("):
        assert external not in page
    assert "Rassegna stampa" in page and "Menzioni per settimana" in page and "<svg" in page
    # Python's template syntax never reaches the reader.
    assert "{" not in page.split("<style>")[0] + page.split("</style>")[1]
    assert re.search(r"generato il \d\d/\d\d/\d{4} \d\d:\d\d", page)


def test_an_entity_has_one_colour_in_every_chart(db):
    page = render_html(_data(db))
    line_colour = re.search(r"<circle [^>]*fill='(#[0-9a-f]{6})'><title>Galdi,", page).group(1)
    bar_colour = re.search(r">Galdi</text><rect [^>]*fill='(#[0-9a-f]{6})'", page).group(1)
    assert line_colour == bar_colour


@pytest.mark.skipif(not shutil.which("chromium"), reason="Debian's chromium is not installed (.ci/run installs it)")
def test_html_renders_in_headless_chromium(db, tmp_path):
    out = write_report(_data(db), "html", tmp_path / "report.html")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run(["chromium", *flags, "--dump-dom", out.as_uri()], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-1000:]
    assert "Rassegna stampa" in dom.stdout and "PWNED" not in dom.stdout.split("</title>")[0]
    assert dom.stdout.count("<svg") == 3
    shot = tmp_path / "report.png"
    subprocess.run(["chromium", *flags, "--window-size=1000,1400", f"--screenshot={shot}", out.as_uri()],
                   capture_output=True, timeout=120, check=True)
    assert shot.stat().st_size > 10_000  # a page was painted, not a blank


def test_a_release_on_two_outlets_is_one_story_in_the_report(tmp_path):
    from test_stories import HEADLINE, ORIGINAL, REPUBLISHED

    path = tmp_path / "stories.duckdb"
    watchlist = load_watchlist(WATCHLIST)
    copy = next(iter(REPUBLISHED.values()))
    store_articles(path, watchlist, [("https://uno.example/galdi", HEADLINE, ORIGINAL, datetime(2025, 9, 17))],
                   site_name="Quotidiano Uno", run_id="r1")
    store_articles(path, watchlist, [("https://due.example/galdi", HEADLINE, copy, datetime(2025, 9, 18))],
                   site_name="Gazzetta Due", run_id="r2")
    data = _data(path)
    galdi = [m for m in data.mentions if m["entity_name"] == "Galdi"]
    assert {m["url"] for m in galdi} == {"https://uno.example/galdi", "https://due.example/galdi"}
    assert len({m["story_id"] for m in galdi}) == 1 and {m["story_outlets"] for m in galdi} == {2}
    page = render_html(data)
    assert "2 articoli, 1 notizia distinta" in page
    assert "<td>2 testate</td>" in page


def test_two_aliases_in_one_sentence_are_one_report_line_and_the_period_reads_in_italian(tmp_path):
    path = tmp_path / "aliases.duckdb"
    text = ("A San Francisco le aziende sono state accolte da INNOVIT, l'Italian Innovation and Culture Hub, "
            "che ha organizzato gli incontri con gli investitori della Silicon Valley.")
    store_articles(path, load_watchlist(WATCHLIST), [("https://tre.example/hub", "L'hub italiano", text, None)])
    with duckdb.connect(str(path), read_only=True) as con:
        stored = con.execute("SELECT count(*) FROM mentions WHERE entity_name = 'INNOVIT'").fetchone()[0]
    data = _data(path)
    assert stored == 2, "premise: both aliases are mentions"
    assert [m["entity_name"] for m in data.mentions].count("INNOVIT") == 1
    assert "dall'inizio a oggi" in html_unescape(render_html(data))
    assert "dal 01/09/2025 al 30/09/2025" in render_html(_data(path, date(2025, 9, 1), date(2025, 9, 30)))
