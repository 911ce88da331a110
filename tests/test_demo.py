"""`rassegna demo`: the bundled site served on 127.0.0.1 and monitored by the real flow."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from conftest import WATCHLIST
from rassegna.cli import app

DEMO_SITE = Path(__file__).parent.parent / "rassegna" / "demo" / "site"

pytestmark = pytest.mark.usefixtures("prefect_harness")


def test_demo_runs_offline_and_finds_the_labelled_mentions(tmp_path):
    db = tmp_path / "demo.duckdb"
    result = CliRunner().invoke(app, ["demo", "--db", str(db), "--watchlist", str(WATCHLIST)])
    assert result.exit_code == 0, result.output
    assert str(db) in result.output and "SELECT" in result.output  # where the data is, and how to ask
    expected = [e for e in json.loads((DEMO_SITE / "expected.json").read_text("utf-8")) if e["expect"] == "article"]
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == len(expected)
        for entry in expected:
            found = {
                row[0]
                for row in con.execute(
                    "SELECT m.entity_name FROM mentions m JOIN articles a USING (article_id)"
                    " WHERE a.title = ?",
                    [entry["title"]],
                ).fetchall()
            }
            assert found == set(entry["entities"]), entry["path"]
        articles, mentions = con.execute("SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM mentions)").fetchone()

    # Same ports, same URLs: a second demo run finds nothing new and duplicates nothing.
    again = CliRunner().invoke(app, ["demo", "--db", str(db), "--watchlist", str(WATCHLIST)])
    assert again.exit_code == 0, again.output
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM mentions)").fetchone() == (
            articles, mentions)
