"""Dates as people read them: the warehouse keeps UTC, the report, its exports, the run summary and
`inspect` show Rome's day and time (or the zone asked for with --tz)."""

from __future__ import annotations

import csv
import zipfile
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from conftest import FIXTURES, WATCHLIST, store_articles
from rassegna.cli import app
from rassegna.config import load_watchlist
from rassegna.reporting.report import load_report, render_html, render_md, write_report
from rassegna.reporting.summary import mention_rows, run_markdown

runner = CliRunner()

# Out at 00:40 in Rome on 26 September (CEST, UTC+2): 22:40 UTC on the 25th, as stored.
LATE = ("https://news.example.it/notte", "Galdi firma a San Francisco", datetime(2025, 9, 25, 22, 40),
        "Con Imprese Vincenti di Intesa Sanpaolo la Galdi di Postioma porta le sue riempitrici negli Stati Uniti.")
# Out at 00:30 in Rome on New Year's Day (CET, UTC+1): 23:30 UTC on 31 December.
NEW_YEAR = ("https://news.example.it/capodanno", "Aton chiude l'anno", datetime(2025, 12, 31, 23, 30),
            "Aton, la software house di Villorba guidata da Giorgio De Nardi, chiude l'anno nel programma Imprese"
            " Vincenti di Intesa Sanpaolo.")


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("local-time") / "r.duckdb"
    store_articles(path, load_watchlist(WATCHLIST), [(url, title, text, at) for url, title, at, text in (LATE, NEW_YEAR)],
                   site_name="Giornale di Prova")
    return path


def _data(db: Path, since=None, until=None, tz="Europe/Rome"):
    with duckdb.connect(str(db), read_only=True) as con:
        return load_report(con, since, until, tz)


def _row(data, url):
    return next(m for m in data.mentions if m["url"] == url)


def test_the_warehouse_keeps_utc(db):
    with duckdb.connect(str(db), read_only=True) as con:
        stored = dict(con.execute("SELECT url, published_at FROM articles").fetchall())
    assert stored == {LATE[0]: LATE[2], NEW_YEAR[0]: NEW_YEAR[2]}


def test_an_article_out_at_0040_in_rome_is_listed_under_its_rome_day(db):
    data = _data(db)
    late = _row(data, LATE[0])
    assert (late["published_at"].date(), late["published_at"].hour, late["published_at"].minute) == (date(2025, 9, 26), 0, 40)
    assert late["timezone"] == "Europe/Rome"
    page = render_html(data)
    assert "26/09/2025" in page and "25/09/2025" not in page
    assert "01/01/2026" in page and "31/12/2025" not in page
    assert "fuso orario Europe/Rome" in page
    md = render_md(data)
    assert "| 26/09/2025 | Galdi |" in md and "| 01/01/2026 | Aton |" in md


def test_the_period_is_in_rome_days(db):
    assert {m["url"] for m in _data(db, date(2025, 9, 26), date(2025, 9, 26)).mentions} == {LATE[0]}
    assert not [m for m in _data(db, date(2025, 9, 25), date(2025, 9, 25)).mentions]
    assert {m["url"] for m in _data(db, date(2026, 1, 1)).mentions} == {NEW_YEAR[0]}
    assert {r["url"] for r in _data(db, date(2026, 1, 1), date(2026, 1, 1)).programme} == {NEW_YEAR[0]}


def test_another_zone_when_asked(db):
    data = _data(db, tz="UTC")
    assert _row(data, LATE[0])["published_at"].strftime("%d/%m/%Y %H:%M") == "25/09/2025 22:40"
    assert "25/09/2025" in render_html(data)
    assert {m["url"] for m in _data(db, date(2025, 9, 25), date(2025, 9, 25), tz="UTC").mentions} == {LATE[0]}


def test_exports_carry_rome_times(db, tmp_path):
    data = _data(db)
    with write_report(data, "csv", tmp_path / "r.csv").open(encoding="utf-8") as handle:
        rows = {r["url"]: r for r in csv.DictReader(handle)}
    assert rows[LATE[0]]["published_at"] == "2025-09-26 00:40:00+02:00"
    assert rows[NEW_YEAR[0]]["published_at"] == "2026-01-01 00:30:00+01:00"
    assert rows[LATE[0]]["timezone"] == "Europe/Rome"

    parquet = write_report(data, "parquet", tmp_path / "r.parquet")
    with duckdb.connect() as con:
        got = dict(con.execute("SELECT url, published_at FROM read_parquet(?)", [str(parquet)]).fetchall())
        zones = con.execute("SELECT DISTINCT timezone FROM read_parquet(?)", [str(parquet)]).fetchall()
    assert got == {LATE[0]: datetime(2025, 9, 26, 0, 40), NEW_YEAR[0]: datetime(2026, 1, 1, 0, 30)}
    assert zones == [("Europe/Rome",)]

    book = write_report(data, "xlsx", tmp_path / "r.xlsx")
    with zipfile.ZipFile(book) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    # Excel stores days since 1899-12-30: 00:40 on 26/09/2025 is 45926 + 40/1440.
    serial = (datetime(2025, 9, 26, 0, 40) - datetime(1899, 12, 30)).total_seconds() / 86400
    assert f"<v>{serial:.15g}"[:12] in sheet


def test_the_cli_report_takes_tz_and_refuses_an_unknown_zone(db, tmp_path):
    out = tmp_path / "r.md"
    done = runner.invoke(app, ["report", "--db", str(db), "--format", "md", "--out", str(out), "--tz", "UTC"])
    assert done.exit_code == 0, done.output
    assert "| 25/09/2025 | Galdi |" in out.read_text("utf-8")
    wrong = runner.invoke(app, ["report", "--db", str(db), "--format", "md", "--out", str(out), "--tz", "Mars/Olympus"])
    assert wrong.exit_code == 2
    assert "unknown time zone 'Mars/Olympus'" in wrong.output


def test_the_run_summary_shows_rome_time():
    flagged = [{"source": "giornale", "failing_runs_in_a_row": 0, "silent_runs_in_a_row": 9,
                "last_new_article_run_at": datetime(2025, 9, 25, 22, 40)}]
    markdown = run_markdown("r1", "completed", {}, {}, [], flagged)
    assert "last new article in the run of 26/09/2025 00:40 CEST" in markdown
    rows = mention_rows([{"entity_name": "Galdi", "published_at": datetime(2025, 12, 31, 23, 30)},
                         {"entity_name": "Aton", "published_at": None}])
    assert [r["published_at"] for r in rows] == ["01/01/2026 00:30 CET", ""]


def test_inspect_shows_the_date_in_rome_and_as_stored():
    page = FIXTURES / "walls" / "teaser-jsonld.html"  # datePublished 2025-09-16T06:15:00+02:00
    done = runner.invoke(app, ["inspect", "--watchlist", str(WATCHLIST), str(page)])
    assert done.exit_code == 0, done.output
    assert "published_at: 16/09/2025 06:15 CEST (Europe/Rome); stored as 2025-09-16T04:15:00 UTC" in " ".join(
        done.output.split())
