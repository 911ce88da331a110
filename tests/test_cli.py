"""The `rassegna` command: help with examples, inspect's JSON contract, config errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import FIXTURES, SITE, WATCHLIST
from rassegna.cli import app

runner = CliRunner()
COMMANDS = sorted(c.name or c.callback.__name__ for c in app.registered_commands)


def test_there_are_commands():
    assert {"run", "demo", "inspect"} <= set(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(command):
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example: rassegna " + command in result.output


def _fixture_page(outlet: str, path: str, tmp_path: Path) -> Path:
    raw = (SITE / outlet / path.lstrip("/")).read_bytes().replace(b"{{BASE}}", b"http://127.0.0.1:8000")
    out = tmp_path / (path.strip("/").replace("/", "_"))
    out.write_bytes(raw)
    return out


def test_inspect_json_prints_one_object_per_file_in_order_from_one_process(tmp_path):
    expected = [e for e in json.loads((SITE / "expected.json").read_text("utf-8")) if e["expect"] == "article"][:3]
    files = [_fixture_page(e["outlet"], e["path"], tmp_path) for e in expected]
    result = subprocess.run(
        [sys.executable, "-m", "rassegna.cli", "inspect", "--json", "--watchlist", str(WATCHLIST), *map(str, files)],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == len(files)
    for line, entry, path in zip(lines, expected, files):
        report = json.loads(line)
        assert report["target"] == str(path)
        assert {"url", "title", "published_at", "text", "mentions"} <= report.keys()
        assert report["title"] == entry["title"]
        assert {m["entity_name"] for m in report["mentions"]} == set(entry["entities"])
        for mention in report["mentions"]:
            assert report["text"][mention["start_char"]:mention["end_char"]] == mention["matched_text"]
            assert mention["rule"] and mention["snippet"]


def test_inspect_shows_rejected_candidates_with_their_rule(tmp_path):
    page = tmp_path / "meteo.html"
    page.write_text(
        "<html lang='en'><head><title>Weekend weather</title><meta property='og:type' content='article'></head>"
        "<body><article><h1>Weekend weather</h1><p>" + "Rain is expected across the north on Saturday. " * 3
        + "Forecasters say it will clear by Sunday afternoon, with cooler air moving in from the Alps. "
        "Drivers should allow more time on the motorways and check for closures before leaving.</p>"
        "</article></body></html>",
        "utf-8",
    )
    result = runner.invoke(app, ["inspect", "--json", "--watchlist", str(WATCHLIST), str(page)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["mentions"] == []
    assert report["rejected"] and all(r["entity_name"] == "Rain" and r["rule"] == "no-context" for r in report["rejected"])


def test_inspect_reports_a_missing_file_and_exits_non_zero(tmp_path):
    result = runner.invoke(app, ["inspect", "--json", "--watchlist", str(WATCHLIST), str(tmp_path / "nope.html")])
    assert result.exit_code == 1
    assert "nope.html" in json.loads(result.output)["error"]


def test_run_with_a_bad_sources_file_fails_before_any_network_work(tmp_path):
    bad = tmp_path / "sources.yaml"
    bad.write_text("sources:\n  - {name: ok-one, kind: feed, url: 'https://example.org/feed'}\n"
                   "  - {name: broken, kind: feed, url: 'ftp://example.org/feed'}\n", "utf-8")
    result = runner.invoke(app, ["run", "--sources", str(bad), "--db", str(tmp_path / "x.duckdb")])
    assert result.exit_code == 2
    assert str(bad) in result.output and "sources[1] (broken)" in result.output and "url" in result.output
    assert not (tmp_path / "x.duckdb").exists()


def test_sql_runs_a_statement_read_only_on_the_analysts_copy(tmp_path):
    from warehouse.db import connect
    from warehouse.publish import publish

    db = tmp_path / "w.duckdb"
    connect(db).close()
    publish(db)
    result = subprocess.run(
        [sys.executable, "-m", "rassegna.cli", "sql", "--db", str(db), "-c", "SELECT count(*) AS n FROM entities"],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "n" in result.stdout and "0" in result.stdout
    refused = subprocess.run(
        [sys.executable, "-m", "rassegna.cli", "sql", "--db", str(db), "-c", "CREATE TABLE x (a INT)"],
        capture_output=True, text=True, timeout=60,
    )
    assert refused.returncode != 0 or "read-only" in (refused.stdout + refused.stderr).lower()


def test_inspect_shows_where_the_date_came_from_and_a_teaser():
    teaser = FIXTURES / "walls" / "teaser-jsonld.html"
    result = runner.invoke(app, ["inspect", "--watchlist", str(WATCHLIST), str(teaser)])
    assert result.exit_code == 0, result.output
    assert "date_signal: jsonld" in result.output and "teaser: True" in result.output
    assert "date candidate: jsonld 2025-09-16T04:15:00 (time)" in result.output


def test_inspect_shows_the_evidence_for_and_against(tmp_path):
    page = tmp_path / "rfid.html"
    page.write_text(
        "<html lang='it'><head><title>Magazzini</title><meta property='og:type' content='article'></head>"
        "<body><article><h1>Magazzini più veloci</h1><p>"
        + "A Legnano Rain ha presentato i nuovi tag RFID UHF per la logistica di magazzino. " * 3
        + "Gli operatori potranno leggere centinaia di colli al secondo senza aprire gli imballi.</p>"
        "</article></body></html>",
        "utf-8",
    )
    result = runner.invoke(app, ["inspect", "--watchlist", str(WATCHLIST), str(page)], env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    assert "rejected Rain" in result.output and "score" in result.output
    assert "for: place:Legnano@sentence" in result.output
    against = next(line for line in result.output.splitlines() if "against:" in line)
    assert "namesake:RAIN RFID (" in against and "@sentence" in against
