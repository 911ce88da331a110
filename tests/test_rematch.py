"""Rematch: a watchlist change recomputes every mention over stored texts, atomically."""

from __future__ import annotations

import duckdb
import pytest

from conftest import WATCHLIST, store_articles
from rassegna.config import load_watchlist
from rassegna.matching.matcher import Matcher
from rassegna.pipeline import match_article
from warehouse import load
from warehouse.db import connect

pytestmark = pytest.mark.usefixtures("prefect_harness")

TEXTS = {
    "https://news.example.it/a": ("Imprese Vincenti in California",
                                  "Con Imprese Vincenti di Intesa Sanpaolo sono partite Galdi, Aton e Rain."),
    "https://news.example.it/b": ("Letti per ospedali", "Il Gruppo Malvestio amplia lo stabilimento di Villanova."),
    "https://news.example.it/c": ("Meteo", "Rain is expected over the hills, forecasters said on Sunday."),
}


def _store(db, watchlist):
    store_articles(db, watchlist, [(url, title, text, None) for url, (title, text) in TEXTS.items()])


def test_rematch_replaces_mentions_with_the_new_watchlist(tmp_path):
    from flows.rematch import rematch

    db = tmp_path / "w.duckdb"
    original = load_watchlist(WATCHLIST)
    _store(db, original)
    # The new watchlist drops Aton entirely: its mention must disappear, the rest stay.
    edited = tmp_path / "watchlist.yaml"
    text = WATCHLIST.read_text("utf-8")
    start = text.index("  - id: aton")
    end = text.index("  - id: galdi")
    edited.write_text(text[:start] + text[end:], "utf-8")
    new = load_watchlist(edited)
    assert new.version != original.version

    summary = rematch(watchlist_file=edited, db=str(db))

    with duckdb.connect(str(db), read_only=True) as con:
        names = {r[0] for r in con.execute("SELECT DISTINCT entity_name FROM mentions").fetchall()}
        versions = {r[0] for r in con.execute("SELECT DISTINCT watchlist_version FROM mention_candidate").fetchall()}
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        run = con.execute("SELECT kind, status, articles_extracted FROM runs WHERE run_id = ?", [summary.run_id]).fetchone()
        strengths = dict(con.execute("SELECT entity_name, strength FROM programme_coverage").fetchall())
    assert "Aton" not in names
    assert {"Imprese Vincenti", "Galdi", "Rain", "Malvestio"} <= names
    assert versions == {new.version}
    assert not any(t.endswith("_staging") for t in tables)
    assert run == ("rematch", "completed", len(TEXTS))
    assert strengths == {"Imprese Vincenti": "headline"}
    assert summary.articles == len(TEXTS)


def test_rematch_is_idempotent(tmp_path):
    from flows.rematch import rematch

    db = tmp_path / "w.duckdb"
    _store(db, load_watchlist(WATCHLIST))

    def snapshot():
        with duckdb.connect(str(db), read_only=True) as con:
            return sorted(con.execute(
                "SELECT article_id, entity_id, start_char, accepted, rule FROM mention_candidate").fetchall())

    before = snapshot()
    rematch(watchlist_file=WATCHLIST, db=str(db))
    assert snapshot() == before


def test_a_retried_staging_batch_replaces_itself(tmp_path):
    db = tmp_path / "w.duckdb"
    watchlist = load_watchlist(WATCHLIST)
    _store(db, watchlist)
    with connect(db) as con:
        load.start_rematch(con, "rm-1", str(WATCHLIST), watchlist)
        load.start_rematch(con, "rm-1", str(WATCHLIST), watchlist)  # a retried start
        rows = con.execute("SELECT article_id, title, text FROM article").fetchall()
        matcher = Matcher(watchlist)
        candidates, relevance = [], []
        for aid, title, text in rows:
            found, strengths = match_article(matcher, title, text)
            candidates += load.candidate_tuples(aid, found, watchlist.version, "rm-1")
            relevance += load.relevance_tuples(aid, strengths, watchlist.version)
        ids = [r[0] for r in rows]
        load.stage_rematch(con, ids, candidates, relevance)
        load.stage_rematch(con, ids, candidates, relevance)  # the same batch again
        load.swap_rematch(con, "rm-1", len(rows))
        assert con.execute("SELECT count(*) FROM mention_candidate").fetchone()[0] == len(candidates)
        assert con.execute("SELECT status FROM run WHERE run_id = 'rm-1'").fetchone()[0] == "completed"


MALVESTIO = (
    "Il Gruppo Malvestio di Villanova di Camposampiero, che produce letti e arredi per ospedali e residenze "
    "per anziani, ha annunciato un nuovo reparto dedicato ai letti elettrici per la terapia intensiva. "
    "L'investimento vale alcuni milioni di euro e porterà trenta nuove assunzioni entro la fine dell'anno. "
    "Secondo l'azienda, la domanda arriva soprattutto dagli ospedali del Nord Europa, dove le gare premiano "
    "la facilità di pulizia e la durata dei materiali. Il reparto lavorerà su due turni e userà acciaio "
    "riciclato per le strutture portanti, con un risparmio di energia stimato in un quinto."
)


def test_articles_that_gain_mentions_in_a_rematch_get_their_fingerprint_and_story(tmp_path):
    from flows.rematch import rematch

    db = tmp_path / "w.duckdb"
    text = WATCHLIST.read_text("utf-8")
    start = text.index("  - id: malvestio")
    end = text.index("  - id: ", start + 10)
    without = tmp_path / "without-malvestio.yaml"
    without.write_text(text[:start] + text[end:], "utf-8")
    copy = MALVESTIO.replace("ha annunciato", "ha presentato ieri") + " Leggi anche: le altre notizie dal territorio."
    store_articles(db, load_watchlist(without), [("https://uno.example/m", "Malvestio", MALVESTIO, None),
                                                 ("https://due.example/m", "Malvestio cresce", copy, None)])
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM article WHERE fingerprint IS NOT NULL").fetchone()[0] == 0

    rematch(watchlist_file=WATCHLIST, db=str(db))

    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("SELECT fingerprint IS NOT NULL, story_id FROM article").fetchall()
        story = con.execute("SELECT articles, entities FROM stories").fetchall()
    assert [has for has, _ in rows] == [True, True]
    assert len({s for _, s in rows}) == 1, "the two copies should be one story"
    assert story == [(2, ["Malvestio"])]


def test_giving_stories_twice_to_the_same_articles_changes_nothing(tmp_path):
    from rassegna.stories import fingerprint

    db = tmp_path / "w.duckdb"
    store_articles(db, load_watchlist(WATCHLIST), [("https://uno.example/m", "Malvestio", MALVESTIO, None)])
    with connect(db) as con:
        con.execute("UPDATE article SET fingerprint = NULL")
        items = [(aid, fingerprint(text)) for aid, text in load.unfingerprinted_with_mentions(con, "", 10)]
        assert len(items) == 1
        load.fingerprint_stories(con, items)
        load.fingerprint_stories(con, items)  # a retried task whose first attempt committed
        rows = con.execute("SELECT article_id = story_id, fingerprint IS NOT NULL FROM article").fetchall()
    assert rows == [(True, True)]


def test_rematch_brings_rows_of_an_older_matcher_to_the_current_one(tmp_path):
    from flows.rematch import rematch
    from rassegna.matching.evidence import MATCHER_VERSION

    db = tmp_path / "w.duckdb"
    _store(db, load_watchlist(WATCHLIST))
    with duckdb.connect(str(db)) as con:
        # Rows as an older matcher left them: no version, no score, no evidence against.
        con.execute("UPDATE mention_candidate SET matcher_version = NULL, score = NULL, evidence_against = NULL")

    summary = rematch(watchlist_file=WATCHLIST, db=str(db))

    with duckdb.connect(str(db), read_only=True) as con:
        versions = {r[0] for r in con.execute("SELECT DISTINCT matcher_version FROM mention_candidate").fetchall()}
        scored = con.execute("SELECT count(*) FROM mention_candidate WHERE score IS NULL").fetchone()[0]
        run_version = con.execute("SELECT matcher_version FROM runs WHERE run_id = ?", [summary.run_id]).fetchone()[0]
        weather = con.execute(
            "SELECT rule, evidence_against FROM rejected_mentions WHERE entity_name = 'Rain' AND url LIKE '%/c'"
        ).fetchone()
    assert versions == {MATCHER_VERSION} and run_version == MATCHER_VERSION
    assert scored == 0
    assert weather[0] == "excluded" and "excluded:" in weather[1]
