"""A watchlist generated from a company list matches by its rows' evidence alone."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import WATCHLIST
from rassegna.cli import app
from rassegna.config import load_watchlist
from rassegna.matching.matcher import Matcher

LIST = """name,town,province,region,sector,people,products,namesakes
Ferretti,Noventa,Padova,Veneto,caldaie; riscaldamento; termoidraulica,Giulia Ferretti,,
Orbita Sistemi,Ancona,,Marche,software; logistica,,OrbitaTrack,
Lampo,Cesena,Forlì-Cesena,Emilia-Romagna,biciclette; e-bike; ciclismo,Marco Neri,,"il fulmine: temporale, tuono, meteo"
"""


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("list")
    (folder / "companies.csv").write_text(LIST, "utf-8")
    out = folder / "watchlist.yaml"
    result = CliRunner().invoke(app, ["import-companies", str(folder / "companies.csv"), "--out", str(out),
                                      "--base", str(WATCHLIST)])
    assert result.exit_code == 0, result.output
    return out


def test_the_generated_watchlist_keeps_the_programmes_and_derives_the_rest(generated):
    watchlist = load_watchlist(generated)
    names = [e.name for e in watchlist.entities]
    assert names[:2] == ["Imprese Vincenti", "INNOVIT"] and names[2:] == ["Ferretti", "Orbita Sistemi", "Lampo"]
    ferretti = watchlist.entity("ferretti")
    assert ferretti.requires_context and ferretti.aliases[0].case_sensitive and ferretti.aliases[0].person_like
    assert {"Ferretti Srl", "Gruppo Ferretti"} <= {a.text for a in ferretti.aliases}
    assert ferretti.places == ["Noventa", "Padova", "Veneto"]
    assert not watchlist.entity("orbita-sistemi").requires_context


@pytest.mark.parametrize(
    "text, accepted",
    [
        ("A Noventa la Ferretti, azienda di caldaie, assume venti tecnici.", True),  # sector and town
        ("Giulia Ferretti guida l'azienda di famiglia.", False),  # the person, no company evidence
        ("Il sindaco Ferretti ha inaugurato la piazza di Noventa.", False),  # a person
        ("A Padova ha aperto il bar di Ferretti in via Roma.", False),  # another business
        ("Ferretti ha segnato il gol della vittoria a Padova.", False),  # a person's verb
        ("Il Gruppo Ferretti ha chiuso l'anno in crescita.", True),  # a distinctive form
    ],
)
def test_a_listed_surname_is_decided_by_its_rows_evidence(generated, text, accepted):
    matcher = Matcher(load_watchlist(generated))
    found = [c for c in matcher.match(text) if c.entity_name == "Ferretti"]
    assert found and any(c.accepted for c in found) == accepted, found


def test_a_listed_namesake_weighs_against_the_name(generated):
    matcher = Matcher(load_watchlist(generated))
    (c,) = [c for c in matcher.match("Lampo e tuono nella notte: il temporale ha colpito Cesena.") if c.entity_name == "Lampo"]
    assert not c.accepted


@pytest.mark.parametrize(
    "csv_text, message",
    [
        ("name,town\n,Padova\n", "line 2 (no name).name: a company needs a name"),
        ("name,colour\nFerretti,blue\n", "unknown columns colour"),
        ("name,namesakes\nFerretti,just words\n", "line 2 (Ferretti).namesakes"),
        ("name\nFerretti\nFerretti\n", "line 3 (Ferretti).name: same company as line 2"),
        ("name,ambiguous\nFerretti,maybe\n", "line 2 (Ferretti).ambiguous"),
    ],
)
def test_bad_rows_are_named(tmp_path, csv_text, message):
    companies = tmp_path / "companies.csv"
    companies.write_text(csv_text, "utf-8")
    out = tmp_path / "watchlist.yaml"
    result = CliRunner().invoke(app, ["import-companies", str(companies), "--out", str(out), "--base", str(WATCHLIST)])
    assert result.exit_code == 2
    assert message in result.output
    assert not out.exists()  # nothing half-written
